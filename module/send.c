// SPDX-License-Identifier: GPL-2.0
/*
 * Sending: handshake initiations and responses, cookie replies, keepalives
 * and data.
 *
 * Data first goes to the peer's staged queue (at most VEIL_MAX_STAGED
 * packets, the oldest dropped first) and leaves it only under a valid
 * current keypair. One CPU at a time drains a peer's queue (@tx_lock,
 * taken with a trylock): it takes the nonces in queue order and encrypts
 * and sends in that order, so a peer's packets leave in sequence. A CPU
 * that finds the lock taken leaves its packets to the holder, which looks
 * at the queue again after unlocking.
 *
 * Handshake messages are built in process context (a work item per peer
 * for initiations, the device's handshake worker for responses).
 */

#include <crypto/chacha20poly1305.h>
#include <crypto/curve25519.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/scatterlist.h>
#include <linux/skbuff.h>
#include <linux/udp.h>
#include <net/ip_tunnels.h>

#include "device.h"
#include "packet.h"
#include "peer.h"
#include "send.h"
#include "socket.h"
#include "timers.h"

#define VEIL_MAX_STAGED 128

/* Room in front of a data message for its header and the outer ones. */
#define VEIL_SEND_HEADROOM \
	(sizeof(struct veil_msg_data) + sizeof(struct udphdr) + \
	 sizeof(struct ipv6hdr) + LL_MAX_HEADER)

void veil_send_handshake_initiation(struct veil_peer *peer, bool is_retry)
{
	if (!is_retry) {
		peer->handshake_attempts = 0;
		/*
		 * An initiation is in flight and its retransmission, with
		 * jitter, is due within REKEY_TIMEOUT. Sending on demand
		 * instead would keep two peers that rekey at the same moment
		 * (both past REKEY_AFTER_MESSAGES) in lockstep for ever, each
		 * refusing the other's response; the jitter breaks the tie.
		 */
		if (timer_pending(&peer->timer_retransmit))
			return;
	}

	rcu_read_lock_bh();
	/* At most one initiation per REKEY_TIMEOUT (protocol.md 8.2). */
	if (veil_has_expired(atomic64_read(&peer->last_sent_handshake),
			     VEIL_REKEY_TIMEOUT) &&
	    !READ_ONCE(peer->dead)) {
		veil_peer_get(peer);
		if (!queue_work(system_unbound_wq, &peer->tx_handshake_work))
			veil_peer_put(peer);
	}
	rcu_read_unlock_bh();
}

/* Sends a finished handshake message and does the bookkeeping. */
static void veil_send_handshake_message(struct veil_peer *peer, void *msg,
					size_t len)
{
	u64 now = ktime_get_coarse_boottime_ns();

	veil_cookie_add_macs(&peer->cookie_maker, msg, len, now);
	atomic64_set(&peer->last_sent_handshake, now);
	veil_timers_any_authenticated_packet_traversal(peer);
	veil_timers_any_authenticated_packet_sent(peer);
	if (!veil_socket_send_buffer(peer, msg, len, VEIL_HANDSHAKE_DSFIELD))
		atomic64_add(len, &peer->tx_bytes);
}

void veil_send_handshake_initiation_work(struct work_struct *work)
{
	struct veil_peer *peer = container_of(work, struct veil_peer,
					      tx_handshake_work);
	struct veil_device *vdev = peer->vdev;
	struct veil_msg_initiation msg;
	u8 ephemeral[VEIL_NOISE_KEY_LEN];
	u8 timestamp[VEIL_TIMESTAMP_LEN];
	bool ok;

	if (READ_ONCE(peer->dead) || !netif_running(vdev->dev) ||
	    !veil_has_expired(atomic64_read(&peer->last_sent_handshake),
			      VEIL_REKEY_TIMEOUT))
		goto out;

	curve25519_generate_secret(ephemeral);
	veil_noise_tai64n_now(timestamp);

	down_read(&vdev->identity_lock);
	mutex_lock(&peer->hs_lock);
	/* A fresh index for every attempt (protocol.md 7.1). */
	veil_index_insert(&vdev->index_table, &peer->hs_entry);
	ok = veil_noise_initiation_create(&peer->handshake, &vdev->identity,
					  &msg, ephemeral, timestamp,
					  peer->hs_entry.index);
	if (!ok)
		veil_index_remove(&vdev->index_table, &peer->hs_entry);
	mutex_unlock(&peer->hs_lock);
	up_read(&vdev->identity_lock);
	memzero_explicit(ephemeral, sizeof(ephemeral));
	if (!ok)
		goto out;

	veil_send_handshake_message(peer, &msg, sizeof(msg));
	veil_stat_inc(vdev, HANDSHAKE_INITIATIONS_SENT);
	veil_timers_handshake_initiated(peer);
out:
	veil_peer_put(peer);
}

