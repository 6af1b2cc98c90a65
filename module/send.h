/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Everything a veil device sends: handshake messages, cookie replies,
 * keepalives and data (protocol.md 5, 6.1, 8.2).
 */
#ifndef _VEIL_SEND_H
#define _VEIL_SEND_H

#include <linux/skbuff.h>
#include <linux/types.h>

struct veil_device;
struct veil_peer;

/*
 * Outer DS field of handshake messages: AF41 (protocol.md 11). Data
 * packets carry only the inner packet's ECN bits.
 */
#define VEIL_HANDSHAKE_DSFIELD 0x88

/* Per-packet state of staged and received packets, in skb->cb. */
struct veil_skb_cb {
	u64 nonce;
	u16 mtu;
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
/* Sends what is staged if a key allows, else requests a handshake. */
void veil_send_staged(struct veil_peer *peer);

/*
 * Takes a UDP GSO batch of data messages apart (for a route whose MTU the
 * messages do not fit): @head keeps its own message and is a plain skb
 * again; the others are returned as a NULL-terminated list.
 */
struct sk_buff *veil_send_unbatch(struct sk_buff *head);

/* Rekey check after receiving data (protocol.md 8.2). */
void veil_send_keep_key_fresh_on_receive(struct veil_peer *peer);

#endif /* _VEIL_SEND_H */
