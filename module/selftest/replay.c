// SPDX-License-Identifier: GPL-2.0
/*
 * Self-test of the replay window (replay.c), run at module load with
 * selftest=1.
 *
 * First a table of hand-picked sequences in the spirit of RFC 6479: the
 * first counter, in-order and out-of-order arrival, both sides of the
 * window edge before and after the window moves, counters a whole ring
 * apart (same bit), jumps of more than the ring and jumps that wrap around
 * it, and the counters around REJECT_AFTER_MESSAGES. Then a randomised run
 * against a naive reference: a plain bitmap of every counter accepted
 * within a bounded range, which accepts a counter iff it is below
 * REJECT_AFTER_MESSAGES, was never accepted, and is no more than WINDOW
 * below the highest accepted one. The random data comes from a fixed seed,
 * so a failure is reproducible.
 */

#include <linux/bitmap.h>
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/prandom.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "../replay.h"

#define W	((u64)VEIL_COUNTER_WINDOW)
#define RING	((u64)VEIL_COUNTER_BITS_TOTAL)
#define WORD	((u64)BITS_PER_LONG)
#define WORDS	((u64)VEIL_REPLAY_WORDS)
#define REJ	((u64)VEIL_REJECT_AFTER_MESSAGES)
/* Far beyond the ring, with bits set in both halves of the counter. */
#define FAR	(0x0123456789abcdefULL)

/*
 * One step of a fixed sequence: @count counters from @counter on, @stride
 * apart, each expected to be accepted iff @accept. @reset starts over with
 * an empty window instead.
 */
struct replay_step {
	u64 counter;
	u32 count;
	s8 stride;
	bool accept;
	bool reset;
};

#define RESET			{ .reset = true }
#define OK(c)			{ .counter = (c), .count = 1, .accept = true }
#define NO(c)			{ .counter = (c), .count = 1, .accept = false }
#define RUN(c, n, s, a)		{ .counter = (c), .count = (n), .stride = (s), \
				  .accept = (a) }

static const struct replay_step replay_steps[] = {
	/* Counter 0 once, in-order and out-of-order arrival. */
	RESET,
	OK(0), NO(0), OK(1), NO(1), OK(2), OK(5), OK(4), OK(3), NO(3), NO(5),
	NO(4), OK(6), NO(2),

	/*
	 * The window edge on both sides. With W + 10 the highest accepted,
	 * 10 is the oldest counter inside the window; after W + 11 it is 11.
	 */
	RESET,
	OK(W + 10), NO(9), OK(W + 11), NO(10), OK(11), NO(11), OK(12),
	OK(W + 9), NO(W + 9), NO(W + 10), NO(W + 11), OK(W + 12),

	/* A full window in order, then its oldest member, then one older. */
	RESET,
	RUN(1, W, 1, true), OK(0), NO(0),
	RESET,
	RUN(2, W, 1, true), OK(1), NO(1), NO(0),

	/* Counting down from W: the whole window out of order, then again. */
	RESET,
	RUN(W, W + 1, -1, true), RUN(0, W + 1, 1, false), OK(W + 1),

	/*
	 * Counters a whole ring apart share a bit: the word must be cleared
	 * when the window moves onto it again.
	 */
	RESET,
	OK(100), OK(100 + RING), NO(100), OK(100 + 2 * RING),
	OK(100 + 2 * RING - 1), NO(100 + RING), OK(100 + 2 * RING - W),
	NO(100 + 2 * RING - W - 1), NO(100 + 2 * RING - W),

	/*
	 * Fill the ring twice over, then jump far beyond it: everything
	 * inside the new window is unseen, and seen once accepted.
	 */
	RESET,
	RUN(0, 2 * RING, 1, true), OK(FAR), NO(FAR - W - 1),
	RUN(FAR - W, W, 1, true), RUN(FAR - W, W + 1, 1, false),
	OK(FAR + 1),

	/*
	 * A jump that wraps the ring: top moves from word WORDS - 8 to word
	 * WORDS + 2, which clears ring words WORDS - 7 .. WORDS - 1 and 0 .. 2
	 * and nothing else. Counters accepted before and still inside the
	 * window stay replays; the ones the jump skipped are new.
	 */
	RESET,
	RUN(0, (WORDS - 8) * WORD, 1, true),
	OK((WORDS + 2) * WORD + 2),
	NO(3 * WORD + 1),
	RUN(3 * WORD + 2, (WORDS - 11) * WORD - 2, 1, false),
	RUN((WORDS - 8) * WORD, 10 * WORD + 2, 1, true),
	NO((WORDS + 2) * WORD + 2),

	/* Around REJECT_AFTER_MESSAGES, the last usable counter being one less. */
	RESET,
	NO(REJ), NO(REJ + 1), NO(U64_MAX), OK(REJ - 1), NO(REJ - 1), NO(REJ),
	NO(U64_MAX - 1), OK(REJ - 2), OK(REJ - 1 - W), NO(REJ - 1 - W),
	NO(REJ - 2 - W), NO(U64_MAX), NO(0), OK(REJ - 3),
};

