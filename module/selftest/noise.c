// SPDX-License-Identifier: GPL-2.0
/*
 * Self-test of the Noise handshake core, run at module load with
 * selftest=1.
 *
 * Checks CK0/H0, the HMAC/KDF/MAC wrappers against values computed with
 * Python's hmac and hashlib.blake2s, TAI64N rounding, then the worked
 * example of protocol.md 13.3 byte for byte (both handshake messages
 * without their MACs, C and H, T1/T2 and the first transport messages),
 * then the refusals: replay, tampering, low-order points, wrong state,
 * flooding and a PSK mismatch. A refused message must leave the handshake
 * slot bit for bit unchanged.
 */

#include <crypto/chacha20poly1305.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "../noise.h"

struct veil_noise_test {
	struct veil_noise_static_identity id_i, id_r, id_z;
	struct veil_noise_handshake hs_i, hs_r, snap, tmp;
	struct veil_noise_initiation_scratch scratch;
	struct veil_msg_initiation init, bad_init;
	struct veil_msg_response resp, bad_resp;
	struct veil_noise_keys keys_i, keys_r;
	u8 expect[sizeof(struct veil_msg_initiation)];
	u8 pkt[64];
	u8 key[VEIL_NOISE_KEY_LEN];
	u8 eph[VEIL_NOISE_KEY_LEN];
	u8 ts[VEIL_TIMESTAMP_LEN];
	bool ok;
};

#define VEIL_NOISE_T0 1704067200	/* 2024-01-01T00:00:00Z */
#define VEIL_NOISE_I_I 0x1a2b3c4d
#define VEIL_NOISE_I_R 0x5e6f7081

static const u8 ex_init[] = {
	0x01, 0x00, 0x00, 0x00, 0x4d, 0x3c, 0x2b, 0x1a,
	0x7b, 0x0d, 0x47, 0xd9, 0x34, 0x27, 0xf8, 0x31,
	0x11, 0x60, 0x78, 0x1c, 0x7c, 0x73, 0x3f, 0xd8,
	0x9f, 0x88, 0x97, 0x0a, 0xef, 0x49, 0x0d, 0x8a,
	0xa0, 0xee, 0x19, 0xa4, 0xcb, 0x8a, 0x1b, 0x14,
	0x81, 0xe4, 0x98, 0x31, 0x7d, 0xa9, 0x59, 0xfb,
	0xa4, 0x66, 0x69, 0x57, 0x25, 0x16, 0xa5, 0xe6,
	0xc0, 0x21, 0xbf, 0xa6, 0x20, 0xbb, 0x6c, 0x56,
	0xca, 0x00, 0x82, 0xe1, 0xfe, 0xae, 0x14, 0x98,
	0x8c, 0x2c, 0x64, 0xd0, 0x24, 0xc6, 0x17, 0x73,
	0x4a, 0x26, 0x3f, 0x76, 0xa0, 0x08, 0xdf, 0x04,
	0xd0, 0xf9, 0x4b, 0xad, 0x8e, 0x26, 0xaf, 0x48,
	0xe1, 0xc2, 0x69, 0x55, 0xdb, 0x52, 0xaf, 0xc5,
	0x18, 0xad, 0x64, 0x21, 0xc3, 0x90, 0xea, 0x54,
	0x5c, 0x75, 0x7d, 0x35, 0xe6, 0x0c, 0xcd, 0x85,
	0xf4, 0x3b, 0xbc, 0x33, 0xbd, 0x01, 0x0d, 0x05,
	0x73, 0xf3, 0xd3, 0x9e, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00,
};

