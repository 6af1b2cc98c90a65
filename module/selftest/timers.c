// SPDX-License-Identifier: GPL-2.0
/*
 * Self-test of the rekey decisions (protocol.md 8.2), at the default
 * module parameters.
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
	return ok;
}
