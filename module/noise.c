// SPDX-License-Identifier: GPL-2.0
/*
 * Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s handshake, sans IO (protocol.md
 * sections 1, 2 and 4). See noise.h for the contract of each function.
 *
 * Every message is processed on local copies of C and H; the handshake
 * slot is written only once all checks have passed, so a rejected message
 * changes nothing. Temporary keys live on the stack and are wiped with
 * memzero_explicit() before returning.
 */

#include <crypto/algapi.h>
#include <crypto/blake2s.h>
#include <crypto/chacha20poly1305.h>
#include <crypto/curve25519.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/string.h>
#include <linux/timekeeping.h>

#include "noise.h"

static const u8 veil_noise_construction[] =
	"Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s";
static const u8 veil_noise_identifier[] =
	"WireGuard v1 zx2c4 Jason@zx2c4.com";

/* The arrays above include a NUL that is not part of the strings. */
#define VEIL_NOISE_CONSTRUCTION_LEN (sizeof(veil_noise_construction) - 1)
#define VEIL_NOISE_IDENTIFIER_LEN (sizeof(veil_noise_identifier) - 1)

static u8 veil_noise_ck0[VEIL_NOISE_HASH_LEN] __ro_after_init;
static u8 veil_noise_h0[VEIL_NOISE_HASH_LEN] __ro_after_init;

/* BLAKE2s block size, also the HMAC block size. */
#define VEIL_NOISE_BLOCK_LEN 64

/* TAI64 label of the Unix epoch: 2^62 plus 10 leap seconds. */
#define VEIL_NOISE_TAI64_EPOCH 0x400000000000000aULL

/* ---- the only place that calls the lib/crypto BLAKE2s API ---- */

static void veil_noise_b2s_init(struct blake2s_state *st, size_t outlen,
				const u8 *key, size_t keylen)
{
	if (keylen)
		blake2s_init_key(st, outlen, key, keylen);
	else
		blake2s_init(st, outlen);
}

static void veil_noise_b2s_update(struct blake2s_state *st, const void *in,
				  size_t len)
{
	blake2s_update(st, in, len);
}

static void veil_noise_b2s_final(struct blake2s_state *st, u8 *out)
{
	blake2s_final(st, out);
	memzero_explicit(st, sizeof(*st));
}

/* ---- primitives ---- */

void veil_noise_hash(u8 out[VEIL_NOISE_HASH_LEN], const void *in, size_t len)
{
	struct blake2s_state st;

	veil_noise_b2s_init(&st, VEIL_NOISE_HASH_LEN, NULL, 0);
	veil_noise_b2s_update(&st, in, len);
	veil_noise_b2s_final(&st, out);
}

void veil_noise_hash2(u8 out[VEIL_NOISE_HASH_LEN], const void *a,
		      size_t alen, const void *b, size_t blen)
{
	struct blake2s_state st;

	veil_noise_b2s_init(&st, VEIL_NOISE_HASH_LEN, NULL, 0);
	veil_noise_b2s_update(&st, a, alen);
	veil_noise_b2s_update(&st, b, blen);
	veil_noise_b2s_final(&st, out);
}

void veil_noise_mac(u8 out[VEIL_COOKIE_LEN], const void *in, size_t len,
		    const u8 *key, size_t keylen)
{
	struct blake2s_state st;

	veil_noise_b2s_init(&st, VEIL_COOKIE_LEN, key, keylen);
	veil_noise_b2s_update(&st, in, len);
	veil_noise_b2s_final(&st, out);
}

