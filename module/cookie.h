/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mac1, mac2 and cookie replies (protocol.md section 5), sans-IO: every
 * function takes message buffers, the datagram's source as address bytes
 * plus a port, and the current time (boot-time nanoseconds, e.g.
 * ktime_get_coarse_boottime_ns()) as parameters. Nothing here touches an
 * skb, a socket or a peer table; the I/O layer looks up the peer of a
 * cookie reply by its receiver_index and passes that peer's maker in.
 *
 * Two sides:
 *  - struct veil_cookie_checker, one per device, is the receiving side of
 *    handshake messages: it checks mac1/mac2 with keys derived from the
 *    local static public key and builds cookie replies.
 *  - struct veil_cookie_maker, one per peer, is the sending side: it adds
 *    mac1/mac2 with keys derived from the peer's static public key and
 *    takes in the cookie replies that peer sends us.
 *
 * Locking: each struct has its own spinlock, taken with the _bh variants so
 * the functions may be called from process or softirq context (but not
 * hard IRQ). Every public function takes the lock itself and holds it only
 * for a few BLAKE2s or XChaCha20-Poly1305 blocks; callers hold no lock of
 * ours. The key-setting functions may be called while other CPUs validate
 * or build messages: they see either the old or the new keys, never a mix.
 */
#ifndef _VEIL_COOKIE_H
#define _VEIL_COOKIE_H

#include <linux/socket.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include "messages.h"

/* A cookie is used for mac2 only while younger than this (115 s). */
#define VEIL_COOKIE_VALIDITY_NS \
	((u64)(VEIL_COOKIE_SECRET_MAX_AGE - VEIL_COOKIE_SECRET_LATENCY) * \
	 NSEC_PER_SEC)
/* The cookie secret Rm is replaced once older than this (120 s). */
#define VEIL_COOKIE_SECRET_MAX_AGE_NS \
	((u64)VEIL_COOKIE_SECRET_MAX_AGE * NSEC_PER_SEC)

/* Result of checking the MACs of a received initiation or response. */
enum veil_cookie_mac_state {
	/* mac1 is wrong (or no local key): drop silently. */
	VEIL_COOKIE_MAC_INVALID,
	/* mac1 is right; mac2 is zero or wrong. */
	VEIL_COOKIE_MAC1_VALID,
	/* mac1 and mac2 are both right for this source. */
	VEIL_COOKIE_MAC2_VALID,
};

/*
 * Local (receiving) side, one per device.
 * @mac1_key:     mac1_key(local static public key)
 * @cookie_key:   cookie_key(local static public key), encrypts replies
 * @secret:       Rm, the random secret cookies are computed with
 * @secret_birth: when @secret was made (boot-time ns)
 * @secret_valid: @secret holds a secret (false until the first cookie)
 * @have_key:     the keys are set; without them every mac1 is invalid
 * @lock:         protects all of the above
 */
struct veil_cookie_checker {
	u8 mac1_key[VEIL_NOISE_KEY_LEN];
	u8 cookie_key[VEIL_NOISE_KEY_LEN];
	u8 secret[VEIL_NOISE_HASH_LEN];
	u64 secret_birth;
	bool secret_valid;
	bool have_key;
	spinlock_t lock; /* protects the fields above */
};

/*
 * Remote (sending) side, one per peer.
 * @mac1_key:       mac1_key(peer's static public key)
 * @cookie_key:     cookie_key(peer's static public key), decrypts replies
 * @last_mac1_sent: mac1 of the last initiation/response sent to the peer
 * @mac1_sent:      @last_mac1_sent is set and no cookie reply consumed it
 * @cookie:         the last cookie the peer sent us
 * @cookie_birth:   when @cookie was received (boot-time ns)
 * @have_cookie:    @cookie holds a cookie
 * @lock:           protects all of the above
 */
struct veil_cookie_maker {
	u8 mac1_key[VEIL_NOISE_KEY_LEN];
	u8 cookie_key[VEIL_NOISE_KEY_LEN];
	u8 last_mac1_sent[VEIL_COOKIE_LEN];
	bool mac1_sent;
	u8 cookie[VEIL_COOKIE_LEN];
	u64 cookie_birth;
	bool have_cookie;
	spinlock_t lock; /* protects the fields above */
};

