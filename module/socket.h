/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The UDP sockets of a veil device: one IPv4 and one IPv6 (v6only) socket
 * bound to the same port in the device's birth namespace, present only while
 * the device is up.
 */
#ifndef _VEIL_SOCKET_H
#define _VEIL_SOCKET_H

#include <linux/in6.h>
#include <linux/ipv6.h>
#include <linux/net.h>
#include <linux/netdevice.h>
#include <linux/udp.h>
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

struct veil_peer;
union veil_endpoint;
struct sk_buff;

/* Room for the outer headers in front of a message. */
#define VEIL_SOCKET_HEADROOM \
	(sizeof(struct udphdr) + sizeof(struct ipv6hdr) + LL_MAX_HEADER)

/*
 * Sending (any context; they never sleep). Each consumes the skb or copies
 * the buffer, returns 0 or a negative error, and counts failures.
 * @ds is the outer DS field.
 */
/* A message to the peer's endpoint, from its sticky source address. */
int veil_socket_send_skb(struct veil_peer *peer, struct sk_buff *skb, u8 ds);
int veil_socket_send_buffer(struct veil_peer *peer, const void *buf,
			    size_t len, u8 ds);
/* A message back to where @in_skb came from (cookie replies). */
int veil_socket_reply_buffer(struct veil_device *vdev,
			     const struct sk_buff *in_skb, const void *buf,
			     size_t len);

/* Outer source address and port of a received datagram. */
int veil_socket_skb_source(const struct sk_buff *skb, union veil_endpoint *ep);
/* Outer destination address (one of ours) of a received datagram. */
void veil_socket_skb_dest(const struct sk_buff *skb, __be32 *src4,
			  struct in6_addr *src6);

#endif /* _VEIL_SOCKET_H */
