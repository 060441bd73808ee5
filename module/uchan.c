// SPDX-License-Identifier: GPL-2.0
/*
 * Channel file descriptors: userspace's channels.
 *
 * GOCHAN_IOC_MAKE on /dev/gochan makes a kernel channel (struct kgo_chan)
 * and returns an anon-inode fd for it.  Every struct file of a channel
 * carries a direction (what it may do: send, receive, or both) and points
 * at one struct gochan_uchan, the userspace side of the channel, shared
 * by every fd derived from it: its per-user charge and the count of
 * files that may send, for autoclose.  fork(), dup() and SCM_RIGHTS share
 * the struct file; GOCHAN_IOC_DUP makes a new one, maybe narrower.
 *
 * Values cross the user boundary through kernel bounce buffers: a send
 * copies in before it sends, so a fault sends nothing; a receive copies
 * out after it received, and when that faults the values are put back
 * at the head of the channel (kgo_chan_unrecv()), so nothing is lost.
 */
#include <linux/anon_inodes.h>
#include <linux/compat.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/hashtable.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/uidgid.h>

#include "chan.h"
#include "gochan.h"

static unsigned int max_elem_size = 64 << 10;
module_param(max_elem_size, uint, 0644);
MODULE_PARM_DESC(max_elem_size, "Largest value of a userspace channel, bytes (at most 65536)");

static unsigned int max_chan_bytes = 16 << 20;
module_param(max_chan_bytes, uint, 0644);
MODULE_PARM_DESC(max_chan_bytes, "Largest buffer (cap * elem_size) of a userspace channel, bytes");

static unsigned int max_chans_per_user = 4096;
module_param(max_chans_per_user, uint, 0644);
MODULE_PARM_DESC(max_chans_per_user, "Channels one user may have open at once (0: no limit)");

/*
 * Allocations a process asks for, of sizes it chooses: charged to its
 * memory cgroup, and over the cgroup's limit they fail with ENOMEM,
 * quietly, instead of calling in the OOM killer.
 */
#define GOCHAN_GFP	(GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL | __GFP_NOWARN)

/* ---- per-user accounting ------------------------------------------------- */

struct gochan_user {
	struct hlist_node node;		/* U */
	kuid_t uid;			/* I */
	unsigned int chans;		/* U */
};

/* Protects the U fields: the table and every user's count. */
static DEFINE_SPINLOCK(gochan_users_lock);
static DEFINE_HASHTABLE(gochan_users, 6);

static unsigned int gochan_nusers;	/* U: entries in gochan_users */

static struct gochan_user *gochan_user_find(kuid_t uid)
{
	struct gochan_user *u;

	lockdep_assert_held(&gochan_users_lock);
	hash_for_each_possible(gochan_users, u, node, __kuid_val(uid))
		if (uid_eq(u->uid, uid))
			return u;
	return NULL;
}

/* Charge one channel to the caller's user: -EMFILE over the limit. */
static int gochan_user_charge(kuid_t uid)
{
	struct gochan_user *u, *fresh;
	unsigned int limit = READ_ONCE(max_chans_per_user);
	int ret = 0;

	fresh = kzalloc(sizeof(*fresh), GOCHAN_GFP);
	if (!fresh)
		return -ENOMEM;
	spin_lock(&gochan_users_lock);
	u = gochan_user_find(uid);
	if (!u) {
		u = fresh;
		fresh = NULL;
		u->uid = uid;
		hash_add(gochan_users, &u->node, __kuid_val(uid));
		WRITE_ONCE(gochan_nusers, gochan_nusers + 1);
	}
	if (limit && u->chans >= limit)
		ret = -EMFILE;
	else
		u->chans++;
	if (!u->chans) {
		hash_del(&u->node);
		WRITE_ONCE(gochan_nusers, gochan_nusers - 1);
		fresh = u;
	}
	spin_unlock(&gochan_users_lock);
	kfree(fresh);
	return ret;
}

static void gochan_user_uncharge(kuid_t uid)
{
	struct gochan_user *u;

	spin_lock(&gochan_users_lock);
	u = gochan_user_find(uid);
	if (!WARN_ON_ONCE(!u || !u->chans) && !--u->chans) {
		hash_del(&u->node);
		WRITE_ONCE(gochan_nusers, gochan_nusers - 1);
	} else {
		u = NULL;
	}
	spin_unlock(&gochan_users_lock);
	kfree(u);
}

/* ---- the shared userspace side of a channel ------------------------------ */

struct gochan_uchan {
	struct kgo_chan *ch;		/* I: a reference */
	refcount_t ref;			/* A: one per struct file */
	atomic_t senders;		/* A: files that may send */
	kuid_t owner;			/* I: charged for it, or INVALID_UID */
	u64 id;				/* I */
	u32 flags;			/* I: GOCHAN_INFO_AUTOCLOSE, _TIMER */
};

