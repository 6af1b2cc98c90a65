/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Everything a veil device receives on its UDP sockets (protocol.md 5.3,
 * 5.5, 6.2).
 */
#ifndef _VEIL_RECEIVE_H
#define _VEIL_RECEIVE_H

#include <linux/skbuff.h>

#include "messages.h"

struct veil_device;

/*
 * The UDP encapsulation hook's work: the datagrams of one receive (one, or
 * those of a split aggregate, in arrival order), each with ->data at its
 * UDP header, checksums verified. Consumes them all and leaves @list empty.
 * Softirq, under RCU.
 */
void veil_receive_list(struct veil_device *vdev, struct sk_buff_head *list);
/*
 * Decrypts the data message @skb (->data at its header, which is in the
 * linear part, and at least VEIL_MSG_DATA_MIN_LEN long) under @key and
 * @nonce, in place. On success @skb is the padded plaintext. *@cow is set
 * to whether the buffer had to be made private first (a clone, shared
 * fragments or a frag_list), also on failure. Any context.
 */
bool veil_open_skb(struct sk_buff *skb, const u8 key[VEIL_NOISE_KEY_LEN],
		   u64 nonce, bool *cow);
/* The handshake worker: processes the device's handshake queue. */
void veil_receive_handshake_work(struct work_struct *work);

#endif /* _VEIL_RECEIVE_H */
