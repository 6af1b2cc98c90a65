// SPDX-License-Identifier: GPL-2.0
/*
 * Receiving (protocol.md 5.3, 5.5, 6.2).
 *
 * The UDP hook sorts messages by type and exact size. Handshake messages
 * and cookie replies go to a bounded per-device queue drained by a worker
 * (the DH work must not run in softirq, and the queue length is the load
 * signal of protocol.md 5.3). Data messages are batched and decrypted by
 * the device's receive job queue (below).
 */

#include <linux/highmem.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/scatterlist.h>
#include <linux/skbuff.h>
#include <linux/udp.h>
#include <net/dsfield.h>
#include <net/inet_ecn.h>

#include "crypt.h"
#include "device.h"
#include "packet.h"
#include "parallel.h"
#include "peer.h"
#include "receive.h"
#include "send.h"
#include "socket.h"
#include "timers.h"

#define VEIL_MAX_QUEUED_HANDSHAKES	4096
#define VEIL_UNDER_LOAD_QUEUE_LEN	(VEIL_MAX_QUEUED_HANDSHAKES / 8)

/*
 * Under load, a handshake message that has waited longer than this since it
 * reached the socket is dropped unanswered (rx_drop_handshake_stale). The
 * queues in front of the handshake worker hold thousands of messages; when
 * the worker is slow, the last of them would be answered after the
 * initiator's REKEY_TIMEOUT, when it has moved on to a new initiation and
 * refuses the answer. Skipping the stale ones costs no crypto, so the
 * worker spends its time on answers that can still be used.
 */
static unsigned int handshake_max_wait_ms = 2000;
module_param(handshake_max_wait_ms, uint, 0644);
MODULE_PARM_DESC(handshake_max_wait_ms,
		 "under load, drop handshake messages that waited longer (ms, default 2000)");

/*
 * A received datagram's state in its control block from the hook until it
 * is sorted by type: when it reached the socket. Handshake messages keep it
 * until the worker takes them; data messages overwrite it (veil_rx_cb).
 */
struct veil_rx_queued_cb {
	unsigned long arrived;	/* jiffies */
};

#define VEIL_QUEUED_CB(skb) ((struct veil_rx_queued_cb *)(skb)->cb)

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

/* Is @now less than a second after @last, the stamp of the load state? */
static bool veil_load_stamp_recent(unsigned long last, unsigned long now)
{
	return last && time_before(now, last + HZ);
}

/* Was the device under load less than a second ago? Any context. */
static bool veil_recently_under_load(struct veil_device *vdev)
{
	return veil_load_stamp_recent(READ_ONCE(vdev->last_under_load),
				      jiffies);
}

/*
 * The device is under load now. Any context; writers race harmlessly (each
 * stores the current time), except that two of them may both count the
 * same start of a period under load. Under a flood this runs for every
 * dropped message on both CPUs, so the shared cache line is written at
 * most once a jiffy.
 */
static void veil_mark_under_load(struct veil_device *vdev)
{
	unsigned long now = jiffies;
	unsigned long last = READ_ONCE(vdev->last_under_load);

	if (last == now)
		return;
	if (!veil_load_stamp_recent(last, now))
		veil_stat_inc(vdev, UNDER_LOAD);
	WRITE_ONCE(vdev->last_under_load, now);
}

/*
 * Is the device under load (protocol.md 5.3)? The queue is long now, or
 * was less than a second ago, or a stale message was dropped less than a
 * second ago (veil_drop_stale_handshake()).
 */
static bool veil_under_load(struct veil_device *vdev)
{
	if (skb_queue_len_lockless(&vdev->handshake_queue) >=
	    VEIL_UNDER_LOAD_QUEUE_LEN) {
		veil_mark_under_load(vdev);
		return true;
	}
	return veil_recently_under_load(vdev);
}

/*
 * Has the handshake message @skb waited too long to be worth an answer
 * under load? Without a flood, a slow worker answers everything; the
 * callers add "under load".
 */
static bool veil_handshake_waited_too_long(const struct sk_buff *skb)
{
	unsigned long max_wait =
		msecs_to_jiffies(READ_ONCE(handshake_max_wait_ms));

	return time_after(jiffies, VEIL_QUEUED_CB(skb)->arrived + max_wait);
}

