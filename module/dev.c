// SPDX-License-Identifier: GPL-2.0
/*
 * The /dev/gochan misc device: userspace's entry point into gochan.
 *
 * Every command is one function; the dispatcher in gochan_dev_ioctl() only
 * routes.  Unknown commands return -ENOIOCTLCMD, which the VFS turns into
 * ENOTTY for userspace.  The file_operations carry THIS_MODULE as owner, so
 * an open /dev/gochan pins the module and rmmod fails with EBUSY.
 */
#include <linux/compat.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/uaccess.h>

#include "internal.h"

/**
 * gochan_api_negotiate() - validate and answer an API handshake
 * @api: the caller's request, updated in place with the module's answer
 *
 * A caller built against version 1, the interface before it was frozen
 * (whose flags meant other things), is refused: its requests would be
 * misread.  A caller built against a later header is answered with this
 * module's version, and its feature bits say what it may use.
 *
 * Context: Any context.
 * Return: 0 on success, -EINVAL if @api->api is zero or a flag or reserved
 * field is set, -EPROTO for a caller of version 1.
 */
VISIBLE_IF_KUNIT int gochan_api_negotiate(struct gochan_api *api)
{
	if (!api->api || api->flags || api->reserved[0] || api->reserved[1])
		return -EINVAL;
	if (api->api < GOCHAN_API_VERSION)
		return -EPROTO;

	api->api = GOCHAN_API_VERSION;
	api->features = GOCHAN_FEATURES;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(gochan_api_negotiate);

static long gochan_ioctl_api(void __user *argp)
{
	struct gochan_api api;
	int ret;

	if (copy_from_user(&api, argp, sizeof(api)))
		return -EFAULT;

	ret = gochan_api_negotiate(&api);
	if (ret)
		return ret;

	if (copy_to_user(argp, &api, sizeof(api)))
		return -EFAULT;
	return 0;
}

static long gochan_dev_ioctl(struct file *file, unsigned int cmd,
			     unsigned long arg)
{
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case GOCHAN_IOC_API:
		return gochan_ioctl_api(argp);
	case GOCHAN_IOC_MAKE:
		return gochan_ioctl_make(argp);
	case GOCHAN_IOC_SELECT:
		return gochan_ioctl_select(argp);
	case GOCHAN_IOC_TIMER:
		return gochan_ioctl_timer(argp);
	case GOCHAN_IOC_SELECTOR:
		return gochan_ioctl_selector(argp);
	default:
		return -ENOIOCTLCMD;
	}
}

static const struct file_operations gochan_dev_fops = {
	.owner		= THIS_MODULE,
	.open		= nonseekable_open,
	.unlocked_ioctl	= gochan_dev_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

static struct miscdevice gochan_misc = {
	.minor		= MISC_DYNAMIC_MINOR,
	.name		= "gochan",
	.fops		= &gochan_dev_fops,
	.mode		= 0666,
};

int gochan_dev_init(void)
{
	return misc_register(&gochan_misc);
}

void gochan_dev_exit(void)
{
	misc_deregister(&gochan_misc);
}