/* RFC 2104 over BLAKE2s-256 with a 32-byte key, zero-padded to a block. */
void veil_noise_hmac(u8 out[VEIL_NOISE_HASH_LEN], const void *in, size_t len,
		     const u8 key[VEIL_NOISE_KEY_LEN])
{
	u8 pad[VEIL_NOISE_BLOCK_LEN];
	u8 inner[VEIL_NOISE_HASH_LEN];
	struct blake2s_state st;
	int i;

	memset(pad, 0, sizeof(pad));
	memcpy(pad, key, VEIL_NOISE_KEY_LEN);
	for (i = 0; i < VEIL_NOISE_BLOCK_LEN; i++)
		pad[i] ^= 0x36;
	veil_noise_b2s_init(&st, VEIL_NOISE_HASH_LEN, NULL, 0);
	veil_noise_b2s_update(&st, pad, sizeof(pad));
	veil_noise_b2s_update(&st, in, len);
	veil_noise_b2s_final(&st, inner);

	/* 0x36 ^ 0x5c turns the inner pad into the outer one. */
	for (i = 0; i < VEIL_NOISE_BLOCK_LEN; i++)
		pad[i] ^= 0x36 ^ 0x5c;
	veil_noise_b2s_init(&st, VEIL_NOISE_HASH_LEN, NULL, 0);
	veil_noise_b2s_update(&st, pad, sizeof(pad));
	veil_noise_b2s_update(&st, inner, sizeof(inner));
	veil_noise_b2s_final(&st, out);

	memzero_explicit(pad, sizeof(pad));
	memzero_explicit(inner, sizeof(inner));
}

/*
 * HKDF with HMAC-BLAKE2s (protocol.md 1.2). @t2 and @t3 may be NULL for
 * fewer outputs (t3 requires t2). Outputs may alias @chaining_key.
 */
void veil_noise_kdf(u8 *t1, u8 *t2, u8 *t3, const void *in, size_t len,
		    const u8 chaining_key[VEIL_NOISE_HASH_LEN])
{
	u8 prk[VEIL_NOISE_HASH_LEN];
	u8 buf[VEIL_NOISE_HASH_LEN + 1];
	u8 out[VEIL_NOISE_HASH_LEN];

	veil_noise_hmac(prk, in, len, chaining_key);

	buf[0] = 1;
	veil_noise_hmac(out, buf, 1, prk);
	memcpy(t1, out, VEIL_NOISE_HASH_LEN);
	if (!t2)
		goto out;

	memcpy(buf, out, VEIL_NOISE_HASH_LEN);
	buf[VEIL_NOISE_HASH_LEN] = 2;
	veil_noise_hmac(out, buf, sizeof(buf), prk);
	memcpy(t2, out, VEIL_NOISE_HASH_LEN);
	if (!t3)
		goto out;

	memcpy(buf, out, VEIL_NOISE_HASH_LEN);
	buf[VEIL_NOISE_HASH_LEN] = 3;
	veil_noise_hmac(out, buf, sizeof(buf), prk);
	memcpy(t3, out, VEIL_NOISE_HASH_LEN);
out:
	memzero_explicit(prk, sizeof(prk));
	memzero_explicit(buf, sizeof(buf));
	memzero_explicit(out, sizeof(out));
}

/* H = HASH(H || data) */
static void veil_noise_mix_hash(u8 hash[VEIL_NOISE_HASH_LEN], const u8 *data,
				size_t len)
{
	veil_noise_hash2(hash, hash, VEIL_NOISE_HASH_LEN, data, len);
}

/* (C, k) = KDF2(C, DH(priv, pub)); false if the DH result is all zero. */
static bool veil_noise_mix_dh(u8 chaining_key[VEIL_NOISE_HASH_LEN], u8 *key,
			      const u8 priv[VEIL_NOISE_KEY_LEN],
			      const u8 pub[VEIL_NOISE_KEY_LEN])
{
	u8 dh[VEIL_NOISE_KEY_LEN];
	bool ok;

	ok = curve25519(dh, priv, pub);
	if (ok)
		veil_noise_kdf(chaining_key, key, NULL, dh, sizeof(dh),
			       chaining_key);
	memzero_explicit(dh, sizeof(dh));
	return ok;
}

/* (C, k) = KDF2(C, precomputed DH); false if that value is all zero. */
static bool veil_noise_mix_precomputed(u8 chaining_key[VEIL_NOISE_HASH_LEN],
				       u8 key[VEIL_NOISE_KEY_LEN],
				       const u8 dh[VEIL_NOISE_KEY_LEN])
{
	static const u8 zero[VEIL_NOISE_KEY_LEN];

	if (!crypto_memneq(dh, zero, VEIL_NOISE_KEY_LEN))
		return false;
	veil_noise_kdf(chaining_key, key, NULL, dh, VEIL_NOISE_KEY_LEN,
		       chaining_key);
	return true;
}

