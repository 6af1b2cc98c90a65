// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite veil_packet: the data path helpers of packet.c.
 *
 * veil_padding_len(): the padded length is a multiple of 16 or ends exactly
 * at the MTU, never pads 16 or more, never crosses the MTU, and handles the
 * extremes of unsigned int; veil_inner_ip_len(): the length an inner IPv4 or
 * IPv6 header claims, checked against what arrived. Several of the tables
 * are the ones the load-time self-test (selftest/packet.c) uses too.
 */
#include <kunit/test.h>
#include <linux/errno.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/prandom.h>
#include <asm/unaligned.h>

#include "../messages.h"
#include "../packet.h"

struct pad_case {
	unsigned int len, mtu, pad;
};

/* Checks one (length, MTU) pair against its expected padding. */
static void expect_pad(struct kunit *test, const struct pad_case *c)
{
	KUNIT_EXPECT_EQ_MSG(test, veil_padding_len(c->len, c->mtu), c->pad,
			    "%u bytes, MTU %u", c->len, c->mtu);
}

static void padding_keepalive_is_not_padded(struct kunit *test)
{
	static const struct pad_case cases[] = {
		{ 0, 1420, 0 }, { 0, 0, 0 }, { 0, 1, 0 }, { 0, 16, 0 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		expect_pad(test, &cases[i]);
}

static void padding_to_multiple_of_16(struct kunit *test)
{
	/* MTU 1420 = 16 * 88 + 12, and no MTU at all. */
	static const struct pad_case cases[] = {
		{ 1, 1420, 15 }, { 15, 1420, 1 }, { 16, 1420, 0 },
		{ 17, 1420, 15 }, { 1408, 1420, 0 }, { 1, 0, 15 },
		{ 17, 0, 15 }, { 1420, 0, 4 }, { 1424, 0, 0 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		expect_pad(test, &cases[i]);
}

static void padding_stops_at_mtu(struct kunit *test)
{
	static const struct pad_case cases[] = {
		/* The last block would cross the MTU: pad up to it only. */
		{ 1409, 1420, 11 }, { 1419, 1420, 1 }, { 1420, 1420, 0 },
		{ 1489, 1500, 11 }, { 1499, 1500, 1 }, { 1420, 1421, 1 },
		{ 1279, 1280, 1 }, { 1280, 1280, 0 }, { 17, 20, 3 },
		{ 1, 1, 0 }, { 5, 1, 0 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		expect_pad(test, &cases[i]);
}

static void padding_beyond_mtu_pads_last_segment(struct kunit *test)
{
	/* Longer than the MTU (GSO): only the remainder counts. */
	static const struct pad_case cases[] = {
		{ 1421, 1420, 15 }, { 2 * 1420, 1420, 0 },
		{ 2 * 1420 + 1, 1420, 15 }, { 2 * 1420 + 3, 1420, 13 },
		{ 1501, 1500, 15 }, { 2 * 1421 + 3, 1421, 13 },
		{ 21, 20, 15 }, { 35, 20, 1 }, { 39, 20, 1 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		expect_pad(test, &cases[i]);
}

static void padding_extremes_do_not_overflow(struct kunit *test)
{
	static const struct pad_case cases[] = {
		{ 65520, 65535, 0 }, { 65521, 65535, 14 },
		{ 65534, 65535, 1 }, { 65535, 65535, 0 },
		{ UINT_MAX - 1, UINT_MAX, 1 }, { UINT_MAX, UINT_MAX, 0 },
		{ UINT_MAX - 16, UINT_MAX - 17, 15 },
		{ UINT_MAX - 16, 0, 1 }, { UINT_MAX - 15, 0, 0 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		expect_pad(test, &cases[i]);
}

/* Random lengths and MTUs (fixed seed): the properties, not a table. */
static void padding_random_properties(struct kunit *test)
{
	struct rnd_state rnd;
	unsigned int i, len, mtu, pad, last, end;

	prandom_seed_state(&rnd, 0x6b756e6974706164ULL);
	for (i = 0; i < 20000; i++) {
		mtu = i % 7 ? 576 + prandom_u32_state(&rnd) % 8500 : 0;
		len = prandom_u32_state(&rnd) % ((mtu ? mtu : 9000) * 2 + 2);
		pad = veil_padding_len(len, mtu);
		last = mtu && len > mtu ? len % mtu : len;
		end = last + pad;
		KUNIT_ASSERT_LT_MSG(test, pad, VEIL_PADDING_MULTIPLE,
				    "%u bytes, MTU %u", len, mtu);
		KUNIT_ASSERT_TRUE_MSG(test, end % VEIL_PADDING_MULTIPLE == 0 ||
				      (mtu && end == mtu),
				      "%u bytes, MTU %u: padded to %u", len,
				      mtu, end);
		if (mtu)
			KUNIT_ASSERT_LE_MSG(test, end, mtu, "%u bytes", len);
		/* Minimal: one byte less would not be a stopping point. */
		if (pad)
			KUNIT_ASSERT_TRUE_MSG(test,
					      (end - 1) % VEIL_PADDING_MULTIPLE &&
					      !(mtu && end - 1 == mtu),
					      "%u bytes, MTU %u", len, mtu);
	}
}

#define INNER_LEN	96

/* An inner packet at an odd address: version/IHL byte, length field. */
static u8 *inner_build(struct kunit *test, u8 b0, u16 field)
{
	u8 *buf = kunit_kzalloc(test, INNER_LEN + 1, GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buf);
	buf++;
	buf[0] = b0;
	if (b0 >> 4 != 6)
		put_unaligned_be16(field, buf + offsetof(struct iphdr, tot_len));
	if (b0 >> 4 != 4)
		put_unaligned_be16(field,
				   buf + offsetof(struct ipv6hdr, payload_len));
	return buf;
}

struct inner_case {
	u8 b0;
	u16 field;
	unsigned int len;
	int want;
};

static void expect_inner(struct kunit *test, const struct inner_case *c)
{
	const u8 *data = inner_build(test, c->b0, c->field);
	__be16 proto = htons(0x1234), want_proto = htons(0x1234);

	if (c->want >= 0)
		want_proto = c->b0 >> 4 == 4 ? htons(ETH_P_IP) : htons(ETH_P_IPV6);
	KUNIT_EXPECT_EQ_MSG(test, veil_inner_ip_len(data, c->len, &proto),
			    c->want, "first byte %#x, field %u, %u bytes",
			    c->b0, c->field, c->len);
	/* The protocol is written on success only. */
	KUNIT_EXPECT_EQ_MSG(test, ntohs(proto), ntohs(want_proto),
			    "first byte %#x, %u bytes", c->b0, c->len);
	KUNIT_EXPECT_EQ(test, veil_inner_ip_len(data, c->len, NULL), c->want);
}

static void inner_ipv4_lengths(struct kunit *test)
{
	static const struct inner_case cases[] = {
		{ 0x45, 20, 20, 20 }, { 0x45, 20, 64, 20 },
		{ 0x45, 60, 64, 60 }, { 0x45, 64, 64, 64 },
		{ 0x46, 24, 24, 24 }, { 0x4f, 60, 60, 60 },
		{ 0x4f, 64, 80, 64 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		expect_inner(test, &cases[i]);
}

static void inner_ipv4_bad_lengths(struct kunit *test)
{
	static const struct inner_case cases[] = {
		/* Longer than what arrived, shorter than its own header. */
		{ 0x45, 65, 64, -EBADMSG }, { 0x45, 65535, 64, -EBADMSG },
		{ 0x45, 21, 20, -EBADMSG }, { 0x45, 19, 64, -EBADMSG },
		{ 0x45, 0, 64, -EBADMSG }, { 0x46, 23, 64, -EBADMSG },
		{ 0x4f, 59, 64, -EBADMSG }, { 0x4f, 60, 59, -EBADMSG },
		/* An IHL below 5. */
		{ 0x44, 20, 64, -EBADMSG }, { 0x40, 20, 64, -EBADMSG },
		/* Shorter than a minimal header. */
		{ 0x45, 20, 0, -EPROTO }, { 0x45, 20, 19, -EPROTO },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		expect_inner(test, &cases[i]);
}

static void inner_ipv6_lengths(struct kunit *test)
{
	static const struct inner_case cases[] = {
		{ 0x60, 0, 40, 40 }, { 0x60, 0, 64, 40 }, { 0x60, 8, 64, 48 },
		{ 0x60, 24, 64, 64 }, { 0x6f, 0, 40, 40 },
		{ 0x60, 1, 40, -EBADMSG }, { 0x60, 25, 64, -EBADMSG },
		{ 0x60, 65535, 64, -EBADMSG }, { 0x60, 40, 79, -EBADMSG },
		{ 0x60, 0, 20, -EPROTO }, { 0x60, 0, 39, -EPROTO },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		expect_inner(test, &cases[i]);
}

static void inner_other_versions_refused(struct kunit *test)
{
	static const struct inner_case cases[] = {
		{ 0x05, 20, 64, -EPROTO }, { 0x55, 20, 64, -EPROTO },
		{ 0x75, 20, 64, -EPROTO }, { 0xf5, 20, 64, -EPROTO },
		{ 0x00, 0, 64, -EPROTO }, { 0x00, 0, 1, -EPROTO },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		expect_inner(test, &cases[i]);
}

/* Every truncation of a 60-byte packet of each family. */
static void inner_every_truncation(struct kunit *test)
{
	const u8 *v4 = inner_build(test, 0x45, 60);
	const u8 *v6 = inner_build(test, 0x60, 20);
	unsigned int len;

	for (len = 0; len <= INNER_LEN; len++) {
		KUNIT_EXPECT_EQ_MSG(test, veil_inner_ip_len(v4, len, NULL),
				    len < 20 ? -EPROTO : len < 60 ? -EBADMSG : 60,
				    "IPv4, %u bytes", len);
		KUNIT_EXPECT_EQ_MSG(test, veil_inner_ip_len(v6, len, NULL),
				    len < 40 ? -EPROTO : len < 60 ? -EBADMSG : 60,
				    "IPv6, %u bytes", len);
	}
}

static struct kunit_case veil_packet_cases[] = {
	KUNIT_CASE(padding_keepalive_is_not_padded),
	KUNIT_CASE(padding_to_multiple_of_16),
	KUNIT_CASE(padding_stops_at_mtu),
	KUNIT_CASE(padding_beyond_mtu_pads_last_segment),
	KUNIT_CASE(padding_extremes_do_not_overflow),
	KUNIT_CASE(padding_random_properties),
	KUNIT_CASE(inner_ipv4_lengths),
	KUNIT_CASE(inner_ipv4_bad_lengths),
	KUNIT_CASE(inner_ipv6_lengths),
	KUNIT_CASE(inner_other_versions_refused),
	KUNIT_CASE(inner_every_truncation),
	{}
};

static struct kunit_suite veil_packet_suite = {
	.name = "veil_packet",
	.test_cases = veil_packet_cases,
};

kunit_test_suite(veil_packet_suite);
