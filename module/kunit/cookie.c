// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite veil_cookie: mac1, mac2 and cookie replies (cookie.c).
 *
 * Known answers from protocol.md 13.2 and 13.3 (the same vectors as the
 * load-time self-test, selftest/cookie.c): the responder's mac1 and cookie
 * keys, mac1 of the worked initiation, the cookie for 192.0.2.1:51820 with
 * Rm = 0x66.., the reply with nonce 0x77.., and the mac2 the initiation
 * carries once that reply was consumed. Then what must be refused. The
 * clock is a parameter: every case sets it. Each case starts from the
 * state "initiation sent, responder with its key and Rm born at 1000 s".
 */
#include <kunit/test.h>
#include <crypto/curve25519.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include "../cookie.h"

#define T_SEC(s)	((u64)(s) * NSEC_PER_SEC)

static const char spub_i_hex[] =
	"7b4e909bbe7ffe44c465a220037d608ee35897d31ef972f07f74892cb0f73f13";
static const char spub_r_hex[] =
	"0faa684ed28867b97f4a6a2dee5df8ce974e76b7018e3f22a1c4cf2678570f20";
static const char mac1_key_hex[] =
	"2b14c2a1d73fe52519772891d6df632bd2408279e87eb80c61bc395fccadf4a6";
static const char cookie_key_hex[] =
	"f38243a909cf26b7ec109798fd3dfdbdb7592367db444819154f6582389fdc1b";
/* The 148-byte initiation of 13.3, in lines of 32 bytes. */
static const char * const init_hex[] = {
	"010000004d3c2b1a7b0d47d93427f8311160781c7c733fd89f88970aef490d8a",
	"a0ee19a4cb8a1b1481e498317da959fba46669572516a5e6c021bfa620bb6c56",
	"ca0082e1feae14988c2c64d024c617734a263f76a008df04d0f94bad8e26af48",
	"e1c26955db52afc518ad6421c390ea545c757d35e60ccd85f43bbc33bd010d05",
	"73f3d39e00000000000000000000000000000000",
	NULL
};

static const char cookie_hex[] = "0da54ebfa83089e16a06e54293a58209";
static const char * const reply_hex[] = {
	"030000004d3c2b1a777777777777777777777777777777777777777777777777",
	"2cd93e962dd62def62b6bdc519db3e413abfa3495b867d86ea0f56d18b031e92",
	NULL
};

static const char mac2_hex[] = "034e644df9feb0c4bec014c996ec5dc4";

/* KUnit of 6.1 has no memory comparison: equal (or not), with a dump. */
static void expect_bytes(struct kunit *test, const void *got,
			 const void *want, size_t len, bool equal,
			 const char *what)
{
	KUNIT_EXPECT_EQ_MSG(test, !memcmp(got, want, len), equal,
			    "%s: %*ph", what, (int)min_t(size_t, len, 64), got);
}

