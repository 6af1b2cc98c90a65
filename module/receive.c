// SPDX-License-Identifier: GPL-2.0
/*
 * Receiving (protocol.md 5.3, 5.5, 6.2).
 *
 * The UDP hook sorts messages by type and exact size. Handshake messages
 * and cookie replies go to a bounded per-device queue drained by a worker
 * (the DH work must not run in softirq, and the queue length is the load
 * signal of protocol.md 5.3). Data messages are decrypted in the hook.
 */

#include <crypto/chacha20poly1305.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/scatterlist.h>
#include <linux/skbuff.h>
#include <linux/udp.h>
#include <net/dsfield.h>
#include <net/gro_cells.h>
#include <net/inet_ecn.h>

#include "device.h"
#include "packet.h"
#include "peer.h"
#include "receive.h"
#include "send.h"
#include "socket.h"
#include "timers.h"

#define VEIL_MAX_QUEUED_HANDSHAKES	4096
#define VEIL_UNDER_LOAD_QUEUE_LEN	(VEIL_MAX_QUEUED_HANDSHAKES / 8)

/* A received message refused for @reason: counted, also as rx_errors. */
static void veil_rx_error(struct veil_device *vdev, enum veil_stat reason)
{
	this_cpu_inc(vdev->stats->count[reason]);
	DEV_STATS_INC(vdev->dev, rx_errors);
}

static void veil_rx_drop(struct veil_device *vdev, struct sk_buff *skb,
			 enum veil_stat reason)
{
	veil_rx_error(vdev, reason);
	kfree_skb(skb);
}

/*
 * Is the device under load (protocol.md 5.3)? The queue is long now, or
 * was less than a second ago. Worker only.
 */
static bool veil_under_load(struct veil_device *vdev)
{
	if (skb_queue_len_lockless(&vdev->handshake_queue) >=
	    VEIL_UNDER_LOAD_QUEUE_LEN) {
		if (!vdev->last_under_load ||
		    time_after_eq(jiffies, vdev->last_under_load + HZ))
			veil_stat_inc(vdev, UNDER_LOAD);
		vdev->last_under_load = jiffies;
		return true;
	}
	return vdev->last_under_load &&
	       time_before(jiffies, vdev->last_under_load + HZ);
}

/* The source address of @skb, in the form veil_cookie_*() take. */
static const void *veil_source_addr(const struct sk_buff *skb,
				    sa_family_t *family)
{
	if (ip_hdr(skb)->version == 4) {
		*family = AF_INET;
		return &ip_hdr(skb)->saddr;
	}
	*family = AF_INET6;
	return &ipv6_hdr(skb)->saddr;
}

/*
 * Both ends sent an initiation at the same moment (both passed a rekey
 * limit together). Answering would overwrite our own initiation, and each
 * end would then refuse the other's response, again and again if the
 * retries meet too. A deterministic tie-break (a deviation from WireGuard,
 * which relies on the retransmission jitter alone): while our initiation
 * is younger than REKEY_TIMEOUT, the end with the larger public key ignores
 * the peer's and waits for the response to its own; the other end answers.
 * A stock peer answers as before, so it is never worse than WireGuard.
 * Not for an initiation from a new address (below).
 * Under @peer->hs_lock and @vdev->identity_lock (read).
 */
static bool veil_initiations_crossed(struct veil_device *vdev,
				     struct veil_peer *peer,
				     const struct sk_buff *skb)
{
	union veil_endpoint src, cur;

	if (peer->handshake.state != VEIL_HANDSHAKE_CREATED_INITIATION ||
	    veil_has_expired(atomic64_read(&peer->last_sent_handshake),
			     VEIL_REKEY_TIMEOUT) ||
	    memcmp(vdev->identity.static_public, peer->public_key,
		   VEIL_KEY_LEN) <= 0 ||
	    veil_socket_skb_source(skb, &src))
		return false;
	/*
	 * Only when the peer speaks from the endpoint ours went to (compared
	 * as roaming compares them, veil_peer_set_endpoint_from_skb()): it
	 * will get ours and answer. From anywhere else it has roamed (or its
	 * NAT rebound), ours may be lost, and only answering it brings it back.
	 */
	veil_peer_get_endpoint(peer, &cur);
	return !memcmp(&src, &cur, sizeof(src));
}