/* One per struct file. */
struct gochan_file {
	struct gochan_uchan *uc;	/* I: a reference */
	u32 dir;			/* I: GOCHAN_DIR_* */
	struct kgo_stash *spare[2];	/* A: xchg; free bounce buffers for
					 * sending [0] and receiving [1]
					 */
};

static atomic64_t gochan_next_id = ATOMIC64_INIT(0);
static atomic_t gochan_files_alive = ATOMIC_INIT(0);

static void gochan_uchan_put(struct gochan_uchan *uc)
{
	if (!refcount_dec_and_test(&uc->ref))
		return;
	if (uid_valid(uc->owner))
		gochan_user_uncharge(uc->owner);
	kgo_chan_put(uc->ch);
	kfree(uc);
}

static const struct file_operations gochan_chan_fops;

/* The gochan_file of a channel fd's file, or NULL for any other file. */
static struct gochan_file *gochan_file_of(struct file *file)
{
	return file->f_op == &gochan_chan_fops ? file->private_data : NULL;
}

/*
 * A new fd for uc with direction dir; takes a reference on uc for the
 * file.  Returns the fd or -errno.
 */
static int gochan_install(struct gochan_uchan *uc, u32 dir, u32 flags)
{
	struct gochan_file *gf;
	struct file *file;
	int fd, ret;

	gf = kzalloc(sizeof(*gf), GOCHAN_GFP);
	if (!gf)
		return -ENOMEM;
	gf->uc = uc;
	gf->dir = dir;
	fd = get_unused_fd_flags(O_RDWR | (flags & GOCHAN_CLOEXEC ? O_CLOEXEC : 0));
	if (fd < 0) {
		ret = fd;
		goto err_free;
	}
	refcount_inc(&uc->ref);
	if (dir & GOCHAN_DIR_SEND)
		atomic_inc(&uc->senders);
	file = anon_inode_getfile("[gochan]", &gochan_chan_fops, gf, O_RDWR);
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		goto err_put;
	}
	atomic_inc(&gochan_files_alive);
	fd_install(fd, file);
	return fd;

err_put:
	if (dir & GOCHAN_DIR_SEND)
		atomic_dec(&uc->senders);
	refcount_dec(&uc->ref);		/* the caller still holds one */
	put_unused_fd(fd);
err_free:
	kfree(gf);
	return ret;
}

/* A gochan_uchan for ch (takes over the caller's reference on ch). */
static struct gochan_uchan *gochan_uchan_new(struct kgo_chan *ch, u32 flags,
					     kuid_t owner)
{
	struct gochan_uchan *uc = kzalloc(sizeof(*uc), GOCHAN_GFP);

	if (!uc)
		return NULL;
	uc->ch = ch;
	refcount_set(&uc->ref, 1);
	uc->owner = owner;
	uc->flags = flags;
	uc->id = atomic64_inc_return(&gochan_next_id);
	return uc;
}

/*
 * Charge the caller, wrap ch and return a new fd; on failure ch is put.
 * The creator's reference on the gochan_uchan is dropped at the end: the
 * file holds its own.
 */
static int gochan_chan_new_fd(struct kgo_chan *ch, u32 dir, u32 flags,
			      u32 uflags)
{
	kuid_t uid = current_uid();
	struct gochan_uchan *uc;
	int ret;

	ret = gochan_user_charge(uid);
	if (ret) {
		kgo_chan_put(ch);
		return ret;
	}
	uc = gochan_uchan_new(ch, uflags, uid);
	if (!uc) {
		gochan_user_uncharge(uid);
		kgo_chan_put(ch);
		return -ENOMEM;
	}
	ret = gochan_install(uc, dir, flags);
	gochan_uchan_put(uc);
	return ret;
}

/* ---- time limits ---------------------------------------------------------- */

/*
 * The absolute deadline of GOCHAN_TIMEOUT / GOCHAN_DEADLINE, or
 * KGO_FOREVER.  -EINVAL for both flags, a negative time, or a time
 * without a flag.
 */
static int gochan_deadline(u32 flags, s64 timeout, ktime_t *deadline)
{
	if ((flags & GOCHAN_TIMEOUT) && (flags & GOCHAN_DEADLINE))
		return -EINVAL;
	if (!(flags & (GOCHAN_TIMEOUT | GOCHAN_DEADLINE))) {
		*deadline = KGO_FOREVER;
		return timeout ? -EINVAL : 0;
	}
	if (timeout < 0)
		return -EINVAL;
	if (flags & GOCHAN_DEADLINE)
		*deadline = ns_to_ktime(timeout);
	else
		*deadline = ktime_add_safe(ktime_get(), ns_to_ktime(timeout));
	return 0;
}