/* H = HASH(H || e); C = KDF1(C, e) */
static void veil_noise_mix_ephemeral(u8 chaining_key[VEIL_NOISE_HASH_LEN],
				     u8 hash[VEIL_NOISE_HASH_LEN],
				     const u8 ephemeral[VEIL_NOISE_KEY_LEN])
{
	veil_noise_mix_hash(hash, ephemeral, VEIL_NOISE_KEY_LEN);
	veil_noise_kdf(chaining_key, NULL, NULL, ephemeral, VEIL_NOISE_KEY_LEN,
		       chaining_key);
}

/* (C, tau, k) = KDF3(C, Q); H = HASH(H || tau) */
static void veil_noise_mix_psk(u8 chaining_key[VEIL_NOISE_HASH_LEN],
			       u8 hash[VEIL_NOISE_HASH_LEN],
			       u8 key[VEIL_NOISE_KEY_LEN],
			       const u8 psk[VEIL_NOISE_KEY_LEN])
{
	u8 tau[VEIL_NOISE_HASH_LEN];

	veil_noise_kdf(chaining_key, tau, key, psk, VEIL_NOISE_KEY_LEN,
		       chaining_key);
	veil_noise_mix_hash(hash, tau, sizeof(tau));
	memzero_explicit(tau, sizeof(tau));
}

/* The state a handshake message we just built leaves in the slot. */
static void veil_noise_store_created(struct veil_noise_handshake *hs,
				     const u8 chaining_key[VEIL_NOISE_HASH_LEN],
				     const u8 hash[VEIL_NOISE_HASH_LEN],
				     const u8 eph[VEIL_NOISE_KEY_LEN],
				     u32 local_index,
				     enum veil_noise_handshake_state state)
{
	memcpy(hs->chaining_key, chaining_key, VEIL_NOISE_HASH_LEN);
	memcpy(hs->hash, hash, VEIL_NOISE_HASH_LEN);
	memcpy(hs->ephemeral_private, eph, VEIL_NOISE_KEY_LEN);
	hs->local_index = local_index;
	hs->state = state;
}

/* dst = AEAD(key, 0, src, H); H = HASH(H || dst) */
static void veil_noise_seal(u8 *dst, const u8 *src, size_t len,
			    const u8 key[VEIL_NOISE_KEY_LEN],
			    u8 hash[VEIL_NOISE_HASH_LEN])
{
	chacha20poly1305_encrypt(dst, src, len, hash, VEIL_NOISE_HASH_LEN, 0,
				 key);
	veil_noise_mix_hash(hash, dst, veil_sealed_len(len));
}

/* dst = AEAD-open(key, 0, src, H); then H = HASH(H || src). */
static bool veil_noise_open(u8 *dst, const u8 *src, size_t sealed_len,
			    const u8 key[VEIL_NOISE_KEY_LEN],
			    u8 hash[VEIL_NOISE_HASH_LEN])
{
	if (!chacha20poly1305_decrypt(dst, src, sealed_len, hash,
				      VEIL_NOISE_HASH_LEN, 0, key))
		return false;
	veil_noise_mix_hash(hash, src, sealed_len);
	return true;
}

/* C = CK0; H = HASH(H0 || responder's static public key) */
static void veil_noise_start(u8 chaining_key[VEIL_NOISE_HASH_LEN],
			     u8 hash[VEIL_NOISE_HASH_LEN],
			     const u8 responder_static[VEIL_NOISE_KEY_LEN])
{
	memcpy(chaining_key, veil_noise_ck0, VEIL_NOISE_HASH_LEN);
	veil_noise_hash2(hash, veil_noise_h0, VEIL_NOISE_HASH_LEN,
			 responder_static, VEIL_NOISE_KEY_LEN);
}

/* ---- setup ---- */