/*
 * Drops a handshake message that waited too long under load. That is load
 * too, and it keeps the device under load: when the receive cells in front
 * of the queue hold more than handshake_max_wait_ms of work, every message
 * is dropped there and the handshake queue runs short. Judged by the queue
 * alone, the device would then leave the load state, the worker would spend
 * a DH on every flooded initiation, and the cells would fall further behind.
 */
static void veil_drop_stale_handshake(struct veil_device *vdev,
				      struct sk_buff *skb)
{
	veil_mark_under_load(vdev);
	veil_rx_drop(vdev, skb, VEIL_STAT_RX_DROP_HANDSHAKE_STALE);
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
 *
 * The peer's initiation may also arrive just after its response to ours
 * (it answered ours after sending its own, and the two can pass each
 * other on the way or in the handshake workers). Its initiation is dead
 * then: answering ours replaced it in its handshake slot, so it would
 * refuse our response. Answering anyway would only install a next keypair
 * that is never confirmed and free our previous one, which the peer still
 * sends with until it sees the new session: what it has in flight would
 * be dropped as unknown index. So it is ignored for a few round trips of
 * our handshake after the response (@crossed_until, set when it is
 * consumed). A peer that lost its state and starts over that quickly is
 * answered at its retry.
 *
 * Not for an initiation from a new address (below).
 * Under @peer->hs_lock and @vdev->identity_lock (read).
 */
static bool veil_initiations_crossed(struct veil_device *vdev,
				     struct veil_peer *peer,
				     const struct sk_buff *skb, u64 now)
{
	union veil_endpoint src, cur;
	bool ours_pending, same;

	ours_pending = peer->handshake.state == VEIL_HANDSHAKE_CREATED_INITIATION &&
		       !veil_has_expired(atomic64_read(&peer->last_sent_handshake),
					 VEIL_REKEY_TIMEOUT);
	/*
	 * Only when the peer speaks from the endpoint ours went to (compared
	 * as roaming compares them, veil_peer_set_endpoint_from_skb()): it
	 * will get ours and answer. From anywhere else it has roamed (or its
	 * NAT rebound), ours may be lost, and only answering it brings it back.
	 */
	veil_peer_get_endpoint(peer, &cur);
	same = !veil_socket_skb_source(skb, &src) &&
	       !memcmp(&src, &cur, sizeof(src));
	return veil_initiation_is_crossed(ours_pending, now, peer->crossed_until,
					  memcmp(vdev->identity.static_public,
						 peer->public_key,
						 VEIL_KEY_LEN) > 0,
					  same);
}

/*
 * Our initiation was answered: how long a crossed initiation of the peer's
 * may still come in behind the response (veil_initiations_crossed()).
 * Under @peer->hs_lock.
 */
static void veil_crossed_window(struct veil_peer *peer)
{
	u64 now = ktime_get_coarse_boottime_ns();

	peer->crossed_until = now +
		veil_crossed_window_ns(now - peer->initiation_created);
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
		if (veil_initiations_crossed(vdev, peer, skb, now)) {
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
	if (kp)
		veil_crossed_window(peer);
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
		if (veil_handshake_waited_too_long(skb) &&
		    veil_under_load(vdev)) {
			veil_drop_stale_handshake(vdev, skb);
		} else {
			veil_receive_handshake(vdev, skb);
			consume_skb(skb);
		}
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

/*
 * The data path (docs/design.md, "Data path").
 *
 * The hook (softirq, RCU) checks each data message's header, finds its
 * keypair by receiver index and checks the key's validity, then gathers
 * consecutive messages of one keypair into a batch (up to
 * VEIL_RX_BATCH_MAX). A batch is a job on the device's receive queue:
 * crypt() decrypts each message wherever padata runs it and records the
 * verdict in the skb's control block; finish() runs on the peer's serial
 * CPU in submission order and does everything that needs the
 * authenticated counter or touches the peer's state: the replay check,
 * roaming, key confirmation, timers, the inner checks, cryptokey routing
 * and delivery. A lone small message (an ACK, a keepalive) is done inline
 * when nothing of the queue is in flight.
 *
 * Ownership: the job owns its skbs and one reference each to the peer and
 * the keypair, all dropped by finish(). Every skb is freed exactly once,
 * each drop counted with its reason. The device outlives its jobs: ndo_stop
 * drains the queue after the sockets (and so this hook) are gone.
 */
#define VEIL_RX_BATCH_MAX	64

/* A data message's state in its skb's control block, once UDP is done. */
struct veil_rx_cb {
	u64 counter;
	unsigned int wire_len;	/* the message's length as received */
	u8 ds;			/* the outer DS field */
	bool authentic;		/* decrypted, tag verified */
};

#define VEIL_RX_CB(skb) ((struct veil_rx_cb *)(skb)->cb)

struct veil_rx_job {
	struct veil_job job;
	struct veil_device *vdev;
	struct veil_peer *peer;
	struct veil_keypair *kp;
	struct sk_buff_head skbs;
};

/* Batch being gathered by the hook; @job is NULL while empty. */
struct veil_rx_batch {
	struct veil_device *vdev;
	struct veil_rx_job *job;
	u32 key_idx;
};

/*
 * Decrypts @len bytes at @offset of an skb without a frag_list, in place:
 * the head's part, then page by page each fragment's, kmapped in turn.
 * No scatterlist is built: the pieces go straight to the cipher.
 */
static bool veil_open_frags(struct veil_seal *s, struct sk_buff *skb,
			    unsigned int offset, unsigned int len)
{
	struct skb_shared_info *shinfo = skb_shinfo(skb);
	unsigned int head = skb_headlen(skb), i, n;
	u32 p_off, p_len, copied;
	struct page *p;
	u8 *vaddr;

	if (offset < head) {
		n = min(len, head - offset);
		veil_open_update(s, skb->data + offset, skb->data + offset, n);
		len -= n;
		offset = 0;
	} else {
		offset -= head;
	}
	for (i = 0; len && i < shinfo->nr_frags; i++) {
		skb_frag_t *f = &shinfo->frags[i];

		if (offset >= skb_frag_size(f)) {
			offset -= skb_frag_size(f);
			continue;
		}
		n = min(len, skb_frag_size(f) - offset);
		if (!PageHighMem(skb_frag_page(f))) {
			/* Mapped whole: one piece, whatever pages it spans. */
			vaddr = skb_frag_address(f) + offset;
			veil_open_update(s, vaddr, vaddr, n);
		} else {
			skb_frag_foreach_page(f, skb_frag_off(f) + offset, n,
					      p, p_off, p_len, copied) {
				vaddr = kmap_local_page(p);
				veil_open_update(s, vaddr + p_off,
						 vaddr + p_off, p_len);
				kunmap_local(vaddr);
			}
		}
		len -= n;
		offset = 0;
	}
	return !len;
}

/*
 * The same through a scatterlist, for an skb that skb_cow_data() left with
 * a frag_list (its stack frame holds the table; kept apart from the common
 * path).
 */
static noinline bool veil_open_sg(struct veil_seal *s, struct sk_buff *skb,
				  unsigned int offset, unsigned int len,
				  int nsg)
{
	struct scatterlist sg[MAX_SKB_FRAGS + 8];

	if (unlikely(nsg > ARRAY_SIZE(sg)))
		return false;
	sg_init_table(sg, nsg);
	if (len && skb_to_sgvec(skb, sg, offset, len) <= 0)
		return false;
	return veil_crypt_sg(s, sg, len, false);
}

/*
 * Decrypts a data message in place; on success @skb is the plaintext. A
 * buffer that is ours to write (not a clone, no page shared with anyone
 * such as spliced file pages, no frag_list) is decrypted where it lies,
 * linear part and page fragments alike; any other is made private first.
 */
bool veil_open_skb(struct sk_buff *skb, const u8 key[VEIL_NOISE_KEY_LEN],
		   u64 nonce, bool *cow)
{
	unsigned int offset = sizeof(struct veil_msg_data);
	unsigned int len = skb->len - offset - VEIL_AEAD_TAG_LEN;
	u8 tag[VEIL_AEAD_TAG_LEN];
	struct sk_buff *trailer;
	/* Written by veil_seal_init() before any read: not zeroed at entry. */
	struct veil_seal s __uninitialized;
	int nsg = 0;
	bool ok;

	if (likely(!skb_cloned(skb) && !skb_has_shared_frag(skb) &&
		   !skb_has_frag_list(skb))) {
		*cow = false;
	} else {
		nsg = skb_cow_data(skb, 0, &trailer);
		*cow = true;
		if (unlikely(nsg < 0))
			return false;
	}
	if (skb_copy_bits(skb, offset + len, tag, sizeof(tag)))
		return false;
	veil_seal_init(&s, key, nonce);
	if (likely(!skb_has_frag_list(skb)))
		ok = veil_open_frags(&s, skb, offset, len);
	else
		ok = veil_open_sg(&s, skb, offset, len, nsg);
	/* Always: it wipes the stream. */
	ok = veil_open_final(&s, tag) && ok;
	if (!ok)
		return false;
	__skb_pull(skb, offset);
	/* The plaintext: the outer packet's offload state says nothing of it. */
	skb->encapsulation = 0;
	return !pskb_trim(skb, len);
}

/* veil_open_skb() under @kp, counting the way it went. */
static bool veil_decrypt(struct veil_device *vdev, struct sk_buff *skb,
			 struct veil_keypair *kp, u64 nonce)
{
	bool cow, ok;

	ok = veil_open_skb(skb, kp->recv_key, nonce, &cow);
	if (cow)
		veil_stat_inc(vdev, RX_COW);
	else
		veil_stat_inc(vdev, RX_INPLACE);
	return ok;
}

static int veil_rx_cell_deliver(struct veil_device *vdev, struct sk_buff *skb);

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

	if (likely(veil_rx_cell_deliver(vdev, skb) == NET_RX_SUCCESS))
		dev_sw_netstats_rx_add(dev, len);
	else
		DEV_STATS_INC(dev, rx_dropped);
}

/*
 * What the authentic messages of one job did to their peer, gathered as
 * they are delivered and applied once after the last (veil_rx_account()):
 * a job's messages arrived within moments of each other, and a timer or
 * counter touched once per job ends where it would per message.
 * @src: the outer addresses (the IP header's source and destination), UDP
 * source port and input device of the latest message whose
 * endpoint was taken (@version 0: none yet), so that a message from the
 * same place costs a comparison, not an endpoint update.
 */
struct veil_rx_tally {
	u64 bytes;
	unsigned int authentic;
	unsigned int keepalives;
	bool data;
	u8 version;
	__be16 port;
	int iif;
	u8 src[sizeof_field(struct ipv6hdr, addrs)];
};

/*
 * Roaming (protocol.md 9): the peer's endpoint is where its latest
 * authentic message came from. Only a message from somewhere else than the
 * one before it in the job updates it.
 */
static void veil_rx_track_source(struct veil_peer *peer, struct sk_buff *skb,
				 struct veil_rx_tally *t)
{
	u8 version = ip_hdr(skb)->version;
	__be16 port = udp_hdr(skb)->source;
	const void *addrs;
	size_t len;

	if (version == 4) {
		addrs = &ip_hdr(skb)->addrs;
		len = sizeof(ip_hdr(skb)->addrs);
	} else {
		addrs = &ipv6_hdr(skb)->addrs;
		len = sizeof(ipv6_hdr(skb)->addrs);
	}
	if (version == t->version && port == t->port &&
	    skb->skb_iif == t->iif && !memcmp(addrs, t->src, len))
		return;
	veil_peer_set_endpoint_from_skb(peer, skb);
	t->version = version;
	t->port = port;
	t->iif = skb->skb_iif;
	memcpy(t->src, addrs, len);
}

/* The peer's bookkeeping for the authentic messages of a job. */
static void veil_rx_account(struct veil_rx_job *rj,
			    const struct veil_rx_tally *t)
{
	struct veil_peer *peer = rj->peer;

	if (!t->authentic)
		return;
	veil_send_keep_key_fresh_on_receive(peer);
	veil_timers_any_authenticated_packet_received(peer);
	veil_timers_any_authenticated_packet_traversal(peer);
	atomic64_add(t->bytes, &peer->rx_bytes);
	if (t->keepalives)
		veil_stat_add(rj->vdev, KEEPALIVES_RECEIVED, t->keepalives);
	if (t->data)
		veil_timers_data_received(peer);
}

/*
 * The serial stage for one message, in arrival order: everything that
 * needs the authenticated counter or the peer's state. Caller holds
 * rcu_read_lock_bh(). Consumes @skb.
 */
static void veil_rx_message(struct veil_rx_job *rj, struct sk_buff *skb,
			    struct veil_rx_tally *t)
{
	struct veil_device *vdev = rj->vdev;
	struct veil_peer *peer = rj->peer, *routed;
	struct veil_keypair *kp = rj->kp;
	const void *saddr;
	__be16 proto;
	int len;

	if (!VEIL_RX_CB(skb)->authentic) {
		veil_rx_drop(vdev, skb, VEIL_STAT_RX_DROP_BAD_TAG);
		return;
	}
	/* Only now, after authentication (protocol.md 14, item 7). */
	if (!veil_replay_check_and_update(&kp->replay,
					  VEIL_RX_CB(skb)->counter)) {
		veil_rx_drop(vdev, skb, VEIL_STAT_RX_DROP_REPLAY);
		return;
	}

	veil_rx_track_source(peer, skb, t);
	/* The first message under a new key confirms it: send what waits. */
	if (!t->authentic++ &&
	    veil_keypairs_received_with(&peer->keypairs, kp)) {
		veil_timers_handshake_complete(peer);
		veil_send_staged(peer);
	}
	t->bytes += VEIL_RX_CB(skb)->wire_len;

	if (!skb->len) {
		t->keepalives++;
		consume_skb(skb);
		return;
	}
	t->data = true;

	/* The inner packet's own length removes the padding. */
	if (!pskb_may_pull(skb, min_t(unsigned int, skb->len,
				      sizeof(struct ipv6hdr)))) {
		veil_rx_drop(vdev, skb, VEIL_STAT_RX_DROP_NO_MEMORY);
		return;
	}
	len = veil_inner_ip_len(skb->data, skb->len, &proto);
	if (len < 0 || pskb_trim(skb, len)) {
		veil_rx_drop(vdev, skb, VEIL_STAT_RX_DROP_BAD_INNER);
		return;
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
		return;
	}
	veil_deliver(vdev, skb, proto, VEIL_RX_CB(skb)->ds);
}

/* Parallel stage: decrypt each message of the batch, keep the verdicts. */
static void veil_rx_crypt(struct veil_job *job)
{
	struct veil_rx_job *rj = container_of(job, struct veil_rx_job, job);
	struct sk_buff *skb;

	skb_queue_walk(&rj->skbs, skb)
		VEIL_RX_CB(skb)->authentic =
			veil_decrypt(rj->vdev, skb, rj->kp,
				     VEIL_RX_CB(skb)->counter);
}

/* Serial stage: the messages in order, then the job's references. */
static void veil_rx_finish(struct veil_job *job)
{
	struct veil_rx_job *rj = container_of(job, struct veil_rx_job, job);
	struct veil_rx_tally tally;
	struct sk_buff *skb;

	memset(&tally, 0, sizeof(tally));
	rcu_read_lock_bh();
	while ((skb = __skb_dequeue(&rj->skbs)) != NULL)
		veil_rx_message(rj, skb, &tally);
	veil_rx_account(rj, &tally);
	rcu_read_unlock_bh();
	veil_keypair_put(rj->kp);
	veil_peer_put(rj->peer);
	kfree(rj);
}

/* Submits the batch being gathered, if any. */
static void veil_rx_batch_submit(struct veil_rx_batch *b)
{
	struct veil_rx_job *rj = b->job;
	bool small;

	if (!rj)
		return;
	b->job = NULL;
	small = veil_pqueue_may_inline(skb_queue_len(&rj->skbs),
				       skb_peek(&rj->skbs)->len);
	veil_pqueue_submit(&b->vdev->rx_queue, &rj->job, rj->peer->serial_cpu,
			   small);
}

/*
 * A data message, @skb->data at its header: find and check its key, add
 * it to the batch. Consumes @skb.
 */
static void veil_receive_data(struct veil_rx_batch *b, struct sk_buff *skb)
{
	const struct veil_msg_data *hdr = (void *)skb->data;
	struct veil_device *vdev = b->vdev;
	u32 key_idx = le32_to_cpu(hdr->key_idx);
	struct veil_index_entry *entry;
	struct veil_peer *peer;
	struct veil_keypair *kp;
	struct veil_rx_job *rj;

	VEIL_RX_CB(skb)->counter = le64_to_cpu(hdr->counter);
	VEIL_RX_CB(skb)->wire_len = skb->len;

	if (b->job && b->key_idx == key_idx &&
	    skb_queue_len(&b->job->skbs) < VEIL_RX_BATCH_MAX) {
		__skb_queue_tail(&b->job->skbs, skb);
		return;
	}
	veil_rx_batch_submit(b);

	peer = veil_index_lookup(&vdev->index_table, VEIL_INDEX_KEYPAIR,
				 key_idx, &entry);
	if (!peer) {
		veil_rx_drop(vdev, skb, VEIL_STAT_RX_DROP_UNKNOWN_INDEX);
		return;
	}
	kp = container_of(entry, struct veil_keypair, entry);
	if (!kref_get_unless_zero(&kp->refcount)) {
		veil_rx_drop(vdev, skb, VEIL_STAT_RX_DROP_UNKNOWN_INDEX);
		goto err_peer;
	}
	if (unlikely(!READ_ONCE(kp->recv_valid) ||
		     veil_has_expired(kp->birth, veil_reject_after_time()) ||
		     veil_replay_top(&kp->replay) >=
		     VEIL_REJECT_AFTER_MESSAGES)) {
		WRITE_ONCE(kp->recv_valid, false);
		veil_rx_drop(vdev, skb, VEIL_STAT_RX_DROP_KEY_EXPIRED);
		goto err_kp;
	}
	rj = kmalloc(sizeof(*rj), GFP_ATOMIC);
	if (unlikely(!rj)) {
		veil_rx_drop(vdev, skb, VEIL_STAT_RX_DROP_NO_MEMORY);
		goto err_kp;
	}
	rj->job.crypt = veil_rx_crypt;
	rj->job.finish = veil_rx_finish;
	rj->vdev = vdev;
	rj->peer = peer;
	rj->kp = kp;
	__skb_queue_head_init(&rj->skbs);
	__skb_queue_tail(&rj->skbs, skb);
	b->job = rj;
	b->key_idx = key_idx;
	return;

err_kp:
	veil_keypair_put(kp);
err_peer:
	veil_peer_put(peer);
}

/* One datagram of a receive, @skb->data at its UDP header. */
static void veil_receive_one(struct veil_rx_batch *b, struct sk_buff *skb)
{
	struct veil_device *vdev = b->vdev;
	bool cloned = skb_cloned(skb);
	unsigned int len;
	u32 type;
	u8 ds;

	if (ip_hdr(skb)->version == 4)
		ds = ipv4_get_dsfield(ip_hdr(skb));
	else
		ds = ipv6_get_dsfield(ipv6_hdr(skb));

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
		/*
		 * Pulling gives a cloned skb (a packet capture holds the
		 * other clone) a head of its own, but its page fragments stay
		 * shared with the clone: they must not be decrypted in place.
		 */
		if (cloned && !skb_cloned(skb) && skb_shinfo(skb)->nr_frags)
			skb_shinfo(skb)->flags |= SKBFL_SHARED_FRAG;
		VEIL_RX_CB(skb)->ds = ds;
		veil_receive_data(b, skb);
		return;
	default:
		goto malformed;
	}

	/* A handshake message: linear for the worker, unless already stale. */
	if (unlikely(veil_handshake_waited_too_long(skb) &&
		     veil_recently_under_load(vdev))) {
		veil_drop_stale_handshake(vdev, skb);
		return;
	}
	if (unlikely(!pskb_may_pull(skb, len))) {
		veil_rx_drop(vdev, skb, VEIL_STAT_RX_DROP_NO_MEMORY);
		return;
	}
	veil_queue_handshake(vdev, skb);
	return;

malformed:
	veil_rx_drop(vdev, skb, VEIL_STAT_RX_DROP_MALFORMED);
}

/*
 * Receive cells.
 *
 * UDP calls the hook once per datagram, also for the datagrams it cuts out
 * of a GSO packet that our GRO did not mark (a local sender's, across a
 * veth without NAPI) and for every datagram of a sender that does not
 * batch (stock WireGuard) when nothing aggregates them on the way. Jobs of
 * one message each would pay padata's hand-offs per message. So the hook
 * only queues what it gets on this CPU's cell and schedules the cell's NAPI
 * context; its poll, later in the same softirq run, takes up to a NAPI
 * budget of messages at once and batches them (veil_receive_batch()).
 *
 * The hook fills a cell only on its own CPU, with BHs off; the poll runs
 * there too, except after CPU hotplug, when NAPI moves a dead CPU's
 * scheduled contexts to a live one, which may still be polling the cell
 * when its CPU comes back: so the queue keeps its lock (once per hook call
 * and per poll, uncontended). Received datagrams keep no route: the dst of
 * a receive is only valid in the RCU section it came with.
 */
#define VEIL_RX_CELL_MAX	4096	/* datagrams waiting per cell */

/* Processes the datagrams of @list in order, batching data messages. */
static void veil_receive_batch(struct veil_device *vdev,
			       struct sk_buff_head *list)
{
	struct veil_rx_batch b = { .vdev = vdev };
	struct sk_buff *skb;