/*
 * A signal with a relative timeout cannot restart: the time would start
 * over.  -ERESTARTSYS becomes -EINTR there, as for poll() and select().
 */
static int gochan_signal_ret(int ret, u32 flags)
{
	if (ret == -ERESTARTSYS && (flags & GOCHAN_TIMEOUT))
		return -EINTR;
	return ret;
}

/* ---- send and receive ------------------------------------------------------- */

/* Values moved per bounce buffer: at least one, else about 16 KiB. */
#define GOCHAN_CHUNK_BYTES	(16U << 10)
/*
 * Each file keeps one bounce buffer of this size between calls, so that
 * a transfer of up to 1 KiB per chunk allocates nothing.
 */
#define GOCHAN_SPARE_BYTES	1024U

/* Values per bounce buffer for count values of sz bytes. */
static unsigned int gochan_chunk(size_t sz, unsigned int count)
{
	size_t per = sz ? max_t(size_t, 1, GOCHAN_CHUNK_BYTES / sz) : count;

	return min_t(size_t, per, count);
}

static int gochan_xfer_check(const struct gochan_xfer *x)
{
	if (!x->count || x->count > GOCHAN_BATCH_MAX || x->reserved ||
	    x->flags & ~(GOCHAN_NONBLOCK | GOCHAN_TIMEOUT | GOCHAN_DEADLINE |
			 GOCHAN_WAITALL))
		return -EINVAL;
	return 0;
}

/*
 * A bounce buffer of bytes (a stash record, so that a receive can put it
 * back into the channel as is): the file's spare for this direction (rx)
 * when it is big enough and free, else a new one.  Threads sharing the
 * file race for the spare with xchg; the loser allocates.
 */
static struct kgo_stash *gochan_bounce_get(struct gochan_file *gf, bool rx,
					   size_t bytes)
{
	struct kgo_stash *st;

	if (bytes > GOCHAN_SPARE_BYTES)
		return kgo_stash_alloc(bytes, GOCHAN_GFP);
	st = xchg(&gf->spare[rx], NULL);
	if (st) {
		st->n = 0;
		st->first = 0;
		return st;
	}
	return kgo_stash_alloc(GOCHAN_SPARE_BYTES, GOCHAN_GFP);
}

/* Done with a bounce buffer of bytes: keep it as the spare, or free it. */
static void gochan_bounce_put(struct gochan_file *gf, bool rx,
			      struct kgo_stash *st, size_t bytes)
{
	if (bytes <= GOCHAN_SPARE_BYTES && !cmpxchg(&gf->spare[rx], NULL, st))
		return;
	kvfree(st);
}

/*
 * Wait for one value to move (the first of a call, or each with
 * GOCHAN_WAITALL) after kgo_chan_xfer_nowait() found none ready.
 * Returns 0, -ENODATA (receive: closed and drained) or -errno.
 */
static int gochan_xfer_wait(struct kgo_chan *ch, u32 dir, void *val,
			    ktime_t deadline)
{
	bool ok = true;
	int ret;

	if (dir == KGO_SELECT_SEND)
		return kgo_chan_send_opts(ch, val, KGO_INTERRUPTIBLE, deadline);
	ret = kgo_chan_recv_opts(ch, val, &ok, KGO_INTERRUPTIBLE, deadline);
	return ret ?: (ok ? 0 : -ENODATA);
}

/*
 * After a short kgo_chan_xfer_nowait() with status -EAGAIN, i values into
 * the call: does the call wait for the next value?  Only for the first,
 * or for all with GOCHAN_WAITALL, and never with GOCHAN_NONBLOCK.
 */
static bool gochan_xfer_waits(const struct gochan_xfer *x, unsigned int i)
{
	return !(x->flags & GOCHAN_NONBLOCK) &&
	       (!i || (x->flags & GOCHAN_WAITALL));
}

/* kgo_chan_xfer_nowait()'s flags: is its -EAGAIN the call's answer? */
static unsigned int gochan_xfer_kflags(const struct gochan_xfer *x,
				       unsigned int i)
{
	return gochan_xfer_waits(x, i) ? 0 : KGO_NONBLOCK;
}

/*
 * Send: each chunk is copied in from the user, then moved by as few
 * lock holds as the channel allows (kgo_chan_xfer_nowait()), waiting
 * only where gochan_xfer_waits() says.
 */