#define EXPECT_BYTES_EQ(test, got, want, len) \
	expect_bytes(test, got, want, len, true, #got " == " #want)
#define EXPECT_BYTES_NE(test, got, want, len) \
	expect_bytes(test, got, want, len, false, #got " != " #want)

static const u8 src[4] = { 192, 0, 2, 1 };
#define PORT	cpu_to_be16(51820)

struct cookie_fixture {
	struct veil_cookie_checker checker;	/* the responder */
	struct veil_cookie_maker maker;		/* the initiator */
	struct veil_msg_initiation want_init, msg;
	struct veil_msg_cookie want_reply, reply;
	u8 spub_i[VEIL_NOISE_KEY_LEN], spub_r[VEIL_NOISE_KEY_LEN];
	u8 cookie[VEIL_COOKIE_LEN], want_cookie[VEIL_COOKIE_LEN];
	u8 want_mac2[VEIL_COOKIE_LEN];
};

static bool unhex(void *out, size_t len, const char *hex)
{
	return strlen(hex) == 2 * len && !hex2bin(out, hex, len);
}

static bool unhex_lines(void *out, size_t len, const char * const *lines)
{
	size_t done = 0, n;

	for (; *lines; lines++) {
		n = strlen(*lines) / 2;
		if (done + n > len || hex2bin((u8 *)out + done, *lines, n))
			return false;
		done += n;
	}
	return done == len;
}

static int cookie_init(struct kunit *test)
{
	struct cookie_fixture *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);

	if (!f)
		return -ENOMEM;
	test->priv = f;
	if (!unhex(f->spub_i, sizeof(f->spub_i), spub_i_hex) ||
	    !unhex(f->spub_r, sizeof(f->spub_r), spub_r_hex) ||
	    !unhex(f->want_cookie, sizeof(f->want_cookie), cookie_hex) ||
	    !unhex(f->want_mac2, sizeof(f->want_mac2), mac2_hex) ||
	    !unhex_lines(&f->want_init, sizeof(f->want_init), init_hex) ||
	    !unhex_lines(&f->want_reply, sizeof(f->want_reply), reply_hex))
		return -EINVAL;

	veil_cookie_checker_init(&f->checker);
	veil_cookie_checker_set_key(&f->checker, f->spub_r);
	spin_lock_bh(&f->checker.lock);
	memset(f->checker.secret, 0x66, sizeof(f->checker.secret));
	f->checker.secret_birth = T_SEC(1000);
	f->checker.secret_valid = true;
	spin_unlock_bh(&f->checker.lock);

	veil_cookie_maker_init(&f->maker, f->spub_r);
	f->msg = f->want_init;
	memset(&f->msg.macs, 0xaa, sizeof(f->msg.macs));
	return veil_cookie_add_macs(&f->maker, &f->msg, sizeof(f->msg),
				    T_SEC(1000));
}

static void cookie_exit(struct kunit *test)
{
	struct cookie_fixture *f = test->priv;

	veil_cookie_checker_uninit(&f->checker);
	veil_cookie_maker_uninit(&f->maker);
}

static enum veil_cookie_mac_state validate(struct cookie_fixture *f,
					   const void *msg, size_t len,
					   __be16 port, u64 now)
{
	return veil_cookie_validate(&f->checker, msg, len, AF_INET, src, port,
				    now);
}

static void cookie_derived_keys(struct kunit *test)
{
	struct cookie_fixture *f = test->priv;
	u8 mac1_key[VEIL_NOISE_KEY_LEN], cookie_key[VEIL_NOISE_KEY_LEN];
	u8 want[VEIL_NOISE_KEY_LEN], priv[VEIL_NOISE_KEY_LEN];

	/* Spub_r is the public key of 0x22.. (13.3). */
	memset(priv, 0x22, sizeof(priv));
	KUNIT_ASSERT_TRUE(test, curve25519_generate_public(want, priv));
	EXPECT_BYTES_EQ(test, want, f->spub_r, sizeof(want));

	veil_cookie_derive_keys(mac1_key, cookie_key, f->spub_r);
	KUNIT_ASSERT_TRUE(test, unhex(want, sizeof(want), mac1_key_hex));
	EXPECT_BYTES_EQ(test, mac1_key, want, sizeof(want));
	EXPECT_BYTES_EQ(test, f->maker.mac1_key, want, sizeof(want));
	KUNIT_ASSERT_TRUE(test, unhex(want, sizeof(want), cookie_key_hex));
	EXPECT_BYTES_EQ(test, cookie_key, want, sizeof(want));
	EXPECT_BYTES_EQ(test, f->maker.cookie_key, want, sizeof(want));
}

static void cookie_mac1_known_answer(struct kunit *test)
{
	struct cookie_fixture *f = test->priv;

	/* mac1 over the first 116 bytes, mac2 zero: the 13.3 message. */
	EXPECT_BYTES_EQ(test, &f->msg, &f->want_init, sizeof(f->msg));
	KUNIT_EXPECT_TRUE(test, f->maker.mac1_sent);
	EXPECT_BYTES_EQ(test, f->maker.last_mac1_sent,
			f->want_init.macs.mac1, VEIL_COOKIE_LEN);
	KUNIT_EXPECT_EQ(test, validate(f, &f->msg, sizeof(f->msg), PORT,
				       T_SEC(1000)), VEIL_COOKIE_MAC1_VALID);
}

static void cookie_mac1_refusals(struct kunit *test)
{
	struct cookie_fixture *f = test->priv;
	struct veil_cookie_checker *other;

	f->msg.macs.mac1[3] ^= 1;
	KUNIT_EXPECT_EQ(test, validate(f, &f->msg, sizeof(f->msg), PORT,
				       T_SEC(1000)), VEIL_COOKIE_MAC_INVALID);
	f->msg = f->want_init;
	f->msg.encrypted_timestamp[0] ^= 1;
	KUNIT_EXPECT_EQ(test, validate(f, &f->msg, sizeof(f->msg), PORT,
				       T_SEC(1000)), VEIL_COOKIE_MAC_INVALID);
	f->msg = f->want_init;
	KUNIT_EXPECT_EQ(test, validate(f, &f->msg, sizeof(f->msg) - 1, PORT,
				       T_SEC(1000)), VEIL_COOKIE_MAC_INVALID);
	KUNIT_EXPECT_EQ(test, veil_cookie_validate(&f->checker, &f->msg,
						   sizeof(f->msg), AF_UNSPEC,
						   src, PORT, T_SEC(1000)),
			VEIL_COOKIE_MAC_INVALID);
	KUNIT_EXPECT_EQ(test, veil_cookie_add_macs(&f->maker, &f->msg, 64,
						   T_SEC(1000)), -EINVAL);

	/* No local key, or another one: nothing is valid. */
	other = kunit_kzalloc(test, sizeof(*other), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, other);
	veil_cookie_checker_init(other);
	KUNIT_EXPECT_EQ(test, veil_cookie_validate(other, &f->msg,
						   sizeof(f->msg), AF_INET,
						   src, PORT, T_SEC(1000)),
			VEIL_COOKIE_MAC_INVALID);
	veil_cookie_checker_set_key(other, f->spub_i);
	KUNIT_EXPECT_EQ(test, veil_cookie_validate(other, &f->msg,
						   sizeof(f->msg), AF_INET,
						   src, PORT, T_SEC(1000)),
			VEIL_COOKIE_MAC_INVALID);
	veil_cookie_checker_uninit(other);
}

static void cookie_known_answer(struct kunit *test)
{
	struct cookie_fixture *f = test->priv;
	static const u8 v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };

	KUNIT_ASSERT_EQ(test, veil_cookie_compute(&f->checker, f->cookie,
						  AF_INET, src, PORT,
						  T_SEC(1000)), 0);
	EXPECT_BYTES_EQ(test, f->cookie, f->want_cookie, VEIL_COOKIE_LEN);
	/* Another port, another family: other cookies. */
	KUNIT_ASSERT_EQ(test, veil_cookie_compute(&f->checker, f->cookie,
						  AF_INET, src,
						  cpu_to_be16(51821),
						  T_SEC(1000)), 0);
	EXPECT_BYTES_NE(test, f->cookie, f->want_cookie, VEIL_COOKIE_LEN);
	KUNIT_ASSERT_EQ(test, veil_cookie_compute(&f->checker, f->cookie,
						  AF_INET6, v6, PORT,
						  T_SEC(1000)), 0);
	EXPECT_BYTES_NE(test, f->cookie, f->want_cookie, VEIL_COOKIE_LEN);
	KUNIT_EXPECT_EQ(test, veil_cookie_compute(&f->checker, f->cookie,
						  AF_UNSPEC, src, PORT,
						  T_SEC(1000)), -EAFNOSUPPORT);
}

