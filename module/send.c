// SPDX-License-Identifier: GPL-2.0
/*
 * Sending: handshake initiations and responses, cookie replies, keepalives
 * and data.
 *
 * Data first goes to the peer's staged queue (room for VEIL_MAX_STAGED
 * messages while no key may send, VEIL_MAX_QUEUED while one may; the oldest
 * packets dropped first) and leaves it only under a valid current keypair.
 * A GSO packet is staged whole, counted as the messages it becomes. One
 * CPU at a time drains a peer's queue (@tx_lock, taken with a trylock): it
 * takes the nonces in queue order (a GSO packet, one per segment) and
 * submits the packets, in jobs, to the device's tx job queue, which
 * segments and seals them in parallel and sends them in submission order
 * from the peer's serial CPU (see struct veil_tx_job). A CPU that finds the
 * lock taken leaves its packets to the holder, which looks at the queue
 * again after unlocking.
 *
 * Sealing copies as little as the skb allows (veil_seal_skb()), and
 * messages of equal size leave as one UDP GSO skb (veil_tx_finish()).
 *
 * Handshake messages are built in process context (a work item per peer
 * for initiations, the device's handshake worker for responses).
 */

#include <crypto/curve25519.h>
#include <linux/ip.h>
#include <linux/highmem.h>
#include <linux/ipv6.h>
#include <linux/slab.h>
#include <linux/scatterlist.h>
#include <linux/skbuff.h>
#include <linux/udp.h>
#include <net/ip_tunnels.h>

#include "device.h"
#include "crypt.h"
#include "fragcache.h"
#include "packet.h"
#include "parallel.h"
#include "peer.h"
#include "send.h"
#include "socket.h"
#include "timers.h"

/* Held back while the handshake runs, as WireGuard's staged queue. */
#define VEIL_MAX_STAGED 128
/*
 * With a key, the queue is only the hand-off to the CPU holding @tx_lock:
 * while it submits, other CPUs' GSO packets (45 segments each) pile up.
 */
#define VEIL_MAX_QUEUED 1024

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
	if (ok) {
		peer->initiation_created = ktime_get_coarse_boottime_ns();
		peer->crossed_until = 0;
	} else {
		veil_index_remove(&vdev->index_table, &peer->hs_entry);
	}
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
	/* Our slot now holds the peer's handshake, not ours. */
	peer->crossed_until = 0;
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

/* The data messages the packets of @list become. */
static unsigned int veil_queue_msgs(const struct sk_buff_head *list)
{
	unsigned int msgs = 0;
	struct sk_buff *skb;

	skb_queue_walk(list, skb)
		msgs += VEIL_CB(skb)->msgs;
	return msgs;
}

void veil_send_purge_staged(struct veil_peer *peer)
{
	struct sk_buff_head list;

	__skb_queue_head_init(&list);
	spin_lock_bh(&peer->staged.lock);
	skb_queue_splice_init(&peer->staged, &list);
	WRITE_ONCE(peer->staged_msgs, 0);
	spin_unlock_bh(&peer->staged.lock);
	__skb_queue_purge(&list);
}

void veil_send_stage(struct veil_peer *peer, struct sk_buff_head *list)
{
	struct veil_device *vdev = peer->vdev;
	unsigned int limit = VEIL_MAX_STAGED, msgs;
	struct veil_keypair *kp;
	struct sk_buff *skb;

	rcu_read_lock_bh();
	kp = rcu_dereference_bh(peer->keypairs.current_keypair);
	if (kp && READ_ONCE(kp->send_valid))
		limit = VEIL_MAX_QUEUED;
	rcu_read_unlock_bh();

	msgs = veil_queue_msgs(list);
	spin_lock_bh(&peer->staged.lock);
	skb_queue_splice_tail_init(list, &peer->staged);
	msgs += peer->staged_msgs;
	/* The newest packet stays, whatever its size. */
	while (msgs > limit && skb_queue_len(&peer->staged) > 1) {
		skb = __skb_dequeue(&peer->staged);
		msgs -= VEIL_CB(skb)->msgs;
		kfree_skb(skb);
		veil_stat_inc(vdev, TX_DROP_STAGED_OVERFLOW);
		DEV_STATS_INC(vdev->dev, tx_dropped);
	}
	WRITE_ONCE(peer->staged_msgs, msgs);
	spin_unlock_bh(&peer->staged.lock);
	/*
	 * We are often called under the sending socket's lock (TCP's small
	 * queues tasklet, or its ACK processing, sends from there). When
	 * padata has no work item left it runs a job's crypto synchronously,
	 * in the submitter: a whole job sealed while that lock is held, and
	 * the other CPU spinning on it. Then a worker submits instead.
	 */
	if (veil_pqueue_saturated()) {
		/* Like an initiation's work: see veil_peer_stop(). */
		rcu_read_lock_bh();
		if (!READ_ONCE(peer->dead)) {
			veil_stat_inc(vdev, TX_DEFERRED);
			veil_peer_get(peer);
			if (!queue_work(system_highpri_wq, &peer->tx_work))
				veil_peer_put(peer);
		}
		rcu_read_unlock_bh();
		return;
	}
	veil_send_staged(peer);
}

