// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite veil_ratelimiter: the handshake rate limiter of ratelimiter.c
 * with a simulated clock (the time is a parameter). One token bucket per
 * source (IPv4 address, IPv6 /64): a burst of 5, one more packet per 50 ms,
 * credit capped at the burst; idle entries collected after 1 s; a full
 * table refuses new sources. Each case gets a fresh limiter without the
 * automatic collector.
 */
#include <kunit/test.h>
#include <linux/socket.h>

#include "../ratelimiter.h"

#define T_MS(ms)	((u64)(ms) * NSEC_PER_MSEC)

static const u8 v4_a[4] = { 192, 0, 2, 1 };
static const u8 v4_b[4] = { 198, 51, 100, 7 };
static const u8 v6_a[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 2, [15] = 1 };
/* Same /64 as v6_a. */
static const u8 v6_a2[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 2,
			      0xff, 0xff, [15] = 9 };
/* Differs from v6_a in bit 63 only. */
static const u8 v6_b[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 3, [15] = 1 };
/* The bytes of v4_a, then zeros. */
static const u8 v6_c[16] = { 192, 0, 2, 1 };

static int rl_init(struct kunit *test)
{
	struct veil_ratelimiter *rl = kunit_kzalloc(test, sizeof(*rl),
						     GFP_KERNEL);

	if (!rl)
		return -ENOMEM;
	test->priv = rl;
	return veil_ratelimiter_init(rl, false);
}

static void rl_exit(struct kunit *test)
{
	veil_ratelimiter_uninit(test->priv);
}

/* How many of @n packets at @now get through. */
static unsigned int allowed(struct kunit *test, sa_family_t family,
			    const void *addr, unsigned int n, u64 now)
{
	unsigned int i, ok = 0;

	for (i = 0; i < n; i++)
		ok += veil_ratelimiter_allow(test->priv, family, addr, now);
	return ok;
}

static void rl_burst_then_refused(struct kunit *test)
{
	const u64 t = T_MS(10000);

	KUNIT_EXPECT_EQ(test, allowed(test, AF_INET, v4_a, 5, t), 5U);
	KUNIT_EXPECT_FALSE(test, veil_ratelimiter_allow(test->priv, AF_INET,
							v4_a, t));
	KUNIT_EXPECT_FALSE(test, veil_ratelimiter_allow(test->priv, AF_INET,
							v4_a, t + T_MS(49)));
}

static void rl_refill_one_per_50ms(struct kunit *test)
{
	u64 t = T_MS(10000);
	unsigned int i;

	KUNIT_ASSERT_EQ(test, allowed(test, AF_INET, v4_a, 5, t), 5U);
	for (i = 1; i <= 10; i++) {
		KUNIT_EXPECT_EQ_MSG(test, allowed(test, AF_INET, v4_a, 3,
						  t + T_MS(50 * i)), 1U,
				    "after %u ms", 50 * i);
	}
	/* 120 ms of credit: two packets; the 20 ms left count later. */
	t += T_MS(500);
	KUNIT_EXPECT_EQ(test, allowed(test, AF_INET, v4_a, 5, t + T_MS(120)), 2U);
	KUNIT_EXPECT_EQ(test, allowed(test, AF_INET, v4_a, 5, t + T_MS(150)), 1U);
}

static void rl_credit_capped_and_clock_going_back(struct kunit *test)
{
	const u64 t = T_MS(100000);

	KUNIT_ASSERT_EQ(test, allowed(test, AF_INET, v4_a, 5, T_MS(1000)), 5U);
	/* A long pause gives the burst back, no more. */
	KUNIT_EXPECT_EQ(test, allowed(test, AF_INET, v4_a, 10, t), 5U);
	/* An earlier timestamp gives no credit. */
	KUNIT_EXPECT_EQ(test, allowed(test, AF_INET, v4_a, 3, t - T_MS(1000)), 0U);
}

static void rl_sources_apart(struct kunit *test)
{
	const u64 t = T_MS(10000);

	KUNIT_EXPECT_EQ(test, allowed(test, AF_INET, v4_a, 10, t), 5U);
	KUNIT_EXPECT_EQ(test, allowed(test, AF_INET, v4_b, 10, t), 5U);
	/* An IPv6 address starting with the bytes of v4_a is another source. */
	KUNIT_EXPECT_EQ(test, allowed(test, AF_INET6, v6_c, 10, t), 5U);
	KUNIT_EXPECT_EQ(test, ((struct veil_ratelimiter *)test->priv)->entries, 3U);
}

