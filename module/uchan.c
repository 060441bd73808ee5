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
 * copies in before it sends, so a fault sends nothing.  A receive first
 * pins the user pages it will write (the values' destination and the
 * call's outputs), so that once a value has left the channel nothing can
 * fail: the copy-out goes to pinned pages and cannot fault.  A fault, a
 * userfaultfd stall or a signal while pinning happens before anything
 * moved.  So a value is never put back, and no receiver can see a value
 * after another was told "closed and drained", nor values out of order.
 */
#include <linux/anon_inodes.h>
#include <linux/compat.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/hashtable.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/uidgid.h>

#include "chan.h"
#include "internal.h"
#include "select.h"
#include "trace.h"
#include "uchan.h"

/*
 * Locking legend, as in sched.h, chan.h and select.h:
 *
 *   A:  lock-free (refcount_t, atomic_t, xchg/cmpxchg)
 *   I:  set when the object is made, read-only after
 *   U:  gochan_users_lock, the per-user charge table
 *
 * The channel itself (struct kgo_chan) keeps its own legend (chan.h).
 */

static unsigned int max_elem_size = 64 << 10;
module_param(max_elem_size, uint, 0644);
MODULE_PARM_DESC(max_elem_size, "Largest value of a userspace channel, bytes (at most 65536)");

static unsigned int max_chan_bytes = 16 << 20;
module_param(max_chan_bytes, uint, 0644);
MODULE_PARM_DESC(max_chan_bytes, "Largest buffer (cap * elem_size) of a userspace channel, bytes");

static unsigned int max_chans_per_user = 4096;
module_param(max_chans_per_user, uint, 0644);
MODULE_PARM_DESC(max_chans_per_user, "Channels one user may have open at once (0: no limit)");

static unsigned long max_user_bytes = 64UL << 20;
module_param(max_user_bytes, ulong, 0644);
MODULE_PARM_DESC(max_user_bytes,
		 "Kernel memory one user's channels, selects and batches may hold, bytes (0: no limit; CAP_SYS_RESOURCE is exempt)");

static unsigned int min_tick_ns = 100000;
module_param(min_tick_ns, uint, 0644);
MODULE_PARM_DESC(min_tick_ns,
		 "Shortest ticker period for a user without CAP_SYS_RESOURCE, ns (at least 1000)");

/* ---- per-user accounting ------------------------------------------------- */

struct gochan_user {
	struct hlist_node node;		/* U */
	kuid_t uid;			/* I */
	unsigned int chans;		/* U */
	size_t bytes;			/* U: charged by gochan_user_charge() */
};

/* Protects the U fields: the table and every user's counts. */
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

/* Drop u from the table when nothing is charged to it; returns it to free. */
static struct gochan_user *gochan_user_idle(struct gochan_user *u)
{
	lockdep_assert_held(&gochan_users_lock);
	if (u->chans || u->bytes)
		return NULL;
	hash_del(&u->node);
	WRITE_ONCE(gochan_nusers, gochan_nusers - 1);
	return u;
}

/*
 * Charge chans channels and bytes of kernel memory to uid: -EMFILE over
 * max_chans_per_user, -ENOBUFS over max_user_bytes (which a caller with
 * CAP_SYS_RESOURCE, exempt says, is not held to).  The memory cgroup
 * is charged as well, by the allocations themselves (GOCHAN_GFP).
 */
int gochan_user_charge(kuid_t uid, unsigned int chans, size_t bytes,
		       bool exempt)
{
	unsigned int limit = READ_ONCE(max_chans_per_user);
	unsigned long blimit = READ_ONCE(max_user_bytes);
	struct gochan_user *u, *fresh = NULL;
	int ret = 0;

	spin_lock(&gochan_users_lock);
	u = gochan_user_find(uid);
	if (!u) {
		/* The first charge of this user: allocate, look again. */
		spin_unlock(&gochan_users_lock);
		fresh = kzalloc(sizeof(*fresh), GOCHAN_GFP);
		if (!fresh)
			return -ENOMEM;
		spin_lock(&gochan_users_lock);
		u = gochan_user_find(uid);
	}
	if (!u) {
		u = fresh;
		fresh = NULL;
		u->uid = uid;
		hash_add(gochan_users, &u->node, __kuid_val(uid));
		WRITE_ONCE(gochan_nusers, gochan_nusers + 1);
	}
	if (chans && limit && u->chans + chans > limit)
		ret = -EMFILE;
	else if (!exempt && blimit && (bytes > blimit || u->bytes > blimit - bytes))
		ret = -ENOBUFS;
	if (!ret) {
		u->chans += chans;
		u->bytes += bytes;
	} else if (!fresh) {
		fresh = gochan_user_idle(u);	/* a new entry nothing holds */
	}
	spin_unlock(&gochan_users_lock);
	kfree(fresh);
	return ret;
}

void gochan_user_uncharge(kuid_t uid, unsigned int chans, size_t bytes)
{
	struct gochan_user *u;

	spin_lock(&gochan_users_lock);
	u = gochan_user_find(uid);
	if (!WARN_ON_ONCE(!u || u->chans < chans || u->bytes < bytes)) {
		u->chans -= chans;
		u->bytes -= bytes;
		u = gochan_user_idle(u);
	} else {
		u = NULL;
	}
	spin_unlock(&gochan_users_lock);
	kfree(u);
}

bool gochan_exempt(void)
{
	return capable(CAP_SYS_RESOURCE);
}

/*
 * A call's own buffers of more than this are charged to the caller for
 * the call's duration; smaller ones are bounded by the caller's threads.
 */
#define GOCHAN_CHARGE_MIN	1024U

/* Charge bytes to the caller if it is worth it; *charged sums what was. */
int gochan_call_charge(size_t bytes, size_t *charged)
{
	int ret;

	if (bytes <= GOCHAN_CHARGE_MIN)
		return 0;
	ret = gochan_user_charge(current_uid(), 0, bytes, gochan_exempt());
	if (!ret)
		*charged += bytes;
	return ret;
}

void gochan_call_uncharge(size_t charged)
{
	if (charged)
		gochan_user_uncharge(current_uid(), 0, charged);
}

/* ---- user pages pinned for writing --------------------------------------- */

/* A user range the kernel writes after values left a channel: uchan.h. */
unsigned int gochan_upin_npages(u64 addr, size_t len)
{
	return len ? DIV_ROUND_UP(offset_in_page(addr) + len, PAGE_SIZE) : 0;
}

/*
 * Pin len bytes at user address uaddr into pages (room for
 * gochan_upin_npages()).  Returns 0 or -EFAULT (or -EINTR from a fatal
 * signal while faulting in).
 */
int gochan_upin(struct gochan_upin *p, u64 uaddr, size_t len,
		struct page **pages)
{
	unsigned int n = gochan_upin_npages(uaddr, len);
	int got;

	p->addr = uaddr;
	p->pages = pages;
	p->npages = 0;
	if (!n)
		return 0;
	if (uaddr + len < uaddr)
		return -EFAULT;
	got = pin_user_pages_fast(uaddr & PAGE_MASK, n, FOLL_WRITE, pages);
	if (got < 0)
		return got == -EINTR ? -EINTR : -EFAULT;
	p->npages = got;
	return got == n ? 0 : -EFAULT;
}

/* Write n bytes from src (zeros if src is NULL) at offset off. */
void gochan_upin_write(struct gochan_upin *p, size_t off, const void *src,
		       size_t n)
{
	off += offset_in_page(p->addr);
	while (n) {
		struct page *pg = p->pages[off >> PAGE_SHIFT];
		size_t po = offset_in_page(off);
		size_t c = min_t(size_t, n, PAGE_SIZE - po);

		if (src) {
			memcpy_to_page(pg, po, src, c);
			src += c;
		} else {
			memzero_page(pg, po, c);
		}
		off += c;
		n -= c;
	}
}

/*
 * If [uaddr, uaddr + len) lies in pages q already pinned, make p a view
 * of them (released with q, not p) and return true: a value buffer on
 * the same stack page as the call's struct costs no second pin.
 */
bool gochan_upin_within(struct gochan_upin *p, u64 uaddr, size_t len,
			const struct gochan_upin *q)
{
	u64 first = q->addr & PAGE_MASK;
	u64 end = first + ((u64)q->npages << PAGE_SHIFT);

	if (!q->npages || uaddr < first || uaddr + len > end || uaddr + len < uaddr)
		return false;
	p->addr = uaddr;
	p->pages = q->pages + ((uaddr - first) >> PAGE_SHIFT);
	p->npages = 0;
	return true;
}

void gochan_upin_release(struct gochan_upin *p)
{
	if (p->npages)
		unpin_user_pages_dirty_lock(p->pages, p->npages, true);
	p->npages = 0;
}

/* ---- the shared userspace side of a channel ------------------------------ */

static void gochan_uchan_put(struct gochan_uchan *uc)
{
	if (!refcount_dec_and_test(&uc->ref))
		return;
	if (uid_valid(uc->owner))
		gochan_user_uncharge(uc->owner, 1, uc->charge);
	kgo_chan_put(uc->ch);
	kfree(uc);
}

static const struct file_operations gochan_chan_fops;

/* The gochan_file of a channel fd's file, or NULL for any other file. */
struct gochan_file *gochan_file_of(struct file *file)
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
	INIT_LIST_HEAD(&gf->sel_items);
	/* GOCHAN_*_CLOEXEC is O_CLOEXEC (main.c pins it). */
	fd = get_unused_fd_flags(O_RDWR | (flags & O_CLOEXEC));
	if (fd < 0) {
		ret = fd;
		goto err_free;
	}
	refcount_inc(&uc->ref);
	if (dir & GOCHAN_DIR_SEND)
		atomic_inc(&uc->senders);
	/* GOCHAN_*_NONBLOCK is O_NONBLOCK, pinned as CLOEXEC is. */
	file = anon_inode_getfile("[gochan]", &gochan_chan_fops, gf,
				  O_RDWR | (flags & O_NONBLOCK));
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		goto err_put;
	}
	gochan_obj_add(GOCHAN_OBJ_FILES, 1);
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
					     kuid_t owner, size_t charge)
{
	struct gochan_uchan *uc = kzalloc(sizeof(*uc), GOCHAN_GFP);

	if (!uc)
		return NULL;
	uc->ch = ch;
	refcount_set(&uc->ref, 1);
	uc->owner = owner;
	uc->charge = charge;
	uc->flags = flags;
	uc->id = kgo_chan_id(ch);
	return uc;
}

