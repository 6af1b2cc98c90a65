// SPDX-License-Identifier: GPL-2.0
/*
 * Self-test of the rekey decisions (protocol.md 8.2), at the default
 * module parameters, and of the tie-break between crossed initiations.
 */

#include <linux/kernel.h>

#include "../messages.h"
#include "../timers.h"

struct veil_rekey_case {
	u64 age;
	u64 counter;
	bool initiator;
	bool on_send;
	bool on_receive;
};

static const struct veil_rekey_case veil_rekey_cases[] = {
	/* Fresh keys: nothing to do. */
	{ 0, 0, true, false, false },
	{ 0, 0, false, false, false },
	/* Age: only the initiator renews, at 120 s on send. */
	{ 119, 10, true, false, false },
	{ 120, 10, true, true, false },
	{ 120, 10, false, false, false },
	{ 179, 10, false, false, false },
	/* ...and at 165 s on receive, still only the initiator. */
	{ 164, 10, true, true, false },
	{ 165, 10, true, true, true },
	{ 165, 10, false, false, false },
	/* Messages: either side, once past REKEY_AFTER_MESSAGES. */
	{ 1, VEIL_REKEY_AFTER_MESSAGES, false, false, false },
	{ 1, VEIL_REKEY_AFTER_MESSAGES + 1, false, true, false },
	{ 1, VEIL_REKEY_AFTER_MESSAGES + 1, true, true, false },
};

#define MS(x)	((u64)(x) * NSEC_PER_MSEC)

/* Our handshake's round trip -> the window for a crossed initiation. */
static const u64 veil_window_cases[][2] = {
	{ 0, MS(20) },			/* never shorter than 20 ms */
	{ MS(2), MS(20) },
	{ MS(10), MS(30) },		/* three round trips */
	{ MS(100), MS(300) },
	{ MS(333), MS(999) },
	{ MS(400), MS(1000) },		/* never longer than 1 s */
	{ MS(5000), MS(1000) },
};

struct veil_crossed_case {
	bool pending;
	u64 now;
	u64 until;
	bool larger;
	bool same;
	bool ignore;
};

static const struct veil_crossed_case veil_crossed_cases[] = {
	/* Ours in flight: the larger key waits for its own answer... */
	{ true, MS(1000), 0, true, true, true },
	/* ...the smaller answers, and so does anyone asked from elsewhere. */
	{ true, MS(1000), 0, false, true, false },
	{ true, MS(1000), 0, true, false, false },
	/* Ours answered just now: the peer's crossed one is dead. */
	{ false, MS(1000), MS(1030), true, true, true },
	{ false, MS(1029), MS(1030), true, true, true },
	{ false, MS(1000), MS(1030), false, true, false },
	{ false, MS(1000), MS(1030), true, false, false },
	/* Past the window (or none): a new handshake, answered. */
	{ false, MS(1030), MS(1030), true, true, false },
	{ false, MS(5000), MS(1030), true, true, false },
	{ false, MS(1000), 0, true, true, false },
};

static bool veil_crossed_selftest(void)
{
	const struct veil_crossed_case *c;
	bool ok = true;
	unsigned int i;
	u64 got;

	for (i = 0; i < ARRAY_SIZE(veil_window_cases); i++) {
		got = veil_crossed_window_ns(veil_window_cases[i][0]);
		if (got != veil_window_cases[i][1]) {
			pr_err("timers self-test: window case %u: %llu ns\n",
			       i, got);
			ok = false;
		}
	}
	for (i = 0; i < ARRAY_SIZE(veil_crossed_cases); i++) {
		c = &veil_crossed_cases[i];
		if (veil_initiation_is_crossed(c->pending, c->now, c->until,
					       c->larger, c->same) !=
		    c->ignore) {
			pr_err("timers self-test: crossed case %u failed\n", i);
			ok = false;
		}
	}
	return ok;
}

bool veil_timers_selftest(void)
{
	const struct veil_rekey_case *c;
	unsigned int i;
	bool ok = true;

	if (veil_rekey_after_time() != VEIL_REKEY_AFTER_TIME ||
	    veil_rekey_after_messages() != VEIL_REKEY_AFTER_MESSAGES) {
		pr_err("timers self-test: needs the default module parameters\n");
		return false;
	}
	if (veil_reject_after_time() != VEIL_REJECT_AFTER_TIME) {
		pr_err("timers self-test: REJECT_AFTER_TIME is %llu\n",
		       veil_reject_after_time());
		ok = false;
	}
	for (i = 0; i < ARRAY_SIZE(veil_rekey_cases); i++) {
		c = &veil_rekey_cases[i];
		if (veil_should_rekey_on_send(c->age, c->counter,
					      c->initiator) != c->on_send ||
		    veil_should_rekey_on_receive(c->age, c->initiator) !=
		    c->on_receive) {
			pr_err("timers self-test: case %u failed\n", i);
			ok = false;
		}
	}
	return veil_crossed_selftest() && ok;
}