void veil_send_staged_work(struct work_struct *work)
{
	struct veil_peer *peer = container_of(work, struct veil_peer, tx_work);

	if (!READ_ONCE(peer->dead))
		veil_send_staged(peer);
	veil_peer_put(peer);
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
		VEIL_CB(skb)->msgs = 1;
		__skb_queue_head_init(&list);
		__skb_queue_tail(&list, skb);
		veil_send_stage(peer, &list);
		return;
	}
	veil_send_staged(peer);
}

/*
 * The old way, for the packets the cheap ones below cannot take: make the
 * whole packet writable with skb_cow_data() and seal it in place over a
 * scatterlist. Returns false on failure (the skb is left to the caller).
 */
static bool veil_encrypt_cow(struct sk_buff *skb, const u8 *key, u64 nonce,
			     unsigned int padding)
{
	struct scatterlist sg[MAX_SKB_FRAGS + 8];
	unsigned int plain_len = skb->len;
	unsigned int tail = padding + VEIL_AEAD_TAG_LEN;
	u8 tag[VEIL_AEAD_TAG_LEN];
	struct sk_buff *trailer;
	struct veil_seal seal;
	bool ok;
	int nsg;

	nsg = skb_cow_data(skb, tail, &trailer);
	if (unlikely(nsg < 0 || nsg > ARRAY_SIZE(sg)))
		return false;
	if (unlikely(skb_cow_head(skb, VEIL_SEND_HEADROOM)))
		return false;
	memset(skb_tail_pointer(trailer), 0, padding);
	pskb_put(skb, trailer, tail);
	sg_init_table(sg, nsg);
	if (skb_to_sgvec(skb, sg, 0, plain_len + tail) <= 0)
		return false;
	veil_seal_init(&seal, key, nonce);
	ok = veil_crypt_sg(&seal, sg, plain_len + padding, true);
	veil_seal_final(&seal, tag);
	if (ok)
		ok = !skb_store_bits(skb, plain_len + padding, tag, sizeof(tag));
	memzero_explicit(tag, sizeof(tag));
	return ok;
}

/*
 * Linear packet without tailroom: padding and tag go to a new page
 * fragment appended to the skb; the head is sealed in place.
 */
static bool veil_encrypt_tail_frag(struct sk_buff *skb, struct veil_seal *seal,
				   unsigned int padding)
{
	unsigned int tail = padding + VEIL_AEAD_TAG_LEN, offset;
	struct page *page;
	u8 *buf;

	buf = veil_frag_alloc(tail, &page, &offset);
	if (!buf)
		return false;
	memset(buf, 0, padding);
	veil_seal_update(seal, skb->data, skb->data, skb->len);
	veil_seal_update(seal, buf, buf, padding);
	veil_seal_final(seal, buf + padding);
	skb_fill_page_desc(skb, 0, page, offset, tail);
	skb->len += tail;
	skb->data_len += tail;
	/* A socket's accounting must see the truesize it charged. */
	if (!skb->sk)
		skb->truesize += tail;
	return true;
}

/*
 * Seals the @len bytes at @src to @buf + *@off and advances *@off; with
 * @sum, adds their checksum to it, @base being the bytes the sum covered
 * before @buf.
 */