/* Runs the table; returns the number of counters checked, or -1. */
static int replay_test_fixed(struct veil_replay *r)
{
	const struct replay_step *s;
	int checked = 0;
	bool ok = true;
	unsigned int i;
	u64 counter;
	u32 n;

	veil_replay_init(r);
	for (i = 0; i < ARRAY_SIZE(replay_steps); i++) {
		s = &replay_steps[i];
		if (s->reset) {
			veil_replay_init(r);
			continue;
		}
		counter = s->counter;
		for (n = 0; n < s->count; n++, counter += (s64)s->stride) {
			checked++;
			if (veil_replay_check_and_update(r, counter) ==
			    s->accept)
				continue;
			pr_err("replay self-test: step %u, counter %llu: %s, expected %s\n",
			       i, counter, s->accept ? "refused" : "accepted",
			       s->accept ? "accepted" : "refused");
			ok = false;
			break;
		}
	}

	/* A used-up window refuses everything, even counters in range. */
	veil_replay_init(r);
	r->top = REJ + 1;
	if (veil_replay_check_and_update(r, 0) ||
	    veil_replay_check_and_update(r, REJ - 1)) {
		pr_err("replay self-test: a used-up window accepted a counter\n");
		ok = false;
	}
	return ok ? checked : -1;
}

#define REPLAY_TEST_RANGE	BIT_ULL(22)	/* counters the reference covers */
#define REPLAY_TEST_LAST	(REPLAY_TEST_RANGE - 1)
#define REPLAY_TEST_COUNTERS	20000		/* per base */
#define REPLAY_TEST_RECENT	16
#define REPLAY_TEST_SEED	0x7665696c72706c79ULL

/* The naive reference: every accepted counter, base + offset. */
struct replay_ref {
	unsigned long *seen;
	u64 base;
	u64 max;	/* highest accepted offset, valid if @any */
	bool any;
};

static void replay_ref_reset(struct replay_ref *ref)
{
	bitmap_zero(ref->seen, REPLAY_TEST_RANGE);
	ref->max = 0;
	ref->any = false;
}

static bool replay_ref_accept(struct replay_ref *ref, u64 off)
{
	u64 counter = ref->base + off;

	if (counter >= REJ)
		return false;
	/* Too far below the highest accepted counter. */
	if (ref->any && off + W < ref->max)
		return false;
	if (test_bit(off, ref->seen))
		return false;
	__set_bit(off, ref->seen);
	if (!ref->any || off > ref->max)
		ref->max = off;
	ref->any = true;
	return true;
}