static const u8 ex_resp[] = {
	0x02, 0x00, 0x00, 0x00, 0x81, 0x70, 0x6f, 0x5e,
	0x4d, 0x3c, 0x2b, 0x1a, 0xff, 0x2e, 0xe4, 0x56,
	0x01, 0xec, 0x1b, 0x67, 0x31, 0x0c, 0x77, 0x90,
	0x40, 0x45, 0x85, 0xae, 0x69, 0x73, 0x31, 0xee,
	0xe1, 0xc1, 0xf8, 0xcf, 0x24, 0x19, 0x73, 0x1c,
	0x1f, 0xff, 0x3e, 0x6b, 0xfd, 0x3f, 0x08, 0x8b,
	0x7f, 0x7d, 0xb7, 0xdb, 0xe7, 0xf8, 0x58, 0x8c,
	0xe1, 0x14, 0x58, 0x7b, 0xe7, 0xf9, 0x86, 0xac,
	0xf3, 0x12, 0xe4, 0x32, 0x28, 0xd7, 0x62, 0xc7,
	0x81, 0xe9, 0x33, 0x5f, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00,
};

static const u8 ex_data1[] = {
	0x04, 0x00, 0x00, 0x00, 0x81, 0x70, 0x6f, 0x5e,
	0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x6e, 0x14, 0xf5, 0xe0, 0x36, 0x9c, 0xd8, 0x20,
	0xc7, 0xd3, 0x7a, 0x5c, 0x5d, 0x8a, 0x13, 0x2f,
	0xab, 0xee, 0x57, 0x72, 0x6d, 0xcb, 0xb0, 0x0f,
	0x63, 0xab, 0x67, 0x60, 0x6a, 0xb9, 0x2f, 0xf2,
	0x09, 0x14, 0xb7, 0x6f, 0x56, 0x52, 0x61, 0x10,
	0x07, 0xd2, 0x77, 0x10, 0x52, 0xa5, 0x83, 0x35,
};

static const char * const ex_t1 =
	"e07b709efbfd0361a08a9de658ceb3847d648c207ed71d4dbdfe248bef23a651";
static const char * const ex_t2 =
	"f76ba55a113d83abf16240859ca361a9017ae9fbac0b4aa43179112c40e0163f";
static const char * const ex_c1 =
	"24eca314409f2ca9ccbf8d50ebb72b7235d67ed11b21eeefc67942a2596df51e";
static const char * const ex_h1 =
	"a24f121c7aea6a8aa3aa54f956844cacb3148d3b33fa0900e480bd555389932d";
static const char * const ex_c2 =
	"f4f392316a25ff6209d60db8c4929d0bc8b51edcd674acc0739cb3ce00f14200";
static const char * const ex_h2 =
	"cf7dee18719f505d8afdc265df2e908483d5c64e549550704ba89731a7f820bc";

/* Prints the step and the bytes found; only the first failure is shown. */
static bool veil_noise_test_bad(struct veil_noise_test *t, const char *step,
				const void *got, size_t len)
{
	size_t off, n;

	if (!t->ok)
		return false;
	t->ok = false;
	pr_err("noise self-test: %s: failed\n", step);
	for (off = 0; off < len; off += 32) {
		n = min_t(size_t, len - off, 32);
		pr_err("noise self-test:  got %*phN\n", (int)n,
		       (const u8 *)got + off);
	}
	return false;
}

static bool veil_noise_test_check(struct veil_noise_test *t, const char *step,
				  bool cond)
{
	return cond || veil_noise_test_bad(t, step, NULL, 0);
}

static bool veil_noise_test_bytes(struct veil_noise_test *t, const char *step,
				  const void *got, const u8 *expect, size_t len)
{
	return !memcmp(got, expect, len) ||
	       veil_noise_test_bad(t, step, got, len);
}

/* Compares @len bytes at @got with the hex string @hex. */
static bool veil_noise_test_hex(struct veil_noise_test *t, const char *step,
				const void *got, size_t len, const char *hex)
{
	if (strlen(hex) != 2 * len || len > sizeof(t->expect) ||
	    hex2bin(t->expect, hex, len))
		return veil_noise_test_bad(t, step, NULL, 0);
	return veil_noise_test_bytes(t, step, got, t->expect, len);
}

/* The checks run on; a failure is latched in t->ok. */
#define T_HEX(step, got, len, hex) veil_noise_test_hex(t, step, got, len, hex)
#define T_BYTES(step, got, exp, len) \
	veil_noise_test_bytes(t, step, got, exp, len)
