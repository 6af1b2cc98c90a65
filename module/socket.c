// SPDX-License-Identifier: GPL-2.0
/*
 * UDP sockets of a veil device.
 *
 * Both sockets of a pair are bound to the same port: IPv4 first (which picks
 * the port when none is configured), then IPv6 with IPV6_V6ONLY on the port
 * IPv4 got. A randomly chosen port can be taken on the IPv6 side only; the
 * pair is then retried a bounded number of times.
 */

#include <linux/in.h>
#include <linux/in6.h>
#include <linux/ipv6.h>
#include <linux/netdevice.h>
#include <linux/rcupdate.h>
#include <net/inet_sock.h>
#include <net/udp_tunnel.h>

#include "device.h"
#include "socket.h"

#define VEIL_PORT_RETRIES 100

/*
 * Receive hook of both sockets, called by UDP under rcu_read_lock(). The
 * protocol is not implemented yet: count and drop.
 */
static int veil_socket_rcv(struct sock *sk, struct sk_buff *skb)
{
	struct veil_device *vdev = rcu_dereference_sk_user_data(sk);

	if (vdev)
		dev_core_stats_rx_dropped_inc(vdev->dev);
	kfree_skb(skb);
	return 0;
}

static int veil_socket_bind(struct net *net, int family, __be16 port,
			    struct socket **sockp)
{
	struct udp_port_cfg cfg = {
		.family = family,
		.local_udp_port = port,
	};

	if (family == AF_INET) {
		cfg.local_ip.s_addr = htonl(INADDR_ANY);
		cfg.use_udp_checksums = true;
	} else {
#if IS_ENABLED(CONFIG_IPV6)
		cfg.local_ip6 = in6addr_any;
		cfg.use_udp6_tx_checksums = true;
		cfg.use_udp6_rx_checksums = true;
		cfg.ipv6_v6only = true;
#else
		return -EAFNOSUPPORT;
#endif
	}
	return udp_sock_create(net, &cfg, sockp);
}

static void veil_socket_setup(struct veil_device *vdev, struct socket *sock)
{
	struct udp_tunnel_sock_cfg cfg = {
		.sk_user_data = vdev,
		.encap_type = 1,
		.encap_rcv = veil_socket_rcv,
	};

	sock->sk->sk_allocation = GFP_ATOMIC;
	setup_udp_tunnel_sock(vdev->birth_net, sock, &cfg);
}

int veil_socks_create(struct veil_device *vdev, u16 port,
		      struct veil_socks *socks)
{
	struct net *net = vdev->birth_net;
	struct socket *sock4, *sock6;
	unsigned int tries = 0;
	int ret;

	memset(socks, 0, sizeof(*socks));
again:
	sock6 = NULL;
	ret = veil_socket_bind(net, AF_INET, htons(port), &sock4);
	if (ret < 0)
		return ret;

	if (ipv6_mod_enabled()) {
		ret = veil_socket_bind(net, AF_INET6, inet_sk(sock4->sk)->inet_sport,
				       &sock6);
		if (ret == -EAFNOSUPPORT) {
			sock6 = NULL;
		} else if (ret < 0) {
			sock_release(sock4);
			if (ret == -EADDRINUSE && !port && ++tries < VEIL_PORT_RETRIES)
				goto again;
			return ret;
		}
	}

	veil_socket_setup(vdev, sock4);
	if (sock6)
		veil_socket_setup(vdev, sock6);
	socks->sock4 = sock4;
	socks->sock6 = sock6;
	socks->port = ntohs(inet_sk(sock4->sk)->inet_sport);
	return 0;
}

static struct socket *veil_sock_xchg(struct veil_device *vdev,
				     struct sock __rcu **slot,
				     struct socket *new)
{
	struct sock *old;

	old = rcu_dereference_protected(*slot,
					lockdep_is_held(&vdev->update_lock));
	rcu_assign_pointer(*slot, new ? new->sk : NULL);
	return old ? old->sk_socket : NULL;
}

void veil_socks_swap(struct veil_device *vdev, struct veil_socks *new,
		     struct veil_socks *old)
{
	lockdep_assert_held(&vdev->update_lock);

	old->sock4 = veil_sock_xchg(vdev, &vdev->sock4, new->sock4);
	old->sock6 = veil_sock_xchg(vdev, &vdev->sock6, new->sock6);
	old->port = old->sock4 ? ntohs(inet_sk(old->sock4->sk)->inet_sport) : 0;
}

void veil_socks_release(struct veil_socks *socks)
{
	if (!socks->sock4 && !socks->sock6)
		return;

	/*
	 * Detach the device from both sockets, then wait once for the data
	 * path (transmitters that found the socket on the device, receivers
	 * inside the encap hook) before closing them.
	 */
	if (socks->sock4)
		rcu_assign_sk_user_data(socks->sock4->sk, NULL);
	if (socks->sock6)
		rcu_assign_sk_user_data(socks->sock6->sk, NULL);
	synchronize_net();
	if (socks->sock6) {
		kernel_sock_shutdown(socks->sock6, SHUT_RDWR);
		sock_release(socks->sock6);
	}
	if (socks->sock4) {
		kernel_sock_shutdown(socks->sock4, SHUT_RDWR);
		sock_release(socks->sock4);
	}
	memset(socks, 0, sizeof(*socks));
}