static void cookie_reply_known_answer(struct kunit *test)
{
	struct cookie_fixture *f = test->priv;
	u8 nonce[VEIL_COOKIE_NONCE_LEN];

	memset(nonce, 0x77, sizeof(nonce));
	memset(&f->reply, 0xee, sizeof(f->reply));
	KUNIT_ASSERT_EQ(test, veil_cookie_create_reply(&f->checker, &f->reply,
						       &f->msg, sizeof(f->msg),
						       AF_INET, src, PORT,
						       T_SEC(1001), nonce), 0);
	EXPECT_BYTES_EQ(test, &f->reply, &f->want_reply, sizeof(f->reply));
	/* A random nonce otherwise. */
	KUNIT_ASSERT_EQ(test, veil_cookie_create_reply(&f->checker, &f->reply,
						       &f->msg, sizeof(f->msg),
						       AF_INET, src, PORT,
						       T_SEC(1001), NULL), 0);
	EXPECT_BYTES_NE(test, f->reply.nonce, nonce, sizeof(nonce));
	KUNIT_EXPECT_EQ(test, le32_to_cpu(f->reply.receiver_index),
			le32_to_cpu(f->want_reply.receiver_index));
	KUNIT_EXPECT_EQ(test, veil_cookie_create_reply(&f->checker, &f->reply,
						       &f->msg, 147, AF_INET,
						       src, PORT, T_SEC(1001),
						       NULL), -EINVAL);
}

