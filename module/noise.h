/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sans-IO core of the Noise_IKpsk2 handshake (protocol.md sections 1, 2 and
 * 4): pure functions over the plain structures below. Nothing here touches
 * sockets, skbs, timers, the index table or the peer list; the I/O layer
 * does the lookups, supplies randomness and time, and fills mac1/mac2.
 *
 * Locking: none inside. The caller serialises every call that takes a
 * struct veil_noise_handshake (a per-peer lock, typically a rw_semaphore
 * held for writing) and keeps the static identity stable during a call.
 *
 * Call veil_noise_init() once before anything else (module init).
 */
#ifndef _VEIL_NOISE_H
#define _VEIL_NOISE_H

#include <linux/time64.h>
#include <linux/types.h>

#include "messages.h"

/* The local device's static key pair. */
struct veil_noise_static_identity {
	u8 static_private[VEIL_NOISE_KEY_LEN];
	u8 static_public[VEIL_NOISE_KEY_LEN];
	bool has_identity;
};

enum veil_noise_handshake_state {
	VEIL_HANDSHAKE_ZEROED,
	VEIL_HANDSHAKE_CREATED_INITIATION,
	VEIL_HANDSHAKE_CONSUMED_INITIATION,
	VEIL_HANDSHAKE_CREATED_RESPONSE,
	VEIL_HANDSHAKE_CONSUMED_RESPONSE,
};

/*
 * One peer's handshake slot. remote_static, preshared_key and
 * precomputed_static_static are configuration (set with
 * veil_noise_handshake_init()); the rest is protocol state. Indices are in
 * host byte order; they go on the wire as LE32.
 */
struct veil_noise_handshake {
	enum veil_noise_handshake_state state;
	u8 chaining_key[VEIL_NOISE_HASH_LEN];
	u8 hash[VEIL_NOISE_HASH_LEN];
	u8 ephemeral_private[VEIL_NOISE_KEY_LEN];
	u8 remote_ephemeral[VEIL_NOISE_KEY_LEN];
	u8 remote_static[VEIL_NOISE_KEY_LEN];
	u8 precomputed_static_static[VEIL_NOISE_KEY_LEN];
	u8 preshared_key[VEIL_NOISE_KEY_LEN];
	u32 local_index;
	u32 remote_index;
	u8 latest_timestamp[VEIL_TIMESTAMP_LEN];
};

/*
 * What veil_noise_initiation_open() learned from an initiation before the
 * peer is known: the caller looks up the peer by remote_static, then calls
 * veil_noise_initiation_finish(), or veil_noise_scratch_wipe() if there is
 * no such peer.
 */
struct veil_noise_initiation_scratch {
	u8 chaining_key[VEIL_NOISE_HASH_LEN];
	u8 hash[VEIL_NOISE_HASH_LEN];
	u8 remote_ephemeral[VEIL_NOISE_KEY_LEN];
	u8 remote_static[VEIL_NOISE_KEY_LEN];
	u32 remote_index;
};

/* Transport keys of a completed handshake (protocol.md 4.6). */
struct veil_noise_keys {
	u8 sending[VEIL_NOISE_KEY_LEN];
	u8 receiving[VEIL_NOISE_KEY_LEN];
	u32 local_index;
	u32 remote_index;
	bool is_initiator;
};

void veil_noise_init(void);

/* CK0 and H0 (protocol.md section 2), valid after veil_noise_init(). */
const u8 *veil_noise_initial_chaining_key(void);
const u8 *veil_noise_initial_hash(void);

/* Primitives (protocol.md 1.1, 1.2); the only users of lib/crypto blake2s. */
void veil_noise_hash(u8 out[VEIL_NOISE_HASH_LEN], const void *in, size_t len);
void veil_noise_hash2(u8 out[VEIL_NOISE_HASH_LEN], const void *a,
		      size_t alen, const void *b, size_t blen);
void veil_noise_mac(u8 out[VEIL_COOKIE_LEN], const void *in, size_t len,
		    const u8 *key, size_t keylen);
void veil_noise_hmac(u8 out[VEIL_NOISE_HASH_LEN], const void *in, size_t len,
		     const u8 key[VEIL_NOISE_KEY_LEN]);
void veil_noise_kdf(u8 *t1, u8 *t2, u8 *t3, const void *in, size_t len,
		    const u8 chaining_key[VEIL_NOISE_HASH_LEN]);

/* TAI64N of @ts, nanoseconds rounded down to a multiple of 2^24. */
void veil_noise_tai64n(u8 out[VEIL_TIMESTAMP_LEN], const struct timespec64 *ts);
void veil_noise_tai64n_now(u8 out[VEIL_TIMESTAMP_LEN]);

