/* SPDX-License-Identifier: GPL-2.0 */
/*
 * WireGuard wire formats and protocol constants (protocol.md sections 2, 3
 * and 8). Every multi-byte field on the wire is little-endian.
 */
#ifndef _VEIL_MESSAGES_H
#define _VEIL_MESSAGES_H

#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/types.h>

#define VEIL_NOISE_KEY_LEN	32
#define VEIL_NOISE_HASH_LEN	32
#define VEIL_AEAD_TAG_LEN	16
#define VEIL_TIMESTAMP_LEN	12
#define VEIL_COOKIE_LEN		16
#define VEIL_COOKIE_NONCE_LEN	24
#define VEIL_PADDING_MULTIPLE	16

/* Sizes of AEAD outputs: plaintext plus tag. */
#define veil_sealed_len(plain_len) ((plain_len) + VEIL_AEAD_TAG_LEN)

/* Timers and limits (protocol.md 8.1). */
#define VEIL_REKEY_AFTER_MESSAGES	BIT_ULL(60)
#define VEIL_REJECT_AFTER_MESSAGES	(U64_MAX - VEIL_COUNTER_WINDOW - 1)
#define VEIL_REKEY_TIMEOUT		5	/* seconds */
#define VEIL_KEEPALIVE_TIMEOUT		10	/* seconds */
#define VEIL_REKEY_AFTER_TIME		120	/* seconds */
#define VEIL_REJECT_AFTER_TIME		180	/* seconds */
#define VEIL_REKEY_ATTEMPT_TIME		90	/* seconds */
#define VEIL_INITIATIONS_PER_SECOND	50
#define VEIL_MAX_TIMER_HANDSHAKES	(VEIL_REKEY_ATTEMPT_TIME / VEIL_REKEY_TIMEOUT)
#define VEIL_COOKIE_SECRET_MAX_AGE	120	/* seconds */
#define VEIL_COOKIE_SECRET_LATENCY	5	/* seconds */

/* Replay window (protocol.md 6.3): a ring of 8192 bits. */
#define VEIL_COUNTER_BITS_TOTAL		8192
#define VEIL_COUNTER_WINDOW		(VEIL_COUNTER_BITS_TOTAL - BITS_PER_LONG)

enum veil_message_type {
	VEIL_MSG_INVALID = 0,
	VEIL_MSG_HANDSHAKE_INITIATION = 1,
	VEIL_MSG_HANDSHAKE_RESPONSE = 2,
	VEIL_MSG_HANDSHAKE_COOKIE = 3,
	VEIL_MSG_DATA = 4,
};

/*
 * The first four bytes of every message: the type in byte 0 and three
 * reserved zero bytes, compared as one little-endian word.
 */
struct veil_msg_header {
	__le32 type;
};

/* mac1 and mac2 close both handshake messages. */
struct veil_msg_macs {
	u8 mac1[VEIL_COOKIE_LEN];
	u8 mac2[VEIL_COOKIE_LEN];
};

struct veil_msg_initiation {
	struct veil_msg_header header;
	__le32 sender_index;
	u8 unencrypted_ephemeral[VEIL_NOISE_KEY_LEN];
	u8 encrypted_static[veil_sealed_len(VEIL_NOISE_KEY_LEN)];
	u8 encrypted_timestamp[veil_sealed_len(VEIL_TIMESTAMP_LEN)];
	struct veil_msg_macs macs;
} __packed;

struct veil_msg_response {
	struct veil_msg_header header;
	__le32 sender_index;
	__le32 receiver_index;
	u8 unencrypted_ephemeral[VEIL_NOISE_KEY_LEN];
	u8 encrypted_nothing[veil_sealed_len(0)];
	struct veil_msg_macs macs;
} __packed;

struct veil_msg_cookie {
	struct veil_msg_header header;
	__le32 receiver_index;
	u8 nonce[VEIL_COOKIE_NONCE_LEN];
	u8 encrypted_cookie[veil_sealed_len(VEIL_COOKIE_LEN)];
} __packed;

struct veil_msg_data {
	struct veil_msg_header header;
	__le32 key_idx;
	__le64 counter;
	u8 encrypted_data[];
} __packed;

static_assert(sizeof(struct veil_msg_initiation) == 148);
static_assert(sizeof(struct veil_msg_response) == 92);
static_assert(sizeof(struct veil_msg_cookie) == 64);
static_assert(sizeof(struct veil_msg_data) == 16);

/* A keepalive is a data message with an empty plaintext. */
#define VEIL_MSG_DATA_MIN_LEN	veil_sealed_len(sizeof(struct veil_msg_data))

/* Overhead of a data message, outer UDP/IP headers not included. */
#define VEIL_DATA_OVERHEAD	VEIL_MSG_DATA_MIN_LEN

#endif /* _VEIL_MESSAGES_H */