#define T_OK(step, cond) veil_noise_test_check(t, step, cond)

/* The handshake slot is bit for bit what it was before the call. */
#define T_UNCHANGED(step, hs) \
	T_OK(step, !memcmp(&t->snap, hs, sizeof(t->snap)))

static bool veil_noise_test_primitives(struct veil_noise_test *t)
{
	static const u8 msg[] = "veil hmac test";
	const size_t len = sizeof(msg) - 1;
	u8 t1[32], t2[32], t3[32], one[32];
	struct timespec64 ts;
	int i;

	T_HEX("CK0", veil_noise_initial_chaining_key(), 32,
	      "60e26daef327efc02ec335e2a025d2d016eb4206f87277f52d38d1988b78cd36");
	T_HEX("H0", veil_noise_initial_hash(), 32,
	      "2211b361081ac566691243db458ad5322d9c6c662293e8b70ee19c65ba079ef3");

	veil_noise_hash(t1, "abc", 3);
	T_HEX("HASH(abc)", t1, 32,
	      "508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982");

	for (i = 0; i < 32; i++)
		t->key[i] = i;
	veil_noise_hmac(t1, msg, len, t->key);
	T_HEX("HMAC", t1, 32,
	      "ef1449b9e0219ac8c069d4e36d2cb3208237854b44ecc674d349a41216ccad60");
	veil_noise_mac(t1, msg, len, t->key, 32);
	T_HEX("MAC", t1, 16, "b4fef95c51a6b8a0e07eb0d4955f8f6d");

	veil_noise_kdf(t1, t2, t3, msg, len, t->key);
	T_HEX("KDF3 t1", t1, 32,
	      "7a0722ed54d6a225bc76a89c75007e048d55de0e5d69494b138fe68388416e33");
	T_HEX("KDF3 t2", t2, 32,
	      "eea6505ce8a2fcdca48bade87c14f6ec8b2a057ca70f0142a6987dbb0e60fce2");
	T_HEX("KDF3 t3", t3, 32,
	      "6993211f55c5d71df318443f23c495a85f2dbc55e94070b908ddb5de36f7f602");
	veil_noise_kdf(one, NULL, NULL, msg, len, t->key);
	T_OK("KDF1 == KDF3 t1", !memcmp(one, t1, 32));
	/* Output aliasing the chaining key. */
	memcpy(one, t->key, 32);
	veil_noise_kdf(one, t2, NULL, msg, len, one);
	T_OK("KDF2 in place", !memcmp(one, t1, 32));

	ts.tv_sec = VEIL_NOISE_T0;
	ts.tv_nsec = 5000000;
	veil_noise_tai64n(t->ts, &ts);
	T_HEX("TAI64N", t->ts, 12, "400000006592008a00000000");
	ts.tv_nsec = 999999999;
	veil_noise_tai64n(t->ts, &ts);
	T_HEX("TAI64N rounding", t->ts, 12, "400000006592008a3b000000");
	return t->ok;
}

/* mac1_key(P) = HASH(LABEL_MAC1 || P), protocol.md 5.1 */
static void veil_noise_test_mac1(u8 key[32], const u8 pub[32])
{
	veil_noise_hash2(key, "mac1----", 8, pub, 32);
}

/* An initiation from hs_i at unix time @sec with ephemeral @eph_byte. */
static bool veil_noise_test_initiate(struct veil_noise_test *t, u8 eph_byte,
				     time64_t sec, u32 index)
{
	struct timespec64 ts = { .tv_sec = sec };

	memset(t->eph, eph_byte, sizeof(t->eph));
	veil_noise_tai64n(t->ts, &ts);
	return veil_noise_initiation_create(&t->hs_i, &t->id_i, &t->init,
					    t->eph, t->ts, index);
}

