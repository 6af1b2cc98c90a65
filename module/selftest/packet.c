// SPDX-License-Identifier: GPL-2.0
/*
 * Self-test of the data path helpers (packet.c), run at module load with
 * selftest=1.
 *
 * veil_padding_len(): a table around the MTU (equal, one less, one more,
 * twice plus three, MTUs that are and are not multiples of 16, no MTU, the
 * extremes of unsigned int), then random lengths and MTUs checked for the
 * properties of protocol.md 6.1 step 5 and against a byte-by-byte
 * reference. veil_inner_ip_len(): a table of valid and malformed IPv4 and
 * IPv6 headers, then every truncation of a valid packet of each family.
 * The headers sit at an odd address, as they may in a socket buffer.
 */

#include <linux/errno.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/kernel.h>
#include <linux/prandom.h>
#include <linux/string.h>
#include <asm/unaligned.h>

#include "../messages.h"
#include "../packet.h"

struct padding_case {
	unsigned int len, mtu, pad;
};

static const struct padding_case padding_cases[] = {
	/* A keepalive is never padded. */
	{ 0, 1420, 0 }, { 0, 0, 0 }, { 0, 1, 0 }, { 0, 16, 0 },
	/* The usual MTU, 1420 = 16 * 88 + 12. */
	{ 1, 1420, 15 }, { 15, 1420, 1 }, { 16, 1420, 0 }, { 17, 1420, 15 },
	{ 1408, 1420, 0 }, { 1409, 1420, 11 }, { 1419, 1420, 1 },
	{ 1420, 1420, 0 }, { 1421, 1420, 15 }, { 2 * 1420, 1420, 0 },
	{ 2 * 1420 + 1, 1420, 15 }, { 2 * 1420 + 3, 1420, 13 },
	/* 1500 = 16 * 93 + 12. */
	{ 1488, 1500, 0 }, { 1489, 1500, 11 }, { 1499, 1500, 1 },
	{ 1500, 1500, 0 }, { 1501, 1500, 15 }, { 2 * 1500 + 3, 1500, 13 },
	/* An odd MTU, 1421 = 16 * 88 + 13. */
	{ 1420, 1421, 1 }, { 1421, 1421, 0 }, { 1422, 1421, 15 },
	{ 2 * 1421 + 3, 1421, 13 },
	/* An MTU that is a multiple of 16. */
	{ 1264, 1280, 0 }, { 1265, 1280, 15 }, { 1279, 1280, 1 },
	{ 1280, 1280, 0 }, { 1281, 1280, 15 }, { 2 * 1280 + 3, 1280, 13 },
	/* Tiny MTUs. */
	{ 1, 1, 0 }, { 5, 1, 0 }, { 17, 20, 3 }, { 20, 20, 0 },
	{ 21, 20, 15 }, { 35, 20, 1 }, { 39, 20, 1 },
	/* No MTU: only the multiple counts. */
	{ 1, 0, 15 }, { 17, 0, 15 }, { 1420, 0, 4 }, { 1424, 0, 0 },
	{ UINT_MAX - 16, 0, 1 }, { UINT_MAX - 15, 0, 0 },
	/* The largest MTUs, where a naive ALIGN() would overflow. */
	{ 65520, 65535, 0 }, { 65521, 65535, 14 }, { 65534, 65535, 1 },
	{ 65535, 65535, 0 }, { UINT_MAX - 1, UINT_MAX, 1 },
	{ UINT_MAX, UINT_MAX, 0 }, { UINT_MAX - 16, UINT_MAX - 17, 15 },
};

/* Grows the padding one byte at a time until a stopping point is reached. */
static unsigned int padding_reference(unsigned int len, unsigned int mtu)
{
	unsigned int last = mtu && len > mtu ? len % mtu : len;
	unsigned int pad = 0;

	while ((last + pad) % VEIL_PADDING_MULTIPLE && !(mtu && last + pad == mtu))
		pad++;
	return pad;
}

