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
 * The UDP encapsulation hook's work: @skb->data is at the UDP header, the
 * checksum was verified. Consumes @skb. Softirq, under RCU.
 */
void veil_receive(struct veil_device *vdev, struct sk_buff *skb);
/* The handshake worker: processes the device's handshake queue. */
void veil_receive_handshake_work(struct work_struct *work);

#endif /* _VEIL_RECEIVE_H */
