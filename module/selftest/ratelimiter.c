// SPDX-License-Identifier: GPL-2.0
/*
 * Self-test of the handshake rate limiter (ratelimiter.c), run at module
 * load with selftest=1, with a simulated clock: the burst of 5, refill in
 * 50 ms steps and its cap, IPv6 sources grouped by /64, IPv4 and IPv6 kept
 * apart, collection of idle entries, and a full table refusing new
 * sources. Finally a limiter with its own collector is set up and torn down.
 */

#include <linux/kernel.h>
#include <linux/slab.h>

#include "../ratelimiter.h"

#define T_MS(ms) ((u64)(ms) * NSEC_PER_MSEC)

struct veil_ratelimiter_test {
	struct veil_ratelimiter rl;
	unsigned int failures;
};

static void veil_ratelimiter_test_check(struct veil_ratelimiter_test *t,
					bool ok, const char *what, int line)
{
	if (ok)
		return;
	pr_err("ratelimiter self-test: line %d: %s failed\n", line, what);
	t->failures++;
}

#define CHECK(cond) veil_ratelimiter_test_check(t, cond, #cond, __LINE__)

static const u8 v4_a[4] = { 192, 0, 2, 1 };
static const u8 v4_b[4] = { 198, 51, 100, 7 };
/* Same /64 as v6_a. */
static const u8 v6_a[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 2, [15] = 1 };
static const u8 v6_a2[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 2,
			      0xff, 0xff, [15] = 9 };
/* Differs from v6_a in bit 63 only. */
static const u8 v6_b[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 3, [15] = 1 };
/* Starts with the bytes of v4_a, the rest zero. */
static const u8 v6_c[16] = { 192, 0, 2, 1 };

/* How many of @n packets at @now the limiter lets through. */
static unsigned int allowed(struct veil_ratelimiter *rl, sa_family_t family,
			    const void *addr, unsigned int n, u64 now)
{
	unsigned int i, ok = 0;

	for (i = 0; i < n; i++)
		ok += veil_ratelimiter_allow(rl, family, addr, now);
	return ok;
}

static void veil_ratelimiter_test_buckets(struct veil_ratelimiter_test *t)
{
	struct veil_ratelimiter *rl = &t->rl;
	u64 base = T_MS(10000);
	unsigned int i;

	/* Burst of 5, then refused. */
	CHECK(allowed(rl, AF_INET, v4_a, 5, base) == 5);
	CHECK(!veil_ratelimiter_allow(rl, AF_INET, v4_a, base));
	CHECK(!veil_ratelimiter_allow(rl, AF_INET, v4_a, base + T_MS(49)));
	/* One packet per 50 ms afterwards. */
	for (i = 1; i <= 10; i++) {
		CHECK(veil_ratelimiter_allow(rl, AF_INET, v4_a,
					     base + T_MS(50 * i)));
		CHECK(!veil_ratelimiter_allow(rl, AF_INET, v4_a,
					      base + T_MS(50 * i)));
	}
	/* 120 ms of credit: two packets, with 20 ms left over. */
	base += T_MS(500);
	CHECK(allowed(rl, AF_INET, v4_a, 5, base + T_MS(120)) == 2);
	CHECK(veil_ratelimiter_allow(rl, AF_INET, v4_a, base + T_MS(150)));
	/* Credit is capped at the burst, however long the pause. */
	base += T_MS(60000);
	CHECK(allowed(rl, AF_INET, v4_a, 10, base) == 5);
	/* A clock going back gives no credit and breaks nothing. */
	CHECK(!veil_ratelimiter_allow(rl, AF_INET, v4_a, base - T_MS(1000)));

	/* Another source has its own bucket. */
	CHECK(allowed(rl, AF_INET, v4_b, 10, base) == 5);

	/* IPv6: one bucket per /64. */
	CHECK(allowed(rl, AF_INET6, v6_a, 3, base) == 3);
	CHECK(allowed(rl, AF_INET6, v6_a2, 5, base) == 2);
	CHECK(!veil_ratelimiter_allow(rl, AF_INET6, v6_a, base));
	CHECK(allowed(rl, AF_INET6, v6_b, 10, base) == 5);

	/* IPv4 and IPv6 apart, even with the same leading bytes. */
	CHECK(allowed(rl, AF_INET6, v6_c, 10, base) == 5);
	CHECK(!veil_ratelimiter_allow(rl, AF_INET, v4_a, base));

	/* Unknown families are refused. */
	CHECK(!veil_ratelimiter_allow(rl, AF_UNSPEC, v4_a, base));
	CHECK(rl->entries == 5);
}