void veil_noise_init(void)
{
	veil_noise_hash(veil_noise_ck0, veil_noise_construction,
			VEIL_NOISE_CONSTRUCTION_LEN);
	veil_noise_hash2(veil_noise_h0, veil_noise_ck0, VEIL_NOISE_HASH_LEN,
			 veil_noise_identifier, VEIL_NOISE_IDENTIFIER_LEN);
}

const u8 *veil_noise_initial_chaining_key(void)
{
	return veil_noise_ck0;
}

const u8 *veil_noise_initial_hash(void)
{
	return veil_noise_h0;
}

void veil_noise_tai64n(u8 out[VEIL_TIMESTAMP_LEN], const struct timespec64 *ts)
{
	/* 2^24 ns: the largest power of two not above 1 s / 50. */
	const u32 grain = rounddown_pow_of_two(NSEC_PER_SEC /
					       VEIL_INITIATIONS_PER_SECOND);
	__be64 secs = cpu_to_be64(VEIL_NOISE_TAI64_EPOCH + ts->tv_sec);
	__be32 nsecs = cpu_to_be32(rounddown((u32)ts->tv_nsec, grain));

	memcpy(out, &secs, sizeof(secs));
	memcpy(out + sizeof(secs), &nsecs, sizeof(nsecs));
}

void veil_noise_tai64n_now(u8 out[VEIL_TIMESTAMP_LEN])
{
	struct timespec64 now;

	ktime_get_real_ts64(&now);
	veil_noise_tai64n(out, &now);
}

bool veil_noise_set_static_identity(struct veil_noise_static_identity *id,
				    const u8 private_key[VEIL_NOISE_KEY_LEN])
{
	memcpy(id->static_private, private_key, VEIL_NOISE_KEY_LEN);
	curve25519_clamp_secret(id->static_private);
	id->has_identity = curve25519_generate_public(id->static_public,
						      private_key);
	if (!id->has_identity) {
		memzero_explicit(id->static_private, VEIL_NOISE_KEY_LEN);
		memset(id->static_public, 0, VEIL_NOISE_KEY_LEN);
	}
	return id->has_identity;
}

bool
veil_noise_precompute_static_static(struct veil_noise_handshake *hs,
				    const struct veil_noise_static_identity *local)
{
	if (local->has_identity &&
	    curve25519(hs->precomputed_static_static, local->static_private,
		       hs->remote_static))
		return true;
	memzero_explicit(hs->precomputed_static_static, VEIL_NOISE_KEY_LEN);
	return false;
}

bool veil_noise_handshake_init(struct veil_noise_handshake *hs,
			       const struct veil_noise_static_identity *local,
			       const u8 remote_static[VEIL_NOISE_KEY_LEN],
			       const u8 *psk)
{
	memzero_explicit(hs, sizeof(*hs));
	hs->state = VEIL_HANDSHAKE_ZEROED;
	memcpy(hs->remote_static, remote_static, VEIL_NOISE_KEY_LEN);
	if (psk)
		memcpy(hs->preshared_key, psk, VEIL_NOISE_KEY_LEN);
	return veil_noise_precompute_static_static(hs, local);
}

void veil_noise_handshake_clear(struct veil_noise_handshake *hs)
{
	memzero_explicit(hs->chaining_key, VEIL_NOISE_HASH_LEN);
	memzero_explicit(hs->hash, VEIL_NOISE_HASH_LEN);
	memzero_explicit(hs->ephemeral_private, VEIL_NOISE_KEY_LEN);
	memset(hs->remote_ephemeral, 0, VEIL_NOISE_KEY_LEN);
	hs->remote_index = 0;
	hs->state = VEIL_HANDSHAKE_ZEROED;
}

void veil_noise_scratch_wipe(struct veil_noise_initiation_scratch *scratch)
{
	memzero_explicit(scratch, sizeof(*scratch));
}

/* ---- initiation ---- */