static void veil_seal_piece(struct veil_seal *seal, u8 *buf, unsigned int *off,
			    const u8 *src, unsigned int len, __wsum *sum,
			    unsigned int base)
{
	if (sum)
		*sum = csum_block_add(*sum, veil_seal_xor_csum(seal, buf + *off,
							       src, len),
				      base + *off);
	else
		veil_seal_xor(seal, buf + *off, src, len);
	*off += len;
}

/*
 * Paged data that others may still read (TCP keeps the pages of a sent
 * segment for retransmission, sendfile() hands page-cache pages): sealed
 * out of place into one new page fragment, which also takes padding and
 * tag and then replaces every fragment. The head is private and sealed in
 * place.
 *
 * With @csum (CHECKSUM_PARTIAL, the field in the head), the inner checksum
 * is computed as the cipher passes over the payload instead of in a pass of
 * its own: the head is encrypted with the field as the stack left it (the
 * pseudo-header sum), the final value is XORed into the ciphertext when
 * the payload is done (a stream cipher: flipping ciphertext bits flips the
 * same plaintext bits), and only then does Poly1305 read the ciphertext.
 */
static bool veil_encrypt_out_of_place(struct sk_buff *skb,
				      struct veil_seal *seal,
				      unsigned int padding, bool csum)
{
	unsigned int tail = padding + VEIL_AEAD_TAG_LEN;
	unsigned int data_len = skb->data_len, off = 0, offset, i;
	unsigned int head = skb_headlen(skb), start = 0;
	struct skb_shared_info *shinfo = skb_shinfo(skb);
	__sum16 *field = NULL, seed = 0, check;
	struct page *page, *p;
	u32 p_off, p_len, copied;
	__wsum sum = 0;
	u8 *buf, *vaddr;

	buf = veil_frag_alloc(data_len + tail, &page, &offset);
	if (!buf)
		return false;
	if (csum) {
		/* The caller checked that the field lies in the head. */
		start = skb_checksum_start_offset(skb);
		field = (__sum16 *)(skb->data + start + skb->csum_offset);
		sum = csum_partial(skb->data + start, head - start, 0);
		seed = get_unaligned(field);
	}
	veil_seal_xor(seal, skb->data, skb->data, head);
	for (i = 0; i < shinfo->nr_frags; i++) {
		skb_frag_t *f = &shinfo->frags[i];

		if (!PageHighMem(skb_frag_page(f))) {
			/* Mapped whole: one piece, whatever pages it spans. */
			veil_seal_piece(seal, buf, &off, skb_frag_address(f),
					skb_frag_size(f), csum ? &sum : NULL,
					head - start);
			continue;
		}
		skb_frag_foreach_page(f, skb_frag_off(f), skb_frag_size(f),
				      p, p_off, p_len, copied) {
			vaddr = kmap_local_page(p);
			veil_seal_piece(seal, buf, &off, vaddr + p_off, p_len,
					csum ? &sum : NULL, head - start);
			kunmap_local(vaddr);
		}
	}
	memset(buf + off, 0, padding);
	veil_seal_xor(seal, buf + off, buf + off, padding);
	if (csum) {
		check = csum_fold(sum) ?: CSUM_MANGLED_0;
		/* The field holds the seed's ciphertext: swap in the result. */
		put_unaligned(get_unaligned(field) ^ seed ^ check, field);
	}
	veil_seal_mac(seal, skb->data, head);
	veil_seal_mac(seal, buf, off + padding);
	veil_seal_final(seal, buf + off + padding);

	for (i = 0; i < shinfo->nr_frags; i++)
		skb_frag_unref(skb, i);
	shinfo->nr_frags = 0;
	shinfo->flags &= ~SKBFL_SHARED_FRAG;
	skb_fill_page_desc(skb, 0, page, offset, data_len + tail);
	skb->len += tail;
	skb->data_len += tail;
	if (!skb->sk)
		skb->truesize += tail;
	if (csum)
		skb->ip_summed = CHECKSUM_NONE;
	return true;
}

