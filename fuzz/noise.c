// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzzer for the handshake core: module/noise.c (initiation and response
 * processing) and module/cookie.c (mac1/mac2 checks, cookie replies),
 * compiled unchanged against fuzz/shim.
 *
 * Input: one mode byte, then fields read in order (zeros when the input
 * runs out).
 *  - Structured (mode bit 0 clear): both static keys, the PSKs, ephemerals,
 *    timestamps and indices come from the input; the harness builds a valid
 *    initiation, applies up to 8 byte-XOR mutations from the input, runs the
 *    responder on it, then does the same with the response and with a
 *    cookie reply. Unmutated messages must be accepted and give matching
 *    transport keys; a mutation of any authenticated byte must make the
 *    message be refused (and leave the handshake state untouched).
 *  - Raw (mode bit 0 set): the rest of the input is taken as an initiation,
 *    a response and a cookie reply, each fed to the consuming functions of
 *    a responder/initiator in the right state.
 */
#include "kshim.h"
#include "cookie.h"
#include "noise.h"

#include "fuzz_util.h"

#define MAX_MUTATIONS 8

/* VEIL_FUZZ_TRACE=1: print how far each input got (for checking seeds). */
static bool trace;
#define TRACE(stage) do {					\
	if (trace)						\
		fprintf(stderr, "noise: reached %s\n", stage);	\
} while (0)

struct side {
	struct veil_noise_static_identity id;
	struct veil_noise_handshake hs;
	struct veil_cookie_checker checker;	/* for messages to us */
	struct veil_cookie_maker maker;		/* for messages to the peer */
};

/* XORs up to MAX_MUTATIONS input-chosen bytes of @msg. */
static void mutate(struct fuzz_in *in, u8 *msg, size_t len)
{
	unsigned int i, n = fuzz_u8(in) % (MAX_MUTATIONS + 1);

	for (i = 0; i < n; i++) {
		size_t off = fuzz_u8(in) % len;
		u8 x = fuzz_u8(in);

		msg[off] ^= x;
	}
}

/* Does @a differ from @b in its first @end bytes (of @len)? */
static bool changed_below(const u8 *a, const u8 *b, size_t len, size_t end)
{
	size_t i;

	for (i = 0; i < len && i < end; i++)
		if (a[i] != b[i])
			return true;
	return false;
}

static void raw_mode(struct fuzz_in *in)
{
	struct veil_noise_initiation_scratch scratch;
	struct veil_msg_initiation init, mine;
	struct veil_msg_response resp;
	struct veil_msg_cookie cookie;
	struct side a, b;
	u8 key[32], eph[32], ts[VEIL_TIMESTAMP_LEN] = { 0 }, addr[16];
	u64 now = fuzz_u64(in);

	fuzz_bytes(in, key, sizeof(key));
	if (!veil_noise_set_static_identity(&a.id, key))
		return;
	key[0] ^= 1;
	if (!veil_noise_set_static_identity(&b.id, key))
		return;
	veil_noise_handshake_init(&a.hs, &a.id, b.id.static_public, NULL);
	veil_noise_handshake_init(&b.hs, &b.id, a.id.static_public, NULL);
	veil_cookie_checker_init(&a.checker);
	veil_cookie_checker_set_key(&a.checker, a.id.static_public);
	veil_cookie_maker_init(&a.maker, b.id.static_public);
	fuzz_bytes(in, addr, sizeof(addr));

	/* An initiation to a. */
	fuzz_bytes(in, &init, sizeof(init));
	veil_cookie_validate(&a.checker, &init, sizeof(init), AF_INET6, addr, 1, now);
	if (veil_noise_initiation_open(&a.id, &init, &scratch)) {
		if (!memcmp(scratch.remote_static, a.hs.remote_static, 32))
			veil_noise_initiation_finish(&a.hs, &scratch, &init, 0, now);
		else
			veil_noise_scratch_wipe(&scratch);
	}

	/* A response to a's own initiation. */
	memset(eph, 0x42, sizeof(eph));
	veil_noise_handshake_init(&a.hs, &a.id, b.id.static_public, NULL);
	if (!veil_noise_initiation_create(&a.hs, &a.id, &mine, eph, ts, 7))
		return;
	veil_cookie_add_macs(&a.maker, &mine, sizeof(mine), now);
	fuzz_bytes(in, &resp, sizeof(resp));
	resp.receiver_index = cpu_to_le32(7);
	veil_cookie_validate(&a.checker, &resp, sizeof(resp), AF_INET, addr, 2, now);
	if (veil_noise_response_consume(&a.hs, &a.id, &resp)) {
		struct veil_noise_keys keys;

		CHECK(veil_noise_derive_keys(&a.hs, &keys));
	}

	/* A cookie reply to that initiation's mac1. */
	fuzz_bytes(in, &cookie, sizeof(cookie));
	veil_cookie_consume_reply(&a.maker, &cookie, now);
}