bool veil_noise_initiation_create(struct veil_noise_handshake *hs,
				  const struct veil_noise_static_identity *local,
				  struct veil_msg_initiation *msg,
				  const u8 ephemeral_private[VEIL_NOISE_KEY_LEN],
				  const u8 timestamp[VEIL_TIMESTAMP_LEN],
				  u32 local_index)
{
	u8 chaining_key[VEIL_NOISE_HASH_LEN];
	u8 hash[VEIL_NOISE_HASH_LEN];
	u8 eph[VEIL_NOISE_KEY_LEN];
	u8 key[VEIL_NOISE_KEY_LEN];
	bool ok = false;

	memset(msg, 0, sizeof(*msg));
	if (!local->has_identity)
		return false;

	msg->header.type = cpu_to_le32(VEIL_MSG_HANDSHAKE_INITIATION);
	msg->sender_index = cpu_to_le32(local_index);

	/* 1 */
	veil_noise_start(chaining_key, hash, hs->remote_static);

	/* 2: e */
	memcpy(eph, ephemeral_private, VEIL_NOISE_KEY_LEN);
	curve25519_clamp_secret(eph);
	if (!curve25519_generate_public(msg->unencrypted_ephemeral, eph))
		goto out;
	veil_noise_mix_ephemeral(chaining_key, hash,
				 msg->unencrypted_ephemeral);

	/* 3: es */
	if (!veil_noise_mix_dh(chaining_key, key, eph, hs->remote_static))
		goto out;

	/* 4: s */
	veil_noise_seal(msg->encrypted_static, local->static_public,
			VEIL_NOISE_KEY_LEN, key, hash);

	/* 5: ss */
	if (!veil_noise_mix_precomputed(chaining_key, key,
					hs->precomputed_static_static))
		goto out;

	/* 6: payload */
	veil_noise_seal(msg->encrypted_timestamp, timestamp,
			VEIL_TIMESTAMP_LEN, key, hash);

	/* 7, 8 (mac1/mac2 are cookie.c's) */
	veil_noise_store_created(hs, chaining_key, hash, eph, local_index,
				 VEIL_HANDSHAKE_CREATED_INITIATION);
	ok = true;
out:
	if (!ok)
		memzero_explicit(msg, sizeof(*msg));
	memzero_explicit(chaining_key, sizeof(chaining_key));
	memzero_explicit(hash, sizeof(hash));
	memzero_explicit(eph, sizeof(eph));
	memzero_explicit(key, sizeof(key));
	return ok;
}

bool veil_noise_initiation_open(const struct veil_noise_static_identity *local,
				const struct veil_msg_initiation *msg,
				struct veil_noise_initiation_scratch *scratch)
{
	u8 key[VEIL_NOISE_KEY_LEN];
	bool ok = false;

	memset(scratch, 0, sizeof(*scratch));
	if (!local->has_identity)
		return false;

	/* 1 */
	veil_noise_start(scratch->chaining_key, scratch->hash,
			 local->static_public);

	/* 2: e */
	memcpy(scratch->remote_ephemeral, msg->unencrypted_ephemeral,
	       VEIL_NOISE_KEY_LEN);
	veil_noise_mix_ephemeral(scratch->chaining_key, scratch->hash,
				 scratch->remote_ephemeral);

	/* 3: es */
	if (!veil_noise_mix_dh(scratch->chaining_key, key, local->static_private,
			       scratch->remote_ephemeral))
		goto out;

	/* 4: s */
	if (!veil_noise_open(scratch->remote_static, msg->encrypted_static,
			     sizeof(msg->encrypted_static), key, scratch->hash))
		goto out;

	scratch->remote_index = le32_to_cpu(msg->sender_index);
	ok = true;
out:
	if (!ok)
		veil_noise_scratch_wipe(scratch);
	memzero_explicit(key, sizeof(key));
	return ok;
}