static void veil_receive_initiation(struct veil_device *vdev,
				    struct sk_buff *skb, u64 now)
{
	const struct veil_msg_initiation *msg = (void *)skb->data;
	struct veil_noise_initiation_scratch scratch;
	struct veil_peer *peer = NULL;
	bool ok;

	down_read(&vdev->identity_lock);
	ok = veil_noise_initiation_open(&vdev->identity, msg, &scratch);
	if (ok) {
		rcu_read_lock_bh();
		peer = veil_peer_lookup(vdev, scratch.remote_static);
		if (peer && !kref_get_unless_zero(&peer->refcount))
			peer = NULL;
		rcu_read_unlock_bh();
	}
	if (peer) {
		mutex_lock(&peer->hs_lock);
		if (veil_initiations_crossed(vdev, peer, skb)) {
			mutex_unlock(&peer->hs_lock);
			up_read(&vdev->identity_lock);
			veil_noise_scratch_wipe(&scratch);
			veil_stat_inc(vdev, HANDSHAKE_COLLISIONS);
			goto out;
		}
		ok = veil_noise_initiation_finish(&peer->handshake, &scratch,
						  msg,
						  peer->last_initiation_consumed,
						  now);
		if (ok)
			peer->last_initiation_consumed = now;
		mutex_unlock(&peer->hs_lock);
	} else {
		veil_noise_scratch_wipe(&scratch);
		ok = false;
	}
	up_read(&vdev->identity_lock);

	if (!ok) {
		veil_rx_error(vdev, VEIL_STAT_RX_DROP_HANDSHAKE_INVALID);
		goto out;
	}
	veil_stat_inc(vdev, HANDSHAKE_INITIATIONS_RECEIVED);
	veil_peer_set_endpoint_from_skb(peer, skb);
	atomic64_add(skb->len, &peer->rx_bytes);
	veil_timers_any_authenticated_packet_received(peer);
	veil_timers_any_authenticated_packet_traversal(peer);
	veil_send_handshake_response(peer);
out:
	if (peer)
		veil_peer_put(peer);
}

static void veil_receive_response(struct veil_device *vdev,
				  struct sk_buff *skb)
{
	const struct veil_msg_response *msg = (void *)skb->data;
	struct veil_keypair *kp = NULL;
	struct veil_index_entry *entry;
	struct veil_peer *peer;

	rcu_read_lock_bh();
	peer = veil_index_lookup(&vdev->index_table, VEIL_INDEX_HANDSHAKE,
				 le32_to_cpu(msg->receiver_index), &entry);
	rcu_read_unlock_bh();
	if (!peer) {
		veil_rx_error(vdev, VEIL_STAT_RX_DROP_HANDSHAKE_INVALID);
		return;
	}

	down_read(&vdev->identity_lock);
	mutex_lock(&peer->hs_lock);
	if (!READ_ONCE(peer->dead) &&
	    veil_noise_response_consume(&peer->handshake, &vdev->identity,
					msg))
		kp = veil_peer_begin_session(peer);
	mutex_unlock(&peer->hs_lock);
	up_read(&vdev->identity_lock);

	if (!kp) {
		veil_rx_error(vdev, VEIL_STAT_RX_DROP_HANDSHAKE_INVALID);
		goto out;
	}
	veil_stat_inc(vdev, HANDSHAKE_RESPONSES_RECEIVED);
	veil_peer_set_endpoint_from_skb(peer, skb);
	atomic64_add(skb->len, &peer->rx_bytes);
	veil_timers_any_authenticated_packet_received(peer);
	veil_timers_any_authenticated_packet_traversal(peer);
	veil_timers_session_derived(peer);
	veil_timers_handshake_complete(peer);
	/* Confirm the session to the responder: staged data or a keepalive. */
	veil_send_keepalive(peer);
out:
	veil_peer_put(peer);
}