static int gochan_do_send(struct gochan_file *gf, struct gochan_xfer *x,
			  ktime_t deadline)
{
	struct kgo_chan *ch = gf->uc->ch;
	size_t sz = kgo_chan_elem_size(ch);
	unsigned int per = gochan_chunk(sz, x->count);
	const u8 __user *ubuf = u64_to_user_ptr(x->buf);
	unsigned int base = 0, avail = 0, moved;
	struct kgo_stash *st;
	int ret = 0;

	st = gochan_bounce_get(gf, false, per * sz);
	if (!st)
		return -ENOMEM;
	while (x->done < x->count) {
		unsigned int i = x->done;

		if (i == base + avail) {
			/* The next chunk. */
			base = i;
			avail = min(per, x->count - i);
			if (sz && copy_from_user(st->data, ubuf + (size_t)i * sz,
						 (size_t)avail * sz)) {
				ret = -EFAULT;
				break;
			}
		}
		moved = kgo_chan_xfer_nowait(ch, KGO_SELECT_SEND,
					     st->data + (size_t)(i - base) * sz,
					     base + avail - i,
					     gochan_xfer_kflags(x, i), &ret);
		x->done += moved;
		if (!ret) {
			cond_resched();
			continue;	/* the chunk, or part of it, went */
		}
		if (ret != -EAGAIN)
			break;		/* -EPIPE: closed */
		ret = 0;
		if (!gochan_xfer_waits(x, x->done)) {
			if (!x->done)
				ret = -EAGAIN;
			break;
		}
		ret = gochan_xfer_wait(ch, KGO_SELECT_SEND,
				       st->data + (size_t)(x->done - base) * sz,
				       deadline);
		if (ret)
			break;
		x->done++;
	}
	gochan_bounce_put(gf, false, st, per * sz);
	return ret;
}

/*
 * Deliver the st->n values received into st to the user at ubuf; on a
 * fault, put them back in the channel (which then owns st).  Returns 0
 * or -EFAULT.
 */
static int gochan_recv_flush(struct kgo_chan *ch, struct kgo_stash *st,
			     u8 __user *ubuf, size_t sz)
{
	if (!st->n || !copy_to_user(ubuf, st->data, st->n * sz)) {
		st->n = 0;
		return 0;
	}
	kgo_chan_unrecv(ch, st);
	return -EFAULT;
}

/*
 * Receive: values gather in the bounce buffer, which goes out to the user
 * each time it is full and at the end.  It is also the put-back record:
 * values whose copy-out faults return to the head of the channel.
 */
static int gochan_do_recv(struct gochan_file *gf, struct gochan_xfer *x,
			  ktime_t deadline)
{
	struct kgo_chan *ch = gf->uc->ch;
	size_t sz = kgo_chan_elem_size(ch);
	unsigned int per = gochan_chunk(sz, x->count);
	u8 __user *ubuf = u64_to_user_ptr(x->buf);
	unsigned int got = 0, moved;
	struct kgo_stash *st;
	bool closed = false;
	int ret = 0, fret;

	st = gochan_bounce_get(gf, true, per * sz);
	if (!st)
		return -ENOMEM;
	while (got < x->count) {
		moved = kgo_chan_xfer_nowait(ch, KGO_SELECT_RECV,
					     st->data + (size_t)st->n * sz,
					     min(per - st->n, x->count - got),
					     gochan_xfer_kflags(x, got), &ret);
		st->n += moved;
		got += moved;
		if (ret == -EAGAIN) {
			/* Short, so st has room for the one waited for. */
			ret = 0;
			if (!gochan_xfer_waits(x, got)) {
				if (!got)
					ret = -EAGAIN;
				break;
			}
			ret = gochan_xfer_wait(ch, KGO_SELECT_RECV,
					       st->data + (size_t)st->n * sz,
					       deadline);
			if (!ret) {
				st->n++;
				got++;
			}
		}
		if (ret == -ENODATA) {
			/* Closed and drained: Go's zero value, ok = false. */
			closed = true;
			ret = 0;
			if (sz && clear_user(ubuf + (size_t)got * sz, sz))
				ret = -EFAULT;
		}
		if (ret)
			break;
		if (st->n == per || closed) {
			unsigned int n = st->n;

			fret = gochan_recv_flush(ch, st, ubuf + (size_t)x->done * sz,
						 sz);
			if (fret) {
				st = NULL;	/* the channel owns it now */
				ret = fret;
				/* Put back: the channel is not drained. */
				closed = false;
				break;
			}
			x->done += n;
		}
		if (closed)
			break;
		cond_resched();
	}
	if (st) {
		unsigned int n = st->n;

		fret = gochan_recv_flush(ch, st, ubuf + (size_t)x->done * sz, sz);
		if (fret) {
			ret = fret;
			closed = false;	/* values put back: not drained */
		} else {
			x->done += n;
			gochan_bounce_put(gf, true, st, per * sz);
		}
	}
	/* ok: values came, and the call did not end at a closed channel. */
	x->ok = !closed && x->done;
	return ret;
}

static long gochan_ioctl_xfer(struct gochan_file *gf,
			      struct gochan_xfer __user *ux, bool send)
{
	struct gochan_xfer x;
	ktime_t deadline;
	int ret;