bool veil_noise_initiation_finish(struct veil_noise_handshake *hs,
				  struct veil_noise_initiation_scratch *scratch,
				  const struct veil_msg_initiation *msg,
				  u64 last_consumed_ns, u64 now_ns)
{
	const u64 min_gap = NSEC_PER_SEC / VEIL_INITIATIONS_PER_SECOND;
	u8 timestamp[VEIL_TIMESTAMP_LEN];
	u8 key[VEIL_NOISE_KEY_LEN];
	bool ok = false;

	/* The caller found @hs by this key; make sure. */
	if (crypto_memneq(scratch->remote_static, hs->remote_static,
			  VEIL_NOISE_KEY_LEN))
		goto out;

	/* 6: ss */
	if (!veil_noise_mix_precomputed(scratch->chaining_key, key,
					hs->precomputed_static_static))
		goto out;

	/* 7: payload */
	if (!veil_noise_open(timestamp, msg->encrypted_timestamp,
			     sizeof(msg->encrypted_timestamp), key,
			     scratch->hash))
		goto out;

	/* 8: replay */
	if (memcmp(timestamp, hs->latest_timestamp, VEIL_TIMESTAMP_LEN) <= 0)
		goto out;

	/* 9: flood */
	if (last_consumed_ns && now_ns < last_consumed_ns + min_gap)
		goto out;

	/* 10: commit */
	memcpy(hs->remote_ephemeral, scratch->remote_ephemeral,
	       VEIL_NOISE_KEY_LEN);
	memcpy(hs->latest_timestamp, timestamp, VEIL_TIMESTAMP_LEN);
	memcpy(hs->chaining_key, scratch->chaining_key, VEIL_NOISE_HASH_LEN);
	memcpy(hs->hash, scratch->hash, VEIL_NOISE_HASH_LEN);
	hs->remote_index = scratch->remote_index;
	hs->state = VEIL_HANDSHAKE_CONSUMED_INITIATION;
	ok = true;
out:
	veil_noise_scratch_wipe(scratch);
	memzero_explicit(timestamp, sizeof(timestamp));
	memzero_explicit(key, sizeof(key));
	return ok;
}

/* ---- response ---- */

bool veil_noise_response_create(struct veil_noise_handshake *hs,
				const struct veil_noise_static_identity *local,
				struct veil_msg_response *msg,
				const u8 ephemeral_private[VEIL_NOISE_KEY_LEN],
				u32 local_index)
{
	u8 chaining_key[VEIL_NOISE_HASH_LEN];
	u8 hash[VEIL_NOISE_HASH_LEN];
	u8 eph[VEIL_NOISE_KEY_LEN];
	u8 key[VEIL_NOISE_KEY_LEN];
	bool ok = false;

	memset(msg, 0, sizeof(*msg));
	if (!local->has_identity ||
	    hs->state != VEIL_HANDSHAKE_CONSUMED_INITIATION)
		return false;

	memcpy(chaining_key, hs->chaining_key, VEIL_NOISE_HASH_LEN);
	memcpy(hash, hs->hash, VEIL_NOISE_HASH_LEN);

	/* 1 */
	msg->header.type = cpu_to_le32(VEIL_MSG_HANDSHAKE_RESPONSE);
	msg->receiver_index = cpu_to_le32(hs->remote_index);
	msg->sender_index = cpu_to_le32(local_index);

	/* 2: e */
	memcpy(eph, ephemeral_private, VEIL_NOISE_KEY_LEN);
	curve25519_clamp_secret(eph);
	if (!curve25519_generate_public(msg->unencrypted_ephemeral, eph))
		goto out;
	veil_noise_mix_ephemeral(chaining_key, hash,
				 msg->unencrypted_ephemeral);

	/* 3: ee, se */
	if (!veil_noise_mix_dh(chaining_key, NULL, eph, hs->remote_ephemeral))
		goto out;
	if (!veil_noise_mix_dh(chaining_key, NULL, eph, hs->remote_static))
		goto out;

	/* 4: psk */
	veil_noise_mix_psk(chaining_key, hash, key, hs->preshared_key);

	/* 5: empty payload */
	veil_noise_seal(msg->encrypted_nothing, NULL, 0, key, hash);

	veil_noise_store_created(hs, chaining_key, hash, eph, local_index,
				 VEIL_HANDSHAKE_CREATED_RESPONSE);
	ok = true;
out:
	if (!ok)
		memzero_explicit(msg, sizeof(*msg));
	memzero_explicit(chaining_key, sizeof(chaining_key));
	memzero_explicit(hash, sizeof(hash));
	memzero_explicit(eph, sizeof(eph));
	memzero_explicit(key, sizeof(key));
	return ok;
}