static void veil_receive_cookie(struct veil_device *vdev, struct sk_buff *skb)
{
	const struct veil_msg_cookie *msg = (void *)skb->data;
	struct veil_index_entry *entry;
	struct veil_peer *peer;
	int ret = -ENOENT;

	rcu_read_lock_bh();
	peer = veil_index_lookup(&vdev->index_table,
				 VEIL_INDEX_HANDSHAKE | VEIL_INDEX_KEYPAIR,
				 le32_to_cpu(msg->receiver_index), &entry);
	rcu_read_unlock_bh();
	if (peer) {
		ret = veil_cookie_consume_reply(&peer->cookie_maker, msg,
						ktime_get_coarse_boottime_ns());
		veil_peer_put(peer);
	}
	if (ret)
		veil_rx_error(vdev, VEIL_STAT_RX_DROP_COOKIE_INVALID);
	else
		veil_stat_inc(vdev, COOKIE_REPLIES_RECEIVED);
}

static void veil_receive_handshake(struct veil_device *vdev,
				   struct sk_buff *skb)
{
	u32 type = le32_to_cpu(((struct veil_msg_header *)skb->data)->type);
	u64 now = ktime_get_coarse_boottime_ns();
	enum veil_cookie_mac_state macs;
	sa_family_t family;
	const void *addr;
	__be16 port;

	if (type == VEIL_MSG_HANDSHAKE_COOKIE) {
		veil_receive_cookie(vdev, skb);
		return;
	}

	addr = veil_source_addr(skb, &family);
	port = udp_hdr(skb)->source;
	/* mac1 before anything else, and before any DH (protocol.md 5.3). */
	macs = veil_cookie_validate(&vdev->cookie_checker, skb->data, skb->len,
				    family, addr, port, now);
	if (macs == VEIL_COOKIE_MAC_INVALID) {
		veil_rx_error(vdev, VEIL_STAT_RX_DROP_BAD_MAC1);
		return;
	}
	if (veil_under_load(vdev)) {
		if (macs != VEIL_COOKIE_MAC2_VALID) {
			veil_send_cookie_reply(vdev, skb);
			return;
		}
		if (!veil_ratelimiter_allow(&vdev->ratelimiter, family, addr,
					    now)) {
			veil_stat_inc(vdev, RX_DROP_RATELIMITED);
			DEV_STATS_INC(vdev->dev, rx_dropped);
			return;
		}
	}

	if (type == VEIL_MSG_HANDSHAKE_INITIATION)
		veil_receive_initiation(vdev, skb, now);
	else
		veil_receive_response(vdev, skb);
}

void veil_receive_handshake_work(struct work_struct *work)
{
	struct veil_device *vdev = container_of(work, struct veil_device,
						handshake_work);
	struct sk_buff *skb;

	while ((skb = skb_dequeue(&vdev->handshake_queue)) != NULL) {
		veil_receive_handshake(vdev, skb);
		consume_skb(skb);
		cond_resched();
	}
}

static void veil_queue_handshake(struct veil_device *vdev, struct sk_buff *skb)
{
	struct sk_buff_head *queue = &vdev->handshake_queue;

	/* The worker reads the message and the outer headers only. */
	skb_dst_drop(skb);
	spin_lock(&queue->lock);
	if (unlikely(skb_queue_len(queue) >= VEIL_MAX_QUEUED_HANDSHAKES)) {
		spin_unlock(&queue->lock);
		veil_rx_drop(vdev, skb, VEIL_STAT_RX_DROP_HANDSHAKE_QUEUE_FULL);
		return;
	}
	__skb_queue_tail(queue, skb);
	spin_unlock(&queue->lock);
	queue_work(veil_handshake_wq, &vdev->handshake_work);
}