/* The next offset to try, with locality: mostly near the front. */
static u64 replay_random_offset(struct rnd_state *rnd, u64 *cursor,
				const u64 *recent, const struct replay_ref *ref)
{
	u32 pick = prandom_u32_state(rnd) % 100;
	u64 rej = REJ - ref->base;	/* huge when out of range */
	u32 v = prandom_u32_state(rnd);
	u64 back;

	if (pick < 45) {		/* forward in small steps, or repeat */
		*cursor = min(*cursor + v % 48, REPLAY_TEST_LAST);
		return *cursor;
	}
	if (pick < 70) {		/* behind, inside the window or not */
		back = v % (W + W / 4);
		return *cursor - min(back, *cursor);
	}
	/* Within two of REJECT_AFTER_MESSAGES, once the front nears it. */
	if (pick < 85 && rej < REPLAY_TEST_LAST - 2 && *cursor + RING >= rej)
		return rej + 2 - v % 5;
	if (pick < 85) {		/* within two of the window edge */
		back = W + 2 - v % 5;
		return ref->max - min(back, ref->max);
	}
	if (pick < 93)			/* a recent counter again */
		return recent[v % REPLAY_TEST_RECENT];
	if (pick < 99)			/* a jump of up to three rings */
		*cursor += v % (3 * RING);
	else				/* exactly one or two rings on */
		*cursor += RING * (1 + v % 2);
	*cursor = min(*cursor, REPLAY_TEST_LAST);
	return *cursor;
}

static bool replay_test_random(struct veil_replay *r, struct rnd_state *rnd,
			       struct replay_ref *ref, u64 base,
			       unsigned int *accepted)
{
	u64 recent[REPLAY_TEST_RECENT] = { 0 };
	u64 cursor = 0, off;
	bool got, want;
	unsigned int i;

	ref->base = base;
	replay_ref_reset(ref);
	veil_replay_init(r);
	for (i = 0; i < REPLAY_TEST_COUNTERS; i++) {
		/*
		 * Stuck at the end of the covered range: after a while
		 * there, start over as with a new key.
		 */
		if (cursor == REPLAY_TEST_LAST &&
		    !(prandom_u32_state(rnd) % 256)) {
			replay_ref_reset(ref);
			veil_replay_init(r);
			cursor = 0;
			memset(recent, 0, sizeof(recent));
		}
		off = replay_random_offset(rnd, &cursor, recent, ref);
		recent[i % REPLAY_TEST_RECENT] = off;
		want = replay_ref_accept(ref, off);
		got = veil_replay_check_and_update(r, base + off);
		if (got != want) {
			pr_err("replay self-test: random %u, counter %llu (base %llu): %s, reference %s\n",
			       i, base + off, base, got ? "accepted" : "refused",
			       want ? "accepted" : "refused");
			return false;
		}
		*accepted += got;
		if (veil_replay_top(r) != (ref->any ? base + ref->max + 1 : 0)) {
			pr_err("replay self-test: random %u: top %llu disagrees with the reference\n",
			       i, veil_replay_top(r));
			return false;
		}
	}
	return true;
}

bool veil_replay_selftest(void)
{
	/*
	 * Counters from 0, from far out, and up to U64_MAX, which crosses
	 * REJECT_AFTER_MESSAGES near the end of the range.
	 */
	const u64 bases[] = { 0, FAR, U64_MAX - REPLAY_TEST_LAST };
	struct replay_ref ref = { };
	struct rnd_state rnd;
	unsigned int i, accepted = 0;
	struct veil_replay *r;
	bool ok = false;
	int fixed;

	r = kmalloc(sizeof(*r), GFP_KERNEL);
	ref.seen = vmalloc(BITS_TO_LONGS(REPLAY_TEST_RANGE) *
			   sizeof(unsigned long));
	if (!r || !ref.seen)
		goto out;

	fixed = replay_test_fixed(r);
	if (fixed < 0)
		goto out;

	prandom_seed_state(&rnd, REPLAY_TEST_SEED);
	for (i = 0; i < ARRAY_SIZE(bases); i++) {
		if (!replay_test_random(r, &rnd, &ref, bases[i], &accepted))
			goto out;
	}
	ok = true;
	pr_info("replay self-test: passed (%d fixed, %zu random counters, %u accepted)\n",
		fixed, ARRAY_SIZE(bases) * REPLAY_TEST_COUNTERS, accepted);
out:
	vfree(ref.seen);
	kfree(r);
	return ok;
}