/* What a channel of elem_size x cap costs its owner, roughly. */
static size_t gochan_chan_charge(struct kgo_chan *ch)
{
	return sizeof(struct kgo_chan) + sizeof(struct gochan_uchan) +
	       sizeof(struct gochan_file) +
	       (size_t)kgo_chan_cap(ch) * kgo_chan_elem_size(ch);
}

/*
 * Charge the caller, wrap ch and return a new fd; on failure ch is put.
 * The creator's reference on the gochan_uchan is dropped at the end: the
 * file holds its own.
 */
static int gochan_chan_new_fd(struct kgo_chan *ch, u32 dir, u32 flags,
			      u32 uflags)
{
	size_t charge = gochan_chan_charge(ch);
	kuid_t uid = current_uid();
	struct gochan_uchan *uc;
	int ret;

	ret = gochan_user_charge(uid, 1, charge, gochan_exempt());
	if (ret) {
		kgo_chan_put(ch);
		return ret;
	}
	uc = gochan_uchan_new(ch, uflags, uid, charge);
	if (!uc) {
		gochan_user_uncharge(uid, 1, charge);
		kgo_chan_put(ch);
		return -ENOMEM;
	}
	ret = gochan_install(uc, dir, flags);
	gochan_uchan_put(uc);
	return ret;
}

