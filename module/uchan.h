/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the userspace side of gochan (uchan.c: channel fds; selector.c:
 * selector fds) shares.  Locking legend as in uchan.c:
 *
 *   A:  lock-free (refcount_t, atomic_t, xchg/cmpxchg)
 *   I:  set when the object is made, read-only after
 *   M:  gochan_selector_mutex (selector.c): the registrations of
 *       channel files in selectors
 */
#ifndef _GOCHAN_UCHAN_H
#define _GOCHAN_UCHAN_H

#include <linux/gfp.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/refcount.h>
#include <linux/types.h>
#include <linux/uidgid.h>

struct file;
struct kgo_chan;
struct page;

/*
 * Allocations a process asks for, of sizes it chooses: charged to its
 * memory cgroup, and over the cgroup's limit they fail with ENOMEM,
 * quietly, instead of calling in the OOM killer.
 */
#define GOCHAN_GFP	(GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL | __GFP_NOWARN)

/* The userspace side of a channel, shared by every fd of it. */
struct gochan_uchan {
	struct kgo_chan *ch;		/* I: a reference */
	refcount_t ref;			/* A: one per struct file */
	atomic_t senders;		/* A: files that may send */
	/*
	 * I: the user who made the channel, charged for it (one channel and
	 * charge bytes) for as long as it lives, whoever holds its fds then:
	 * as for a pipe, passing an fd on does not pass the charge.
	 */
	kuid_t owner;
	size_t charge;			/* I */
	u64 id;				/* I: kgo_chan_id(ch) */
	u32 flags;			/* I: GOCHAN_INFO_AUTOCLOSE, _TIMER */
};

/* One per struct file. */
struct gochan_file {
	struct gochan_uchan *uc;	/* I: a reference */
	u32 dir;			/* I: GOCHAN_DIR_* */
	void *spare[2];			/* A: xchg; free bounce buffers for
					 * sending [0] and receiving [1]
					 */
	struct list_head sel_items;	/* M: its cases in selectors */
	atomic_t nsel;			/* A, changed under M: their number */
};

/*
 * A user range the kernel will write after values left a channel: pinned
 * first (FOLL_WRITE breaks COW and faults the pages in, userfaultfd and
 * all), then written through the kernel mapping, which cannot fault.  The
 * user may unmap the range meanwhile; the writes then land in pages only
 * the pin still holds, as with O_DIRECT.
 */
struct gochan_upin {
	unsigned long addr;		/* the first byte */
	unsigned int npages;
	struct page **pages;
};

unsigned int gochan_upin_npages(u64 addr, size_t len);
int gochan_upin(struct gochan_upin *p, u64 uaddr, size_t len,
		struct page **pages);
void gochan_upin_write(struct gochan_upin *p, size_t off, const void *src,
		       size_t n);
void gochan_upin_release(struct gochan_upin *p);
bool gochan_upin_within(struct gochan_upin *p, u64 uaddr, size_t len,
			const struct gochan_upin *q);

struct gochan_file *gochan_file_of(struct file *file);
int gochan_deadline(u64 ns, ktime_t *deadline);
int gochan_user_charge(kuid_t uid, unsigned int chans, size_t bytes,
		       bool exempt);
void gochan_user_uncharge(kuid_t uid, unsigned int chans, size_t bytes);
bool gochan_exempt(void);
int gochan_call_charge(size_t bytes, size_t *charged);
void gochan_call_uncharge(size_t charged);

/* selector.c */
void gochan_selector_file_release(struct gochan_file *gf);

#endif /* _GOCHAN_UCHAN_H */