static bool padding_check(unsigned int len, unsigned int mtu,
			  unsigned int pad)
{
	unsigned int last = mtu && len > mtu ? len % mtu : len;
	unsigned int end = last + pad;

	if (pad >= VEIL_PADDING_MULTIPLE || len + pad < len)
		return false;
	if (end % VEIL_PADDING_MULTIPLE && !(mtu && end == mtu))
		return false;
	if (mtu && end > mtu)
		return false;
	return pad == padding_reference(len, mtu);
}

static unsigned int random_mtu(struct rnd_state *rnd)
{
	u32 v = prandom_u32_state(rnd);

	switch (prandom_u32_state(rnd) % 8) {
	case 0:
		return 0;
	case 1:
		return 1 + v % 32;
	case 2:
		return 16 * (1 + v % 600);
	case 3:
		return 1 + v % 65535;
	default:
		return 576 + v % 8500;
	}
}

#define PACKET_TEST_RANDOM	100000
#define PACKET_TEST_SEED	0x7665696c70616421ULL

static bool packet_test_padding(void)
{
	const struct padding_case *c;
	unsigned int i, len, mtu, pad;
	struct rnd_state rnd;
	bool ok = true;

	for (i = 0; i < ARRAY_SIZE(padding_cases); i++) {
		c = &padding_cases[i];
		pad = veil_padding_len(c->len, c->mtu);
		if (pad == c->pad && padding_check(c->len, c->mtu, pad))
			continue;
		pr_err("packet self-test: padding of %u bytes, MTU %u: %u, expected %u\n",
		       c->len, c->mtu, pad, c->pad);
		ok = false;
	}

	prandom_seed_state(&rnd, PACKET_TEST_SEED);
	for (i = 0; i < PACKET_TEST_RANDOM && ok; i++) {
		mtu = random_mtu(&rnd);
		/* Mostly within the MTU, some beyond it, a few tiny. */
		len = prandom_u32_state(&rnd) % ((mtu ? mtu : 9000) * 3 + 2);
		if (i % 16 == 0)
			len %= 40;
		pad = veil_padding_len(len, mtu);
		if (padding_check(len, mtu, pad) &&
		    (len > mtu || !mtu || len + pad <= mtu))
			continue;
		pr_err("packet self-test: random padding of %u bytes, MTU %u: %u, reference %u\n",
		       len, mtu, pad, padding_reference(len, mtu));
		ok = false;
	}
	return ok;
}

/*
 * An inner packet: first byte @b0, then @field as the IPv4 total length
 * (version 4), the IPv6 payload length (version 6), or at both places
 * (other versions); zeros elsewhere. @len bytes of it are offered.
 */
struct inner_case {
	u8 b0;
	u16 field;
	unsigned int len;
	int want;
};