static void cookie_consumed_reply_gives_mac2(struct kunit *test)
{
	struct cookie_fixture *f = test->priv;
	static const u8 zero[VEIL_COOKIE_LEN];

	KUNIT_ASSERT_EQ(test, veil_cookie_consume_reply(&f->maker,
							&f->want_reply,
							T_SEC(1002)), 0);
	KUNIT_EXPECT_TRUE(test, f->maker.have_cookie);
	KUNIT_EXPECT_FALSE(test, f->maker.mac1_sent);
	EXPECT_BYTES_EQ(test, f->maker.cookie, f->want_cookie,
			VEIL_COOKIE_LEN);
	/* One reply per mac1 sent. */
	KUNIT_EXPECT_EQ(test, veil_cookie_consume_reply(&f->maker,
							&f->want_reply,
							T_SEC(1002)), -ENOENT);

	f->msg = f->want_init;
	KUNIT_ASSERT_EQ(test, veil_cookie_add_macs(&f->maker, &f->msg,
						   sizeof(f->msg),
						   T_SEC(1003)), 0);
	EXPECT_BYTES_EQ(test, f->msg.macs.mac1, f->want_init.macs.mac1,
			VEIL_COOKIE_LEN);
	EXPECT_BYTES_EQ(test, f->msg.macs.mac2, f->want_mac2,
			VEIL_COOKIE_LEN);
	/* Valid from that source only. */
	KUNIT_EXPECT_EQ(test, validate(f, &f->msg, sizeof(f->msg), PORT,
				       T_SEC(1003)), VEIL_COOKIE_MAC2_VALID);
	KUNIT_EXPECT_EQ(test, validate(f, &f->msg, sizeof(f->msg),
				       cpu_to_be16(51821), T_SEC(1003)),
			VEIL_COOKIE_MAC1_VALID);
	f->msg.macs.mac2[15] ^= 0x80;
	KUNIT_EXPECT_EQ(test, validate(f, &f->msg, sizeof(f->msg), PORT,
				       T_SEC(1003)), VEIL_COOKIE_MAC1_VALID);

	/* The cookie is used for 115 s, then mac2 is zero again. */
	f->msg = f->want_init;
	KUNIT_ASSERT_EQ(test, veil_cookie_add_macs(&f->maker, &f->msg,
						   sizeof(f->msg),
						   T_SEC(1002 + 114)), 0);
	EXPECT_BYTES_EQ(test, f->msg.macs.mac2, f->want_mac2,
			VEIL_COOKIE_LEN);
	KUNIT_ASSERT_EQ(test, veil_cookie_add_macs(&f->maker, &f->msg,
						   sizeof(f->msg),
						   T_SEC(1002 + 115) + 1), 0);
	EXPECT_BYTES_EQ(test, f->msg.macs.mac2, zero, VEIL_COOKIE_LEN);
}