void veil_send_handshake_response(struct veil_peer *peer)
{
	struct veil_device *vdev = peer->vdev;
	u8 ephemeral[VEIL_NOISE_KEY_LEN];
	struct veil_msg_response msg;
	struct veil_keypair *kp = NULL;

	curve25519_generate_secret(ephemeral);

	down_read(&vdev->identity_lock);
	mutex_lock(&peer->hs_lock);
	veil_index_insert(&vdev->index_table, &peer->hs_entry);
	if (!READ_ONCE(peer->dead) &&
	    veil_noise_response_create(&peer->handshake, &vdev->identity, &msg,
				       ephemeral, peer->hs_entry.index))
		kp = veil_peer_begin_session(peer);
	else
		veil_index_remove(&vdev->index_table, &peer->hs_entry);
	mutex_unlock(&peer->hs_lock);
	up_read(&vdev->identity_lock);
	memzero_explicit(ephemeral, sizeof(ephemeral));
	if (!kp)
		return;

	veil_timers_session_derived(peer);
	veil_send_handshake_message(peer, &msg, sizeof(msg));
	veil_stat_inc(vdev, HANDSHAKE_RESPONSES_SENT);
}

void veil_send_cookie_reply(struct veil_device *vdev, struct sk_buff *skb)
{
	struct veil_msg_cookie reply;
	union veil_endpoint src;

	if (veil_socket_skb_source(skb, &src) ||
	    veil_cookie_create_reply(&vdev->cookie_checker, &reply, skb->data,
				     skb->len, src.addr.sa_family,
				     src.addr.sa_family == AF_INET ?
				     (void *)&src.addr4.sin_addr :
				     (void *)&src.addr6.sin6_addr,
				     src.addr4.sin_port,
				     ktime_get_coarse_boottime_ns(), NULL))
		return;
	if (!veil_socket_reply_buffer(vdev, skb, &reply, sizeof(reply)))
		veil_stat_inc(vdev, COOKIE_REPLIES_SENT);
}

void veil_send_stage(struct veil_peer *peer, struct sk_buff_head *list)
{
	struct veil_device *vdev = peer->vdev;
	struct sk_buff *skb;

	spin_lock_bh(&peer->staged.lock);
	skb_queue_splice_tail_init(list, &peer->staged);
	while (skb_queue_len(&peer->staged) > VEIL_MAX_STAGED) {
		skb = __skb_dequeue(&peer->staged);
		kfree_skb(skb);
		veil_stat_inc(vdev, TX_DROP_STAGED_OVERFLOW);
		DEV_STATS_INC(vdev->dev, tx_dropped);
	}
	spin_unlock_bh(&peer->staged.lock);
	veil_send_staged(peer);
}

void veil_send_keepalive(struct veil_peer *peer)
{
	struct sk_buff_head list;
	struct sk_buff *skb;

	if (skb_queue_empty_lockless(&peer->staged)) {
		skb = alloc_skb(VEIL_SEND_HEADROOM + VEIL_AEAD_TAG_LEN,
				GFP_ATOMIC);
		if (unlikely(!skb))
			return;
		skb_reserve(skb, VEIL_SEND_HEADROOM);
		skb->dev = peer->vdev->dev;
		VEIL_CB(skb)->mtu = 0;
		VEIL_CB(skb)->ds = 0;
		__skb_queue_head_init(&list);
		__skb_queue_tail(&list, skb);
		veil_send_stage(peer, &list);
		return;
	}
	veil_send_staged(peer);
}

/*
 * Turns a plaintext packet into a data message in place (protocol.md 6.1):
 * pads it, encrypts it under @nonce and puts the header in front. The
 * trailer is made writable with skb_cow_data().
 */
static bool veil_encrypt(struct sk_buff *skb, struct veil_keypair *kp,
			 u64 nonce)
{
	struct scatterlist sg[MAX_SKB_FRAGS + 8];
	unsigned int plain_len, padding, tail;
	struct veil_msg_data *hdr;
	struct sk_buff *trailer;
	int nsg;

	if (skb->ip_summed == CHECKSUM_PARTIAL && skb_checksum_help(skb))
		return false;
	plain_len = skb->len;
	padding = veil_padding_len(plain_len, VEIL_CB(skb)->mtu);
	tail = padding + VEIL_AEAD_TAG_LEN;

	nsg = skb_cow_data(skb, tail, &trailer);
	if (unlikely(nsg < 0 || nsg > ARRAY_SIZE(sg)))
		return false;
	if (unlikely(skb_cow_head(skb, VEIL_SEND_HEADROOM)))
		return false;
	memset(skb_tail_pointer(trailer), 0, padding);
	pskb_put(skb, trailer, tail);
	/* The tunnel helpers count the device's tx bytes from here. */
	skb_set_inner_network_header(skb, 0);

	hdr = skb_push(skb, sizeof(*hdr));
	hdr->header.type = cpu_to_le32(VEIL_MSG_DATA);
	hdr->key_idx = cpu_to_le32(kp->remote_index);
	hdr->counter = cpu_to_le64(nonce);

	sg_init_table(sg, nsg);
	if (skb_to_sgvec(skb, sg, sizeof(*hdr), plain_len + tail) <= 0)
		return false;
	return chacha20poly1305_encrypt_sg_inplace(sg, plain_len + padding,
						   NULL, 0, nonce,
						   kp->send_key);
}

