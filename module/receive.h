/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Everything a veil device receives on its UDP sockets (protocol.md 5.3,
 * 5.5, 6.2).
 */
#ifndef _VEIL_RECEIVE_H
#define _VEIL_RECEIVE_H

#include <linux/skbuff.h>

struct veil_device;

/*
 * The UDP encapsulation hook's work: the datagrams of one receive (one, or
 * those of a split aggregate, in arrival order), each with ->data at its
 * UDP header, checksums verified. Consumes them all and leaves @list empty.
 * Softirq, under RCU.
 */
void veil_receive_list(struct veil_device *vdev, struct sk_buff_head *list);
/* The handshake worker: processes the device's handshake queue. */
void veil_receive_handshake_work(struct work_struct *work);

#endif /* _VEIL_RECEIVE_H */
