// SPDX-License-Identifier: GPL-2.0
/*
 * Per-source token buckets for handshakes under load (protocol.md 5.6).
 * See ratelimiter.h for the contract and the locking rules.
 */

#include <linux/in.h>
#include <linux/in6.h>
#include <linux/jiffies.h>
#include <linux/list.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>

#include "ratelimiter.h"

#define VEIL_RATELIMITER_ENTRIES_PER_GIB	8192U
#define VEIL_RATELIMITER_MAX_ENTRIES		65536U
/* Buckets per entry at most: chains stay about 4 long when full. */
#define VEIL_RATELIMITER_CHAIN			4U

/*
 * One source. @addr holds the bytes of the IPv4 address or of the IPv6
 * /64 prefix, compared as an opaque number together with @family; @credit
 * is in nanoseconds and @last is when it was last brought up to date.
 */
struct veil_ratelimiter_entry {
	struct hlist_node node;
	u64 addr;
	u64 last;
	u64 credit;
	sa_family_t family;
};

/* The table key of a source; false for an unsupported family. */
static bool veil_ratelimiter_key(sa_family_t family, const void *addr,
				 u64 *key)
{
	u32 v4;

	switch (family) {
	case AF_INET:
		memcpy(&v4, addr, sizeof(v4));
		*key = v4;
		return true;
	case AF_INET6:
		/* Only the /64 counts: one bucket per IPv6 network. */
		memcpy(key, addr, sizeof(*key));
		return true;
	default:
		return false;
	}
}

static struct hlist_head *veil_ratelimiter_bucket(struct veil_ratelimiter *rl,
						  sa_family_t family, u64 key)
{
	u64 hash = siphash_2u64(family, key, &rl->key);

	return &rl->table[hash & (rl->buckets - 1)];
}

bool veil_ratelimiter_allow(struct veil_ratelimiter *rl, sa_family_t family,
			    const void *addr, u64 now)
{
	struct veil_ratelimiter_entry *entry;
	struct hlist_head *bucket;
	bool allowed = false;
	u64 key, elapsed;

	if (!veil_ratelimiter_key(family, addr, &key))
		return false;

	spin_lock_bh(&rl->lock);
	bucket = veil_ratelimiter_bucket(rl, family, key);
	hlist_for_each_entry(entry, bucket, node) {
		if (entry->family != family || entry->addr != key)
			continue;
		/* Refill with the time elapsed; a clock going back adds 0. */
		if (now > entry->last) {
			elapsed = min_t(u64, now - entry->last,
					VEIL_RATELIMITER_MAX_CREDIT_NS);
			entry->credit = min_t(u64, entry->credit + elapsed,
					      VEIL_RATELIMITER_MAX_CREDIT_NS);
			entry->last = now;
		}
		if (entry->credit >= VEIL_RATELIMITER_PACKET_COST_NS) {
			entry->credit -= VEIL_RATELIMITER_PACKET_COST_NS;
			allowed = true;
		}
		goto out;
	}

	/* A new source: refused when the table is full. */
	if (rl->entries >= rl->max_entries)
		goto out;
	entry = kmalloc(sizeof(*entry), GFP_ATOMIC);
	if (!entry)
		goto out;
	entry->family = family;
	entry->addr = key;
	entry->last = now;
	/* A full bucket, less this packet. */
	entry->credit = VEIL_RATELIMITER_MAX_CREDIT_NS -
			VEIL_RATELIMITER_PACKET_COST_NS;
	hlist_add_head(&entry->node, bucket);
	rl->entries++;
	allowed = true;
out:
	spin_unlock_bh(&rl->lock);
	return allowed;
}

/* Whether @entry was last used more than a second before @now. */
static bool veil_ratelimiter_idle(const struct veil_ratelimiter_entry *entry,
				  u64 now)
{
	return now > entry->last &&
	       now - entry->last > VEIL_RATELIMITER_IDLE_NS;
}

unsigned int veil_ratelimiter_gc(struct veil_ratelimiter *rl, u64 now,
				 bool all)
{
	struct veil_ratelimiter_entry *entry;
	struct hlist_node *tmp;
	unsigned int i, freed = 0;

	spin_lock_bh(&rl->lock);
	for (i = 0; i < rl->buckets; i++) {
		hlist_for_each_entry_safe(entry, tmp, &rl->table[i], node) {
			if (!all && !veil_ratelimiter_idle(entry, now))
				continue;
			hlist_del(&entry->node);
			kfree(entry);
			rl->entries--;
			freed++;
		}
	}
	spin_unlock_bh(&rl->lock);
	return freed;
}

static void veil_ratelimiter_gc_work(struct work_struct *work)
{
	struct veil_ratelimiter *rl = container_of(to_delayed_work(work),
						   struct veil_ratelimiter,
						   gc_work);

	veil_ratelimiter_gc(rl, ktime_get_coarse_boottime_ns(), false);
	queue_delayed_work(system_power_efficient_wq, &rl->gc_work, HZ);
}

int veil_ratelimiter_init(struct veil_ratelimiter *rl, bool auto_gc)
{
	unsigned long gib = totalram_pages() >> (30 - PAGE_SHIFT);

	memset(rl, 0, sizeof(*rl));
	spin_lock_init(&rl->lock);

	/* 8192 per GiB, at least 8192 and at most 65536 (4 MiB of entries). */
	gib = clamp_t(unsigned long, gib, 1,
		      VEIL_RATELIMITER_MAX_ENTRIES /
		      VEIL_RATELIMITER_ENTRIES_PER_GIB);
	rl->max_entries = gib * VEIL_RATELIMITER_ENTRIES_PER_GIB;
	rl->buckets = roundup_pow_of_two(rl->max_entries /
					 VEIL_RATELIMITER_CHAIN);
	rl->table = kvcalloc(rl->buckets, sizeof(*rl->table), GFP_KERNEL);
	if (!rl->table)
		return -ENOMEM;
	get_random_bytes(&rl->key, sizeof(rl->key));

	rl->auto_gc = auto_gc;
	INIT_DELAYED_WORK(&rl->gc_work, veil_ratelimiter_gc_work);
	if (auto_gc)
		queue_delayed_work(system_power_efficient_wq, &rl->gc_work,
				   HZ);
	return 0;
}

void veil_ratelimiter_uninit(struct veil_ratelimiter *rl)
{
	if (!rl->table)
		return;
	if (rl->auto_gc)
		cancel_delayed_work_sync(&rl->gc_work);
	veil_ratelimiter_gc(rl, 0, true);
	kvfree(rl->table);
	rl->table = NULL;
}