/*
 * Turns a plaintext packet into a data message (protocol.md 6.1): pads it,
 * seals it under @nonce and puts the header in front, copying as little as
 * the skb allows:
 * - a private linear skb with tailroom is sealed in place, the trailer
 *   (padding and tag) written in the tailroom;
 * - a linear one without tailroom gets the trailer in a page fragment;
 * - paged data is never written: it is sealed out of place (above);
 * - a cloned head is first made private (header bytes only, the fragments
 *   stay shared);
 * - a frag_list, zerocopy fragments, more paged data than one page
 *   fragment takes, or a failed allocation: skb_cow_data(), as before.
 * Returns false on failure; the skb is left to the caller.
 */
bool veil_seal_skb(struct sk_buff *skb, const u8 key[VEIL_NOISE_KEY_LEN],
		   u64 nonce, unsigned int mtu, u32 remote_index,
		   enum veil_seal_path *path)
{
	unsigned int plain_len, padding, tail, nhead, ntail;
	struct veil_msg_data *hdr;
	/*
	 * Written by veil_seal_init() before any read: not zeroed at entry
	 * (CONFIG_INIT_STACK_ALL_ZERO), a cost on every message.
	 */
	struct veil_seal seal __uninitialized;
	bool csum;

	csum = skb->ip_summed == CHECKSUM_PARTIAL;
	plain_len = skb->len;
	padding = veil_padding_len(plain_len, mtu);
	tail = padding + VEIL_AEAD_TAG_LEN;

	if (skb_has_frag_list(skb) || skb_zcopy(skb) ||
	    skb->data_len + tail > PAGE_SIZE)
		goto cow;
	if (skb_cloned(skb) || skb_headroom(skb) < VEIL_SEND_HEADROOM) {
		nhead = max_t(int, VEIL_SEND_HEADROOM - skb_headroom(skb), 0);
		ntail = skb_is_nonlinear(skb) || skb_tailroom(skb) >= tail ?
			0 : tail;
		if (pskb_expand_head(skb, nhead, ntail, GFP_ATOMIC))
			goto cow;
	}

	/*
	 * The inner checksum: done while sealing paged data when its field
	 * is in the head (always so for TCP and UDP), else here.
	 */
	if (csum && (!skb_is_nonlinear(skb) ||
		     skb_checksum_start_offset(skb) + skb->csum_offset +
		     sizeof(__sum16) > skb_headlen(skb))) {
		if (skb_checksum_help(skb))
			return false;
		csum = false;
	}

	veil_seal_init(&seal, key, nonce);
	if (skb_is_nonlinear(skb)) {
		if (!veil_encrypt_out_of_place(skb, &seal, padding, csum))
			goto cow_wipe;
		*path = VEIL_SEAL_OUT_OF_PLACE;
	} else if (skb_tailroom(skb) >= tail) {
		memset(skb_tail_pointer(skb), 0, padding);
		__skb_put(skb, tail);
		veil_seal_update(&seal, skb->data, skb->data,
				 plain_len + padding);
		veil_seal_final(&seal, skb->data + plain_len + padding);
		*path = VEIL_SEAL_TAIL_INPLACE;
	} else {
		if (!veil_encrypt_tail_frag(skb, &seal, padding))
			goto cow_wipe;
		*path = VEIL_SEAL_TAIL_FRAG;
	}
	goto header;

cow_wipe:
	memzero_explicit(&seal, sizeof(seal));
cow:
	if (skb->ip_summed == CHECKSUM_PARTIAL && skb_checksum_help(skb))
		return false;
	if (!veil_encrypt_cow(skb, key, nonce, padding))
		return false;
	*path = VEIL_SEAL_COW;
header:
	/*
	 * The packet is ciphertext now: nothing may offload a checksum or
	 * segmentation into it. A tunnel device above us (VXLAN, GRE) left
	 * the encapsulation mark on, with which a NIC would read inner
	 * headers out of the ciphertext (and write into it). The tunnel
	 * helpers count the device's tx bytes from the inner network header.
	 */
	skb->encapsulation = 0;
	skb_set_inner_network_header(skb, 0);
	hdr = skb_push(skb, sizeof(*hdr));
	hdr->header.type = cpu_to_le32(VEIL_MSG_DATA);
	hdr->key_idx = cpu_to_le32(remote_index);
	hdr->counter = cpu_to_le64(nonce);
	return true;
}

/* veil_seal_skb() under @kp, counting the way it went. */
static bool veil_encrypt(struct veil_device *vdev, struct sk_buff *skb,
			 struct veil_keypair *kp, u64 nonce)
{
	enum veil_seal_path path;

