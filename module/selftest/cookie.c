// SPDX-License-Identifier: GPL-2.0
/*
 * Self-test of mac1, mac2 and cookie replies (cookie.c), run at module load
 * with selftest=1.
 *
 * The known answers are protocol.md 13.2 (mac1_key and cookie_key of the
 * responder's key) and 13.3 (the worked handshake: mac1 of the initiation
 * and of the response, the cookie for 192.0.2.1:51820 with Rm = 0x66..,
 * the 64-byte cookie reply with nonce 0x77.., and the mac2 the initiation
 * carries once that reply was consumed). Then the negative cases: tampered
 * MACs and bodies, replies with a wrong AD or a flipped byte, a second
 * reply for one mac1, an expired cookie, Rm rotation, no local key and bad
 * lengths. Time is a parameter, so the clock is simulated.
 */

#include <crypto/curve25519.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "../cookie.h"

#define T_SEC(s) ((u64)(s) * NSEC_PER_SEC)

static const char * const spub_i_hex[] = {
	"7b4e909bbe7ffe44c465a220037d608ee35897d31ef972f07f74892cb0f73f13",
	NULL
};

static const char * const spub_r_hex[] = {
	"0faa684ed28867b97f4a6a2dee5df8ce974e76b7018e3f22a1c4cf2678570f20",
	NULL
};

static const char * const mac1_key_r_hex[] = {
	"2b14c2a1d73fe52519772891d6df632bd2408279e87eb80c61bc395fccadf4a6",
	NULL
};

static const char * const cookie_key_r_hex[] = {
	"f38243a909cf26b7ec109798fd3dfdbdb7592367db444819154f6582389fdc1b",
	NULL
};

static const char * const initiation_hex[] = {
	"010000004d3c2b1a7b0d47d93427f8311160781c7c733fd89f88970aef490d8a",
	"a0ee19a4cb8a1b1481e498317da959fba46669572516a5e6c021bfa620bb6c56",
	"ca0082e1feae14988c2c64d024c617734a263f76a008df04d0f94bad8e26af48",
	"e1c26955db52afc518ad6421c390ea545c757d35e60ccd85f43bbc33bd010d05",
	"73f3d39e00000000000000000000000000000000",
	NULL
};

static const char * const response_hex[] = {
	"0200000081706f5e4d3c2b1aff2ee45601ec1b67310c7790404585ae697331ee",
	"e1c1f8cf2419731c1fff3e6bfd3f088b7f7db7dbe7f8588ce114587be7f986ac",
	"f312e43228d762c781e9335f00000000000000000000000000000000",
	NULL
};

static const char * const cookie_hex[] = {
	"0da54ebfa83089e16a06e54293a58209",
	NULL
};

static const char * const reply_hex[] = {
	"030000004d3c2b1a777777777777777777777777777777777777777777777777",
	"2cd93e962dd62def62b6bdc519db3e413abfa3495b867d86ea0f56d18b031e92",
	NULL
};

static const char * const mac2_hex[] = {
	"034e644df9feb0c4bec014c996ec5dc4",
	NULL
};

/* The source of the refused initiation: 192.0.2.1:51820. */
static const u8 src_addr[4] = { 192, 0, 2, 1 };
#define SRC_PORT cpu_to_be16(51820)

/* Large buffers live here rather than on the stack. */
struct veil_cookie_test {
	struct veil_cookie_checker checker, checker_i;
	struct veil_cookie_maker maker, maker_r;
	struct veil_msg_initiation init, msg, want_init;
	struct veil_msg_response resp, want_resp;
	struct veil_msg_cookie reply, want_reply, bad;
	u8 spub_i[VEIL_NOISE_KEY_LEN], spub_r[VEIL_NOISE_KEY_LEN];
	u8 key[VEIL_NOISE_KEY_LEN], key2[VEIL_NOISE_KEY_LEN];
	u8 want_key[VEIL_NOISE_KEY_LEN], want_key2[VEIL_NOISE_KEY_LEN];
	u8 cookie[VEIL_COOKIE_LEN], cookie2[VEIL_COOKIE_LEN];
	u8 want_cookie[VEIL_COOKIE_LEN], want_mac2[VEIL_COOKIE_LEN];
	u8 nonce[VEIL_COOKIE_NONCE_LEN];
	unsigned int failures;
};