static void veil_ratelimiter_test_gc(struct veil_ratelimiter_test *t)
{
	struct veil_ratelimiter *rl = &t->rl;
	u64 base = T_MS(100000);

	/* Collecting everything empties the table of the previous test. */
	CHECK(veil_ratelimiter_gc(rl, 0, true) == 5);
	CHECK(!rl->entries);

	CHECK(veil_ratelimiter_allow(rl, AF_INET, v4_a, base));
	CHECK(veil_ratelimiter_allow(rl, AF_INET6, v6_a, base + T_MS(500)));
	CHECK(rl->entries == 2);
	/* Idle for exactly 1 s is kept; longer is collected. */
	CHECK(veil_ratelimiter_gc(rl, base + T_MS(1000), false) == 0);
	CHECK(veil_ratelimiter_gc(rl, base + T_MS(1200), false) == 1);
	CHECK(rl->entries == 1);
	/* The collected source starts again with a full bucket. */
	CHECK(allowed(rl, AF_INET, v4_a, 10, base + T_MS(1200)) == 5);
	/* Use keeps an entry alive: only v4_a (idle 1.1 s) goes. */
	CHECK(veil_ratelimiter_allow(rl, AF_INET6, v6_a, base + T_MS(1400)));
	CHECK(veil_ratelimiter_gc(rl, base + T_MS(2300), false) == 1);
	CHECK(veil_ratelimiter_allow(rl, AF_INET6, v6_a2, base + T_MS(2300)));
	CHECK(veil_ratelimiter_gc(rl, base + T_MS(3301), false) == 1);
	CHECK(!rl->entries);
}

static void veil_ratelimiter_test_full(struct veil_ratelimiter_test *t)
{
	struct veil_ratelimiter *rl = &t->rl;
	u64 base = T_MS(200000);

	rl->max_entries = 3;
	CHECK(veil_ratelimiter_allow(rl, AF_INET, v4_a, base));
	CHECK(veil_ratelimiter_allow(rl, AF_INET, v4_b, base));
	CHECK(veil_ratelimiter_allow(rl, AF_INET6, v6_a, base));
	/* Full: a new source is refused, and nothing is added. */
	CHECK(!veil_ratelimiter_allow(rl, AF_INET6, v6_b, base));
	CHECK(!veil_ratelimiter_allow(rl, AF_INET6, v6_c, base));
	CHECK(rl->entries == 3);
	/* Known sources go on as before. */
	CHECK(veil_ratelimiter_allow(rl, AF_INET, v4_a, base));
	CHECK(allowed(rl, AF_INET6, v6_a2, 5, base) == 4);
	/* Once idle entries are collected there is room again. */
	CHECK(veil_ratelimiter_gc(rl, base + T_MS(1001), false) == 3);
	CHECK(veil_ratelimiter_allow(rl, AF_INET6, v6_b, base + T_MS(1001)));
	CHECK(rl->entries == 1);
}

bool veil_ratelimiter_selftest(void)
{
	struct veil_ratelimiter_test *t = kzalloc(sizeof(*t), GFP_KERNEL);
	struct veil_ratelimiter *rl;
	bool ok = false;

	if (!t)
		return false;
	rl = &t->rl;
	if (veil_ratelimiter_init(rl, false))
		goto out;
	CHECK(rl->max_entries >= 8192 && rl->max_entries <= 65536);
	CHECK(is_power_of_2(rl->buckets));
	veil_ratelimiter_test_buckets(t);
	veil_ratelimiter_test_gc(t);
	veil_ratelimiter_test_full(t);
	veil_ratelimiter_uninit(rl);

	/* With its own collector: set up and torn down cleanly. */
	if (veil_ratelimiter_init(rl, true))
		goto out;
	CHECK(veil_ratelimiter_allow(rl, AF_INET, v4_a, 0));
	veil_ratelimiter_uninit(rl);
	ok = !t->failures;
out:
	kfree(t);
	if (ok)
		pr_info("ratelimiter self-tests: pass\n");
	else
		pr_err("ratelimiter self-tests: FAIL\n");
	return ok;
}