static void rl_ipv6_by_slash64(struct kunit *test)
{
	const u64 t = T_MS(10000);

	KUNIT_EXPECT_EQ(test, allowed(test, AF_INET6, v6_a, 3, t), 3U);
	/* Same /64: the same bucket. */
	KUNIT_EXPECT_EQ(test, allowed(test, AF_INET6, v6_a2, 5, t), 2U);
	KUNIT_EXPECT_FALSE(test, veil_ratelimiter_allow(test->priv, AF_INET6,
							v6_a, t));
	/* Another /64 (bit 63): its own bucket. */
	KUNIT_EXPECT_EQ(test, allowed(test, AF_INET6, v6_b, 10, t), 5U);
}

static void rl_unknown_family_refused(struct kunit *test)
{
	KUNIT_EXPECT_FALSE(test, veil_ratelimiter_allow(test->priv, AF_UNSPEC,
							v4_a, T_MS(1000)));
	KUNIT_EXPECT_EQ(test, ((struct veil_ratelimiter *)test->priv)->entries, 0U);
}

static void rl_gc_idle_entries(struct kunit *test)
{
	struct veil_ratelimiter *rl = test->priv;
	const u64 t = T_MS(100000);

	KUNIT_ASSERT_TRUE(test, veil_ratelimiter_allow(rl, AF_INET, v4_a, t));
	KUNIT_ASSERT_TRUE(test, veil_ratelimiter_allow(rl, AF_INET6, v6_a,
						       t + T_MS(500)));
	KUNIT_EXPECT_EQ(test, rl->entries, 2U);
	/* Idle for exactly 1 s is kept; longer is collected. */
	KUNIT_EXPECT_EQ(test, veil_ratelimiter_gc(rl, t + T_MS(1000), false), 0U);
	KUNIT_EXPECT_EQ(test, veil_ratelimiter_gc(rl, t + T_MS(1200), false), 1U);
	KUNIT_EXPECT_EQ(test, rl->entries, 1U);
	/* A collected source comes back with a full bucket. */
	KUNIT_EXPECT_EQ(test, allowed(test, AF_INET, v4_a, 10, t + T_MS(1200)), 5U);
	/* "all" empties the table whatever the time. */
	KUNIT_EXPECT_EQ(test, veil_ratelimiter_gc(rl, 0, true), 2U);
	KUNIT_EXPECT_EQ(test, rl->entries, 0U);
}

static void rl_full_table(struct kunit *test)
{
	struct veil_ratelimiter *rl = test->priv;
	const u64 t = T_MS(200000);

	rl->max_entries = 3;
	KUNIT_EXPECT_TRUE(test, veil_ratelimiter_allow(rl, AF_INET, v4_a, t));
	KUNIT_EXPECT_TRUE(test, veil_ratelimiter_allow(rl, AF_INET, v4_b, t));
	KUNIT_EXPECT_TRUE(test, veil_ratelimiter_allow(rl, AF_INET6, v6_a, t));
	/* A new source is refused and not added; known ones go on. */
	KUNIT_EXPECT_FALSE(test, veil_ratelimiter_allow(rl, AF_INET6, v6_b, t));
	KUNIT_EXPECT_EQ(test, rl->entries, 3U);
	KUNIT_EXPECT_TRUE(test, veil_ratelimiter_allow(rl, AF_INET, v4_a, t));
	/* Room again after a collection. */
	KUNIT_EXPECT_EQ(test, veil_ratelimiter_gc(rl, t + T_MS(5000), false), 3U);
	KUNIT_EXPECT_TRUE(test, veil_ratelimiter_allow(rl, AF_INET6, v6_b,
						       t + T_MS(5000)));
}

static struct kunit_case veil_ratelimiter_cases[] = {
	KUNIT_CASE(rl_burst_then_refused),
	KUNIT_CASE(rl_refill_one_per_50ms),
	KUNIT_CASE(rl_credit_capped_and_clock_going_back),
	KUNIT_CASE(rl_sources_apart),
	KUNIT_CASE(rl_ipv6_by_slash64),
	KUNIT_CASE(rl_unknown_family_refused),
	KUNIT_CASE(rl_gc_idle_entries),
	KUNIT_CASE(rl_full_table),
	{}
};

static struct kunit_suite veil_ratelimiter_suite = {
	.name = "veil_ratelimiter",
	.init = rl_init,
	.exit = rl_exit,
	.test_cases = veil_ratelimiter_cases,
};

kunit_test_suite(veil_ratelimiter_suite);