	while ((skb = __skb_dequeue(list)) != NULL)
		veil_receive_one(&b, skb);
	veil_rx_batch_submit(&b);
}

void veil_receive_enqueue(struct veil_device *vdev, struct sk_buff_head *list)
{
	struct veil_rx_cell *cell = this_cpu_ptr(vdev->rx_cells);
	unsigned long now = jiffies;	/* one arrival time for the list */
	struct sk_buff *skb;
	bool idle;

	spin_lock(&cell->queue.lock);
	idle = skb_queue_empty(&cell->queue);
	while ((skb = __skb_dequeue(list)) != NULL) {
		if (unlikely(skb_queue_len(&cell->queue) >= VEIL_RX_CELL_MAX)) {
			veil_rx_drop(vdev, skb, VEIL_STAT_RX_DROP_BACKLOG);
			continue;
		}
		skb_dst_drop(skb);
		VEIL_QUEUED_CB(skb)->arrived = now;
		__skb_queue_tail(&cell->queue, skb);
	}
	if (idle && !skb_queue_empty(&cell->queue))
		napi_schedule(&cell->napi);
	spin_unlock(&cell->queue.lock);
}

static int veil_rx_cell_poll(struct napi_struct *napi, int budget)
{
	struct veil_rx_cell *cell = container_of(napi, struct veil_rx_cell,
						 napi);
	struct sk_buff_head list;
	int done;

	__skb_queue_head_init(&list);
	spin_lock(&cell->queue.lock);
	while (skb_queue_len(&list) < budget && !skb_queue_empty(&cell->queue))
		__skb_queue_tail(&list, __skb_dequeue(&cell->queue));
	spin_unlock(&cell->queue.lock);
	done = skb_queue_len(&list);
	rcu_read_lock();
	veil_receive_batch(cell->vdev, &list);
	rcu_read_unlock();
	if (done < budget)
		napi_complete_done(napi, done);
	return done;
}

/*
 * The output side of a cell: decrypted packets go through GRO, so that TCP
 * gets large segments, from the cell's second NAPI context (gro_cells
 * would do, but bounds its queue at netdev_max_backlog, 1000 by default:
 * padata runs every finished job of a CPU in one BH-off section, and a few
 * jobs of 64 messages overflow that before GRO may run).
 */
#define VEIL_RX_CELL_OUT_MAX	8192	/* packets waiting per cell */

static int veil_rx_cell_deliver(struct veil_device *vdev, struct sk_buff *skb)
{
	struct net_device *dev = vdev->dev;
	struct veil_rx_cell *cell;

	if (unlikely(!(dev->flags & IFF_UP)))
		goto drop;
	if (netif_elide_gro(dev))
		return netif_rx(skb);
	cell = this_cpu_ptr(vdev->rx_cells);
	spin_lock(&cell->out.lock);
	if (unlikely(skb_queue_len(&cell->out) >= VEIL_RX_CELL_OUT_MAX)) {
		spin_unlock(&cell->out.lock);
		goto drop;
	}
	__skb_queue_tail(&cell->out, skb);
	if (skb_queue_len(&cell->out) == 1)
		napi_schedule(&cell->gro_napi);
	spin_unlock(&cell->out.lock);
	return NET_RX_SUCCESS;

drop:
	kfree_skb(skb);
	return NET_RX_DROP;
}

static int veil_rx_cell_gro_poll(struct napi_struct *napi, int budget)
{
	struct veil_rx_cell *cell = container_of(napi, struct veil_rx_cell,
						 gro_napi);
	struct sk_buff_head list;
	struct sk_buff *skb;
	int done;

	__skb_queue_head_init(&list);
	spin_lock(&cell->out.lock);
	while (skb_queue_len(&list) < budget && !skb_queue_empty(&cell->out))
		__skb_queue_tail(&list, __skb_dequeue(&cell->out));
	spin_unlock(&cell->out.lock);
	done = skb_queue_len(&list);
	while ((skb = __skb_dequeue(&list)) != NULL)
		napi_gro_receive(napi, skb);
	if (done < budget)
		napi_complete_done(napi, done);
	return done;
}

int veil_rx_cells_init(struct veil_device *vdev)
{
	struct veil_rx_cell *cell;
	int cpu;

	vdev->rx_cells = alloc_percpu(struct veil_rx_cell);
	if (!vdev->rx_cells)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		cell = per_cpu_ptr(vdev->rx_cells, cpu);
		skb_queue_head_init(&cell->queue);
		skb_queue_head_init(&cell->out);
		cell->vdev = vdev;
		/* Nothing here for a busy poller: it would run on any CPU. */
		set_bit(NAPI_STATE_NO_BUSY_POLL, &cell->napi.state);
		set_bit(NAPI_STATE_NO_BUSY_POLL, &cell->gro_napi.state);
		netif_napi_add(vdev->dev, &cell->napi, veil_rx_cell_poll);
		netif_napi_add(vdev->dev, &cell->gro_napi,
			       veil_rx_cell_gro_poll);
		napi_enable(&cell->napi);
		napi_enable(&cell->gro_napi);
	}
	vdev->rx_cells_listed = true;
	return 0;
}

