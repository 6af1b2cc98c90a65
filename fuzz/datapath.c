// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzzer for the data-path helpers of the protocol core, compiled unchanged
 * against fuzz/shim: module/replay.c (the receive replay window) against a
 * naive model, and module/packet.c (inner-packet length, padding) against
 * the properties packet.h states. The first byte picks the target.
 */
#include "kshim.h"
#include "packet.h"
#include "replay.h"

#include "fuzz_util.h"

#define MAX_COUNTERS 512

/* Naive model: every accepted counter, and the highest plus one. */
struct model {
	u64 seen[MAX_COUNTERS];
	unsigned int n;
	u64 top;
};

static bool model_check_and_update(struct model *m, u64 counter)
{
	unsigned int i;

	if (m->top >= VEIL_REJECT_AFTER_MESSAGES + 1 ||
	    counter >= VEIL_REJECT_AFTER_MESSAGES ||
	    counter + 1 + VEIL_COUNTER_WINDOW < m->top)
		return false;
	for (i = 0; i < m->n; i++)
		if (m->seen[i] == counter)
			return false;
	m->seen[m->n++] = counter;
	if (counter + 1 > m->top)
		m->top = counter + 1;
	return true;
}

static void fuzz_replay(struct fuzz_in *in)
{
	static struct veil_replay r;
	struct model m = { .n = 0 };
	u64 base = 0;

	veil_replay_init(&r);
	while (in->left && m.n < MAX_COUNTERS) {
		u8 op = fuzz_u8(in);
		u64 c;

		/* counters near the top of the window, near a jump, or anywhere */
		switch (op & 3) {
		case 0:
			c = m.top + (s16)fuzz_u16(in) - 1;
			break;
		case 1:
			c = m.top - VEIL_COUNTER_WINDOW + (s8)fuzz_u8(in);
			break;
		case 2:
			base = fuzz_u64(in) >> (op >> 2);
			c = base;
			break;
		default:
			c = VEIL_REJECT_AFTER_MESSAGES - 1 - (fuzz_u8(in) % 4) +
			    (op >> 7);
			break;
		}
		CHECK(veil_replay_check_and_update(&r, c) == model_check_and_update(&m, c));
		CHECK(veil_replay_top(&r) == m.top);
	}
}

static void fuzz_packet(struct fuzz_in *in)
{
	unsigned int plain = fuzz_u32(in) % 70000, mtu = fuzz_u32(in) % 70000;
	unsigned int len = (unsigned int)in->left, pad, last;
	__be16 proto = 0;
	int ret;
	u8 *buf;

	/* padding: below 16, to a multiple of 16 or to the MTU, never past it */
	pad = veil_padding_len(plain, mtu);
	CHECK(pad < VEIL_PADDING_MULTIPLE);
	last = mtu && plain > mtu ? plain % mtu : plain;
	if (!mtu || last + pad < mtu)
		CHECK((last + pad) % VEIL_PADDING_MULTIPLE == 0);
	if (mtu)
		CHECK(last + pad <= mtu);
	if (!plain)
		CHECK(!pad);

	/* inner length, on an exactly sized copy so ASan sees any overread */
	buf = malloc(len ? len : 1);
	CHECK(buf);
	fuzz_bytes(in, buf, len);
	ret = veil_inner_ip_len(buf, len, &proto);
	if (ret >= 0) {
		CHECK((unsigned int)ret <= len);
		if (buf[0] >> 4 == 4) {
			CHECK(proto == htons(ETH_P_IP));
			CHECK(ret >= (int)sizeof(struct iphdr));
			CHECK(ret >= (buf[0] & 15) * 4);
			CHECK(ret == get_unaligned_be16(buf + 2));
		} else {
			CHECK(buf[0] >> 4 == 6);
			CHECK(proto == htons(ETH_P_IPV6));
			CHECK(ret == (int)sizeof(struct ipv6hdr) + get_unaligned_be16(buf + 4));
		}
	} else {
		CHECK(ret == -EPROTO || ret == -EBADMSG);
		if (!len || (buf[0] >> 4 != 4 && buf[0] >> 4 != 6))
			CHECK(ret == -EPROTO);
	}
	CHECK(veil_inner_ip_len(buf, len, NULL) == ret);
	free(buf);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	shim_quiet = true;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };

	if (fuzz_u8(&in) & 1)
		fuzz_packet(&in);
	else
		fuzz_replay(&in);
	return 0;
}