/* ---- time limits ---------------------------------------------------------- */

/*
 * A uapi deadline (absolute CLOCK_MONOTONIC ns, or GOCHAN_FOREVER) as a
 * ktime.  -EINVAL for a time beyond ktime's range.  Being absolute, it
 * is the same when a call that a signal interrupted restarts
 * (-ERESTARTSYS).
 */
int gochan_deadline(u64 ns, ktime_t *deadline)
{
	if (ns == GOCHAN_FOREVER) {
		*deadline = KGO_FOREVER;
		return 0;
	}
	if (ns > KTIME_MAX)
		return -EINVAL;
	*deadline = ns_to_ktime(ns);
	return 0;
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
	if (!x->count || x->count > GOCHAN_BATCH_MAX || x->pad ||
	    x->flags & ~(GOCHAN_XFER_NONBLOCK | GOCHAN_XFER_WAITALL |
			 GOCHAN_XFER_SIZED) ||
	    (x->elem_size && !(x->flags & GOCHAN_XFER_SIZED)))
		return -EINVAL;
	return 0;
}

/*
 * A bounce buffer of bytes: the file's spare for this direction (rx)
 * when it is big enough and free, else a new one, charged to the caller
 * (gochan_call_charge()).  Threads sharing the file race for the spare
 * with xchg; the loser allocates.
 */
static void *gochan_bounce_get(struct gochan_file *gf, bool rx, size_t bytes)
{
	size_t charged = 0;
	void *buf;
	int ret;

	BUILD_BUG_ON(GOCHAN_SPARE_BYTES < GOCHAN_CHARGE_MIN);
	if (bytes > GOCHAN_SPARE_BYTES) {
		ret = gochan_call_charge(bytes, &charged);
		if (ret)
			return ERR_PTR(ret);
		buf = kvmalloc(bytes, GOCHAN_GFP);
		if (!buf) {
			gochan_call_uncharge(charged);
			return ERR_PTR(-ENOMEM);
		}
		return buf;
	}
	buf = xchg(&gf->spare[rx], NULL);
	if (buf)
		return buf;
	buf = kvmalloc(GOCHAN_SPARE_BYTES, GOCHAN_GFP);
	return buf ?: ERR_PTR(-ENOMEM);
}

/* A send of at most this many bytes bounces through the stack. */
#define GOCHAN_STACK_BOUNCE	64

/* Done with a bounce buffer of bytes: keep it as the spare, or free it. */
static void gochan_bounce_put(struct gochan_file *gf, bool rx, void *buf,
			      size_t bytes)
{
	if (bytes > GOCHAN_SPARE_BYTES) {
		kvfree(buf);
		gochan_call_uncharge(bytes);	/* > GOCHAN_CHARGE_MIN: charged */
		return;
	}
	if (!cmpxchg(&gf->spare[rx], NULL, buf))
		return;
	kvfree(buf);
}

/*
 * kgo_chan_xfer()'s flags for the next values of a call that has moved
 * done: it waits for the first value of the call, or for each with
 * GOCHAN_XFER_WAITALL, and never with GOCHAN_XFER_NONBLOCK.
 */
static unsigned int gochan_xfer_kflags(const struct gochan_xfer *x,
				       unsigned int done)
{
	unsigned int moved = done ? KGO_XFER_MOVED : 0;

	if (x->flags & GOCHAN_XFER_NONBLOCK)
		return KGO_NONBLOCK | moved;
	if (x->flags & GOCHAN_XFER_WAITALL)
		return KGO_INTERRUPTIBLE | KGO_XFER_WAITALL | moved;
	return done ? KGO_NONBLOCK | moved : KGO_INTERRUPTIBLE;
}

/*
 * Send: each chunk is copied in from the user, then moved by one
 * kgo_chan_xfer() call.  A short chunk ends the call: the next value
 * would have waited, and the call does not wait for it.
 */
