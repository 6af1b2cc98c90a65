/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-source rate limit for handshakes under load (protocol.md 5.6): a
 * token bucket per IPv4 address or per IPv6 /64, 20 packets per second with
 * a burst of 5. Credit is kept in nanoseconds: each packet costs 50 ms, the
 * bucket holds at most 250 ms, and it refills with elapsed time. Sources
 * idle for more than a second are forgotten by the garbage collector.
 *
 * Sans-IO: the caller passes the time (boot-time ns, for example
 * ktime_get_coarse_boottime_ns()) and the address bytes.
 *
 * Locking: one spinlock per limiter, taken with spin_lock_bh() by every
 * function, protects the table and all entries. The critical sections are
 * a hash lookup or one pass of the collector, so there is no RCU and no
 * lockless reader. Callable from process and softirq context.
 *
 * Memory: entries are allocated with GFP_ATOMIC up to @max_entries (8192
 * per GiB of RAM, from 8192 to 65536); when the table is full, sources
 * not yet in it are refused rather than the table growing.
 */
#ifndef _VEIL_RATELIMITER_H
#define _VEIL_RATELIMITER_H

#include <linux/siphash.h>
#include <linux/socket.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#define VEIL_RATELIMITER_PACKETS_PER_SECOND	20
#define VEIL_RATELIMITER_BURST			5
#define VEIL_RATELIMITER_PACKET_COST_NS \
	(NSEC_PER_SEC / VEIL_RATELIMITER_PACKETS_PER_SECOND)
#define VEIL_RATELIMITER_MAX_CREDIT_NS \
	(VEIL_RATELIMITER_PACKET_COST_NS * VEIL_RATELIMITER_BURST)
/* Entries idle for longer than this are collected. */
#define VEIL_RATELIMITER_IDLE_NS		NSEC_PER_SEC

/*
 * @table:       hash buckets (@buckets of them, a power of two)
 * @entries:     number of entries in @table
 * @max_entries: no more entries than this are ever allocated
 * @key:         random siphash key, so sources cannot aim at one bucket
 * @gc_work:     periodic collector, only when init was asked for it
 * @auto_gc:     @gc_work is in use
 * @lock:        protects @table, @entries and every entry
 */
struct veil_ratelimiter {
	struct hlist_head *table;
	unsigned int buckets;
	unsigned int entries;
	unsigned int max_entries;
	siphash_key_t key;
	struct delayed_work gc_work;
	bool auto_gc;
	spinlock_t lock; /* protects the fields above */
};

/*
 * Set up an empty limiter. With @auto_gc a delayed work collects idle
 * entries every second using ktime_get_coarse_boottime_ns(); without it the
 * caller runs veil_ratelimiter_gc() itself. Returns 0 or -ENOMEM.
 */
int veil_ratelimiter_init(struct veil_ratelimiter *rl, bool auto_gc);

/* Stop the collector (if any) and free every entry and the table. */
void veil_ratelimiter_uninit(struct veil_ratelimiter *rl);

/*
 * Whether one more handshake from @addr (4 bytes for AF_INET, 16 for
 * AF_INET6, network order; only the first 8 bytes, the /64, count for
 * IPv6) may be processed at @now. False also for an unknown family, when
 * the table is full and the source is new, or when allocation fails.
 */
bool veil_ratelimiter_allow(struct veil_ratelimiter *rl, sa_family_t family,
			    const void *addr, u64 now);

/*
 * Free entries idle for more than a second at @now (every entry when
 * @all). Returns the number freed.
 */
unsigned int veil_ratelimiter_gc(struct veil_ratelimiter *rl, u64 now,
				 bool all);

/* Behaviour test with a simulated clock. */
bool veil_ratelimiter_selftest(void);

#endif /* _VEIL_RATELIMITER_H */