/*
 * Clamps @private_key into @id and derives the public key. An all-zero
 * private key yields has_identity = false and returns false.
 */
bool veil_noise_set_static_identity(struct veil_noise_static_identity *id,
				    const u8 private_key[VEIL_NOISE_KEY_LEN]);

/*
 * Resets @hs to ZEROED and configures it for the peer @remote_static with
 * the preshared key @psk (NULL: none), then precomputes the static-static
 * DH. Returns that precomputation's result.
 */
bool veil_noise_handshake_init(struct veil_noise_handshake *hs,
			       const struct veil_noise_static_identity *local,
			       const u8 remote_static[VEIL_NOISE_KEY_LEN],
			       const u8 *psk);

/*
 * DH(local private, remote static) into hs->precomputed_static_static. On
 * no identity or an all-zero result, the value is zeroed and false is
 * returned: the peer cannot handshake until this succeeds.
 */
bool
veil_noise_precompute_static_static(struct veil_noise_handshake *hs,
				    const struct veil_noise_static_identity *local);

/* Wipes all protocol state of @hs (not its configuration); state ZEROED. */
void veil_noise_handshake_clear(struct veil_noise_handshake *hs);

void veil_noise_scratch_wipe(struct veil_noise_initiation_scratch *scratch);

/*
 * Initiator, protocol.md 4.2 steps 1-7. @ephemeral_private comes from
 * curve25519_generate_secret() (tests pass fixed values), @timestamp from
 * veil_noise_tai64n_now(), @local_index is the caller's freshly registered
 * index. mac1/mac2 are left zero. On success @hs is CREATED_INITIATION; on
 * failure @hs is untouched and @msg is zeroed.
 */
bool veil_noise_initiation_create(struct veil_noise_handshake *hs,
				  const struct veil_noise_static_identity *local,
				  struct veil_msg_initiation *msg,
				  const u8 ephemeral_private[VEIL_NOISE_KEY_LEN],
				  const u8 timestamp[VEIL_TIMESTAMP_LEN],
				  u32 local_index);

/*
 * Responder, protocol.md 4.3 steps 1-4: decrypts the initiator's static key
 * into @scratch. No peer state is read or written.
 */
bool veil_noise_initiation_open(const struct veil_noise_static_identity *local,
				const struct veil_msg_initiation *msg,
				struct veil_noise_initiation_scratch *scratch);

/*
 * Responder, protocol.md 4.3 steps 6-10 for the peer owning @hs (found by
 * scratch->remote_static). @last_consumed_ns is when this peer's previous
 * initiation was consumed (0: never) and @now_ns the current time, both on
 * the same clock (ktime_get_coarse_boottime_ns()); an initiation less than
 * 20 ms after the previous one is refused. On success the state is
 * committed (CONSUMED_INITIATION) and the caller must record @now_ns as the
 * new consumption time. On failure @hs is untouched. @scratch is wiped in
 * both cases.
 */
bool veil_noise_initiation_finish(struct veil_noise_handshake *hs,
				  struct veil_noise_initiation_scratch *scratch,
				  const struct veil_msg_initiation *msg,
				  u64 last_consumed_ns, u64 now_ns);

/*
 * Responder, protocol.md 4.4 steps 1-5; requires CONSUMED_INITIATION.
 * mac1/mac2 are left zero. On success @hs is CREATED_RESPONSE (follow with
 * veil_noise_derive_keys()); on failure @hs is untouched, @msg zeroed.
 */
bool veil_noise_response_create(struct veil_noise_handshake *hs,
				const struct veil_noise_static_identity *local,
				struct veil_msg_response *msg,
				const u8 ephemeral_private[VEIL_NOISE_KEY_LEN],
				u32 local_index);

/*
 * Initiator, protocol.md 4.5 steps 1-6; requires CREATED_INITIATION and a
 * receiver_index equal to hs->local_index. On success @hs is
 * CONSUMED_RESPONSE (follow with veil_noise_derive_keys()); on failure @hs
 * is untouched.
 */
bool veil_noise_response_consume(struct veil_noise_handshake *hs,
				 const struct veil_noise_static_identity *local,
				 const struct veil_msg_response *msg);

/*
 * protocol.md 4.6; requires CREATED_RESPONSE (responder) or
 * CONSUMED_RESPONSE (initiator). Fills @keys, then wipes the chaining key,
 * hash, ephemeral keys and remote index of @hs and sets it ZEROED
 * (configuration and latest_timestamp stay).
 */
bool veil_noise_derive_keys(struct veil_noise_handshake *hs,
			    struct veil_noise_keys *keys);

/* selftest/noise.c */
bool veil_noise_selftest(void);

#endif /* _VEIL_NOISE_H */
