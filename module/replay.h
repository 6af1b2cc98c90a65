/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Receive-side replay protection for transport data (protocol.md 6.3): a
 * sliding window over the 64-bit message counters of one receive key, kept
 * as a ring of machine words in the style of RFC 6479.
 *
 * Only feed it counters of packets whose AEAD tag has already been checked:
 * an unauthenticated counter must never move the window (protocol.md 14,
 * item 7). The lock is taken with spin_lock_bh(), so callers may be in
 * process context or in softirq context, not in hard interrupt context.
 */
#ifndef _VEIL_REPLAY_H
#define _VEIL_REPLAY_H

#include <linux/compiler.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include "messages.h"

/* Words in the ring; the ring covers VEIL_COUNTER_BITS_TOTAL bits. */
#define VEIL_REPLAY_WORDS	(VEIL_COUNTER_BITS_TOTAL / BITS_PER_LONG)

struct veil_replay {
	/* Highest accepted counter plus one; 0 while nothing was accepted. */
	u64 top;
	/* Bit (x % BITS_PER_LONG) of word (x / BITS_PER_LONG) % ring size
	 * records counter x - 1, for the window below @top.
	 */
	unsigned long bitmap[VEIL_REPLAY_WORDS];
	/* Serialises updates; veil_replay_top() reads @top without it. */
	spinlock_t lock;
};

/* Empties the window; call once before first use of a receive key. */
void veil_replay_init(struct veil_replay *r);

/*
 * Returns true, and records @counter, if an authenticated packet carrying
 * @counter may be accepted: the counter is below REJECT_AFTER_MESSAGES, not
 * older than the window and not seen before. Returns false otherwise.
 */
bool veil_replay_check_and_update(struct veil_replay *r, u64 counter);

/*
 * Highest accepted counter plus one, read without the lock (for the key
 * checks of protocol.md 6.2 step 2 and the receive-side rekey check). On
 * 32-bit machines the read may tear; good enough for those checks, which
 * veil_replay_check_and_update() repeats under the lock where it matters.
 */
static inline u64 veil_replay_top(const struct veil_replay *r)
{
	return READ_ONCE(r->top);
}

/* Table of edge cases and a randomised comparison with a naive model. */
bool veil_replay_selftest(void);

#endif /* _VEIL_REPLAY_H */
