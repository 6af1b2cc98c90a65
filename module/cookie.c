// SPDX-License-Identifier: GPL-2.0
/*
 * mac1, mac2 and cookie replies (protocol.md section 5). See cookie.h for
 * the contract and the locking rules.
 */

#include <crypto/algapi.h>
#include <crypto/chacha20poly1305.h>
#include <linux/errno.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/random.h>
#include <linux/string.h>

#include "cookie.h"
#include "noise.h"

static const u8 veil_label_mac1[8] = "mac1----";
static const u8 veil_label_cookie[8] = "cookie--";

void veil_cookie_derive_keys(u8 mac1_key[VEIL_NOISE_KEY_LEN],
			     u8 cookie_key[VEIL_NOISE_KEY_LEN],
			     const u8 public_key[VEIL_NOISE_KEY_LEN])
{
	veil_noise_hash2(mac1_key, veil_label_mac1, sizeof(veil_label_mac1),
			 public_key, VEIL_NOISE_KEY_LEN);
	veil_noise_hash2(cookie_key, veil_label_cookie,
			 sizeof(veil_label_cookie), public_key,
			 VEIL_NOISE_KEY_LEN);
}

/*
 * Where the MACs sit in a handshake message of @len bytes, or NULL when
 * @len is neither an initiation's nor a response's size.
 */
static struct veil_msg_macs *veil_cookie_macs(const void *msg, size_t len)
{
	if (len != sizeof(struct veil_msg_initiation) &&
	    len != sizeof(struct veil_msg_response))
		return NULL;
	return (struct veil_msg_macs *)((u8 *)msg + len -
					 sizeof(struct veil_msg_macs));
}

/* Whether @birth is at least @max_age before @now (old if time went back). */
static bool veil_cookie_too_old(u64 birth, u64 now, u64 max_age)
{
	return now < birth || now - birth >= max_age;
}

void veil_cookie_checker_init(struct veil_cookie_checker *checker)
{
	memset(checker, 0, sizeof(*checker));
	spin_lock_init(&checker->lock);
}

void veil_cookie_checker_set_key(struct veil_cookie_checker *checker,
				 const u8 *public_key)
{
	u8 mac1_key[VEIL_NOISE_KEY_LEN] = {};
	u8 cookie_key[VEIL_NOISE_KEY_LEN] = {};

	if (public_key)
		veil_cookie_derive_keys(mac1_key, cookie_key, public_key);

	spin_lock_bh(&checker->lock);
	memcpy(checker->mac1_key, mac1_key, sizeof(mac1_key));
	memcpy(checker->cookie_key, cookie_key, sizeof(cookie_key));
	checker->have_key = !!public_key;
	spin_unlock_bh(&checker->lock);

	memzero_explicit(mac1_key, sizeof(mac1_key));
	memzero_explicit(cookie_key, sizeof(cookie_key));
}

void veil_cookie_checker_uninit(struct veil_cookie_checker *checker)
{
	memzero_explicit(checker, sizeof(*checker));
}

void veil_cookie_maker_init(struct veil_cookie_maker *maker,
			    const u8 peer_public_key[VEIL_NOISE_KEY_LEN])
{
	memset(maker, 0, sizeof(*maker));
	spin_lock_init(&maker->lock);
	veil_cookie_derive_keys(maker->mac1_key, maker->cookie_key,
				peer_public_key);
}

void veil_cookie_maker_uninit(struct veil_cookie_maker *maker)
{
	memzero_explicit(maker, sizeof(*maker));
}

int veil_cookie_add_macs(struct veil_cookie_maker *maker, void *msg,
			 size_t len, u64 now)
{
	struct veil_msg_macs *macs = veil_cookie_macs(msg, len);
	size_t mac1_off = len - sizeof(*macs);
	size_t mac2_off = mac1_off + sizeof(macs->mac1);

	if (!macs)
		return -EINVAL;

	spin_lock_bh(&maker->lock);
	veil_noise_mac(macs->mac1, msg, mac1_off, maker->mac1_key,
		       VEIL_NOISE_KEY_LEN);
	memcpy(maker->last_mac1_sent, macs->mac1, VEIL_COOKIE_LEN);
	maker->mac1_sent = true;

	if (maker->have_cookie &&
	    !veil_cookie_too_old(maker->cookie_birth, now,
				 VEIL_COOKIE_VALIDITY_NS))
		veil_noise_mac(macs->mac2, msg, mac2_off, maker->cookie,
			       VEIL_COOKIE_LEN);
	else
		memset(macs->mac2, 0, VEIL_COOKIE_LEN);
	spin_unlock_bh(&maker->lock);
	return 0;
}

/* Length of the address bytes for @family, or 0 when not supported. */
static size_t veil_cookie_addr_len(sa_family_t family)
{
	switch (family) {
	case AF_INET:
		return sizeof(struct in_addr);
	case AF_INET6:
		return sizeof(struct in6_addr);
	default:
		return 0;
	}
}

/* Cookie computation; the caller holds checker->lock. */
static void veil_cookie_compute_locked(struct veil_cookie_checker *checker,
				       u8 cookie[VEIL_COOKIE_LEN],
				       const void *addr, size_t addr_len,
				       __be16 port, u64 now)
{
	u8 source[sizeof(struct in6_addr) + sizeof(__be16)];

	lockdep_assert_held(&checker->lock);

	if (!checker->secret_valid ||
	    veil_cookie_too_old(checker->secret_birth, now,
				VEIL_COOKIE_SECRET_MAX_AGE_NS)) {
		get_random_bytes(checker->secret, sizeof(checker->secret));
		checker->secret_birth = now;
		checker->secret_valid = true;
	}
	/* A = source address || source port, both in network order. */
	memcpy(source, addr, addr_len);
	memcpy(source + addr_len, &port, sizeof(port));
	veil_noise_mac(cookie, source, addr_len + sizeof(port),
		       checker->secret, sizeof(checker->secret));
}