	if (copy_from_user(&x, ux, sizeof(x)))
		return -EFAULT;
	ret = gochan_xfer_check(&x);
	if (!ret)
		ret = gochan_deadline(x.flags, x.timeout, &deadline);
	if (ret)
		return ret;
	if (!(gf->dir & (send ? GOCHAN_DIR_SEND : GOCHAN_DIR_RECV)))
		return -EBADF;
	/* The outputs must be writable before anything moves. */
	if (put_user(0U, &ux->done) || put_user(0U, &ux->ok))
		return -EFAULT;
	x.done = 0;
	x.ok = 0;
	ret = send ? gochan_do_send(gf, &x, deadline) :
		     gochan_do_recv(gf, &x, deadline);
	/* Values moved: that is the result, whatever stopped the rest. */
	if (x.done)
		ret = 0;
	if (put_user(x.done, &ux->done) || put_user(x.ok, &ux->ok))
		ret = -EFAULT;
	return gochan_signal_ret(ret, x.flags);
}

/* ---- the other channel fd commands -------------------------------------- */

static long gochan_ioctl_close(struct gochan_file *gf)
{
	if (!(gf->dir & GOCHAN_DIR_SEND))
		return -EBADF;
	return kgo_chan_close(gf->uc->ch);
}

static long gochan_ioctl_info(struct gochan_file *gf,
			      struct gochan_info __user *ui)
{
	struct gochan_uchan *uc = gf->uc;
	struct gochan_info info = {};
	struct kgo_chan_stat st;

	kgo_chan_stat(uc->ch, &st);
	info.elem_size = kgo_chan_elem_size(uc->ch);
	info.cap = kgo_chan_cap(uc->ch);
	info.len = st.len;
	info.flags = uc->flags | (st.closed ? GOCHAN_INFO_CLOSED : 0);
	info.dir = gf->dir;
	info.senders = st.senders;
	info.receivers = st.receivers;
	info.id = uc->id;
	return copy_to_user(ui, &info, sizeof(info)) ? -EFAULT : 0;
}

static long gochan_ioctl_dup(struct gochan_file *gf,
			     struct gochan_dup __user *ud)
{
	struct gochan_dup d;

	if (copy_from_user(&d, ud, sizeof(d)))
		return -EFAULT;
	if (d.reserved || d.flags & ~GOCHAN_CLOEXEC || !d.dir ||
	    d.dir & ~(GOCHAN_DIR_SEND | GOCHAN_DIR_RECV))
		return -EINVAL;
	/* Narrowing only: a receive-only fd cannot grant sending. */
	if (d.dir & ~gf->dir)
		return -EBADF;
	return gochan_install(gf->uc, d.dir, d.flags);
}

static long gochan_chan_ioctl(struct file *file, unsigned int cmd,
			      unsigned long arg)
{
	struct gochan_file *gf = file->private_data;
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case GOCHAN_IOC_SEND:
		return gochan_ioctl_xfer(gf, argp, true);
	case GOCHAN_IOC_RECV:
		return gochan_ioctl_xfer(gf, argp, false);
	case GOCHAN_IOC_CLOSE:
		return gochan_ioctl_close(gf);
	case GOCHAN_IOC_INFO:
		return gochan_ioctl_info(gf, argp);
	case GOCHAN_IOC_DUP:
		return gochan_ioctl_dup(gf, argp);
	default:
		return -ENOIOCTLCMD;
	}
}

static __poll_t gochan_chan_poll(struct file *file, poll_table *pt)
{
	struct gochan_file *gf = file->private_data;
	struct kgo_chan *ch = gf->uc->ch;
	struct kgo_chan_stat st;
	__poll_t mask = 0;

	poll_wait(file, &ch->pollwq, pt);
	kgo_chan_stat(ch, &st);
	if ((gf->dir & GOCHAN_DIR_RECV) && (st.len || st.senders || st.closed))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (gf->dir & GOCHAN_DIR_SEND) {
		if (st.closed)
			mask |= EPOLLOUT | EPOLLWRNORM | EPOLLERR;
		else if (st.buffered < kgo_chan_cap(ch) || st.receivers)
			mask |= EPOLLOUT | EPOLLWRNORM;
	}
	if (st.closed)
		mask |= EPOLLHUP;
	return mask;
}

