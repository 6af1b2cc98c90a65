/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The UDP sockets of a veil device: one IPv4 and one IPv6 (v6only) socket
 * bound to the same port in the device's birth namespace, present only while
 * the device is up.
 */
#ifndef _VEIL_SOCKET_H
#define _VEIL_SOCKET_H

#include <linux/net.h>
#include <linux/types.h>

struct veil_device;

/* A pair of bound sockets; @sock6 is NULL when IPv6 is unavailable. */
struct veil_socks {
	struct socket *sock4;
	struct socket *sock6;
	u16 port;
};

/*
 * Binds a new pair to @port (0: a random port) in the birth namespace.
 * Nothing is installed; on error nothing is left behind.
 */
int veil_socks_create(struct veil_device *vdev, u16 port,
		      struct veil_socks *socks);

/*
 * Installs @new (which may be empty) as the device's sockets and hands the
 * previous ones back in @old. Caller holds the update lock.
 */
void veil_socks_swap(struct veil_device *vdev, struct veil_socks *new,
		     struct veil_socks *old);

/* Closes a pair that is not installed (any more). Sleeps. */
void veil_socks_release(struct veil_socks *socks);

#endif /* _VEIL_SOCKET_H */