/* Reads one static identity; false for the all-zero key. */
static bool read_identity(struct fuzz_in *in, struct side *s)
{
	u8 key[32];

	fuzz_bytes(in, key, sizeof(key));
	if (!veil_noise_set_static_identity(&s->id, key)) {
		CHECK(!memchr_inv(s->id.static_public, 0, 32));
		return false;
	}
	return true;
}

static void structured_mode(struct fuzz_in *in, u8 mode)
{
	struct veil_noise_initiation_scratch scratch;
	struct veil_msg_initiation init, init0;
	struct veil_msg_response resp, resp0;
	struct veil_msg_cookie cookie, cookie0;
	struct veil_noise_handshake snap;
	struct veil_noise_keys ki, kr;
	struct side i, r;
	u8 psk_i[32], psk_r[32], eph_i[32], eph_r[32], ts[VEIL_TIMESTAMP_LEN];
	u8 addr[16], nonce[VEIL_COOKIE_NONCE_LEN], prev_ts[VEIL_TIMESTAMP_LEN];
	u32 idx_i = fuzz_u32(in), idx_r = fuzz_u32(in);
	/* boot-time clocks: far from wrapping */
	u64 now = fuzz_u64(in) >> 2, last = fuzz_u64(in) >> 2;
	bool same_psk = !(mode & 2), v4 = mode & 4, ok, resp_intact;
	enum veil_cookie_mac_state st;
	int ret;

	if (!read_identity(in, &i) || !read_identity(in, &r))
		return;
	fuzz_bytes(in, psk_i, 32);
	if (same_psk)
		memcpy(psk_r, psk_i, 32);
	else
		fuzz_bytes(in, psk_r, 32);
	fuzz_bytes(in, eph_i, 32);
	fuzz_bytes(in, eph_r, 32);
	fuzz_bytes(in, ts, sizeof(ts));
	fuzz_bytes(in, prev_ts, sizeof(prev_ts));
	fuzz_bytes(in, addr, sizeof(addr));
	fuzz_bytes(in, nonce, sizeof(nonce));

	/* A zero DH result (small-order public key) refuses the peer. */
	if (!veil_noise_handshake_init(&i.hs, &i.id, r.id.static_public, psk_i))
		return;
	CHECK(veil_noise_handshake_init(&r.hs, &r.id, i.id.static_public, psk_r));
	memcpy(r.hs.latest_timestamp, prev_ts, sizeof(prev_ts));
	veil_cookie_checker_init(&r.checker);
	veil_cookie_checker_set_key(&r.checker, r.id.static_public);
	veil_cookie_checker_init(&i.checker);
	veil_cookie_checker_set_key(&i.checker, i.id.static_public);
	veil_cookie_maker_init(&i.maker, r.id.static_public);
	veil_cookie_maker_init(&r.maker, i.id.static_public);

	/* ---- initiation ---- */
	if (!veil_noise_initiation_create(&i.hs, &i.id, &init, eph_i, ts, idx_i)) {
		/* only an ephemeral giving a zero DH can fail here */
		CHECK(!memchr_inv(&init, 0, sizeof(init)));
		CHECK(i.hs.state == VEIL_HANDSHAKE_ZEROED);
		return;
	}
	CHECK(i.hs.state == VEIL_HANDSHAKE_CREATED_INITIATION);
	CHECK(!veil_cookie_add_macs(&i.maker, &init, sizeof(init), now));
	init0 = init;
	mutate(in, (u8 *)&init, sizeof(init));

	st = veil_cookie_validate(&r.checker, &init, sizeof(init), v4 ? AF_INET : AF_INET6,
				  addr, 1234, now);
	if (!changed_below((u8 *)&init, (u8 *)&init0, sizeof(init),
			   offsetof(struct veil_msg_initiation, macs.mac2)))
		CHECK(st == VEIL_COOKIE_MAC1_VALID);	/* no cookie yet: mac2 is zero */
	else if (changed_below((u8 *)&init, (u8 *)&init0, sizeof(init),
			       offsetof(struct veil_msg_initiation, macs.mac1)))
		CHECK(st == VEIL_COOKIE_MAC_INVALID);

	snap = r.hs;
	ok = veil_noise_initiation_open(&r.id, &init, &scratch);
	if (ok) {
		CHECK(!memcmp(scratch.remote_static, i.id.static_public, 32));
		ok = veil_noise_initiation_finish(&r.hs, &scratch, &init, last, now);
	}
	CHECK(!memchr_inv(&scratch, 0, sizeof(scratch)));
	{
		/* the bytes Noise authenticates: ephemeral to the timestamp */
		bool noise_changed = changed_below((u8 *)&init + 8, (u8 *)&init0 + 8,
						   sizeof(init) - 8,
						   offsetof(struct veil_msg_initiation, macs) - 8);
		bool fresh = memcmp(ts, prev_ts, sizeof(ts)) > 0;
		bool flood = last && now < last + NSEC_PER_SEC / VEIL_INITIATIONS_PER_SECOND;

		if (noise_changed)
			CHECK(!ok);
		else
			CHECK(ok == (fresh && !flood));
	}
	if (!ok) {
		CHECK(!memcmp(&snap, &r.hs, sizeof(snap)));
		return;
	}
	TRACE("initiation accepted");
	CHECK(r.hs.state == VEIL_HANDSHAKE_CONSUMED_INITIATION);
	CHECK(r.hs.remote_index == le32_to_cpu(init.sender_index));
	/* the same initiation again is a replay */
	snap = r.hs;
	if (veil_noise_initiation_open(&r.id, &init, &scratch))
		CHECK(!veil_noise_initiation_finish(&r.hs, &scratch, &init, 0, now + NSEC_PER_SEC));
	CHECK(!memcmp(&snap, &r.hs, sizeof(snap)));

	/* ---- cookie reply to the initiation ---- */
	ret = veil_cookie_create_reply(&r.checker, &cookie, &init, sizeof(init),
				       v4 ? AF_INET : AF_INET6, addr, 1234, now, nonce);
	CHECK(!ret);
	cookie0 = cookie;
	mutate(in, (u8 *)&cookie, sizeof(cookie));
	ret = veil_cookie_consume_reply(&i.maker, &cookie, now);
	/*
	 * Type and receiver_index are the I/O layer's business; the nonce and
	 * the sealed cookie are authenticated, with the mac1 the responder saw
	 * as associated data.
	 */
	CHECK(ret == (changed_below((u8 *)&cookie + 8, (u8 *)&cookie0 + 8,
				    sizeof(cookie) - 8, sizeof(cookie) - 8) ||
		      memcmp(init.macs.mac1, init0.macs.mac1, 16) ? -EBADMSG : 0));
	if (!ret) {
		TRACE("cookie accepted");
		/* one mac1, one cookie */
		CHECK(veil_cookie_consume_reply(&i.maker, &cookie0, now) == -ENOENT);
		/* a resent initiation now carries mac2, valid from this source */
		CHECK(!veil_cookie_add_macs(&i.maker, &init0, sizeof(init0), now + 1));
		st = veil_cookie_validate(&r.checker, &init0, sizeof(init0),
					  v4 ? AF_INET : AF_INET6, addr, 1234, now + 1);
		CHECK(st == VEIL_COOKIE_MAC2_VALID);
		st = veil_cookie_validate(&r.checker, &init0, sizeof(init0),
					  v4 ? AF_INET : AF_INET6, addr, 1235, now + 1);
		CHECK(st == VEIL_COOKIE_MAC1_VALID);
	}

	/* ---- response ---- */
	if (!veil_noise_response_create(&r.hs, &r.id, &resp, eph_r, idx_r)) {
		CHECK(!memchr_inv(&resp, 0, sizeof(resp)));
		return;
	}
	CHECK(r.hs.state == VEIL_HANDSHAKE_CREATED_RESPONSE);
	CHECK(!veil_cookie_add_macs(&r.maker, &resp, sizeof(resp), now));
	resp0 = resp;
	mutate(in, (u8 *)&resp, sizeof(resp));
	resp_intact = !memcmp(&resp, &resp0, sizeof(resp));
	st = veil_cookie_validate(&i.checker, &resp, sizeof(resp), AF_INET, addr, 9, now);
	if (resp_intact)
		CHECK(st == VEIL_COOKIE_MAC1_VALID);
	else if (changed_below((u8 *)&resp, (u8 *)&resp0, sizeof(resp),
			       offsetof(struct veil_msg_response, macs.mac1)))
		CHECK(st == VEIL_COOKIE_MAC_INVALID);

	snap = i.hs;
	ok = veil_noise_response_consume(&i.hs, &i.id, &resp);
	{
		bool idx_ok = le32_to_cpu(resp.receiver_index) == idx_i;
		bool noise_changed = changed_below((u8 *)&resp + 12, (u8 *)&resp0 + 12,
						   sizeof(resp) - 12,
						   offsetof(struct veil_msg_response, macs) - 12);
		bool psk_ok = !memcmp(psk_i, psk_r, 32);

		CHECK(ok == (idx_ok && !noise_changed && psk_ok));
	}
	if (!ok) {
		CHECK(!memcmp(&snap, &i.hs, sizeof(snap)));
		return;
	}
	TRACE("response accepted");
	CHECK(i.hs.remote_index == le32_to_cpu(resp.sender_index));

	/* ---- transport keys ---- */
	CHECK(veil_noise_derive_keys(&i.hs, &ki));
	CHECK(veil_noise_derive_keys(&r.hs, &kr));
	CHECK(ki.is_initiator && !kr.is_initiator);
	CHECK(!memcmp(ki.sending, kr.receiving, 32));
	CHECK(!memcmp(ki.receiving, kr.sending, 32));
	CHECK(memcmp(ki.sending, ki.receiving, 32));
	CHECK(ki.local_index == idx_i && kr.local_index == idx_r);
	CHECK(kr.remote_index == le32_to_cpu(init.sender_index));
	CHECK(i.hs.state == VEIL_HANDSHAKE_ZEROED && r.hs.state == VEIL_HANDSHAKE_ZEROED);
	/* both slots are spent */
	CHECK(!veil_noise_derive_keys(&i.hs, &ki));
	CHECK(!veil_noise_response_consume(&i.hs, &i.id, &resp0));
	TRACE("transport keys match");
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	shim_quiet = true;
	trace = getenv("VEIL_FUZZ_TRACE");
	veil_noise_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	u8 mode = fuzz_u8(&in);

	shim_random_seed(size);
	if (mode & 1)
		raw_mode(&in);
	else
		structured_mode(&in, mode);
	return 0;
}