static void cookie_bad_replies_refused(struct kunit *test)
{
	struct cookie_fixture *f = test->priv;
	static const size_t flips[] = {
		offsetof(struct veil_msg_cookie, encrypted_cookie) + 5,
		offsetof(struct veil_msg_cookie, encrypted_cookie) + 31,
		offsetof(struct veil_msg_cookie, nonce) + 23,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(flips); i++) {
		f->reply = f->want_reply;
		((u8 *)&f->reply)[flips[i]] ^= 0x40;
		KUNIT_EXPECT_EQ_MSG(test,
				    veil_cookie_consume_reply(&f->maker,
							      &f->reply,
							      T_SEC(1002)),
				    -EBADMSG, "byte %zu flipped", flips[i]);
	}
	/* A reply for another mac1 (wrong additional data). */
	f->msg.macs.mac1[0] ^= 1;
	KUNIT_ASSERT_EQ(test, veil_cookie_create_reply(&f->checker, &f->reply,
						       &f->msg, sizeof(f->msg),
						       AF_INET, src, PORT,
						       T_SEC(1002), NULL), 0);
	KUNIT_EXPECT_EQ(test, veil_cookie_consume_reply(&f->maker, &f->reply,
							T_SEC(1002)), -EBADMSG);
	/* None of that changed the state: the real reply still works. */
	KUNIT_EXPECT_TRUE(test, f->maker.mac1_sent);
	KUNIT_EXPECT_FALSE(test, f->maker.have_cookie);
	KUNIT_EXPECT_EQ(test, veil_cookie_consume_reply(&f->maker,
							&f->want_reply,
							T_SEC(1002)), 0);
}

static void cookie_secret_rotation(struct kunit *test)
{
	struct cookie_fixture *f = test->priv;
	u8 again[VEIL_COOKIE_LEN];

	/* Rm (born at 1000 s) is kept up to 120 s, then replaced. */
	KUNIT_ASSERT_EQ(test, veil_cookie_compute(&f->checker, f->cookie,
						  AF_INET, src, PORT,
						  T_SEC(1000 + 119)), 0);
	EXPECT_BYTES_EQ(test, f->cookie, f->want_cookie, VEIL_COOKIE_LEN);
	KUNIT_ASSERT_EQ(test, veil_cookie_compute(&f->checker, f->cookie,
						  AF_INET, src, PORT,
						  T_SEC(1000 + 121)), 0);
	EXPECT_BYTES_NE(test, f->cookie, f->want_cookie, VEIL_COOKIE_LEN);
	KUNIT_EXPECT_EQ(test, f->checker.secret_birth, T_SEC(1000 + 121));
	/* The new secret is stable within its lifetime. */
	KUNIT_ASSERT_EQ(test, veil_cookie_compute(&f->checker, again, AF_INET,
						  src, PORT,
						  T_SEC(1000 + 122)), 0);
	EXPECT_BYTES_EQ(test, again, f->cookie, VEIL_COOKIE_LEN);
}

static struct kunit_case veil_cookie_cases[] = {
	KUNIT_CASE(cookie_derived_keys),
	KUNIT_CASE(cookie_mac1_known_answer),
	KUNIT_CASE(cookie_mac1_refusals),
	KUNIT_CASE(cookie_known_answer),
	KUNIT_CASE(cookie_reply_known_answer),
	KUNIT_CASE(cookie_consumed_reply_gives_mac2),
	KUNIT_CASE(cookie_bad_replies_refused),
	KUNIT_CASE(cookie_secret_rotation),
	{}
};

static struct kunit_suite veil_cookie_suite = {
	.name = "veil_cookie",
	.init = cookie_init,
	.exit = cookie_exit,
	.test_cases = veil_cookie_cases,
};

kunit_test_suite(veil_cookie_suite);