/* mac1_key(P) and cookie_key(P) of a 32-byte static public key P. */
void veil_cookie_derive_keys(u8 mac1_key[VEIL_NOISE_KEY_LEN],
			     u8 cookie_key[VEIL_NOISE_KEY_LEN],
			     const u8 public_key[VEIL_NOISE_KEY_LEN]);

/*
 * Checker. init leaves it without a key (every mac1 invalid); set_key
 * derives the keys from the local static public key, or forgets them when
 * @public_key is NULL (device without a private key). uninit wipes it.
 */
void veil_cookie_checker_init(struct veil_cookie_checker *checker);
void veil_cookie_checker_set_key(struct veil_cookie_checker *checker,
				 const u8 *public_key);
void veil_cookie_checker_uninit(struct veil_cookie_checker *checker);

/*
 * Maker. init derives the keys from the peer's static public key and
 * starts with no cookie and no mac1 sent. uninit wipes it.
 */
void veil_cookie_maker_init(struct veil_cookie_maker *maker,
			    const u8 peer_public_key[VEIL_NOISE_KEY_LEN]);
void veil_cookie_maker_uninit(struct veil_cookie_maker *maker);

/*
 * Fill mac1 and mac2 of an outgoing initiation (len 148) or response (len
 * 92): the last 32 bytes of @msg are struct veil_msg_macs, everything before
 * is already final. mac1 covers the bytes before it, mac2 (when a cookie
 * younger than 115 s is held, else zeros) the bytes before mac2. Remembers
 * mac1 for a cookie reply. Returns -EINVAL for any other length.
 */
int veil_cookie_add_macs(struct veil_cookie_maker *maker, void *msg,
			 size_t len, u64 now);

/*
 * Check the MACs of a received initiation or response (len 148 or 92) that
 * came from @addr (4 bytes for AF_INET, 16 for AF_INET6, network order) and
 * UDP port @port. mac1 is checked first; mac2 is only checked (against this
 * source's current cookie) when mac1 is right and mac2 is not all zero.
 * Constant-time compares; no DH work.
 */
enum veil_cookie_mac_state
veil_cookie_validate(struct veil_cookie_checker *checker, const void *msg,
		     size_t len, sa_family_t family, const void *addr,
		     __be16 port, u64 now);

/*
 * The 16-byte cookie for a source: MAC(Rm, address || port). Rm is
 * replaced by a random one first when missing or older than 120 s.
 * Returns -EAFNOSUPPORT for a family other than AF_INET/AF_INET6.
 */
int veil_cookie_compute(struct veil_cookie_checker *checker,
			u8 cookie[VEIL_COOKIE_LEN], sa_family_t family,
			const void *addr, __be16 port, u64 now);

/*
 * Build in @dst the cookie reply to a refused initiation or response @msg
 * (len 148 or 92) from the given source: receiver_index is the message's
 * sender_index (offset 4 in both), the cookie is encrypted with
 * cookie_key(local key) and the refused message's mac1 as AD. @nonce is
 * NULL for a random nonce (always, outside tests). Returns 0, -EINVAL for
 * a bad length or no local key, or -EAFNOSUPPORT.
 */
int veil_cookie_create_reply(struct veil_cookie_checker *checker,
			     struct veil_msg_cookie *dst, const void *msg,
			     size_t len, sa_family_t family, const void *addr,
			     __be16 port, u64 now, const u8 *nonce);

/*
 * Take in a cookie reply from the maker's peer (the caller checked the
 * type word and the 64-byte size, and found the peer by receiver_index
 * among handshake and keypair indices). Needs a mac1 sent and not yet
 * answered, and the reply must decrypt with the peer's cookie key and that
 * mac1 as AD; then the cookie and @now are stored and "mac1 sent" is
 * cleared, so one mac1 gets at most one cookie. Returns 0, -ENOENT (no
 * mac1 outstanding) or -EBADMSG (authentication failed; nothing changes).
 */
int veil_cookie_consume_reply(struct veil_cookie_maker *maker,
			      const struct veil_msg_cookie *src, u64 now);

/* Known-answer and negative tests (protocol.md 13.2, 13.3). */
bool veil_cookie_selftest(void);

#endif /* _VEIL_COOKIE_H */
