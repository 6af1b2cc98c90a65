// SPDX-License-Identifier: GPL-2.0
/*
 * Receive-side replay window (protocol.md 6.3).
 *
 * The window tracks x = counter + 1 rather than the counter itself, so that
 * top == 0 can mean "nothing accepted yet". Position x is bit
 * x % BITS_PER_LONG of ring word (x / BITS_PER_LONG) % VEIL_REPLAY_WORDS.
 * The window is one word shorter than the ring because the word holding
 * @top may be only partly used: this way the window, from top - WINDOW up
 * to top, always lies within VEIL_REPLAY_WORDS consecutive words, and no two
 * of its positions share a bit.
 *
 * Moving @top forward clears the ring words it enters, which forgets the
 * counters that just fell out of the window. A jump of a whole ring or more
 * clears every word once, never more.
 */

#include <linux/bitops.h>
#include <linux/build_bug.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/string.h>

#include "replay.h"

/* The ring index is taken with a mask. */
static_assert((VEIL_REPLAY_WORDS & (VEIL_REPLAY_WORDS - 1)) == 0);
static_assert(VEIL_COUNTER_BITS_TOTAL - BITS_PER_LONG == VEIL_COUNTER_WINDOW);
/* With x <= REJECT_AFTER_MESSAGES, x + WINDOW below cannot overflow. */
static_assert(U64_MAX - VEIL_COUNTER_WINDOW >= VEIL_REJECT_AFTER_MESSAGES);

#define VEIL_REPLAY_WORD_SHIFT	ilog2(BITS_PER_LONG)

void veil_replay_init(struct veil_replay *r)
{
	r->top = 0;
	memset(r->bitmap, 0, sizeof(r->bitmap));
	spin_lock_init(&r->lock);
}

bool veil_replay_check_and_update(struct veil_replay *r, u64 counter)
{
	u64 x, word, top_word, words, i;
	bool accept = false;

	spin_lock_bh(&r->lock);

	/* The key is used up, or this counter is past its last usable one. */
	if (unlikely(r->top >= VEIL_REJECT_AFTER_MESSAGES + 1 ||
		     counter >= VEIL_REJECT_AFTER_MESSAGES))
		goto out;

	x = counter + 1;

	/* Older than the window: its bit may already stand for another x. */
	if (unlikely(x + VEIL_COUNTER_WINDOW < r->top))
		goto out;

	word = x >> VEIL_REPLAY_WORD_SHIFT;

	if (likely(x > r->top)) {
		/*
		 * Clear the words after the one holding the old top, up to
		 * and including the one holding x; each once at most.
		 */
		top_word = r->top >> VEIL_REPLAY_WORD_SHIFT;
		words = min_t(u64, word - top_word, VEIL_REPLAY_WORDS);
		for (i = 1; i <= words; i++)
			r->bitmap[(top_word + i) & (VEIL_REPLAY_WORDS - 1)] = 0;
		WRITE_ONCE(r->top, x);
	}

	/* Non-atomic bit operation: the lock serialises every writer. */
	accept = !__test_and_set_bit(x & (BITS_PER_LONG - 1),
				     &r->bitmap[word & (VEIL_REPLAY_WORDS - 1)]);
out:
	spin_unlock_bh(&r->lock);
	return accept;
}