/* Encrypts and sends one packet; returns whether it carried data. */
static bool veil_send_one(struct veil_peer *peer, struct veil_keypair *kp,
			  struct sk_buff *skb, u64 nonce)
{
	struct veil_device *vdev = peer->vdev;
	unsigned int plain_len = skb->len;
	u8 ds = VEIL_CB(skb)->ds;
	unsigned int len;

	if (unlikely(!veil_encrypt(skb, kp, nonce))) {
		kfree_skb(skb);
		veil_stat_inc(vdev, TX_DROP_OTHER);
		DEV_STATS_INC(vdev->dev, tx_errors);
		return false;
	}
	len = skb->len;
	/* The device's tx counters are kept by the UDP tunnel helpers. */
	if (veil_socket_send_skb(peer, skb, ds))
		return false;
	atomic64_add(len, &peer->tx_bytes);
	if (!plain_len) {
		veil_stat_inc(vdev, KEEPALIVES_SENT);
		return false;
	}
	return true;
}

static void veil_keep_key_fresh_on_send(struct veil_peer *peer,
					struct veil_keypair *kp)
{
	u64 age = (ktime_get_coarse_boottime_ns() - kp->birth) / NSEC_PER_SEC;

	if (READ_ONCE(kp->send_valid) &&
	    veil_should_rekey_on_send(age, atomic64_read(&kp->send_counter),
				      kp->is_initiator))
		veil_send_handshake_initiation(peer, false);
}

void veil_send_keep_key_fresh_on_receive(struct veil_peer *peer)
{
	struct veil_keypair *kp;
	bool rekey = false;
	u64 age;

	if (peer->sent_lastminute_handshake)
		return;
	rcu_read_lock_bh();
	kp = rcu_dereference_bh(peer->keypairs.current_keypair);
	if (kp && READ_ONCE(kp->send_valid)) {
		age = (ktime_get_coarse_boottime_ns() - kp->birth) /
		      NSEC_PER_SEC;
		rekey = veil_should_rekey_on_receive(age, kp->is_initiator);
	}
	rcu_read_unlock_bh();
	if (rekey) {
		peer->sent_lastminute_handshake = true;
		veil_send_handshake_initiation(peer, false);
	}
}

/* Puts @batch back in front of the staged queue, in order. */
static void veil_send_unstage(struct veil_peer *peer,
			      struct sk_buff_head *batch)
{
	spin_lock_bh(&peer->staged.lock);
	skb_queue_splice_init(batch, &peer->staged);
	spin_unlock_bh(&peer->staged.lock);
}

void veil_send_staged(struct veil_peer *peer)
{
	struct sk_buff_head batch;
	struct veil_keypair *kp;
	bool need_handshake;
	unsigned int passes = 0;
	bool sent_data;
	struct sk_buff *skb;
	u64 nonce;

again:
	if (skb_queue_empty_lockless(&peer->staged) ||
	    !spin_trylock_bh(&peer->tx_lock))
		return;

	need_handshake = false;
	sent_data = false;
	rcu_read_lock_bh();
	kp = veil_keypair_current(&peer->keypairs);
	rcu_read_unlock_bh();
	if (!kp || !READ_ONCE(kp->send_valid) ||
	    veil_has_expired(kp->birth, veil_reject_after_time())) {
		need_handshake = true;
		goto unlock;
	}

	__skb_queue_head_init(&batch);
	spin_lock_bh(&peer->staged.lock);
	skb_queue_splice_init(&peer->staged, &batch);
	spin_unlock_bh(&peer->staged.lock);

	while ((skb = __skb_dequeue(&batch)) != NULL) {
		nonce = atomic64_inc_return(&kp->send_counter) - 1;
		if (unlikely(nonce >= VEIL_REJECT_AFTER_MESSAGES)) {
			/* Never reuse a nonce: this key is done sending. */
			WRITE_ONCE(kp->send_valid, false);
			__skb_queue_head(&batch, skb);
			veil_send_unstage(peer, &batch);
			need_handshake = true;
			break;
		}
		sent_data |= veil_send_one(peer, kp, skb, nonce);
	}

	veil_timers_any_authenticated_packet_traversal(peer);
	veil_timers_any_authenticated_packet_sent(peer);
	if (sent_data)
		veil_timers_data_sent(peer);
	if (!need_handshake)
		veil_keep_key_fresh_on_send(peer, kp);
unlock:
	veil_keypair_put(kp);
	spin_unlock_bh(&peer->tx_lock);
	if (need_handshake) {
		veil_send_handshake_initiation(peer, false);
		return;
	}
	/*
	 * Packets staged while we held the lock were left to us. A bounded
	 * number of passes: a routing loop back into this device must not
	 * keep us here.
	 */
	if (++passes < 4)
		goto again;
}