static void gochan_chan_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct gochan_file *gf = file->private_data;
	struct gochan_uchan *uc = gf->uc;
	struct kgo_chan_stat st;

	kgo_chan_stat(uc->ch, &st);
	seq_printf(m, "gochan-id:\t%llu\n", uc->id);
	seq_printf(m, "elem_size:\t%zu\n", kgo_chan_elem_size(uc->ch));
	seq_printf(m, "cap:\t%u\n", kgo_chan_cap(uc->ch));
	seq_printf(m, "len:\t%u\n", st.len);
	seq_printf(m, "closed:\t%d\n", st.closed);
	seq_printf(m, "dir:\t%s%s\n", gf->dir & GOCHAN_DIR_RECV ? "recv" : "",
		   gf->dir == (GOCHAN_DIR_SEND | GOCHAN_DIR_RECV) ? ",send" :
		   gf->dir == GOCHAN_DIR_SEND ? "send" : "");
	seq_printf(m, "autoclose:\t%d\n", !!(uc->flags & GOCHAN_INFO_AUTOCLOSE));
	seq_printf(m, "timer:\t%d\n", !!(uc->flags & GOCHAN_INFO_TIMER));
	seq_printf(m, "blocked_senders:\t%u\n", st.senders);
	seq_printf(m, "blocked_receivers:\t%u\n", st.receivers);
}

static int gochan_chan_release(struct inode *inode, struct file *file)
{
	struct gochan_file *gf = file->private_data;
	struct gochan_uchan *uc = gf->uc;

	/* The last file that may send is gone: a pipe's EOF. */
	if ((gf->dir & GOCHAN_DIR_SEND) && atomic_dec_and_test(&uc->senders) &&
	    (uc->flags & GOCHAN_INFO_AUTOCLOSE))
		kgo_chan_close(uc->ch);
	gochan_uchan_put(uc);
	kvfree(gf->spare[0]);
	kvfree(gf->spare[1]);
	kfree(gf);
	atomic_dec(&gochan_files_alive);
	return 0;
}

static const struct file_operations gochan_chan_fops = {
	.owner		= THIS_MODULE,
	.release	= gochan_chan_release,
	.poll		= gochan_chan_poll,
	.unlocked_ioctl	= gochan_chan_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.show_fdinfo	= gochan_chan_show_fdinfo,
};

/* ---- commands on /dev/gochan ---------------------------------------------- */

long gochan_ioctl_make(struct gochan_make __user *um)
{
	struct gochan_make mk;
	struct kgo_chan *ch;
	size_t bytes;

	if (copy_from_user(&mk, um, sizeof(mk)))
		return -EFAULT;
	if (mk.pad || mk.reserved[0] || mk.reserved[1] ||
	    mk.flags & ~(GOCHAN_CLOEXEC | GOCHAN_AUTOCLOSE))
		return -EINVAL;
	if (mk.elem_size > min_t(u32, READ_ONCE(max_elem_size),
				 KGO_CHAN_MAX_ELEM))
		return -EMSGSIZE;
	if (check_mul_overflow((size_t)mk.elem_size, (size_t)mk.cap, &bytes) ||
	    bytes > min_t(u32, READ_ONCE(max_chan_bytes), KGO_CHAN_MAX_BUF))
		return -EFBIG;
	ch = kgo_chan_make(mk.elem_size, mk.cap, GOCHAN_GFP);
	if (IS_ERR(ch))
		return PTR_ERR(ch);
	return gochan_chan_new_fd(ch, GOCHAN_DIR_SEND | GOCHAN_DIR_RECV,
				  mk.flags,
				  mk.flags & GOCHAN_AUTOCLOSE ?
				  GOCHAN_INFO_AUTOCLOSE : 0);
}

long gochan_ioctl_timer(struct gochan_timer __user *ut)
{
	struct gochan_timer t;
	struct kgo_chan *ch;

	if (copy_from_user(&t, ut, sizeof(t)))
		return -EFAULT;
	if (t.pad || t.reserved || t.flags & ~(GOCHAN_CLOEXEC | GOCHAN_TICKER) ||
	    t.ns < 0 || ((t.flags & GOCHAN_TICKER) && t.ns < NSEC_PER_USEC))
		return -EINVAL;
	ch = t.flags & GOCHAN_TICKER ?
	     kgo_chan_tick(ns_to_ktime(t.ns), GOCHAN_GFP) :
	     kgo_chan_after(ns_to_ktime(t.ns), GOCHAN_GFP);
	if (IS_ERR(ch))
		return PTR_ERR(ch);
	return gochan_chan_new_fd(ch, GOCHAN_DIR_RECV, t.flags,
				  GOCHAN_INFO_TIMER);
}

/*
 * A select's kernel side: one allocation for the user's cases, the kgo
 * cases and the files they hold; one receive record shared by every
 * receive case (exactly one case completes, so one value at most arrives;
 * the record is allocated up front so that a value taken but not
 * delivered goes back without an allocation after the fact); one buffer
 * with a copy of each send case's value.
 */
