/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Everything a veil device sends: handshake messages, cookie replies,
 * keepalives and data (protocol.md 5, 6.1, 8.2).
 */
#ifndef _VEIL_SEND_H
#define _VEIL_SEND_H

#include <linux/ipv6.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/types.h>
#include <linux/udp.h>

#include "messages.h"

struct veil_device;
struct veil_peer;

/*
 * Outer DS field of handshake messages: AF41 (protocol.md 11). Data
 * packets carry only the inner packet's ECN bits.
 */
#define VEIL_HANDSHAKE_DSFIELD 0x88

/* Room in front of a data message for its header and the outer ones. */
#define VEIL_SEND_HEADROOM \
	(sizeof(struct veil_msg_data) + sizeof(struct udphdr) + \
	 sizeof(struct ipv6hdr) + LL_MAX_HEADER)

/*
 * Per-packet state of staged and received packets, in skb->cb. A staged
 * GSO packet is segmented only when it is sealed (veil_tx_crypt()): it
 * stands for @msgs data messages, numbered from @nonce on.
 */
struct veil_skb_cb {
	u64 nonce;
	u16 mtu;
	u16 msgs;		/* staged: data messages it becomes */
	u8 ds;			/* received: the outer DS field */
};

#define VEIL_CB(skb) ((struct veil_skb_cb *)(skb)->cb)

/*
 * Requests a handshake initiation (from any context): it is built and sent
 * from a work item, unless one went out less than REKEY_TIMEOUT ago.
 * @is_retry: timer retransmission (keeps the attempt count).
 */
void veil_send_handshake_initiation(struct veil_peer *peer, bool is_retry);
void veil_send_handshake_initiation_work(struct work_struct *work);
/* Responder side: builds and sends the response (process context). */
void veil_send_handshake_response(struct veil_peer *peer);
/* Sends a cookie reply to the source of the refused message @skb. */
void veil_send_cookie_reply(struct veil_device *vdev, struct sk_buff *skb);
/* A keepalive, unless data is already staged; then sends what is staged. */
void veil_send_keepalive(struct veil_peer *peer);
/* Moves plaintext packets to the staged queue and sends what it can. */
void veil_send_stage(struct veil_peer *peer, struct sk_buff_head *list);
/*
 * Most messages of one UDP GSO batch (UDP_MAX_SEGMENTS in 6.1), and so of
 * a staged GSO packet: a larger one is segmented before it is staged.
 */
#define VEIL_GSO_MAX_MSGS 64
/*
 * Most messages of one transmit job: one batch. (Jobs of two batches did
 * not gain in make bench and let TCP retransmit.)
 */
#define VEIL_JOB_MAX VEIL_GSO_MAX_MSGS
/*
 * Cuts a GSO packet into segments that keep referring to its pages (the
 * encryption copies the payload once, out of place) and leave their
 * checksums to the encryption. As skb_gso_segment().
 */
static inline struct sk_buff *veil_send_segment(struct sk_buff *skb)
{
	return skb_gso_segment(skb, NETIF_F_SG | NETIF_F_HW_CSUM);
}

/* Drops everything staged (any context). */
void veil_send_purge_staged(struct veil_peer *peer);
/* Sends what is staged if a key allows, else requests a handshake. */
void veil_send_staged(struct veil_peer *peer);
void veil_send_staged_work(struct work_struct *work);

/*
 * Takes a UDP GSO batch of data messages apart (for a route whose MTU the
 * messages do not fit): @head keeps its own message and is a plain skb
 * again; the others are returned as a NULL-terminated list.
 */
struct sk_buff *veil_send_unbatch(struct sk_buff *head);

/* How veil_seal_skb() sealed a packet (the TX_* strategy counters). */
enum veil_seal_path {
	VEIL_SEAL_TAIL_INPLACE,	/* padding and tag in the tailroom */
	VEIL_SEAL_TAIL_FRAG,	/* ... in an appended page fragment */
	VEIL_SEAL_OUT_OF_PLACE,	/* paged data sealed into a new fragment */
	VEIL_SEAL_COW,		/* skb_cow_data(), then in place */
};

/*
 * Turns the plaintext packet @skb into a data message (protocol.md 6.1):
 * pads it for @mtu (veil_padding_len()), seals it under @key and @nonce and
 * pushes the header (receiver index @remote_index). The paged data of @skb
 * and the data of its clones are never written. Returns false on failure
 * (the skb is left to the caller, in no particular state); on success
 * *@path says how it went. Any context.
 */
bool veil_seal_skb(struct sk_buff *skb, const u8 key[VEIL_NOISE_KEY_LEN],
		   u64 nonce, unsigned int mtu, u32 remote_index,
		   enum veil_seal_path *path);

/* Rekey check after receiving data (protocol.md 8.2). */
void veil_send_keep_key_fresh_on_receive(struct veil_peer *peer);

#endif /* _VEIL_SEND_H */