static const struct inner_case inner_cases[] = {
	/* Empty, or shorter than the fixed header of its version. */
	{ 0x45, 20, 0, -EPROTO }, { 0x45, 20, 1, -EPROTO },
	{ 0x45, 20, 19, -EPROTO }, { 0x60, 0, 20, -EPROTO },
	{ 0x60, 0, 39, -EPROTO },
	/* Neither version 4 nor 6, whatever the rest says. */
	{ 0x05, 20, 64, -EPROTO }, { 0x55, 20, 64, -EPROTO },
	{ 0x75, 20, 64, -EPROTO }, { 0xf5, 20, 64, -EPROTO },
	{ 0x00, 0, 64, -EPROTO }, { 0x00, 0, 1, -EPROTO },
	/* IPv4 that fits, with and without padding behind it. */
	{ 0x45, 20, 20, 20 }, { 0x45, 20, 64, 20 }, { 0x45, 60, 64, 60 },
	{ 0x45, 64, 64, 64 }, { 0x46, 24, 24, 24 }, { 0x4f, 60, 60, 60 },
	{ 0x4f, 64, 80, 64 },
	/* IPv4 lengths that do not fit. */
	{ 0x45, 65, 64, -EBADMSG }, { 0x45, 65535, 64, -EBADMSG },
	{ 0x45, 21, 20, -EBADMSG }, { 0x45, 19, 64, -EBADMSG },
	{ 0x45, 0, 64, -EBADMSG }, { 0x44, 20, 64, -EBADMSG },
	{ 0x40, 20, 64, -EBADMSG }, { 0x46, 20, 64, -EBADMSG },
	{ 0x46, 23, 64, -EBADMSG }, { 0x4f, 59, 64, -EBADMSG },
	{ 0x4f, 60, 59, -EBADMSG },
	/* IPv6 that fits; a zero payload length keeps only the header. */
	{ 0x60, 0, 40, 40 }, { 0x60, 0, 64, 40 }, { 0x60, 8, 64, 48 },
	{ 0x60, 24, 64, 64 }, { 0x6f, 0, 40, 40 },
	/* IPv6 lengths that do not fit. */
	{ 0x60, 1, 40, -EBADMSG }, { 0x60, 25, 64, -EBADMSG },
	{ 0x60, 65535, 64, -EBADMSG }, { 0x60, 40, 79, -EBADMSG },
};

#define INNER_BUF_LEN	96

/* Builds the case at @data, which must hold INNER_BUF_LEN bytes. */
static void inner_build(u8 *data, u8 b0, u16 field)
{
	memset(data, 0, INNER_BUF_LEN);
	data[0] = b0;
	if (b0 >> 4 != 6)
		put_unaligned_be16(field, data + offsetof(struct iphdr, tot_len));
	if (b0 >> 4 != 4)
		put_unaligned_be16(field,
				   data + offsetof(struct ipv6hdr, payload_len));
}

/* Calls the helper and checks both its result and *proto. */
static bool inner_check(const u8 *data, unsigned int len, int want)
{
	const __be16 untouched = htons(0x1234);
	__be16 proto = untouched, expected = untouched;
	int got;

	got = veil_inner_ip_len(data, len, &proto);
	if (want >= 0)
		expected = data[0] >> 4 == 4 ? htons(ETH_P_IP) : htons(ETH_P_IPV6);
	if (got == want && proto == expected &&
	    veil_inner_ip_len(data, len, NULL) == want)
		return true;
	pr_err("packet self-test: inner %*ph, %u bytes: %d, protocol %04x; expected %d, %04x\n",
	       8, data, len, got, ntohs(proto), want, ntohs(expected));
	return false;
}

static bool packet_test_inner(void)
{
	/* One spare byte in front puts the packet at an odd address. */
	u8 buf[INNER_BUF_LEN + 1], *data = buf + 1;
	const struct inner_case *c;
	unsigned int i, len;
	bool ok = true;

	for (i = 0; i < ARRAY_SIZE(inner_cases); i++) {
		c = &inner_cases[i];
		inner_build(data, c->b0, c->field);
		ok &= inner_check(data, c->len, c->want);
	}

	/* Every truncation of a 60-byte packet of each family. */
	for (len = 0; len <= INNER_BUF_LEN; len++) {
		inner_build(data, 0x45, 60);
		ok &= inner_check(data, len, !len || len < 20 ? -EPROTO :
				  len < 60 ? -EBADMSG : 60);
		inner_build(data, 0x60, 20);
		ok &= inner_check(data, len, !len || len < 40 ? -EPROTO :
				  len < 60 ? -EBADMSG : 60);
	}
	return ok;
}

bool veil_packet_selftest(void)
{
	bool ok = packet_test_padding();

	ok &= packet_test_inner();
	if (ok)
		pr_info("packet self-test: passed (%zu padding cases, %u random, %zu inner cases, %u truncations)\n",
			ARRAY_SIZE(padding_cases), PACKET_TEST_RANDOM,
			ARRAY_SIZE(inner_cases), 2 * (INNER_BUF_LEN + 1));
	return ok;
}