/* Decrypts a data message in place; on success @skb is the plaintext. */
static bool veil_decrypt(struct sk_buff *skb, struct veil_keypair *kp,
			 u64 nonce)
{
	struct scatterlist sg[MAX_SKB_FRAGS + 8];
	unsigned int offset = sizeof(struct veil_msg_data);
	unsigned int len = skb->len - offset;
	struct sk_buff *trailer;
	int nsg;

	nsg = skb_cow_data(skb, 0, &trailer);
	if (unlikely(nsg < 0 || nsg > ARRAY_SIZE(sg)))
		return false;
	sg_init_table(sg, nsg);
	if (skb_to_sgvec(skb, sg, offset, len) <= 0)
		return false;
	if (!chacha20poly1305_decrypt_sg_inplace(sg, len, NULL, 0, nonce,
						 kp->recv_key))
		return false;
	__skb_pull(skb, offset);
	return !pskb_trim(skb, len - VEIL_AEAD_TAG_LEN);
}

/* Hands a decrypted, checked inner packet to the stack. */
static void veil_deliver(struct veil_device *vdev, struct sk_buff *skb,
			 __be16 proto, u8 outer_ds)
{
	struct net_device *dev = vdev->dev;
	unsigned int len = skb->len;

	skb_scrub_packet(skb, !net_eq(vdev->birth_net, dev_net(dev)));
	skb->dev = dev;
	skb->protocol = proto;
	skb->pkt_type = PACKET_HOST;
	skb_reset_mac_header(skb);
	skb_reset_network_header(skb);
	skb_probe_transport_header(skb);
	/* The AEAD authenticated every byte. */
	skb->ip_summed = CHECKSUM_UNNECESSARY;
	skb->csum_level = SKB_MAX_CSUM_LEVEL;
	/* RFC 6040 decapsulation; as WireGuard, the result is not enforced. */
	if (proto == htons(ETH_P_IP))
		INET_ECN_decapsulate(skb, outer_ds, ip_hdr(skb)->tos);
	else
		INET_ECN_decapsulate(skb, outer_ds,
				     ipv6_get_dsfield(ipv6_hdr(skb)));

	if (likely(gro_cells_receive(&vdev->gro_cells, skb) == NET_RX_SUCCESS))
		dev_sw_netstats_rx_add(dev, len);
	else
		DEV_STATS_INC(dev, rx_dropped);
}