struct gochan_sel {
	struct gochan_case *cases;
	struct kgo_select_case *kc;
	struct fd *files;		/* fdget(): no refcount if unshared */
	struct kgo_stash *st;		/* the receive record, or NULL */
	void *mem;
	u8 *sendvals;			/* the send cases' values */
};

static void gochan_sel_free(struct gochan_sel *gs, unsigned int n)
{
	unsigned int i;

	for (i = 0; gs->files && i < n; i++)
		if (fd_file(gs->files[i]))
			fdput(gs->files[i]);
	kvfree(gs->st);
	kvfree(gs->sendvals);
	kvfree(gs->mem);
}

/*
 * Check case i and take its file.  Returns the bytes its value needs,
 * or -errno.
 */
static long gochan_sel_case_get(struct gochan_sel *gs, unsigned int i)
{
	struct gochan_case *c = &gs->cases[i];
	struct kgo_select_case *kc = &gs->kc[i];
	struct gochan_file *gf;

	if (c->op > GOCHAN_OP_SEND)
		return -EINVAL;
	kc->dir = c->op == GOCHAN_OP_SEND ? KGO_SELECT_SEND : KGO_SELECT_RECV;
	if (c->fd == -1)
		return 0;	/* a nil channel */
	gs->files[i] = fdget(c->fd);
	if (!fd_file(gs->files[i]))
		return -EBADF;
	gf = gochan_file_of(fd_file(gs->files[i]));
	if (!gf || !(gf->dir & (c->op == GOCHAN_OP_SEND ? GOCHAN_DIR_SEND :
							  GOCHAN_DIR_RECV)))
		return -EBADF;
	kc->ch = gf->uc->ch;
	return kgo_chan_elem_size(kc->ch);
}

/* Copy in and check the n cases at ucases; set up gs. */
static int gochan_sel_setup(struct gochan_sel *gs,
			    struct gochan_case __user *ucases, unsigned int n)
{
	size_t recv_sz = 0, send_sz = 0, arrays;
	unsigned int i;
	u8 *vals;
	long sz;

	if (!n)
		return 0;
	arrays = n * (sizeof(*gs->cases) + sizeof(*gs->kc) +
		      sizeof(*gs->files));
	gs->mem = kvzalloc(arrays, GOCHAN_GFP);
	if (!gs->mem)
		return -ENOMEM;
	gs->kc = gs->mem;
	gs->cases = (struct gochan_case *)(gs->kc + n);
	gs->files = (struct fd *)(gs->cases + n);
	if (copy_from_user(gs->cases, ucases, n * sizeof(*gs->cases)))
		return -EFAULT;
	for (i = 0; i < n; i++) {
		sz = gochan_sel_case_get(gs, i);
		if (sz < 0)
			return sz;
		if (gs->kc[i].dir == KGO_SELECT_RECV)
			recv_sz = max_t(size_t, recv_sz, sz);
		else
			send_sz += sz;
		/* Any case's outputs may be written: zeroed below. */
		gs->cases[i].ok = 0;
		gs->cases[i].err = 0;
	}
	/*
	 * The outputs must be writable before anything moves: write the
	 * cases back with ok and err zeroed, in one copy.  (This rewrites
	 * fd, op and buf with what was read: a thread changing the array
	 * during the call gets what it raced for.)
	 */
	if (copy_to_user(ucases, gs->cases, n * sizeof(*gs->cases)))
		return -EFAULT;
	gs->st = kgo_stash_alloc(recv_sz, GOCHAN_GFP);
	if (!gs->st)
		return -ENOMEM;
	if (send_sz) {
		gs->sendvals = kvmalloc(send_sz, GOCHAN_GFP);
		if (!gs->sendvals)
			return -ENOMEM;
	}
	vals = gs->sendvals;
	for (i = 0; i < n; i++) {
		struct kgo_select_case *kc = &gs->kc[i];

		if (!kc->ch || !kgo_chan_elem_size(kc->ch))
			continue;
		if (kc->dir == KGO_SELECT_RECV) {
			kc->val = gs->st->data;
			continue;
		}
		sz = kgo_chan_elem_size(kc->ch);
		kc->val = vals;
		if (copy_from_user(vals, u64_to_user_ptr(gs->cases[i].buf), sz))
			return -EFAULT;
		vals += sz;
	}
	return 0;
}