/* Decode hex given in pieces (NULL-terminated) into exactly @len bytes. */
static bool unhex(void *out, const char * const *hex, size_t len)
{
	size_t n, done = 0;

	for (; *hex; hex++) {
		n = strlen(*hex);
		if (n % 2 || done + n / 2 > len ||
		    hex2bin((u8 *)out + done, *hex, n / 2))
			return false;
		done += n / 2;
	}
	return done == len;
}

static void veil_cookie_test_check(struct veil_cookie_test *t, bool ok,
				   const char *what, int line)
{
	if (ok)
		return;
	pr_err("cookie self-test: line %d: %s failed\n", line, what);
	t->failures++;
}

#define CHECK(cond) veil_cookie_test_check(t, cond, #cond, __LINE__)

static void veil_cookie_test_vectors(struct veil_cookie_test *t)
{
	static const u8 zero[VEIL_COOKIE_LEN];
	u8 spriv_r[VEIL_NOISE_KEY_LEN];
	bool ok;

	CHECK(unhex(t->spub_i, spub_i_hex, sizeof(t->spub_i)));
	CHECK(unhex(t->spub_r, spub_r_hex, sizeof(t->spub_r)));
	CHECK(unhex(t->want_key, mac1_key_r_hex, sizeof(t->want_key)));
	CHECK(unhex(t->want_key2, cookie_key_r_hex, sizeof(t->want_key2)));
	CHECK(unhex(&t->want_init, initiation_hex, sizeof(t->want_init)));
	CHECK(unhex(&t->want_resp, response_hex, sizeof(t->want_resp)));
	CHECK(unhex(t->want_cookie, cookie_hex, sizeof(t->want_cookie)));
	CHECK(unhex(&t->want_reply, reply_hex, sizeof(t->want_reply)));
	CHECK(unhex(t->want_mac2, mac2_hex, sizeof(t->want_mac2)));

	/* Spub_r = DH_PUBKEY(0x22 x 32), as in 13.3. */
	memset(spriv_r, 0x22, sizeof(spriv_r));
	ok = curve25519_generate_public(t->key, spriv_r);
	CHECK(ok);
	CHECK(!memcmp(t->key, t->spub_r, sizeof(t->key)));

	/* 13.2: the responder's derived keys. */
	veil_cookie_derive_keys(t->key, t->key2, t->spub_r);
	CHECK(!memcmp(t->key, t->want_key, sizeof(t->key)));
	CHECK(!memcmp(t->key2, t->want_key2, sizeof(t->key2)));

	/* Initiator side: mac1 over bytes [0:116], no cookie so mac2 = 0. */
	veil_cookie_maker_init(&t->maker, t->spub_r);
	CHECK(!memcmp(t->maker.mac1_key, t->want_key, sizeof(t->want_key)));
	CHECK(!memcmp(t->maker.cookie_key, t->want_key2,
		      sizeof(t->want_key2)));
	t->init = t->want_init;
	memset(&t->init.macs, 0xaa, sizeof(t->init.macs));
	CHECK(!veil_cookie_add_macs(&t->maker, &t->init, sizeof(t->init),
				    T_SEC(1000)));
	CHECK(!memcmp(&t->init, &t->want_init, sizeof(t->init)));
	CHECK(t->maker.mac1_sent);
	CHECK(!memcmp(t->maker.last_mac1_sent, t->want_init.macs.mac1,
		      VEIL_COOKIE_LEN));

	/* Responder side checks it: mac1 good, mac2 absent. */
	veil_cookie_checker_init(&t->checker);
	CHECK(veil_cookie_validate(&t->checker, &t->init, sizeof(t->init),
				   AF_INET, src_addr, SRC_PORT, T_SEC(1000)) ==
	      VEIL_COOKIE_MAC_INVALID); /* no local key yet */
	veil_cookie_checker_set_key(&t->checker, t->spub_r);
	CHECK(veil_cookie_validate(&t->checker, &t->init, sizeof(t->init),
				   AF_INET, src_addr, SRC_PORT, T_SEC(1000)) ==
	      VEIL_COOKIE_MAC1_VALID);

	/* The response's mac1 uses the initiator's key (mac2 = 0 too). */
	veil_cookie_maker_init(&t->maker_r, t->spub_i);
	t->resp = t->want_resp;
	memset(&t->resp.macs, 0x55, sizeof(t->resp.macs));
	CHECK(!veil_cookie_add_macs(&t->maker_r, &t->resp, sizeof(t->resp),
				    T_SEC(1000)));
	CHECK(!memcmp(&t->resp, &t->want_resp, sizeof(t->resp)));
	veil_cookie_checker_init(&t->checker_i);
	veil_cookie_checker_set_key(&t->checker_i, t->spub_i);
	CHECK(veil_cookie_validate(&t->checker_i, &t->resp, sizeof(t->resp),
				   AF_INET, src_addr, SRC_PORT, T_SEC(1000)) ==
	      VEIL_COOKIE_MAC1_VALID);
	/* ... and not the responder's. */
	CHECK(veil_cookie_validate(&t->checker, &t->resp, sizeof(t->resp),
				   AF_INET, src_addr, SRC_PORT, T_SEC(1000)) ==
	      VEIL_COOKIE_MAC_INVALID);

	/* 13.3: cookie with Rm = 0x66 x 32 for 192.0.2.1:51820. */
	spin_lock_bh(&t->checker.lock);
	memset(t->checker.secret, 0x66, sizeof(t->checker.secret));
	t->checker.secret_birth = T_SEC(1000);
	t->checker.secret_valid = true;
	spin_unlock_bh(&t->checker.lock);
	CHECK(!veil_cookie_compute(&t->checker, t->cookie, AF_INET, src_addr,
				   SRC_PORT, T_SEC(1000)));
	CHECK(!memcmp(t->cookie, t->want_cookie, sizeof(t->cookie)));

	/* 13.3: the exact reply with nonce 0x77 x 24. */
	memset(t->nonce, 0x77, sizeof(t->nonce));
	memset(&t->reply, 0xee, sizeof(t->reply));
	CHECK(!veil_cookie_create_reply(&t->checker, &t->reply, &t->init,
					sizeof(t->init), AF_INET, src_addr,
					SRC_PORT, T_SEC(1001), t->nonce));
	CHECK(!memcmp(&t->reply, &t->want_reply, sizeof(t->reply)));

	/* A random nonce still gives a reply the initiator accepts later. */
	CHECK(!veil_cookie_create_reply(&t->checker, &t->bad, &t->init,
					sizeof(t->init), AF_INET, src_addr,
					SRC_PORT, T_SEC(1001), NULL));
	CHECK(memcmp(t->bad.nonce, t->nonce, sizeof(t->nonce)));
	CHECK(t->bad.receiver_index == t->want_reply.receiver_index);

	/* Before consuming anything, no cookie: mac2 stays zero. */
	t->msg = t->init;
	CHECK(!veil_cookie_add_macs(&t->maker, &t->msg, sizeof(t->msg),
				    T_SEC(1002)));
	CHECK(!memcmp(t->msg.macs.mac2, zero, sizeof(zero)));

	/* Initiator consumes the 13.3 reply; mac2 then matches 13.3. */
	CHECK(!veil_cookie_consume_reply(&t->maker, &t->reply, T_SEC(1002)));
	CHECK(t->maker.have_cookie && !t->maker.mac1_sent);
	CHECK(!memcmp(t->maker.cookie, t->want_cookie, VEIL_COOKIE_LEN));
	/* A second reply for the same mac1 is refused. */
	CHECK(veil_cookie_consume_reply(&t->maker, &t->reply, T_SEC(1002)) ==
	      -ENOENT);
	t->msg = t->init;
	CHECK(!veil_cookie_add_macs(&t->maker, &t->msg, sizeof(t->msg),
				    T_SEC(1003)));
	CHECK(!memcmp(t->msg.macs.mac1, t->want_init.macs.mac1,
		      VEIL_COOKIE_LEN));
	CHECK(!memcmp(t->msg.macs.mac2, t->want_mac2, VEIL_COOKIE_LEN));

	/* The responder now sees a valid mac2 from that source only. */
	CHECK(veil_cookie_validate(&t->checker, &t->msg, sizeof(t->msg),
				   AF_INET, src_addr, SRC_PORT, T_SEC(1003)) ==
	      VEIL_COOKIE_MAC2_VALID);
	CHECK(veil_cookie_validate(&t->checker, &t->msg, sizeof(t->msg),
				   AF_INET, src_addr, cpu_to_be16(51821),
				   T_SEC(1003)) == VEIL_COOKIE_MAC1_VALID);
}