static void veil_receive_data(struct veil_device *vdev, struct sk_buff *skb)
{
	const struct veil_msg_data *hdr = (void *)skb->data;
	unsigned int msg_len = skb->len;
	struct veil_index_entry *entry;
	struct veil_peer *peer, *routed;
	struct veil_keypair *kp;
	u8 outer_ds = VEIL_CB(skb)->ds;
	const void *saddr;
	__be16 proto;
	u64 counter;
	int len;

	counter = le64_to_cpu(hdr->counter);
	peer = veil_index_lookup(&vdev->index_table, VEIL_INDEX_KEYPAIR,
				 le32_to_cpu(hdr->key_idx), &entry);
	if (!peer) {
		veil_rx_drop(vdev, skb, VEIL_STAT_RX_DROP_UNKNOWN_INDEX);
		return;
	}
	kp = container_of(entry, struct veil_keypair, entry);
	if (!kref_get_unless_zero(&kp->refcount)) {
		veil_rx_drop(vdev, skb, VEIL_STAT_RX_DROP_UNKNOWN_INDEX);
		goto out_peer;
	}

	if (unlikely(!READ_ONCE(kp->recv_valid) ||
		     veil_has_expired(kp->birth, veil_reject_after_time()) ||
		     veil_replay_top(&kp->replay) >=
		     VEIL_REJECT_AFTER_MESSAGES)) {
		WRITE_ONCE(kp->recv_valid, false);
		veil_rx_drop(vdev, skb, VEIL_STAT_RX_DROP_KEY_EXPIRED);
		goto out;
	}
	if (!veil_decrypt(skb, kp, counter)) {
		veil_rx_drop(vdev, skb, VEIL_STAT_RX_DROP_BAD_TAG);
		goto out;
	}
	/* Only now, after authentication (protocol.md 14, item 7). */
	if (!veil_replay_check_and_update(&kp->replay, counter)) {
		veil_rx_drop(vdev, skb, VEIL_STAT_RX_DROP_REPLAY);
		goto out;
	}

	veil_peer_set_endpoint_from_skb(peer, skb);
	if (veil_keypairs_received_with(&peer->keypairs, kp)) {
		veil_timers_handshake_complete(peer);
		veil_send_staged(peer);
	}
	veil_send_keep_key_fresh_on_receive(peer);
	veil_timers_any_authenticated_packet_received(peer);
	veil_timers_any_authenticated_packet_traversal(peer);
	atomic64_add(msg_len, &peer->rx_bytes);

	if (!skb->len) {
		veil_stat_inc(vdev, KEEPALIVES_RECEIVED);
		consume_skb(skb);
		goto out;
	}
	veil_timers_data_received(peer);

	/* The inner packet's own length removes the padding. */
	if (!pskb_may_pull(skb, min_t(unsigned int, skb->len,
				      sizeof(struct ipv6hdr)))) {
		veil_rx_drop(vdev, skb, VEIL_STAT_RX_DROP_NO_MEMORY);
		goto out;
	}
	len = veil_inner_ip_len(skb->data, skb->len, &proto);
	if (len < 0 || pskb_trim(skb, len)) {
		veil_rx_drop(vdev, skb, VEIL_STAT_RX_DROP_BAD_INNER);
		goto out;
	}

	/* Cryptokey routing: the source must belong to this peer. */
	skb_reset_network_header(skb);
	if (proto == htons(ETH_P_IP))
		saddr = &ip_hdr(skb)->saddr;
	else
		saddr = &ipv6_hdr(skb)->saddr;
	routed = veil_aip_lookup(&vdev->aip, proto == htons(ETH_P_IP) ?
				 AF_INET : AF_INET6, saddr);
	if (routed != peer) {
		veil_rx_drop(vdev, skb, VEIL_STAT_RX_DROP_ALLOWEDIPS);
		goto out;
	}
	veil_deliver(vdev, skb, proto, outer_ds);
out:
	veil_keypair_put(kp);
out_peer:
	veil_peer_put(peer);
}

void veil_receive(struct veil_device *vdev, struct sk_buff *skb)
{
	unsigned int len;
	u32 type;

	if (ip_hdr(skb)->version == 4)
		VEIL_CB(skb)->ds = ipv4_get_dsfield(ip_hdr(skb));
	else
		VEIL_CB(skb)->ds = ipv6_get_dsfield(ipv6_hdr(skb));

	/* UDP checked the header and trimmed the datagram to its length. */
	__skb_pull(skb, sizeof(struct udphdr));
	len = skb->len;
	if (unlikely(!pskb_may_pull(skb, sizeof(struct veil_msg_header))))
		goto malformed;
	/* The whole word: the three reserved bytes must be zero. */
	type = le32_to_cpu(((struct veil_msg_header *)skb->data)->type);

	switch (type) {
	case VEIL_MSG_HANDSHAKE_INITIATION:
		if (len != sizeof(struct veil_msg_initiation))
			goto malformed;
		break;
	case VEIL_MSG_HANDSHAKE_RESPONSE:
		if (len != sizeof(struct veil_msg_response))
			goto malformed;
		break;
	case VEIL_MSG_HANDSHAKE_COOKIE:
		if (len != sizeof(struct veil_msg_cookie))
			goto malformed;
		break;
	case VEIL_MSG_DATA:
		if (len < VEIL_MSG_DATA_MIN_LEN ||
		    !pskb_may_pull(skb, sizeof(struct veil_msg_data)))
			goto malformed;
		veil_receive_data(vdev, skb);
		return;
	default:
		goto malformed;
	}

	/* A handshake message: linear for the worker. */
	if (unlikely(!pskb_may_pull(skb, len))) {
		veil_rx_drop(vdev, skb, VEIL_STAT_RX_DROP_NO_MEMORY);
		return;
	}
	veil_queue_handshake(vdev, skb);
	return;

malformed:
	veil_rx_drop(vdev, skb, VEIL_STAT_RX_DROP_MALFORMED);
}