	if (!veil_seal_skb(skb, kp->send_key, nonce, VEIL_CB(skb)->mtu,
			   kp->remote_index, &path))
		return false;
	switch (path) {
	case VEIL_SEAL_TAIL_INPLACE:
		veil_stat_inc(vdev, TX_TAIL_INPLACE);
		break;
	case VEIL_SEAL_TAIL_FRAG:
		veil_stat_inc(vdev, TX_TAIL_FRAG);
		break;
	case VEIL_SEAL_OUT_OF_PLACE:
		veil_stat_inc(vdev, TX_OUT_OF_PLACE);
		break;
	case VEIL_SEAL_COW:
		veil_stat_inc(vdev, TX_COW);
		break;
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
	unsigned int msgs = veil_queue_msgs(batch);

	spin_lock_bh(&peer->staged.lock);
	skb_queue_splice_init(batch, &peer->staged);
	WRITE_ONCE(peer->staged_msgs, peer->staged_msgs + msgs);
	spin_unlock_bh(&peer->staged.lock);
}

/*
 * A transmit job: staged packets of one peer that become up to VEIL_JOB_MAX
 * messages (one packet at least), their nonces taken in order under the
 * peer's @tx_lock. crypt() segments and seals them (any CPU, several jobs
 * at once), finish() sends them as UDP GSO batches of up to
 * VEIL_GSO_MAX_MSGS (on the peer's serial CPU, after every earlier job of
 * the device's tx queue).
 * The job owns its packets and one reference each to the peer and the
 * keypair, and finish() releases all of them, whatever happened.
 */
struct veil_tx_job {
	struct veil_job job;
	struct veil_peer *peer;
	struct veil_keypair *kp;
	struct sk_buff_head skbs;	/* VEIL_CB(skb)->nonce set */
	unsigned int msgs;		/* messages @skbs become */
};

/* Largest batch payload: a 64 KB IP datagram less the outer headers. */
#define VEIL_BATCH_MAX_LEN \
	(IP_MAX_MTU - sizeof(struct ipv6hdr) - sizeof(struct udphdr))

/*
 * Whether what is staged waits for a job of the peer in flight; the next
 * job to finish then takes all of it, in jobs of up to VEIL_JOB_MAX messages
 * that leave as UDP GSO batches. It waits:
 * - when the peer has two jobs per online CPU in flight, enough to keep
 *   every CPU encrypting;
 * - when it has any in flight and fewer than VEIL_TX_CORK_FEW messages are
 *   staged. A job of a packet or two costs two padata hand-offs (a worker
 *   wake-up each) and a pass through the outer stack, far more than the
 *   crypto of a small packet: a stream of small packets gathers behind the
 *   job in flight instead. A GSO packet of the local TCP stack mostly
 *   becomes more messages than that, and goes at once.
 * A packet with nothing in flight never waits. The caller reads the count
 * after staging, and veil_tx_finish() after counting its job out, each with
 * a full barrier in between, so a packet cannot be left staged unseen.
 */
#define VEIL_TX_CORK_FEW 16

static bool veil_tx_jobs_full(int jobs)
{
	return jobs >= 2 * (int)num_online_cpus();
}

static bool veil_tx_corked(struct veil_peer *peer)
{
	int jobs = atomic_read(&peer->tx_jobs);

	return veil_tx_jobs_full(jobs) ||
	       (jobs && READ_ONCE(peer->staged_msgs) < VEIL_TX_CORK_FEW);
}

/* Seals @skb as message @nonce and queues it on @out, or drops it. */
static void veil_tx_seal_one(struct veil_tx_job *tj, struct sk_buff *skb,
			     u64 nonce, struct sk_buff_head *out)
{
	struct veil_device *vdev = tj->peer->vdev;

	if (likely(veil_encrypt(vdev, skb, tj->kp, nonce))) {
		__skb_queue_tail(out, skb);
		return;
	}
	kfree_skb(skb);
	veil_stat_inc(vdev, TX_DROP_OTHER);
	DEV_STATS_INC(vdev->dev, tx_errors);
}

/*
 * A staged GSO packet: segmented (veil_send_segment()), then sealed under
 * the nonces taken for it. The segmenter should make exactly as many
 * segments as the stack counted; one more than there are nonces would
 * reuse one and is dropped instead.
 */
static void veil_tx_segment(struct veil_tx_job *tj, struct sk_buff *skb,
			    struct sk_buff_head *out)
{
	struct veil_device *vdev = tj->peer->vdev;
	struct veil_skb_cb cb = *VEIL_CB(skb);
	struct sk_buff *segs, *next;
	unsigned int i = 0;