static int gochan_do_send(struct gochan_file *gf, struct gochan_xfer *x,
			  ktime_t deadline)
{
	struct kgo_chan *ch = gf->uc->ch;
	size_t sz = kgo_chan_elem_size(ch);
	unsigned int per = gochan_chunk(sz, x->count);
	const u8 __user *ubuf = u64_to_user_ptr(x->buf);
	u8 stack[GOCHAN_STACK_BOUNCE] __aligned(8);
	unsigned int avail, moved;
	int ret = 0;
	u8 *buf;

	/*
	 * A small send (one value, say) bounces through the stack: no
	 * per-file buffer to touch, which matters when a process sends on
	 * thousands of channels in turn.
	 */
	if ((size_t)per * sz <= sizeof(stack))
		buf = stack;
	else
		buf = gochan_bounce_get(gf, false, per * sz);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	while (x->done < x->count) {
		avail = min(per, x->count - x->done);
		if (sz && copy_from_user(buf, ubuf + (size_t)x->done * sz,
					 (size_t)avail * sz)) {
			ret = -EFAULT;
			break;
		}
		ret = kgo_chan_xfer(ch, KGO_SELECT_SEND, buf, avail,
				    gochan_xfer_kflags(x, x->done), deadline,
				    &moved);
		x->done += moved;
		if (ret == -EAGAIN && x->done)
			ret = 0;	/* values went; the next would wait */
		if (ret || moved < avail)
			break;
		cond_resched();
	}
	if (buf != stack)
		gochan_bounce_put(gf, false, buf, per * sz);
	return ret;
}

/* Pages one receive chunk may span: a 64 KiB value, unaligned. */
#define GOCHAN_UPIN_MAX_PAGES	(DIV_ROUND_UP(KGO_CHAN_MAX_ELEM, PAGE_SIZE) + 1)

/*
 * Receive one chunk of at most want values into buf.  Returns the values
 * received; *closed is set when the call ended at a closed and drained
 * channel (its zero value is written after them), *ret to 0 or -errno.
 */
static unsigned int gochan_recv_chunk(struct kgo_chan *ch,
				      struct gochan_xfer *x, u8 *buf,
				      unsigned int want, ktime_t deadline,
				      bool *closed, int *ret)
{
	unsigned int n;

	*ret = kgo_chan_xfer(ch, KGO_SELECT_RECV, buf, want,
			     gochan_xfer_kflags(x, x->done), deadline, &n);
	if (*ret == -ENODATA) {
		/* Closed and drained: Go's zero value, ok = false. */
		*closed = true;
		*ret = 0;
	} else if (*ret == -EAGAIN && x->done) {
		*ret = 0;	/* values came; the next would wait */
	}
	return n;
}

/*
 * Receive: chunk by chunk, pin the destination, take the values into the
 * bounce buffer, and copy them to the pinned pages.  Once pinned, nothing
 * fails after a value left the channel.
 */
static int gochan_do_recv(struct gochan_file *gf, struct gochan_xfer *x,
			  const struct gochan_upin *out, ktime_t deadline,
			  bool zero_value)
{
	struct page *pages[GOCHAN_UPIN_MAX_PAGES];
	u8 stack[GOCHAN_STACK_BOUNCE] __aligned(8);
	struct kgo_chan *ch = gf->uc->ch;
	size_t sz = kgo_chan_elem_size(ch);
	unsigned int per = gochan_chunk(sz, x->count);
	bool closed = false;
	struct gochan_upin p;
	unsigned int want, n;
	int ret = 0;
	u8 *buf;

	BUILD_BUG_ON(GOCHAN_CHUNK_BYTES > KGO_CHAN_MAX_ELEM);
	/* A small receive bounces through the stack, as a small send does. */
	if ((size_t)per * sz <= sizeof(stack))
		buf = stack;
	else
		buf = gochan_bounce_get(gf, true, per * sz);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	while (x->done < x->count && !closed && !ret) {
		want = min(per, x->count - x->done);
		/* Room for the values and for a closed channel's zero value. */
		if (!gochan_upin_within(&p, x->buf + (u64)x->done * sz,
					(size_t)want * sz, out))
			ret = gochan_upin(&p, x->buf + (u64)x->done * sz,
					  (size_t)want * sz, pages);
		if (ret) {
			gochan_upin_release(&p);
			break;
		}
		n = gochan_recv_chunk(ch, x, buf, want, deadline, &closed, &ret);
		gochan_upin_write(&p, 0, buf, (size_t)n * sz);
		if (closed && zero_value)
			gochan_upin_write(&p, (size_t)n * sz, NULL, sz);
		gochan_upin_release(&p);
		x->done += n;
		if (n < want && !closed && !ret)
			break;		/* non-blocking, or no more waiting */
	}
	if (buf != stack)
		gochan_bounce_put(gf, true, buf, per * sz);
	/* ok: values came, and the call did not end at a closed channel. */
	x->ok = !closed && x->done;
	return ret;
}

/*
 * The outputs done and ok are written through a pin taken before any
 * value moves: values moved are always reported.
 */
static long gochan_ioctl_xfer(struct gochan_file *gf,
			      struct gochan_xfer __user *ux, bool send)
{
	struct page *pages[2];
	struct gochan_upin out;
	struct gochan_xfer x;
	ktime_t deadline;
	int ret;