bool veil_noise_response_consume(struct veil_noise_handshake *hs,
				 const struct veil_noise_static_identity *local,
				 const struct veil_msg_response *msg)
{
	u8 chaining_key[VEIL_NOISE_HASH_LEN];
	u8 hash[VEIL_NOISE_HASH_LEN];
	u8 remote_eph[VEIL_NOISE_KEY_LEN];
	u8 key[VEIL_NOISE_KEY_LEN];
	bool ok = false;

	/* 1 */
	if (!local->has_identity ||
	    hs->state != VEIL_HANDSHAKE_CREATED_INITIATION ||
	    le32_to_cpu(msg->receiver_index) != hs->local_index)
		return false;

	memcpy(chaining_key, hs->chaining_key, VEIL_NOISE_HASH_LEN);
	memcpy(hash, hs->hash, VEIL_NOISE_HASH_LEN);

	/* 2: e */
	memcpy(remote_eph, msg->unencrypted_ephemeral, VEIL_NOISE_KEY_LEN);
	veil_noise_mix_ephemeral(chaining_key, hash, remote_eph);

	/* 3: ee, se */
	if (!veil_noise_mix_dh(chaining_key, NULL, hs->ephemeral_private,
			       remote_eph))
		goto out;
	if (!veil_noise_mix_dh(chaining_key, NULL, local->static_private,
			       remote_eph))
		goto out;

	/* 4: psk */
	veil_noise_mix_psk(chaining_key, hash, key, hs->preshared_key);

	/* 5: empty payload; the plaintext has length 0, so dst is unused */
	if (!veil_noise_open(NULL, msg->encrypted_nothing,
			     sizeof(msg->encrypted_nothing), key, hash))
		goto out;

	/* 6: commit */
	memcpy(hs->remote_ephemeral, remote_eph, VEIL_NOISE_KEY_LEN);
	memcpy(hs->chaining_key, chaining_key, VEIL_NOISE_HASH_LEN);
	memcpy(hs->hash, hash, VEIL_NOISE_HASH_LEN);
	hs->remote_index = le32_to_cpu(msg->sender_index);
	hs->state = VEIL_HANDSHAKE_CONSUMED_RESPONSE;
	ok = true;
out:
	memzero_explicit(chaining_key, sizeof(chaining_key));
	memzero_explicit(hash, sizeof(hash));
	memzero_explicit(remote_eph, sizeof(remote_eph));
	memzero_explicit(key, sizeof(key));
	return ok;
}

/* ---- transport keys ---- */

bool veil_noise_derive_keys(struct veil_noise_handshake *hs,
			    struct veil_noise_keys *keys)
{
	u8 t1[VEIL_NOISE_KEY_LEN], t2[VEIL_NOISE_KEY_LEN];

	if (hs->state != VEIL_HANDSHAKE_CREATED_RESPONSE &&
	    hs->state != VEIL_HANDSHAKE_CONSUMED_RESPONSE)
		return false;

	veil_noise_kdf(t1, t2, NULL, NULL, 0, hs->chaining_key);
	keys->is_initiator = hs->state == VEIL_HANDSHAKE_CONSUMED_RESPONSE;
	if (keys->is_initiator) {
		memcpy(keys->sending, t1, VEIL_NOISE_KEY_LEN);
		memcpy(keys->receiving, t2, VEIL_NOISE_KEY_LEN);
	} else {
		memcpy(keys->sending, t2, VEIL_NOISE_KEY_LEN);
		memcpy(keys->receiving, t1, VEIL_NOISE_KEY_LEN);
	}
	keys->local_index = hs->local_index;
	keys->remote_index = hs->remote_index;

	memzero_explicit(t1, sizeof(t1));
	memzero_explicit(t2, sizeof(t2));
	veil_noise_handshake_clear(hs);
	return true;
}