/* The responder consumes t->init; @last/@now in ms. */
static bool veil_noise_test_consume(struct veil_noise_test *t,
				    const struct veil_msg_initiation *msg,
				    u64 last, u64 now)
{
	if (!veil_noise_initiation_open(&t->id_r, msg, &t->scratch))
		return false;
	if (memcmp(t->scratch.remote_static, t->id_i.static_public, 32)) {
		veil_noise_scratch_wipe(&t->scratch);
		return false;
	}
	return veil_noise_initiation_finish(&t->hs_r, &t->scratch, msg,
					    last * NSEC_PER_MSEC,
					    now * NSEC_PER_MSEC);
}

static bool veil_noise_test_respond(struct veil_noise_test *t, u8 eph_byte)
{
	memset(t->eph, eph_byte, sizeof(t->eph));
	return veil_noise_response_create(&t->hs_r, &t->id_r, &t->resp, t->eph,
					  VEIL_NOISE_I_R);
}

static bool veil_noise_test_keys_match(struct veil_noise_test *t)
{
	return !memcmp(t->keys_i.sending, t->keys_r.receiving, 32) &&
	       !memcmp(t->keys_i.receiving, t->keys_r.sending, 32) &&
	       t->keys_i.is_initiator && !t->keys_r.is_initiator &&
	       t->keys_i.remote_index == t->keys_r.local_index &&
	       t->keys_r.remote_index == t->keys_i.local_index;
}

/* A transport message: header, then AEAD(key, counter, plain, no AD). */
static size_t veil_noise_test_data(struct veil_noise_test *t,
				   const struct veil_noise_keys *keys,
				   u64 counter, const u8 *plain, size_t len)
{
	struct veil_msg_data *hdr = (struct veil_msg_data *)t->pkt;

	hdr->header.type = cpu_to_le32(VEIL_MSG_DATA);
	hdr->key_idx = cpu_to_le32(keys->remote_index);
	hdr->counter = cpu_to_le64(counter);
	chacha20poly1305_encrypt(hdr->encrypted_data, plain, len, NULL, 0,
				 counter, keys->sending);
	return sizeof(*hdr) + veil_sealed_len(len);
}