	if (copy_from_user(&x, ux, sizeof(x)))
		return -EFAULT;
	ret = gochan_xfer_check(&x);
	if (!ret)
		ret = gochan_deadline(x.deadline, &deadline);
	if (ret)
		return ret;
	if (!(gf->dir & (send ? GOCHAN_DIR_SEND : GOCHAN_DIR_RECV)))
		return -EBADF;
	/* The caller's idea of a value's size, where it gave one. */
	if ((x.flags & GOCHAN_XFER_SIZED) &&
	    x.elem_size != kgo_chan_elem_size(gf->uc->ch))
		return -EMSGSIZE;
	/*
	 * A non-blocking call that can move nothing (a look under the
	 * lock) answers at once: with nothing moved, a fault in writing the
	 * outputs is simply EFAULT, and no pin is needed.
	 */
	if ((x.flags & GOCHAN_XFER_NONBLOCK) &&
	    !kgo_chan_ready(gf->uc->ch, send ? KGO_SELECT_SEND : KGO_SELECT_RECV)) {
		if (send)
			trace_gochan_chan_send(gf->uc->id, 0, 0, -EAGAIN);
		else
			trace_gochan_chan_recv(gf->uc->id, 0, 0, -EAGAIN);
		if (put_user(0U, &ux->done) || put_user(0U, &ux->ok))
			return -EFAULT;
		return -EAGAIN;
	}
	BUILD_BUG_ON(sizeof(x) > PAGE_SIZE);
	ret = gochan_upin(&out, (uintptr_t)ux, sizeof(x), pages);
	if (ret) {
		gochan_upin_release(&out);
		return ret;
	}
	x.done = 0;
	x.ok = 0;
	ret = send ? gochan_do_send(gf, &x, deadline) :
		     gochan_do_recv(gf, &x, &out, deadline, true);
	/* Values moved: that is the result, whatever stopped the rest. */
	if (x.done)
		ret = 0;
	gochan_upin_write(&out, offsetof(struct gochan_xfer, done), &x.done,
			  sizeof(x.done));
	gochan_upin_write(&out, offsetof(struct gochan_xfer, ok), &x.ok,
			  sizeof(x.ok));
	gochan_upin_release(&out);
	return ret;
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
	if (d.reserved || d.flags & ~(GOCHAN_DUP_CLOEXEC | GOCHAN_DUP_NONBLOCK) ||
	    !d.dir ||
	    d.dir & ~(GOCHAN_DIR_SEND | GOCHAN_DIR_RECV))
		return -EINVAL;
	/* Narrowing only: a receive-only fd cannot grant sending. */
	if (d.dir & ~gf->dir)
		return -EBADF;
	return gochan_install(gf->uc, d.dir, d.flags);
}

/* The ticker limits of GOCHAN_IOC_TIMER (see gochan_ioctl_timer()). */
static int gochan_tick_check(s64 ns)
{
	if (ns < NSEC_PER_USEC)
		return -EINVAL;
	if (ns < max_t(u32, READ_ONCE(min_tick_ns), NSEC_PER_USEC) &&
	    !gochan_exempt())
		return -EPERM;
	return 0;
}

static long gochan_ioctl_timer_set(struct gochan_file *gf,
				   struct gochan_timer_set __user *us)
{
	struct kgo_chan *ch = gf->uc->ch;
	struct gochan_timer_set ts;
	bool stop;
	int ret;

	if (!(gf->uc->flags & GOCHAN_INFO_TIMER))
		return -ENOTTY;		/* not a timer's fd */
	if (copy_from_user(&ts, us, sizeof(ts)))
		return -EFAULT;
	stop = ts.flags & GOCHAN_TIMER_STOP;
	if (ts.reserved || ts.active || ts.flags & ~GOCHAN_TIMER_STOP ||
	    ts.ns < 0 || (stop && ts.ns))
		return -EINVAL;
	if (!stop && kgo_chan_timer_is_ticker(ch)) {
		ret = gochan_tick_check(ts.ns);
		if (ret)
			return ret;
	}
	/* Written before anything changes: a fault leaves the timer alone. */
	if (put_user(0U, &us->active))
		return -EFAULT;
	ts.active = kgo_chan_timer_set(ch, ns_to_ktime(ts.ns), stop);
	return put_user(ts.active, &us->active);
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
	case GOCHAN_IOC_TIMER_SET:
		return gochan_ioctl_timer_set(gf, argp);
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