	segs = veil_send_segment(skb);
	if (IS_ERR(segs)) {
		kfree_skb(skb);
		veil_stat_inc(vdev, TX_DROP_OTHER);
		DEV_STATS_INC(vdev->dev, tx_errors);
		return;
	}
	if (!segs) {
		/* Short enough to be one segment as it is. */
		skb_gso_reset(skb);
		veil_tx_seal_one(tj, skb, cb.nonce, out);
		return;
	}
	consume_skb(skb);
	veil_stat_inc(vdev, TX_GSO_SPLIT);
	skb_list_walk_safe(segs, skb, next) {
		skb_mark_not_on_list(skb);
		if (unlikely(i >= cb.msgs)) {
			kfree_skb(skb);
			veil_stat_inc(vdev, TX_DROP_OTHER);
			DEV_STATS_INC(vdev->dev, tx_errors);
			continue;
		}
		*VEIL_CB(skb) = cb;
		VEIL_CB(skb)->msgs = 1;
		veil_tx_seal_one(tj, skb, cb.nonce + i++, out);
	}
}

static void veil_tx_crypt(struct veil_job *job)
{
	struct veil_tx_job *tj = container_of(job, struct veil_tx_job, job);
	struct sk_buff_head sealed;
	struct sk_buff *skb;

	__skb_queue_head_init(&sealed);
	while ((skb = __skb_dequeue(&tj->skbs)) != NULL) {
		if (skb_is_gso(skb))
			veil_tx_segment(tj, skb, &sealed);
		else
			veil_tx_seal_one(tj, skb, VEIL_CB(skb)->nonce, &sealed);
	}
	skb_queue_splice(&sealed, &tj->skbs);
}

/*
 * Batch layout, one that skb_segment() splits without copying payload: the
 * first message is the head, the others hang on its frag_list, one skb per
 * message, each with its header in its linear part. The head's length is
 * gso_size; every other message but the last has that length too, the last
 * is no longer. The UDP checksum is left to the segmenter or the NIC
 * (CHECKSUM_PARTIAL; the UDP header goes right in front of the head).
 */
static void veil_batch_add(struct sk_buff *head, struct sk_buff **tail,
			   struct sk_buff *skb)
{
	/*
	 * The batch owns its messages' memory from here: a sending socket's
	 * charge is settled now (skb_orphan()), so that the head's truesize
	 * can cover the whole chain, as a receiver splitting it expects.
	 */
	if (*tail == head) {
		skb_orphan(head);
		skb_shinfo(head)->frag_list = skb;
	} else {
		(*tail)->next = skb;
	}
	skb_orphan(skb);
	*tail = skb;
	head->len += skb->len;
	head->data_len += skb->len;
	head->truesize += skb->truesize;
}

static void veil_batch_seal(struct sk_buff *head, unsigned int msg_len,
			    unsigned int segs)
{
	struct skb_shared_info *shinfo = skb_shinfo(head);

	shinfo->gso_size = msg_len;
	/*
	 * UDP segments a GSO datagram bound for a tunnel socket, at a clone
	 * and a head copy per message (skb_segment()), unless it has the
	 * tunnel mark (udp_unexpected_gso()): with it, a veil receiver across
	 * a veth gets the batch whole even without GRO and only unchains it
	 * (veil_socket_split()). With skb->encapsulation clear the mark
	 * changes nothing else: a device takes the batch whole only with
	 * NETIF_F_FRAGLIST and NETIF_F_GSO_UDP_TUNNEL (a veth), and software
	 * GSO cuts it as plain UDP_L4 (udp4_ufo_fragment()).
	 */
	shinfo->gso_type = SKB_GSO_UDP_L4 | SKB_GSO_UDP_TUNNEL;
	shinfo->gso_segs = segs;
	head->encapsulation = 0;
	head->ip_summed = CHECKSUM_PARTIAL;
	head->csum_start = skb_headroom(head) - sizeof(struct udphdr);
	head->csum_offset = offsetof(struct udphdr, check);
	/*
	 * The tunnel helpers add skb->len minus this offset to the device's
	 * tx bytes: leave out every message header, not only the first.
	 */
	skb_set_inner_network_header(head, segs * sizeof(struct veil_msg_data));
}

struct sk_buff *veil_send_unbatch(struct sk_buff *head)
{
	struct sk_buff *list = skb_shinfo(head)->frag_list, *skb;