void veil_rx_cells_flush(struct veil_device *vdev)
{
	struct veil_rx_cell *cell;
	int cpu;

	for_each_possible_cpu(cpu) {
		cell = per_cpu_ptr(vdev->rx_cells, cpu);
		/* Waits for a scheduled poll to run (and submit its jobs). */
		napi_disable(&cell->napi);
		/* The hook is gone (sockets released): nobody adds more. */
		skb_queue_purge(&cell->queue);
		napi_enable(&cell->napi);
	}
}

/* Takes one NAPI context of a cell off the device and empties its queue. */
static void veil_rx_cell_remove(struct napi_struct *napi,
				struct sk_buff_head *queue)
{
	napi_disable(napi);
	__netif_napi_del(napi);
	skb_queue_purge(queue);
}

void veil_rx_cells_del(struct veil_device *vdev)
{
	struct veil_rx_cell *cell;
	int cpu;

	/* Twice when register_netdevice() fails after ndo_init. */
	if (!vdev->rx_cells || !vdev->rx_cells_listed)
		return;
	vdev->rx_cells_listed = false;
	for_each_possible_cpu(cpu) {
		cell = per_cpu_ptr(vdev->rx_cells, cpu);
		veil_rx_cell_remove(&cell->napi, &cell->queue);
	}
	/* Jobs still running deliver into the cells' output side. */
	veil_pqueue_drain(&vdev->rx_queue);
	for_each_possible_cpu(cpu) {
		cell = per_cpu_ptr(vdev->rx_cells, cpu);
		veil_rx_cell_remove(&cell->gro_napi, &cell->out);
	}
}

/* After veil_rx_cells_del(), which left the cells empty; may sleep. */
void veil_rx_cells_free(struct veil_device *vdev)
{
	if (!vdev->rx_cells)
		return;
	/* netpoll walks the device's NAPI list under RCU. */
	synchronize_net();
	free_percpu(vdev->rx_cells);
	vdev->rx_cells = NULL;
}
