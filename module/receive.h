/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Everything a veil device receives on its UDP sockets (protocol.md 5.3,
 * 5.5, 6.2).
 */
#ifndef _VEIL_RECEIVE_H
#define _VEIL_RECEIVE_H

#include <linux/netdevice.h>
#include <linux/skbuff.h>

#include "messages.h"

struct veil_device;

/*
 * The receive cells: one queue and NAPI context per CPU and device, where
 * the UDP hook leaves what it receives (receive.c, "Receive cells").
 */
struct veil_rx_cell {
	struct sk_buff_head queue;	/* datagrams from the UDP hook */
	struct napi_struct napi;	/* batches @queue into jobs */
	struct sk_buff_head out;	/* decrypted packets for the stack */
	struct napi_struct gro_napi;	/* feeds @out to GRO */
	struct veil_device *vdev;
};

int veil_rx_cells_init(struct veil_device *vdev);
/* Stops and empties every cell: no poll runs after it. May sleep. */
void veil_rx_cells_flush(struct veil_device *vdev);
/*
 * Unregistration (RTNL; idempotent): stops the input side, drains the
 * device's receive jobs (they deliver into the cells), stops the output
 * side, removes the NAPI contexts and drops what the cells hold;
 * veil_rx_cells_free() frees them later.
 */
void veil_rx_cells_del(struct veil_device *vdev);
void veil_rx_cells_free(struct veil_device *vdev);

/*
 * The UDP encapsulation hook's work: the datagrams of one receive (one, or
 * those of a split aggregate, in arrival order), each with ->data at its
 * UDP header, checksums verified, go to this CPU's cell. Consumes them all
 * and leaves @list empty. BHs off, under RCU.
 */
void veil_receive_enqueue(struct veil_device *vdev, struct sk_buff_head *list);
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