	skb_shinfo(head)->frag_list = NULL;
	for (skb = list; skb; skb = skb->next) {
		head->len -= skb->len;
		head->data_len -= skb->len;
		head->truesize -= skb->truesize;
		skb->dev = head->dev;
		skb->mark = head->mark;
	}
	skb_gso_reset(head);
	head->ip_summed = CHECKSUM_NONE;
	skb_set_inner_network_header(head, sizeof(struct veil_msg_data));
	return list;
}

static void veil_tx_finish(struct veil_job *job)
{
	struct veil_tx_job *tj = container_of(job, struct veil_tx_job, job);
	struct veil_peer *peer = tj->peer;
	struct veil_device *vdev = peer->vdev;
	unsigned int msg_len, segs, keepalives, total;
	struct sk_buff *head, *tail, *skb;
	bool sent_data = false, own_list;
	u8 ds;

	while ((head = __skb_dequeue(&tj->skbs)) != NULL) {
		msg_len = head->len;
		ds = VEIL_CB(head)->ds;
		total = msg_len;
		segs = 1;
		keepalives = msg_len == VEIL_MSG_DATA_MIN_LEN;
		own_list = skb_has_frag_list(head);
		tail = head;
		/* A message with a frag_list of its own goes alone. */
		while (!own_list &&
		       (skb = skb_peek(&tj->skbs)) != NULL &&
		       skb->len <= msg_len && VEIL_CB(skb)->ds == ds &&
		       !skb_has_frag_list(skb) && segs < VEIL_GSO_MAX_MSGS &&
		       total + skb->len <= VEIL_BATCH_MAX_LEN) {
			__skb_unlink(skb, &tj->skbs);
			skb->next = NULL;
			keepalives += skb->len == VEIL_MSG_DATA_MIN_LEN;
			veil_batch_add(head, &tail, skb);
			total += skb->len;
			segs++;
			/* A shorter message can only be the last one. */
			if (skb->len < msg_len)
				break;
		}
		head->mark = 0;
		if (segs > 1) {
			veil_batch_seal(head, msg_len, segs);
			veil_stat_inc(vdev, TX_GSO_BATCHES);
			veil_stat_add(vdev, TX_GSO_SEGMENTS, segs);
		} else {
			veil_stat_inc(vdev, TX_SINGLE);
		}
		/* The device's tx counters are kept by the UDP tunnel helpers. */
		if (veil_socket_send_skb(peer, head, ds))
			continue;
		atomic64_add(total, &peer->tx_bytes);
		if (keepalives)
			veil_stat_add(vdev, KEEPALIVES_SENT, keepalives);
		sent_data |= keepalives < segs;
	}

	veil_timers_any_authenticated_packet_traversal(peer);
	veil_timers_any_authenticated_packet_sent(peer);
	if (sent_data)
		veil_timers_data_sent(peer);
	veil_keep_key_fresh_on_send(peer, tj->kp);
	veil_keypair_put(tj->kp);
	kfree(tj);
	atomic_dec(&peer->tx_jobs);
	/*
	 * Count this job out before looking at @staged and @tx_lock: pairs
	 * with the barriers in veil_send_staged(), so that either we see what
	 * a corked sender left staged, or it sees the room we made.
	 */
	smp_mb__after_atomic();
	if (!veil_tx_corked(peer) && !READ_ONCE(peer->dead))
		veil_send_staged(peer);
	veil_peer_put(peer);
}

/*
 * Moves packets of up to VEIL_JOB_MAX messages from @batch into a new job
 * and numbers them. Under @tx_lock. Returns the job, or NULL when nothing
 * was taken; sets *@exhausted when the key may not send any more.
 */
static struct veil_tx_job *veil_tx_job_fill(struct veil_peer *peer,
					    struct veil_keypair *kp,
					    struct sk_buff_head *batch,
					    bool *exhausted)
{
	struct veil_tx_job *tj;
	struct sk_buff *skb;
	unsigned int msgs;
	u64 nonce;

	tj = kmalloc(sizeof(*tj), GFP_ATOMIC);
	if (unlikely(!tj))
		return NULL;
	__skb_queue_head_init(&tj->skbs);
	tj->msgs = 0;
	while ((skb = skb_peek(batch)) != NULL) {
		msgs = VEIL_CB(skb)->msgs;
		if (tj->msgs && tj->msgs + msgs > VEIL_JOB_MAX)
			break;
		/* A GSO packet takes a nonce for each of its messages. */
		nonce = atomic64_add_return(msgs, &kp->send_counter) - msgs;
		if (unlikely(nonce + msgs > VEIL_REJECT_AFTER_MESSAGES)) {
			/* Never reuse a nonce: this key is done sending. */
			WRITE_ONCE(kp->send_valid, false);
			*exhausted = true;
			break;
		}
		__skb_unlink(skb, batch);
		VEIL_CB(skb)->nonce = nonce;
		__skb_queue_tail(&tj->skbs, skb);
		tj->msgs += msgs;
	}
	if (skb_queue_empty(&tj->skbs)) {
		kfree(tj);
		return NULL;
	}
	tj->job.crypt = veil_tx_crypt;
	tj->job.finish = veil_tx_finish;
	tj->peer = veil_peer_get(peer);
	tj->kp = veil_keypair_get(kp);
	return tj;
}

/*
 * Hands what is staged to the device's tx queue, in jobs. One CPU at a
 * time per peer (@tx_lock, BHs off) takes the nonces and submits, so a
 * peer's jobs are numbered and queued in order; padata finishes them in
 * that order, on the peer's serial CPU. Timers and the rekey check run as
 * each job is sent.
 */
void veil_send_staged(struct veil_peer *peer)
{
	struct veil_device *vdev = peer->vdev;
	struct sk_buff_head batch;
	struct veil_tx_job *tj;
	struct veil_keypair *kp;
	bool need_handshake, corked;
	unsigned int passes = 0;
	struct sk_buff *skb;
	bool may_inline;

again:
	if (skb_queue_empty_lockless(&peer->staged) ||
	    !spin_trylock_bh(&peer->tx_lock))
		return;

	/* What was staged before the count is read (veil_tx_finish()). */
	smp_mb__after_spinlock();
	need_handshake = false;
	corked = veil_tx_corked(peer);
	if (corked) {
		kp = NULL;
		goto unlock;
	}
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
	WRITE_ONCE(peer->staged_msgs, 0);
	spin_unlock_bh(&peer->staged.lock);

	while (!skb_queue_empty(&batch)) {
		tj = veil_tx_job_fill(peer, kp, &batch, &need_handshake);
		if (!tj)
			break;
		skb = skb_peek(&tj->skbs);
		may_inline = veil_pqueue_may_inline(tj->msgs, skb->len);
		atomic_inc(&peer->tx_jobs);
		veil_pqueue_submit(&vdev->tx_queue, &tj->job, peer->serial_cpu,
				   may_inline);
	}
	if (need_handshake) {
		veil_send_unstage(peer, &batch);
	} else if (unlikely(!skb_queue_empty(&batch))) {
		/* No memory for a job. */
		veil_stat_add(vdev, TX_DROP_OTHER, skb_queue_len(&batch));
		DEV_STATS_ADD(vdev->dev, tx_dropped, skb_queue_len(&batch));
		__skb_queue_purge(&batch);
	}
unlock:
	veil_keypair_put(kp);
	spin_unlock_bh(&peer->tx_lock);
	if (need_handshake) {
		veil_send_handshake_initiation(peer, false);
		return;
	}
	if (corked) {
		/*
		 * A job that finished while we held the lock could not take
		 * over: unlock, then read the count again (pairs with
		 * veil_tx_finish()).
		 */
		smp_mb();
		if (!veil_tx_corked(peer))
			goto again;
		if (!veil_tx_jobs_full(atomic_read(&peer->tx_jobs)))
			veil_stat_inc(vdev, TX_GATHERED);
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