	/*
	 * Queue on pollwq before the look under ch->lock (kgo_chan_stat()):
	 * kgo_chan_notify() says why no wake-up is lost.
	 */
	poll_wait(file, &ch->pollwq, pt);
	kgo_chan_stat(ch, &st);
	if ((gf->dir & GOCHAN_DIR_RECV) && (st.len || st.senders || st.closed))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (gf->dir & GOCHAN_DIR_SEND) {
		if (st.closed)
			mask |= EPOLLOUT | EPOLLWRNORM | EPOLLERR;
		else if (st.len < kgo_chan_cap(ch) || st.receivers)
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
	if (uc->flags & GOCHAN_INFO_TIMER)
		seq_printf(m, "timer_fires:\t%llu\n", st.timer_fires);
}

static int gochan_chan_release(struct inode *inode, struct file *file)
{
	struct gochan_file *gf = file->private_data;
	struct gochan_uchan *uc = gf->uc;

	/* The last file that may send is gone: a pipe's EOF. */
	if ((gf->dir & GOCHAN_DIR_SEND) && atomic_dec_and_test(&uc->senders) &&
	    (uc->flags & GOCHAN_INFO_AUTOCLOSE))
		kgo_chan_close(uc->ch);
	/* Its cases in selectors go with it, as epoll's do. */
	gochan_selector_file_release(gf);
	gochan_uchan_put(uc);
	kvfree(gf->spare[0]);
	kvfree(gf->spare[1]);
	kfree(gf);
	gochan_obj_add(GOCHAN_OBJ_FILES, -1);
	return 0;
}

/*
 * read(2) and write(2): a batched receive or send of whole values,
 * count / elem_size of them (at most GOCHAN_BATCH_MAX), which waits for
 * the first unless the file is O_NONBLOCK (at creation, or by fcntl()).
 * The exactly-once rules are those of the ioctls, on the same code:
 * values moved are counted in the result, whatever stopped the rest.
 * read() returns 0 (end of file) for a closed, drained channel, and
 * writes nothing past the values it returns; write() after close fails
 * with EPIPE (no SIGPIPE: a channel send is not a pipe write).  A count
 * that is not a whole number of values (less than one, for read) fails
 * with EINVAL, and so does a channel of elem_size 0, whose values have
 * no bytes to count.
 */
static ssize_t gochan_chan_rw(struct file *file, char __user *ubuf,
			      size_t count, bool send)
{
	struct gochan_file *gf = file->private_data;
	struct gochan_upin none = {};
	size_t sz = kgo_chan_elem_size(gf->uc->ch);
	struct gochan_xfer x = { .buf = (uintptr_t)ubuf };
	int ret;

	if (!(gf->dir & (send ? GOCHAN_DIR_SEND : GOCHAN_DIR_RECV)))
		return -EBADF;
	if (!sz || count < sz || (send && count % sz))
		return -EINVAL;
	x.count = min_t(size_t, count / sz, GOCHAN_BATCH_MAX);
	if (file->f_flags & O_NONBLOCK)
		x.flags = GOCHAN_XFER_NONBLOCK;
	ret = send ? gochan_do_send(gf, &x, KGO_FOREVER) :
		     gochan_do_recv(gf, &x, &none, KGO_FOREVER, false);
	if (x.done)
		return (ssize_t)x.done * sz;
	/* Nothing moved: a closed, drained channel is the end of file. */
	if (!send && !ret && !x.ok)
		return 0;
	return ret;
}

static ssize_t gochan_chan_read(struct file *file, char __user *ubuf,
				size_t count, loff_t *ppos)
{
	return gochan_chan_rw(file, ubuf, count, false);
}

static ssize_t gochan_chan_write(struct file *file, const char __user *ubuf,
				 size_t count, loff_t *ppos)
{
	return gochan_chan_rw(file, (char __user *)ubuf, count, true);
}

static const struct file_operations gochan_chan_fops = {
	.owner		= THIS_MODULE,
	.release	= gochan_chan_release,
	.read		= gochan_chan_read,
	.write		= gochan_chan_write,
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
	    mk.flags & ~(GOCHAN_MAKE_CLOEXEC | GOCHAN_MAKE_NONBLOCK |
			 GOCHAN_MAKE_AUTOCLOSE))
		return -EINVAL;
	if (mk.elem_size > min_t(u32, READ_ONCE(max_elem_size),
				 KGO_CHAN_MAX_ELEM))
		return -EMSGSIZE;
	/* cap and len must fit the int of gochan_cap() and gochan_len(). */
	if (mk.cap > INT_MAX ||
	    check_mul_overflow((size_t)mk.elem_size, (size_t)mk.cap, &bytes) ||
	    bytes > min_t(u32, READ_ONCE(max_chan_bytes), KGO_CHAN_MAX_BUF))
		return -EFBIG;
	ch = kgo_chan_make(mk.elem_size, mk.cap, GOCHAN_GFP);
	if (IS_ERR(ch))
		return PTR_ERR(ch);
	return gochan_chan_new_fd(ch, GOCHAN_DIR_SEND | GOCHAN_DIR_RECV,
				  mk.flags,
				  mk.flags & GOCHAN_MAKE_AUTOCLOSE ?
				  GOCHAN_INFO_AUTOCLOSE : 0);
}

long gochan_ioctl_timer(struct gochan_timer __user *ut)
{
	struct gochan_timer t;
	struct kgo_chan *ch;
	int ret;

	if (copy_from_user(&t, ut, sizeof(t)))
		return -EFAULT;
	if (t.pad || t.reserved ||
	    t.flags & ~(GOCHAN_TIMER_CLOEXEC | GOCHAN_TIMER_NONBLOCK |
			GOCHAN_TIMER_TICKER) ||
	    t.ns < 0)
		return -EINVAL;
	/*
	 * Each tick is an interrupt: below min_tick_ns a ticker needs
	 * CAP_SYS_RESOURCE.  (An unread ticker stops until it is read, see
	 * kgo_chan_timer_fire(), so the rate is the reader's.)
	 */
	if (t.flags & GOCHAN_TIMER_TICKER) {
		ret = gochan_tick_check(t.ns);
		if (ret)
			return ret;
	}
	ch = t.flags & GOCHAN_TIMER_TICKER ?
	     kgo_chan_tick(ns_to_ktime(t.ns), GOCHAN_GFP) :
	     kgo_chan_after(ns_to_ktime(t.ns), GOCHAN_GFP);
	if (IS_ERR(ch))
		return PTR_ERR(ch);
	return gochan_chan_new_fd(ch, GOCHAN_DIR_RECV, t.flags,
				  GOCHAN_INFO_TIMER);
}