long gochan_ioctl_select(struct gochan_select __user *us)
{
	struct gochan_case __user *ucases;
	struct gochan_sel gs = {};
	struct kgo_select_case *kc;
	struct gochan_select sel;
	unsigned int kflags;
	ktime_t deadline;
	int ret, idx;
	size_t sz;

	if (copy_from_user(&sel, us, sizeof(sel)))
		return -EFAULT;
	if (sel.pad || sel.reserved || sel.n > GOCHAN_SELECT_MAX ||
	    sel.flags & ~(GOCHAN_NONBLOCK | GOCHAN_BIASED | GOCHAN_TIMEOUT |
			  GOCHAN_DEADLINE))
		return -EINVAL;
	ret = gochan_deadline(sel.flags, sel.timeout, &deadline);
	if (ret)
		return ret;
	if (put_user(0U, &us->index))
		return -EFAULT;
	ucases = u64_to_user_ptr(sel.cases);
	ret = gochan_sel_setup(&gs, ucases, sel.n);
	if (ret)
		goto out;
	kflags = KGO_INTERRUPTIBLE;
	if (sel.flags & GOCHAN_NONBLOCK)
		kflags |= KGO_NONBLOCK;
	if (sel.flags & GOCHAN_BIASED)
		kflags |= KGO_BIASED;
	idx = kgo_select(gs.kc, sel.n, kflags, deadline);
	if (idx < 0) {
		ret = gochan_signal_ret(idx, sel.flags);
		goto out;
	}
	kc = &gs.kc[idx];
	if (put_user((u32)idx, &us->index) ||
	    put_user((u32)kc->ok, &ucases[idx].ok) ||
	    put_user(kc->err, &ucases[idx].err))
		ret = -EFAULT;
	if (kc->dir == KGO_SELECT_RECV && kc->ok) {
		sz = kgo_chan_elem_size(kc->ch);
		if (!ret && sz && gs.cases[idx].buf &&
		    copy_to_user(u64_to_user_ptr(gs.cases[idx].buf),
				 gs.st->data, sz))
			ret = -EFAULT;
		if (ret) {
			/* Not delivered: the value goes back. */
			gs.st->n = 1;
			kgo_chan_unrecv(kc->ch, gs.st);
			gs.st = NULL;
		}
	} else if (kc->dir == KGO_SELECT_RECV && kc->ch) {
		/* Closed and drained: Go's zero value, as a receive gives. */
		sz = kgo_chan_elem_size(kc->ch);
		if (!ret && sz && gs.cases[idx].buf &&
		    clear_user(u64_to_user_ptr(gs.cases[idx].buf), sz))
			ret = -EFAULT;
	}
out:
	gochan_sel_free(&gs, sel.n);
	return ret;
}

/* ---- sharing channels with kernel code ------------------------------------ */

/**
 * kgo_chan_fdget() - the channel behind a gochan channel fd
 * @fd:  a file descriptor of the calling process
 * @dir: GOCHAN_DIR_SEND and/or GOCHAN_DIR_RECV: what the fd must allow
 *
 * Lets a kernel module (an ioctl of its own, say) work on a channel that
 * userspace made.  The reference it returns keeps the channel alive after
 * the process closes its fds; the direction and autoclose stay the fd's
 * business.
 *
 * Context: Process context.
 * Return: the channel with a reference (drop it with kgo_chan_put()), or
 * ERR_PTR(-EBADF) when @fd is not a gochan channel fd allowing @dir.
 */
struct kgo_chan *kgo_chan_fdget(int fd, unsigned int dir)
{
	struct kgo_chan *ch = ERR_PTR(-EBADF);
	struct gochan_file *gf;
	struct file *file;

	file = fget(fd);
	if (!file)
		return ch;
	gf = gochan_file_of(file);
	if (gf && !(dir & ~gf->dir))
		ch = kgo_chan_get(gf->uc->ch);
	fput(file);
	return ch;
}
EXPORT_SYMBOL_GPL(kgo_chan_fdget);

/**
 * kgo_chan_fd_install() - give a kernel channel to the calling process
 * @ch:    the channel; a reference is taken for the fd
 * @dir:   GOCHAN_DIR_SEND and/or GOCHAN_DIR_RECV
 * @flags: GOCHAN_CLOEXEC
 *
 * The fd behaves as one from GOCHAN_IOC_MAKE, without autoclose; it is
 * charged to the calling user.
 *
 * Context: Process context.
 * Return: the new fd, or -EINVAL, -EMFILE (the per-user limit or the
 * process's fd limit) or -ENOMEM.
 */
int kgo_chan_fd_install(struct kgo_chan *ch, unsigned int dir,
			unsigned int flags)
{
	if (!ch || !dir || dir & ~(GOCHAN_DIR_SEND | GOCHAN_DIR_RECV) ||
	    flags & ~GOCHAN_CLOEXEC)
		return -EINVAL;
	return gochan_chan_new_fd(kgo_chan_get(ch), dir, flags, 0);
}
EXPORT_SYMBOL_GPL(kgo_chan_fd_install);

/* Users with at least one channel charged to them. */
unsigned int gochan_users_count(void)
{
	return READ_ONCE(gochan_nusers);
}

unsigned int gochan_files_alive_count(void)
{
	return atomic_read(&gochan_files_alive);
}