int veil_cookie_compute(struct veil_cookie_checker *checker,
			u8 cookie[VEIL_COOKIE_LEN], sa_family_t family,
			const void *addr, __be16 port, u64 now)
{
	size_t addr_len = veil_cookie_addr_len(family);

	if (!addr_len)
		return -EAFNOSUPPORT;

	spin_lock_bh(&checker->lock);
	veil_cookie_compute_locked(checker, cookie, addr, addr_len, port, now);
	spin_unlock_bh(&checker->lock);
	return 0;
}

enum veil_cookie_mac_state
veil_cookie_validate(struct veil_cookie_checker *checker, const void *msg,
		     size_t len, sa_family_t family, const void *addr,
		     __be16 port, u64 now)
{
	static const u8 zero_mac[VEIL_COOKIE_LEN];
	const struct veil_msg_macs *macs = veil_cookie_macs(msg, len);
	size_t mac1_off = len - sizeof(*macs);
	size_t mac2_off = mac1_off + sizeof(macs->mac1);
	size_t addr_len = veil_cookie_addr_len(family);
	enum veil_cookie_mac_state ret = VEIL_COOKIE_MAC_INVALID;
	u8 mac[VEIL_COOKIE_LEN], cookie[VEIL_COOKIE_LEN];

	if (!macs || !addr_len)
		return VEIL_COOKIE_MAC_INVALID;

	spin_lock_bh(&checker->lock);
	if (!checker->have_key)
		goto out;

	veil_noise_mac(mac, msg, mac1_off, checker->mac1_key,
		       VEIL_NOISE_KEY_LEN);
	if (crypto_memneq(mac, macs->mac1, VEIL_COOKIE_LEN))
		goto out;

	ret = VEIL_COOKIE_MAC1_VALID;
	/* All zero means "no cookie"; spare the work of recomputing one. */
	if (!crypto_memneq(macs->mac2, zero_mac, VEIL_COOKIE_LEN))
		goto out;

	veil_cookie_compute_locked(checker, cookie, addr, addr_len, port, now);
	veil_noise_mac(mac, msg, mac2_off, cookie, VEIL_COOKIE_LEN);
	if (!crypto_memneq(mac, macs->mac2, VEIL_COOKIE_LEN))
		ret = VEIL_COOKIE_MAC2_VALID;
out:
	spin_unlock_bh(&checker->lock);
	memzero_explicit(cookie, sizeof(cookie));
	return ret;
}

int veil_cookie_create_reply(struct veil_cookie_checker *checker,
			     struct veil_msg_cookie *dst, const void *msg,
			     size_t len, sa_family_t family, const void *addr,
			     __be16 port, u64 now, const u8 *nonce)
{
	const struct veil_msg_macs *macs = veil_cookie_macs(msg, len);
	size_t addr_len = veil_cookie_addr_len(family);
	u8 cookie[VEIL_COOKIE_LEN];
	int ret = 0;

	if (!macs)
		return -EINVAL;
	if (!addr_len)
		return -EAFNOSUPPORT;

	dst->header.type = cpu_to_le32(VEIL_MSG_HANDSHAKE_COOKIE);
	/* sender_index follows the header in both handshake messages. */
	memcpy(&dst->receiver_index,
	       (const u8 *)msg + sizeof(struct veil_msg_header),
	       sizeof(dst->receiver_index));
	if (nonce)
		memcpy(dst->nonce, nonce, sizeof(dst->nonce));
	else
		get_random_bytes(dst->nonce, sizeof(dst->nonce));

	spin_lock_bh(&checker->lock);
	if (!checker->have_key) {
		ret = -EINVAL;
		goto out;
	}
	veil_cookie_compute_locked(checker, cookie, addr, addr_len, port, now);
	xchacha20poly1305_encrypt(dst->encrypted_cookie, cookie,
				  VEIL_COOKIE_LEN, macs->mac1,
				  sizeof(macs->mac1), dst->nonce,
				  checker->cookie_key);
out:
	spin_unlock_bh(&checker->lock);
	memzero_explicit(cookie, sizeof(cookie));
	return ret;
}

int veil_cookie_consume_reply(struct veil_cookie_maker *maker,
			      const struct veil_msg_cookie *src, u64 now)
{
	u8 cookie[VEIL_COOKIE_LEN];
	int ret = 0;

	spin_lock_bh(&maker->lock);
	if (!maker->mac1_sent) {
		ret = -ENOENT;
		goto out;
	}
	if (!xchacha20poly1305_decrypt(cookie, src->encrypted_cookie,
				       sizeof(src->encrypted_cookie),
				       maker->last_mac1_sent,
				       sizeof(maker->last_mac1_sent),
				       src->nonce, maker->cookie_key)) {
		ret = -EBADMSG;
		goto out;
	}
	memcpy(maker->cookie, cookie, sizeof(cookie));
	maker->cookie_birth = now;
	maker->have_cookie = true;
	maker->mac1_sent = false;
out:
	spin_unlock_bh(&maker->lock);
	memzero_explicit(cookie, sizeof(cookie));
	return ret;
}