/* protocol.md 13.3, and the refusals around it. */
static bool veil_noise_test_example(struct veil_noise_test *t)
{
	static const u8 zero[32];
	u8 plain[32] = { 0 };
	size_t len;

	memset(t->key, 0x11, 32);
	T_OK("identity i", veil_noise_set_static_identity(&t->id_i, t->key));
	memset(t->key, 0x22, 32);
	T_OK("identity r", veil_noise_set_static_identity(&t->id_r, t->key));
	T_HEX("Spub_i", t->id_i.static_public, 32,
	      "7b4e909bbe7ffe44c465a220037d608ee35897d31ef972f07f74892cb0f73f13");
	T_HEX("Spub_r", t->id_r.static_public, 32,
	      "0faa684ed28867b97f4a6a2dee5df8ce974e76b7018e3f22a1c4cf2678570f20");
	T_OK("zero private key refused",
	     !veil_noise_set_static_identity(&t->id_z, zero) &&
	     !t->id_z.has_identity);
	T_OK("init i", veil_noise_handshake_init(&t->hs_i, &t->id_i,
						 t->id_r.static_public, NULL));
	T_OK("init r", veil_noise_handshake_init(&t->hs_r, &t->id_r,
						 t->id_i.static_public, NULL));
	T_OK("zero remote static refused",
	     !veil_noise_handshake_init(&t->tmp, &t->id_i, zero, NULL));

	/* Message 1. */
	T_OK("create initiation",
	     veil_noise_test_initiate(t, 0x33, VEIL_NOISE_T0, VEIL_NOISE_I_I));
	T_BYTES("initiation bytes [0:116]", &t->init, ex_init, 116);
	T_OK("initiation macs zero",
	     !memchr_inv(&t->init.macs, 0, sizeof(t->init.macs)));
	veil_noise_test_mac1(t->key, t->id_r.static_public);
	T_HEX("responder mac1_key (13.2)", t->key, 32,
	      "2b14c2a1d73fe52519772891d6df632bd2408279e87eb80c61bc395fccadf4a6");
	t->bad_init = t->init;
	veil_noise_mac(t->bad_init.macs.mac1, &t->bad_init, 116, t->key, 32);
	T_BYTES("initiation with mac1", &t->bad_init, ex_init, sizeof(ex_init));
	T_OK("initiator state",
	     t->hs_i.state == VEIL_HANDSHAKE_CREATED_INITIATION);
	T_HEX("initiator C after msg 1", t->hs_i.chaining_key, 32, ex_c1);
	T_HEX("initiator H after msg 1", t->hs_i.hash, 32, ex_h1);

	/* A response to a slot that sent no initiation. */
	memcpy(&t->snap, &t->hs_r, sizeof(t->snap));
	memset(&t->bad_resp, 0, sizeof(t->bad_resp));
	T_OK("response to ZEROED refused",
	     !veil_noise_response_consume(&t->hs_r, &t->id_r, &t->bad_resp));
	T_UNCHANGED("response to ZEROED untouched", &t->hs_r);

	/* Tampered encrypted_static. */
	t->bad_init = t->init;
	t->bad_init.encrypted_static[5] ^= 1;
	T_OK("tampered static refused",
	     !veil_noise_initiation_open(&t->id_r, &t->bad_init, &t->scratch));
	/* Low-order (zero) ephemeral. */
	t->bad_init = t->init;
	memset(t->bad_init.unencrypted_ephemeral, 0, 32);
	T_OK("zero ephemeral refused",
	     !veil_noise_initiation_open(&t->id_r, &t->bad_init, &t->scratch));
	/* Tampered encrypted_timestamp: opens, but does not finish. */
	t->bad_init = t->init;
	t->bad_init.encrypted_timestamp[20] ^= 0x80;
	T_OK("tampered timestamp refused",
	     !veil_noise_test_consume(t, &t->bad_init, 0, 1000));
	T_UNCHANGED("tampered timestamp untouched", &t->hs_r);

	T_OK("consume initiation", veil_noise_test_consume(t, &t->init, 0, 1000));
	T_OK("responder state",
	     t->hs_r.state == VEIL_HANDSHAKE_CONSUMED_INITIATION &&
	     t->hs_r.remote_index == VEIL_NOISE_I_I);
	T_HEX("responder C after msg 1", t->hs_r.chaining_key, 32, ex_c1);
	T_HEX("responder H after msg 1", t->hs_r.hash, 32, ex_h1);
	T_OK("responder timestamp", !memcmp(t->hs_r.latest_timestamp, t->ts, 12));

	/* The same initiation again, long after: a replay. */
	memcpy(&t->snap, &t->hs_r, sizeof(t->snap));
	T_OK("replay refused", !veil_noise_test_consume(t, &t->init, 1000, 9000));
	T_UNCHANGED("replay untouched", &t->hs_r);

	/* Message 2. */
	T_OK("create response", veil_noise_test_respond(t, 0x44));
	T_BYTES("response bytes [0:60]", &t->resp, ex_resp, 60);
	T_OK("response macs zero",
	     !memchr_inv(&t->resp.macs, 0, sizeof(t->resp.macs)));
	veil_noise_test_mac1(t->key, t->id_i.static_public);
	t->bad_resp = t->resp;
	veil_noise_mac(t->bad_resp.macs.mac1, &t->bad_resp, 60, t->key, 32);
	T_BYTES("response with mac1", &t->bad_resp, ex_resp, sizeof(ex_resp));
	T_HEX("responder C final", t->hs_r.chaining_key, 32, ex_c2);
	T_HEX("responder H final", t->hs_r.hash, 32, ex_h2);
	T_OK("response twice refused",
	     !veil_noise_response_create(&t->hs_r, &t->id_r, &t->bad_resp,
					 t->eph, 1));
	T_OK("responder keys", veil_noise_derive_keys(&t->hs_r, &t->keys_r));
	T_HEX("responder T1 (recv)", t->keys_r.receiving, 32, ex_t1);
	T_HEX("responder T2 (send)", t->keys_r.sending, 32, ex_t2);
	T_OK("responder wiped", t->hs_r.state == VEIL_HANDSHAKE_ZEROED &&
	     !memchr_inv(t->hs_r.chaining_key, 0, 32) &&
	     !memchr_inv(t->hs_r.hash, 0, 32) &&
	     !memchr_inv(t->hs_r.ephemeral_private, 0, 32));

	/* Initiator side: tampered, low-order, then the real response. */
	memcpy(&t->snap, &t->hs_i, sizeof(t->snap));
	t->bad_resp = t->resp;
	t->bad_resp.encrypted_nothing[3] ^= 4;
	T_OK("tampered nothing refused",
	     !veil_noise_response_consume(&t->hs_i, &t->id_i, &t->bad_resp));
	T_UNCHANGED("tampered nothing untouched", &t->hs_i);
	t->bad_resp = t->resp;
	memset(t->bad_resp.unencrypted_ephemeral, 0, 32);
	T_OK("zero response ephemeral refused",
	     !veil_noise_response_consume(&t->hs_i, &t->id_i, &t->bad_resp));
	T_UNCHANGED("zero response ephemeral untouched", &t->hs_i);
	t->bad_resp = t->resp;
	t->bad_resp.receiver_index = cpu_to_le32(VEIL_NOISE_I_I + 1);
	T_OK("wrong receiver index refused",
	     !veil_noise_response_consume(&t->hs_i, &t->id_i, &t->bad_resp));
	T_UNCHANGED("wrong receiver index untouched", &t->hs_i);

	/* Right keys and index, wrong state: only the state check refuses. */
	t->tmp = t->hs_i;
	t->tmp.state = VEIL_HANDSHAKE_CONSUMED_INITIATION;
	T_OK("response to CONSUMED_INITIATION refused",
	     !veil_noise_response_consume(&t->tmp, &t->id_i, &t->resp));
	t->tmp.state = VEIL_HANDSHAKE_ZEROED;
	T_OK("response to ZEROED slot refused",
	     !veil_noise_response_consume(&t->tmp, &t->id_i, &t->resp));

	T_OK("consume response",
	     veil_noise_response_consume(&t->hs_i, &t->id_i, &t->resp));
	T_HEX("initiator C final", t->hs_i.chaining_key, 32, ex_c2);
	T_HEX("initiator H final", t->hs_i.hash, 32, ex_h2);
	memcpy(&t->snap, &t->hs_i, sizeof(t->snap));
	T_OK("response to CONSUMED_RESPONSE refused",
	     !veil_noise_response_consume(&t->hs_i, &t->id_i, &t->resp));
	T_UNCHANGED("response to CONSUMED_RESPONSE untouched", &t->hs_i);
	T_OK("initiator keys", veil_noise_derive_keys(&t->hs_i, &t->keys_i));
	T_HEX("initiator T1 (send)", t->keys_i.sending, 32, ex_t1);
	T_HEX("initiator T2 (recv)", t->keys_i.receiving, 32, ex_t2);
	T_OK("keys agree", veil_noise_test_keys_match(t));
	T_OK("keys twice refused",
	     !veil_noise_derive_keys(&t->hs_i, &t->keys_i));
	T_OK("response after keys refused",
	     !veil_noise_response_consume(&t->hs_i, &t->id_i, &t->resp));

	/* Transport messages of 13.3. */
	len = veil_noise_test_data(t, &t->keys_i, 0, NULL, 0);
	T_HEX("keepalive i->r", t->pkt, len,
	      "0400000081706f5e000000000000000069958abbebcb06f97a256144abed28f6");
	len = veil_noise_test_data(t, &t->keys_r, 0, NULL, 0);
	T_HEX("keepalive r->i", t->pkt, len,
	      "040000004d3c2b1a0000000000000000589b5c07cf5076637a83100b71fad762");
	T_OK("inner packet",
	     !hex2bin(plain, "450000140000000040fd65eb0a0000010a000002", 20));
	len = veil_noise_test_data(t, &t->keys_i, 1, plain, sizeof(plain));
	T_OK("data length", len == sizeof(ex_data1));
	T_BYTES("data i->r counter 1", t->pkt, ex_data1, sizeof(ex_data1));
	return t->ok;
}