/*
 * A select's kernel side: one allocation for the user's cases, the kgo
 * cases, the files they hold and the pins; one receive buffer shared by
 * every receive case (exactly one case completes, so one value at most
 * arrives); one buffer with a copy of each send case's value.  Before
 * the select runs, every page it may write afterwards is pinned: each
 * receive case's buffer, the cases (ok, err) and the index.  All of it
 * is charged to the caller's memory cgroup and, for the call's
 * duration, to its user (gochan_call_charge()).
 */
struct gochan_sel {
	struct gochan_case *cases;
	struct kgo_select_case *kc;
	struct fd *files;		/* fdget(): no refcount if unshared */
	struct gochan_upin *pins;	/* per case: its receive buffer */
	struct gochan_upin out[2];	/* the cases, the index */
	struct page **pages;		/* the pins' pages */
	u32 __user *usizes;		/* the caller's sizes, or NULL */
	void *recvbuf;			/* the receive buffer */
	void *mem;
	u8 *sendvals;			/* the send cases' values */
	size_t charged;
};

static void gochan_sel_free(struct gochan_sel *gs, unsigned int n)
{
	unsigned int i;

	for (i = 0; gs->files && i < n; i++)
		if (fd_file(gs->files[i]))
			fdput(gs->files[i]);
	for (i = 0; gs->pins && i < n; i++)
		gochan_upin_release(&gs->pins[i]);
	gochan_upin_release(&gs->out[0]);
	gochan_upin_release(&gs->out[1]);
	kvfree(gs->pages);
	kvfree(gs->recvbuf);
	kvfree(gs->sendvals);
	kvfree(gs->mem);
	gochan_call_uncharge(gs->charged);
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

	if (c->dir != GOCHAN_DIR_SEND && c->dir != GOCHAN_DIR_RECV)
		return -EINVAL;
	kc->dir = c->dir;	/* KGO_SELECT_* are GOCHAN_DIR_* */
	if (c->fd == -1)
		return 0;	/* a nil channel */
	gs->files[i] = fdget(c->fd);
	if (!fd_file(gs->files[i]))
		return -EBADF;
	gf = gochan_file_of(fd_file(gs->files[i]));
	if (!gf)
		return -ENOTTY;		/* not a channel fd, as its ioctls say */
	if (!(gf->dir & c->dir))
		return -EBADF;
	kc->ch = gf->uc->ch;
	/* The caller's idea of the value's size, where it gave one. */
	if (gs->usizes) {
		u32 sz;

		if (get_user(sz, &gs->usizes[i]))
			return -EFAULT;
		if (sz != kgo_chan_elem_size(kc->ch))
			return -EMSGSIZE;
	}
	return kgo_chan_elem_size(kc->ch);
}

/* Does receive case i write a value to the user (then it is pinned)? */
static bool gochan_sel_writes(struct gochan_sel *gs, unsigned int i)
{
	return gs->kc[i].ch && gs->kc[i].dir == KGO_SELECT_RECV &&
	       gs->cases[i].buf && kgo_chan_elem_size(gs->kc[i].ch);
}

/*
 * Pin what the select writes after a value moved: each receive case's
 * buffer, the cases array and the index (us).  Charges the page array.
 */
static int gochan_sel_pin(struct gochan_sel *gs, struct gochan_case __user *ucases,
			  struct gochan_select __user *us, unsigned int n)
{
	size_t cbytes = n * sizeof(*gs->cases), bytes, sz;
	unsigned int i, npages, used = 0;
	struct page **pg;
	int ret, last = -1;

	npages = gochan_upin_npages((uintptr_t)ucases, cbytes) +
		 gochan_upin_npages((uintptr_t)&us->index, sizeof(u32));
	for (i = 0; i < n; i++)
		if (gochan_sel_writes(gs, i))
			npages += gochan_upin_npages(gs->cases[i].buf,
						     kgo_chan_elem_size(gs->kc[i].ch));
	bytes = npages * sizeof(*gs->pages);
	ret = gochan_call_charge(bytes, &gs->charged);
	if (ret)
		return ret;
	gs->pages = kvmalloc_array(npages, sizeof(*gs->pages), GOCHAN_GFP);
	if (!gs->pages)
		return -ENOMEM;
	pg = gs->pages;
	ret = gochan_upin(&gs->out[0], (uintptr_t)ucases, cbytes, pg);
	used += gs->out[0].npages;
	if (!ret && !gochan_upin_within(&gs->out[1], (uintptr_t)&us->index,
					sizeof(u32), &gs->out[0]))
		ret = gochan_upin(&gs->out[1], (uintptr_t)&us->index,
				  sizeof(u32), pg + used);
	used += gs->out[1].npages;
	for (i = 0; !ret && i < n; i++) {
		if (!gochan_sel_writes(gs, i))
			continue;
		/* Cases that share a buffer (the usual way) share its pin. */
		if (last >= 0 && gs->cases[i].buf == gs->cases[last].buf &&
		    kgo_chan_elem_size(gs->kc[i].ch) ==
		    kgo_chan_elem_size(gs->kc[last].ch)) {
			gs->pins[i] = gs->pins[last];
			gs->pins[i].npages = 0;		/* released once */
			continue;
		}
		sz = kgo_chan_elem_size(gs->kc[i].ch);
		last = i;
		if (gochan_upin_within(&gs->pins[i], gs->cases[i].buf, sz,
				       &gs->out[0]) ||
		    gochan_upin_within(&gs->pins[i], gs->cases[i].buf, sz,
				       &gs->out[1]))
			continue;
		ret = gochan_upin(&gs->pins[i], gs->cases[i].buf, sz, pg + used);
		used += gs->pins[i].npages;
	}
	return ret;
}