static void veil_cookie_test_negative(struct veil_cookie_test *t)
{
	static const u8 zero[VEIL_COOKIE_LEN];
	static const u8 v6addr[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };

	/* Tampered mac1, mac2 or body. */
	t->init = t->msg;
	t->init.macs.mac1[3] ^= 1;
	CHECK(veil_cookie_validate(&t->checker, &t->init, sizeof(t->init),
				   AF_INET, src_addr, SRC_PORT, T_SEC(1003)) ==
	      VEIL_COOKIE_MAC_INVALID);
	t->init = t->msg;
	t->init.macs.mac2[15] ^= 0x80;
	CHECK(veil_cookie_validate(&t->checker, &t->init, sizeof(t->init),
				   AF_INET, src_addr, SRC_PORT, T_SEC(1003)) ==
	      VEIL_COOKIE_MAC1_VALID);
	t->init = t->msg;
	t->init.encrypted_timestamp[0] ^= 1;
	CHECK(veil_cookie_validate(&t->checker, &t->init, sizeof(t->init),
				   AF_INET, src_addr, SRC_PORT, T_SEC(1003)) ==
	      VEIL_COOKIE_MAC_INVALID);

	/* Bad lengths and families. */
	CHECK(veil_cookie_validate(&t->checker, &t->msg, sizeof(t->msg) - 1,
				   AF_INET, src_addr, SRC_PORT, T_SEC(1003)) ==
	      VEIL_COOKIE_MAC_INVALID);
	CHECK(veil_cookie_validate(&t->checker, &t->msg, sizeof(t->msg),
				   AF_UNSPEC, src_addr, SRC_PORT,
				   T_SEC(1003)) == VEIL_COOKIE_MAC_INVALID);
	CHECK(veil_cookie_add_macs(&t->maker, &t->init, 64, T_SEC(1003)) ==
	      -EINVAL);
	CHECK(veil_cookie_create_reply(&t->checker, &t->bad, &t->msg, 147,
				       AF_INET, src_addr, SRC_PORT,
				       T_SEC(1003), NULL) == -EINVAL);
	CHECK(veil_cookie_compute(&t->checker, t->cookie, AF_UNSPEC, src_addr,
				  SRC_PORT, T_SEC(1003)) == -EAFNOSUPPORT);

	/* IPv6 sources work and get their own cookie. */
	CHECK(!veil_cookie_compute(&t->checker, t->cookie2, AF_INET6, v6addr,
				   SRC_PORT, T_SEC(1003)));
	CHECK(memcmp(t->cookie2, t->want_cookie, VEIL_COOKIE_LEN));

	/* New mac1 sent (add_macs above); flipped bytes and wrong AD fail. */
	CHECK(t->maker.mac1_sent);
	CHECK(!veil_cookie_create_reply(&t->checker, &t->reply, &t->msg,
					sizeof(t->msg), AF_INET, src_addr,
					SRC_PORT, T_SEC(1004), NULL));
	t->bad = t->reply;
	t->bad.encrypted_cookie[5] ^= 1;
	CHECK(veil_cookie_consume_reply(&t->maker, &t->bad, T_SEC(1004)) ==
	      -EBADMSG);
	t->bad = t->reply;
	t->bad.encrypted_cookie[31] ^= 0x40;	/* tag */
	CHECK(veil_cookie_consume_reply(&t->maker, &t->bad, T_SEC(1004)) ==
	      -EBADMSG);
	t->bad = t->reply;
	t->bad.nonce[23] ^= 1;
	CHECK(veil_cookie_consume_reply(&t->maker, &t->bad, T_SEC(1004)) ==
	      -EBADMSG);
	/* Reply made for another mac1 (wrong AD). */
	t->init = t->msg;
	t->init.macs.mac1[0] ^= 1;
	CHECK(!veil_cookie_create_reply(&t->checker, &t->bad, &t->init,
					sizeof(t->init), AF_INET, src_addr,
					SRC_PORT, T_SEC(1004), NULL));
	CHECK(veil_cookie_consume_reply(&t->maker, &t->bad, T_SEC(1004)) ==
	      -EBADMSG);
	/* Reply from a responder with another key. */
	CHECK(!veil_cookie_create_reply(&t->checker_i, &t->bad, &t->msg,
					sizeof(t->msg), AF_INET, src_addr,
					SRC_PORT, T_SEC(1004), NULL));
	CHECK(veil_cookie_consume_reply(&t->maker, &t->bad, T_SEC(1004)) ==
	      -EBADMSG);
	/* Failures changed nothing: the real reply still goes through. */
	CHECK(t->maker.mac1_sent && t->maker.cookie_birth == T_SEC(1002));
	CHECK(!veil_cookie_consume_reply(&t->maker, &t->reply, T_SEC(1004)));
	CHECK(t->maker.cookie_birth == T_SEC(1004));
	CHECK(veil_cookie_consume_reply(&t->maker, &t->reply, T_SEC(1004)) ==
	      -ENOENT);

	/* Cookie age: used until 115 s, zero mac2 afterwards. */
	t->init = t->want_init;
	CHECK(!veil_cookie_add_macs(&t->maker, &t->init, sizeof(t->init),
				    T_SEC(1004 + 114)));
	CHECK(!memcmp(t->init.macs.mac2, t->want_mac2, VEIL_COOKIE_LEN));
	CHECK(!veil_cookie_add_macs(&t->maker, &t->init, sizeof(t->init),
				    T_SEC(1004 + 115) + 1));
	CHECK(!memcmp(t->init.macs.mac1, t->want_init.macs.mac1,
		      VEIL_COOKIE_LEN));
	CHECK(!memcmp(t->init.macs.mac2, zero, VEIL_COOKIE_LEN));

	/* Rm (born at 1000 s) is kept up to 120 s, then replaced. */
	CHECK(!veil_cookie_compute(&t->checker, t->cookie, AF_INET, src_addr,
				   SRC_PORT, T_SEC(1000 + 119)));
	CHECK(!memcmp(t->cookie, t->want_cookie, VEIL_COOKIE_LEN));
	CHECK(!veil_cookie_compute(&t->checker, t->cookie, AF_INET, src_addr,
				   SRC_PORT, T_SEC(1000 + 121)));
	CHECK(memcmp(t->cookie, t->want_cookie, VEIL_COOKIE_LEN));
	CHECK(t->checker.secret_birth == T_SEC(1000 + 121));
	/* A mac2 made with the old cookie is no longer valid. */
	CHECK(veil_cookie_validate(&t->checker, &t->msg, sizeof(t->msg),
				   AF_INET, src_addr, SRC_PORT,
				   T_SEC(1000 + 121)) ==
	      VEIL_COOKIE_MAC1_VALID);
	/* Same secret within its lifetime: same cookie. */
	CHECK(!veil_cookie_compute(&t->checker, t->cookie2, AF_INET, src_addr,
				   SRC_PORT, T_SEC(1000 + 122)));
	CHECK(!memcmp(t->cookie, t->cookie2, VEIL_COOKIE_LEN));

	/* Forgetting the local key: nothing validates, no replies. */
	veil_cookie_checker_set_key(&t->checker, NULL);
	CHECK(veil_cookie_validate(&t->checker, &t->msg, sizeof(t->msg),
				   AF_INET, src_addr, SRC_PORT,
				   T_SEC(1000 + 122)) ==
	      VEIL_COOKIE_MAC_INVALID);
	CHECK(veil_cookie_create_reply(&t->checker, &t->bad, &t->msg,
				       sizeof(t->msg), AF_INET, src_addr,
				       SRC_PORT, T_SEC(1000 + 122),
				       NULL) == -EINVAL);
}

bool veil_cookie_selftest(void)
{
	struct veil_cookie_test *t = kzalloc(sizeof(*t), GFP_KERNEL);
	bool ok;

	if (!t)
		return false;
	veil_cookie_test_vectors(t);
	veil_cookie_test_negative(t);
	ok = !t->failures;
	veil_cookie_checker_uninit(&t->checker);
	veil_cookie_checker_uninit(&t->checker_i);
	veil_cookie_maker_uninit(&t->maker);
	veil_cookie_maker_uninit(&t->maker_r);
	kfree_sensitive(t);
	if (ok)
		pr_info("cookie self-tests: pass\n");
	else
		pr_err("cookie self-tests: FAIL\n");
	return ok;
}