/* A second handshake on the same slots: flood check, then success. */
static bool veil_noise_test_flood(struct veil_noise_test *t)
{
	T_OK("second initiation",
	     veil_noise_test_initiate(t, 0x55, VEIL_NOISE_T0 + 1, 7));
	memcpy(&t->snap, &t->hs_r, sizeof(t->snap));
	T_OK("flood refused", !veil_noise_test_consume(t, &t->init, 1000, 1010));
	T_UNCHANGED("flood untouched", &t->hs_r);
	T_OK("after 20 ms accepted",
	     veil_noise_test_consume(t, &t->init, 1000, 1020));
	T_OK("second response", veil_noise_test_respond(t, 0x66));
	T_OK("second consume",
	     veil_noise_response_consume(&t->hs_i, &t->id_i, &t->resp));
	T_OK("second keys", veil_noise_derive_keys(&t->hs_r, &t->keys_r) &&
	     veil_noise_derive_keys(&t->hs_i, &t->keys_i));
	T_OK("second keys agree", veil_noise_test_keys_match(t));
	T_OK("second keys fresh", !hex2bin(t->expect, ex_t1, 32) &&
	     memcmp(t->keys_i.sending, t->expect, 32));
	return t->ok;
}

/* Both sides with a PSK agree; a mismatched PSK fails the response. */
static bool veil_noise_test_psk(struct veil_noise_test *t)
{
	u8 psk[32];

	memset(psk, 0x77, sizeof(psk));
	T_OK("psk init", veil_noise_handshake_init(&t->hs_i, &t->id_i,
						   t->id_r.static_public, psk) &&
	     veil_noise_handshake_init(&t->hs_r, &t->id_r,
				       t->id_i.static_public, psk));
	T_OK("psk initiation",
	     veil_noise_test_initiate(t, 0x33, VEIL_NOISE_T0, 9));
	T_OK("psk consume initiation",
	     veil_noise_test_consume(t, &t->init, 0, 1));
	T_OK("psk response", veil_noise_test_respond(t, 0x44));
	T_OK("psk consume response",
	     veil_noise_response_consume(&t->hs_i, &t->id_i, &t->resp));
	T_OK("psk keys", veil_noise_derive_keys(&t->hs_r, &t->keys_r) &&
	     veil_noise_derive_keys(&t->hs_i, &t->keys_i));
	T_OK("psk keys agree", veil_noise_test_keys_match(t));

	psk[0] ^= 1;
	memcpy(t->hs_i.preshared_key, psk, sizeof(psk));
	T_OK("psk mismatch initiation",
	     veil_noise_test_initiate(t, 0x33, VEIL_NOISE_T0 + 1, 10));
	T_OK("psk mismatch consume initiation",
	     veil_noise_test_consume(t, &t->init, 1, 100));
	T_OK("psk mismatch response", veil_noise_test_respond(t, 0x44));
	memcpy(&t->snap, &t->hs_i, sizeof(t->snap));
	T_OK("psk mismatch refused",
	     !veil_noise_response_consume(&t->hs_i, &t->id_i, &t->resp));
	T_UNCHANGED("psk mismatch untouched", &t->hs_i);
	return t->ok;
}

bool veil_noise_selftest(void)
{
	struct veil_noise_test *t;
	bool ok;

	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return false;
	t->ok = true;
	ok = veil_noise_test_primitives(t) && veil_noise_test_example(t) &&
	     veil_noise_test_flood(t) && veil_noise_test_psk(t);
	kfree_sensitive(t);
	if (ok)
		pr_info("noise self-test: passed\n");
	return ok;
}