/* Copy in and check the n cases at ucases; set up gs. */
static int gochan_sel_setup(struct gochan_sel *gs,
			    struct gochan_case __user *ucases,
			    struct gochan_select __user *us, unsigned int n)
{
	size_t recv_sz = 0, send_sz = 0, arrays;
	unsigned int i;
	u8 *vals;
	long sz;
	int ret;

	if (!n)
		return 0;
	arrays = n * (sizeof(*gs->cases) + sizeof(*gs->kc) +
		      sizeof(*gs->files) + sizeof(*gs->pins));
	ret = gochan_call_charge(arrays, &gs->charged);
	if (ret)
		return ret;
	gs->mem = kvzalloc(arrays, GOCHAN_GFP);
	if (!gs->mem)
		return -ENOMEM;
	gs->kc = gs->mem;
	gs->cases = (struct gochan_case *)(gs->kc + n);
	gs->files = (struct fd *)(gs->cases + n);
	gs->pins = (struct gochan_upin *)(gs->files + n);
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
	 * fd, dir and buf with what was read: a thread changing the array
	 * during the call gets what it raced for.)
	 */
	if (copy_to_user(ucases, gs->cases, n * sizeof(*gs->cases)))
		return -EFAULT;
	ret = gochan_sel_pin(gs, ucases, us, n);
	if (ret)
		return ret;
	ret = gochan_call_charge(recv_sz + send_sz, &gs->charged);
	if (ret)
		return ret;
	if (recv_sz) {
		gs->recvbuf = kvmalloc(recv_sz, GOCHAN_GFP);
		if (!gs->recvbuf)
			return -ENOMEM;
	}
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
			kc->val = gs->recvbuf;
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
	u32 uidx, ok;
	size_t coff;

	if (copy_from_user(&sel, us, sizeof(sel)))
		return -EFAULT;
	if (sel.pad || sel.n > GOCHAN_SELECT_MAX ||
	    sel.flags & ~(GOCHAN_SELECT_NONBLOCK | GOCHAN_SELECT_BIASED))
		return -EINVAL;
	ret = gochan_deadline(sel.deadline, &deadline);
	if (ret)
		return ret;
	if (put_user(0U, &us->index))
		return -EFAULT;
	ucases = u64_to_user_ptr(sel.cases);
	gs.usizes = u64_to_user_ptr(sel.sizes);
	ret = gochan_sel_setup(&gs, ucases, us, sel.n);
	if (ret)
		goto out;
	kflags = KGO_INTERRUPTIBLE;
	if (sel.flags & GOCHAN_SELECT_NONBLOCK)
		kflags |= KGO_NONBLOCK;
	if (sel.flags & GOCHAN_SELECT_BIASED)
		kflags |= KGO_BIASED;
	idx = kgo_select(gs.kc, sel.n, kflags, deadline);
	if (idx < 0) {
		ret = idx;
		goto out;
	}
	/* From here on nothing can fail: every write goes to pinned pages. */
	kc = &gs.kc[idx];
	uidx = idx;
	ok = kc->ok;
	coff = (size_t)idx * sizeof(*gs.cases);
	gochan_upin_write(&gs.out[1], 0, &uidx, sizeof(uidx));
	gochan_upin_write(&gs.out[0], coff + offsetof(struct gochan_case, ok),
			  &ok, sizeof(ok));
	gochan_upin_write(&gs.out[0], coff + offsetof(struct gochan_case, err),
			  &kc->err, sizeof(kc->err));
	/* A value, or a closed channel's zero value, as a receive gives. */
	if (gochan_sel_writes(&gs, idx))
		gochan_upin_write(&gs.pins[idx], 0, kc->ok ? gs.recvbuf : NULL,
				  kgo_chan_elem_size(kc->ch));
	ret = 0;
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
 * ERR_PTR(-EBADF) when @fd is not open or does not allow @dir, or
 * ERR_PTR(-ENOTTY) when it is not a gochan channel fd.
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
	if (!gf)
		ch = ERR_PTR(-ENOTTY);
	else if (!(dir & ~gf->dir))
		ch = kgo_chan_get(gf->uc->ch);
	fput(file);
	return ch;
}
EXPORT_SYMBOL_GPL(kgo_chan_fdget);

/**
 * kgo_chan_fd_install() - give a kernel channel to the calling process
 * @ch:    the channel; a reference is taken for the fd
 * @dir:   GOCHAN_DIR_SEND and/or GOCHAN_DIR_RECV
 * @flags: GOCHAN_MAKE_CLOEXEC
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
	    flags & ~GOCHAN_MAKE_CLOEXEC)
		return -EINVAL;
	return gochan_chan_new_fd(kgo_chan_get(ch), dir, flags, 0);
}
EXPORT_SYMBOL_GPL(kgo_chan_fd_install);

/* Users with at least one channel charged to them. */
unsigned int gochan_users_count(void)
{
	return READ_ONCE(gochan_nusers);
}

