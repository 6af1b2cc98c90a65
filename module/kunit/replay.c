// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite veil_replay: the sliding replay window of replay.c.
 *
 * A counter is accepted iff it is below REJECT_AFTER_MESSAGES, was not
 * accepted before, and is at most COUNTER_WINDOW below the highest counter
 * accepted so far. Each case starts from an empty window; the sequences
 * follow the ones of the load-time self-test (selftest/replay.c) plus a
 * randomised comparison against a plain bitmap.
 */
#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/prandom.h>
#include <linux/slab.h>

#include "../replay.h"

#define W	((u64)VEIL_COUNTER_WINDOW)
#define RING	((u64)VEIL_COUNTER_BITS_TOTAL)
#define REJ	((u64)VEIL_REJECT_AFTER_MESSAGES)

static int replay_init(struct kunit *test)
{
	struct veil_replay *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);

	if (!r)
		return -ENOMEM;
	veil_replay_init(r);
	test->priv = r;
	return 0;
}

static void expect_counter(struct kunit *test, u64 counter, bool accept)
{
	KUNIT_EXPECT_EQ_MSG(test,
			    veil_replay_check_and_update(test->priv, counter),
			    accept, "counter %llu", counter);
}

#define ACCEPT(c)	expect_counter(test, c, true)
#define REFUSE(c)	expect_counter(test, c, false)

static void replay_first_counter_and_duplicates(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, veil_replay_top(test->priv), 0ULL);
	ACCEPT(0);
	KUNIT_EXPECT_EQ(test, veil_replay_top(test->priv), 1ULL);
	REFUSE(0);
	ACCEPT(1);
	REFUSE(1);
	REFUSE(0);
}

static void replay_out_of_order_in_window(struct kunit *test)
{
	ACCEPT(2);
	ACCEPT(5);
	ACCEPT(4);
	ACCEPT(3);
	ACCEPT(0);
	REFUSE(3);
	REFUSE(5);
	REFUSE(4);
	ACCEPT(1);
	ACCEPT(6);
	REFUSE(2);
	/* top only moves forward. */
	KUNIT_EXPECT_EQ(test, veil_replay_top(test->priv), 7ULL);
}

static void replay_window_edge(struct kunit *test)
{
	/* Highest W + 10: 10 is the oldest counter still inside. */
	ACCEPT(W + 10);
	REFUSE(9);
	ACCEPT(10);
	REFUSE(10);
	/* The window moves by one: 11 is the oldest now. */
	ACCEPT(W + 11);
	ACCEPT(11);
	REFUSE(11);
	ACCEPT(W + 9);
	REFUSE(W + 10);
}

static void replay_full_window_in_order(struct kunit *test)
{
	u64 c;

	for (c = 1; c <= W; c++)
		KUNIT_ASSERT_TRUE_MSG(test,
				      veil_replay_check_and_update(test->priv, c),
				      "counter %llu", c);
	ACCEPT(0);
	for (c = 0; c <= W; c++)
		KUNIT_ASSERT_FALSE_MSG(test,
				       veil_replay_check_and_update(test->priv, c),
				       "counter %llu again", c);
}

/* Counters a ring apart share a bit: moving on must clear it. */
static void replay_ring_aliasing(struct kunit *test)
{
	u64 c;

	for (c = 0; c < BITS_PER_LONG; c++)
		ACCEPT(c);
	ACCEPT(RING + BITS_PER_LONG);
	/* Same bits as 0..63, never seen: all accepted. */
	for (c = RING; c < RING + BITS_PER_LONG; c++)
		ACCEPT(c);
	REFUSE(5);
	REFUSE(RING + 5);
}

static void replay_far_jump(struct kunit *test)
{
	const u64 far = 0x0123456789abcdefULL;

	ACCEPT(7);
	ACCEPT(far);
	REFUSE(7);
	REFUSE(far);
	ACCEPT(far - W);
	REFUSE(far - W - 1);
	ACCEPT(far - 1);
	ACCEPT(far + 1);
}

static void replay_reject_after_messages(struct kunit *test)
{
	REFUSE(REJ);
	REFUSE(U64_MAX);
	ACCEPT(REJ - 1);
	REFUSE(REJ - 1);
	REFUSE(REJ);
	/* Still a window below it. */
	ACCEPT(REJ - 2);
	ACCEPT(REJ - 1 - W);
	REFUSE(REJ - 2 - W);
}

/* Random arrivals against a plain bitmap of every accepted counter. */
static void replay_random_against_reference(struct kunit *test)
{
	const unsigned int span = 4 * VEIL_COUNTER_BITS_TOTAL;
	unsigned long *seen;
	struct rnd_state rnd;
	u64 c, top = 0;
	unsigned int i;
	bool want;

	seen = kunit_kcalloc(test, BITS_TO_LONGS(span), sizeof(long), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, seen);
	prandom_seed_state(&rnd, 0x6b756e69747270ULL);
	for (i = 0; i < 20000; i++) {
		/* Mostly near the top, sometimes far behind or ahead. */
		c = top + (prandom_u32_state(&rnd) % 512);
		c = c > 300 ? c - 300 : 0;
		if (i % 50 == 0)
			c = prandom_u32_state(&rnd) % span;
		if (c >= span)
			break;
		want = !test_bit(c, seen) && c + 1 + W >= top;
		KUNIT_ASSERT_EQ_MSG(test,
				    veil_replay_check_and_update(test->priv, c),
				    want, "step %u, counter %llu, top %llu", i,
				    c, top);
		if (want) {
			__set_bit(c, seen);
			top = max(top, c + 1);
		}
	}
}

static struct kunit_case veil_replay_cases[] = {
	KUNIT_CASE(replay_first_counter_and_duplicates),
	KUNIT_CASE(replay_out_of_order_in_window),
	KUNIT_CASE(replay_window_edge),
	KUNIT_CASE(replay_full_window_in_order),
	KUNIT_CASE(replay_ring_aliasing),
	KUNIT_CASE(replay_far_jump),
	KUNIT_CASE(replay_reject_after_messages),
	KUNIT_CASE(replay_random_against_reference),
	{}
};

static struct kunit_suite veil_replay_suite = {
	.name = "veil_replay",
	.init = replay_init,
	.test_cases = veil_replay_cases,
};

kunit_test_suite(veil_replay_suite);
