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
#include <linux/inetdevice.h>
#include <net/addrconf.h>
#include <net/gro.h>
#include <net/inet_sock.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/ipv6_stubs.h>
#include <net/route.h>
#include <net/udp.h>
#include <net/udp_tunnel.h>

#include "device.h"
#include "messages.h"
#include "peer.h"
#include "receive.h"
#include "send.h"
#include "socket.h"

#define VEIL_PORT_RETRIES 100

/*
 * Receive offload (docs/design.md, "Data path").
 *
 * GRO: the socket's gro_receive chains consecutive data messages of one UDP
 * flow (UDP matched the ports, IP the addresses: same_flow) and one
 * receiver index on the frag_list of the first, as skb_gro_receive_list()
 * does (skb_gro_receive() is not exported): all of the first one's length,
 * except a shorter last one, which ends the aggregate. Anything else
 * (handshake messages, garbage, a message that does not fit) is not merged
 * and completes the flow's aggregate first, so that the order is kept; what
 * is not a data message is never held. gro_complete leaves the
 * SKB_GSO_UDP_TUNNEL[_CSUM] mark udp_gro_complete() set, with which
 * udp_queue_rcv_skb() hands the aggregate to encap_rcv whole instead of
 * segmenting it.
 *
 * udp_gro_receive() calls gro_receive only for datagrams whose checksum was
 * verified (or is absent), so the aggregate is marked CHECKSUM_UNNECESSARY.
 * Each member keeps its own IP and UDP headers in its headroom: after the
 * split it is a datagram of its own again.
 *
 * GRO runs under rcu_read_lock(); the device is only used for counters and
 * may be gone (sockets being closed): then nothing is merged.
 */
#define VEIL_GRO_MAX_SEGS	64

static struct sk_buff *veil_gro_receive(struct sock *sk,
					struct list_head *head,
					struct sk_buff *skb)
{
	unsigned int off = skb_gro_offset(skb), len = skb_gro_len(skb);
	const struct veil_msg_data *hdr, *first;
	struct veil_msg_data buf;
	struct veil_device *vdev;
	struct sk_buff *p;
	bool data;

	vdev = rcu_dereference_sk_user_data(sk);
	hdr = skb_gro_header(skb, off + sizeof(*hdr), off);
	data = vdev && hdr && len >= VEIL_MSG_DATA_MIN_LEN &&
	       hdr->header.type == cpu_to_le32(VEIL_MSG_DATA);

	if (unlikely(skb_is_gso(skb))) {
		/*
		 * A UDP GSO datagram of a local sender (across a veth): the
		 * tunnel mark makes UDP give it to encap_rcv unsegmented,
		 * where veil_socket_split() takes it apart.
		 */
		if (data && skb_shinfo(skb)->gso_type == SKB_GSO_UDP_L4)
			skb_shinfo(skb)->gso_type |= SKB_GSO_UDP_TUNNEL;
		data = false;
	}

	list_for_each_entry(p, head, list) {
		if (!NAPI_GRO_CB(p)->same_flow)
			continue;
		/* @p is the only aggregate held for this flow. */
		if (!data || NAPI_GRO_CB(skb)->flush || NAPI_GRO_CB(p)->flush)
			goto complete;
		first = skb_header_pointer(p, skb_transport_offset(p) +
					   sizeof(struct udphdr),
					   sizeof(buf), &buf);
		if (!first || first->key_idx != hdr->key_idx ||
		    len > skb_shinfo(p)->gso_size ||
		    NAPI_GRO_CB(p)->count >= VEIL_GRO_MAX_SEGS ||
		    p->len + len >= 65536 || skb_headlen(skb) < off)
			goto complete;

		/*
		 * Chain @skb, from its message on, behind @p. Both may still
		 * be charged to a local sender's socket (IP orphans them
		 * later): settle that now, before @p's truesize grows.
		 */
		skb_orphan(p);
		skb_orphan(skb);
		__skb_pull(skb, off);
		skb->next = NULL;
		if (NAPI_GRO_CB(p)->last == p)
			skb_shinfo(p)->frag_list = skb;
		else
			NAPI_GRO_CB(p)->last->next = skb;
		NAPI_GRO_CB(p)->last = skb;
		NAPI_GRO_CB(p)->count++;
		p->data_len += skb->len;
		p->len += skb->len;
		p->truesize += skb->truesize;
		skb_shinfo(p)->flags |= skb_shinfo(skb)->flags &
					SKBFL_SHARED_FRAG;
		NAPI_GRO_CB(skb)->same_flow = 1;
		veil_stat_inc(vdev, RX_GRO_MERGED);
		/* A shorter message is the last one. */
		return len < skb_shinfo(p)->gso_size ? p : NULL;
	}
	p = NULL;

complete:
	/* Not a data message: never held. Else it starts an aggregate. */
	if (!data)
		NAPI_GRO_CB(skb)->flush = 1;
	return p;
}

static int veil_gro_complete(struct sock *sk, struct sk_buff *skb, int nhoff)
{
	/*
	 * udp_gro_complete() set SKB_GSO_UDP_TUNNEL[_CSUM] and the UDP
	 * length; gso_size is the first message's length (dev_gro_receive()).
	 */
	skb_shinfo(skb)->gso_segs = NAPI_GRO_CB(skb)->count;
	skb->encapsulation = 0;
	/* Each part was verified; the merged UDP checksum field is not. */
	skb->ip_summed = CHECKSUM_UNNECESSARY;
	skb->csum_level = 0;
	return 0;
}

static void veil_socket_split_error(struct veil_device *vdev,
				    enum veil_stat reason)
{
	this_cpu_inc(vdev->stats->count[reason]);
	DEV_STATS_INC(vdev->dev, rx_errors);
}

/*
 * Gives @seg, a member of the frag_list of aggregate @head (data at its UDP
 * header), the outer IP and UDP headers of @head, and leaves its data at
 * that UDP header. A member our GRO chained has headers of its own already,
 * with the same addresses, ports and DS field (GRO matched them); a message
 * of a veil sender's batch, which crosses a veth whole, has none. Returns
 * false when the member's head could not be made writable.
 */
static bool veil_socket_member_headers(const struct sk_buff *head,
				       struct sk_buff *seg)
{
	unsigned int nlen = skb_transport_header(head) -
			    skb_network_header(head);
	unsigned int hlen = nlen + sizeof(struct udphdr);

	if (skb_cow_head(seg, hlen))
		return false;
	__skb_push(seg, hlen);
	skb_reset_network_header(seg);
	skb_set_transport_header(seg, nlen);
	memcpy(seg->data, skb_network_header(head), hlen);
	__skb_pull(seg, nlen);
	seg->protocol = head->protocol;
	seg->dev = head->dev;
	seg->skb_iif = head->skb_iif;
	return true;
}

/*
 * Splits an aggregate that reached encap_rcv whole (@skb->data at its UDP
 * header) into its datagrams, each at its own UDP header, appended to
 * @list; returns their number. Two layouts: a frag_list chain, whose
 * members are the messages as they arrived (unchained, not copied; cloned
 * if the aggregate is a clone, e.g. a tap holds it), built by our GRO or by
 * a veil sender (veil_tx_finish()), and a UDP GSO datagram of another
 * sender, segmented by the stack's helper as UDP would have done.
 */
static unsigned int veil_socket_split(struct veil_device *vdev,
				      struct sock *sk, struct sk_buff *skb,
				      struct sk_buff_head *list)
{
	struct sk_buff *chain = NULL, *seg, *next, **tail = &chain;
	unsigned int n = 0, len = 0, members = 0, own;
	bool cloned, head_ok = true;

	if (!skb_has_frag_list(skb)) {
		cloned = skb_cloned(skb);
		/* Drop the mark veil_gro_receive() added. */
		skb_shinfo(skb)->gso_type &= ~(SKB_GSO_UDP_TUNNEL |
					       SKB_GSO_UDP_TUNNEL_CSUM);
		__skb_push(skb, -skb_mac_offset(skb));
		chain = udp_rcv_segment(sk, skb, ip_hdr(skb)->version == 4);
		if (!chain)
			veil_socket_split_error(vdev,
						VEIL_STAT_RX_DROP_MALFORMED);
		skb_list_walk_safe(chain, seg, next) {
			skb_mark_not_on_list(seg);
			/*
			 * The segments are no clones but reference the pages
			 * of the aggregate, which its clone (e.g. a tap) still
			 * holds: not ours to decrypt in place.
			 */
			if (cloned)
				skb_shinfo(seg)->flags |= SKBFL_SHARED_FRAG;
			__skb_pull(seg, skb_transport_offset(seg));
			__skb_queue_tail(list, seg);
			n++;
		}
		return n;
	}

	for (seg = skb_shinfo(skb)->frag_list; seg; seg = seg->next)
		len += seg->len;
	if (likely(!skb_cloned(skb))) {
		chain = skb_shinfo(skb)->frag_list;
		skb_shinfo(skb)->frag_list = NULL;
		skb->len -= len;
		skb->data_len -= len;
		/*
		 * Our GRO added the members' truesize to the head; a local
		 * sender may not have (its socket's charge): never let the
		 * head claim less than its own buffers.
		 */
		for (seg = chain; seg; seg = seg->next)
			members += seg->truesize;
		own = SKB_TRUESIZE(skb_end_offset(skb)) + skb->data_len;
		skb->truesize = skb->truesize >= members + own ?
				skb->truesize - members : own;
		skb_gso_reset(skb);
	} else {
		/* The chain is shared with the clone: clone its members. */
		for (seg = skb_shinfo(skb)->frag_list; seg; seg = seg->next) {
			*tail = skb_clone(seg, GFP_ATOMIC);
			if (unlikely(!*tail)) {
				veil_socket_split_error(vdev,
							VEIL_STAT_RX_DROP_NO_MEMORY);
				continue;
			}
			tail = &(*tail)->next;
		}
		*tail = NULL;
		if (unlikely(pskb_trim(skb, skb->len - len))) {
			/* Still whole: its headers serve the members. */
			veil_socket_split_error(vdev,
						VEIL_STAT_RX_DROP_NO_MEMORY);
			head_ok = false;
		} else {
			/*
			 * pskb_trim() gave the head its own copy of the linear
			 * part and shinfo (no longer a clone), but its page
			 * fragments are still the clone's.
			 */
			skb_shinfo(skb)->flags |= SKBFL_SHARED_FRAG;
			skb_gso_reset(skb);
		}
	}
	if (head_ok) {
		__skb_queue_tail(list, skb);
		n++;
	}
	skb_list_walk_safe(chain, seg, next) {
		skb_mark_not_on_list(seg);
		if (unlikely(!veil_socket_member_headers(skb, seg))) {
			veil_socket_split_error(vdev,
						VEIL_STAT_RX_DROP_NO_MEMORY);
			kfree_skb(seg);
			continue;
		}
		__skb_queue_tail(list, seg);
		n++;
	}
	if (!head_ok)
		kfree_skb(skb);
	return n;
}

/*
 * Receive hook of both sockets, called by UDP in softirq under
 * rcu_read_lock() with the checksum verified and skb->data at the UDP
 * header. Always consumes the datagram. An aggregate (GRO or GSO) is split
 * here; its messages, or the lone datagram, go to this CPU's receive cell.
 */
static int veil_socket_rcv(struct sock *sk, struct sk_buff *skb)
{
	struct veil_device *vdev = rcu_dereference_sk_user_data(sk);
	struct sk_buff_head list;
	unsigned int n;

	if (unlikely(!vdev)) {
		kfree_skb(skb);
		return 0;
	}
	__skb_queue_head_init(&list);
	if (skb_is_gso(skb)) {
		n = veil_socket_split(vdev, sk, skb, &list);
		veil_stat_inc(vdev, RX_GSO_BATCHES);
		veil_stat_add(vdev, RX_GSO_SEGMENTS, n);
	} else {
		__skb_queue_tail(&list, skb);
	}
	veil_receive_enqueue(vdev, &list);
	return 0;
}

int veil_socket_skb_source(const struct sk_buff *skb, union veil_endpoint *ep)
{
	memset(ep, 0, sizeof(*ep));
	if (ip_hdr(skb)->version == 4) {
		ep->addr4.sin_family = AF_INET;
		ep->addr4.sin_port = udp_hdr(skb)->source;
		ep->addr4.sin_addr.s_addr = ip_hdr(skb)->saddr;
		return 0;
	}
	if (ip_hdr(skb)->version == 6) {
		ep->addr6.sin6_family = AF_INET6;
		ep->addr6.sin6_port = udp_hdr(skb)->source;
		ep->addr6.sin6_addr = ipv6_hdr(skb)->saddr;
		ep->addr6.sin6_scope_id =
			ipv6_iface_scope_id(&ipv6_hdr(skb)->saddr,
					    skb->skb_iif);
		return 0;
	}
	return -EAFNOSUPPORT;
}

void veil_socket_skb_dest(const struct sk_buff *skb, __be32 *src4,
			  struct in6_addr *src6)
{
	if (ip_hdr(skb)->version == 4) {
		*src4 = ip_hdr(skb)->daddr;
		*src6 = in6addr_any;
	} else {
		*src4 = 0;
		*src6 = ipv6_hdr(skb)->daddr;
	}
}

/*
 * A UDP GSO batch of data messages (send.c) whose messages would not fit
 * the route's MTU one by one goes out as single messages instead: IPv6
 * would drop such segments, IPv4 would fragment each. Returns the messages
 * split off @skb (a list), or NULL when @skb goes out as it is.
 */
static struct sk_buff *veil_socket_unbatch_for_mtu(struct sk_buff *skb,
						   unsigned int mtu)
{
	if (likely(!skb_is_gso(skb) ||
		   skb_shinfo(skb)->gso_size + sizeof(struct udphdr) <= mtu))
		return NULL;
	return veil_send_unbatch(skb);
}

/*
 * The tunnel helpers count one packet per skb in the device's tx stats; a
 * batch of @segs messages is @segs packets (its bytes are right already).
 */
static void veil_socket_count_batch(struct veil_device *vdev, unsigned int segs)
{
	if (segs > 1)
		dev_sw_netstats_tx_add(vdev->dev, segs - 1, 0);
}

/*
 * Sends @skb (a finished message) over IPv4 to @dst. *@src is the source
 * address to use, 0 for any; it is updated to the one used, or reset when
 * it is not local any more. @cache may be NULL. Consumes @skb.
 */
static int veil_send4(struct veil_device *vdev, struct sk_buff *skb,
		      const struct sockaddr_in *dst, __be32 *src, u8 ds,
		      struct dst_cache *cache)
{
	struct flowi4 fl = {
		.saddr = *src,
		.daddr = dst->sin_addr.s_addr,
		.fl4_dport = dst->sin_port,
		.flowi4_mark = READ_ONCE(vdev->fwmark),
		.flowi4_proto = IPPROTO_UDP,
	};
	struct sk_buff *list, *next;
	struct rtable *rt = NULL;
	unsigned int segs;
	struct sock *sk;
	int ret;

	rcu_read_lock_bh();
	sk = rcu_dereference_bh(vdev->sock4);
	if (unlikely(!sk)) {
		ret = -ENONET;
		goto err;
	}
	fl.fl4_sport = inet_sk(sk)->inet_sport;

	if (cache)
		rt = dst_cache_get_ip4(cache, &fl.saddr);
	if (!rt) {
		security_sk_classify_flow(sk, flowi4_to_flowi_common(&fl));
		/* The sticky source went away: let routing pick one. */
		if (fl.saddr && !inet_confirm_addr(sock_net(sk), NULL, 0,
						   fl.saddr, RT_SCOPE_HOST)) {
			fl.saddr = 0;
			if (cache)
				dst_cache_reset(cache);
		}
		rt = ip_route_output_flow(sock_net(sk), &fl, sk);
		if (IS_ERR(rt) && PTR_ERR(rt) == -EINVAL && fl.saddr) {
			fl.saddr = 0;
			if (cache)
				dst_cache_reset(cache);
			rt = ip_route_output_flow(sock_net(sk), &fl, sk);
		}
		if (IS_ERR(rt)) {
			ret = PTR_ERR(rt);
			rt = NULL;
			goto err;
		}
		if (unlikely(rt->dst.dev == vdev->dev)) {
			/* The endpoint is routed through this device. */
			ip_rt_put(rt);
			ret = -ELOOP;
			goto err;
		}
		if (cache)
			dst_cache_set_ip4(cache, &rt->dst, fl.saddr);
	}
	list = veil_socket_unbatch_for_mtu(skb, dst_mtu(&rt->dst) - sizeof(struct iphdr));
	do {
		next = list;
		if (next) {
			list = next->next;
			skb_mark_not_on_list(next);
			dst_hold(&rt->dst);
		}
		segs = skb_is_gso(skb) ? skb_shinfo(skb)->gso_segs : 1;
		skb->ignore_df = 1;
		udp_tunnel_xmit_skb(rt, sk, skb, fl.saddr, fl.daddr, ds,
				    ip4_dst_hoplimit(&rt->dst), 0, fl.fl4_sport,
				    fl.fl4_dport, false, false);
		veil_socket_count_batch(vdev, segs);
		skb = next;
	} while (skb);
	rcu_read_unlock_bh();
	*src = fl.saddr;
	return 0;

err:
	rcu_read_unlock_bh();
	kfree_skb(skb);
	return ret;
}

#if IS_ENABLED(CONFIG_IPV6)
static int veil_send6(struct veil_device *vdev, struct sk_buff *skb,
		      const struct sockaddr_in6 *dst, struct in6_addr *src,
		      u8 ds, struct dst_cache *cache)
{
	struct flowi6 fl = {
		.saddr = *src,
		.daddr = dst->sin6_addr,
		.fl6_dport = dst->sin6_port,
		.flowi6_mark = READ_ONCE(vdev->fwmark),
		.flowi6_oif = dst->sin6_scope_id,
		.flowi6_proto = IPPROTO_UDP,
	};
	struct dst_entry *dst_entry = NULL;
	struct sk_buff *list, *next;
	unsigned int segs;
	struct sock *sk;
	int ret;

	rcu_read_lock_bh();
	sk = rcu_dereference_bh(vdev->sock6);
	if (unlikely(!sk)) {
		ret = -ENONET;
		goto err;
	}
	fl.fl6_sport = inet_sk(sk)->inet_sport;

	if (cache)
		dst_entry = dst_cache_get_ip6(cache, &fl.saddr);
	if (!dst_entry) {
		security_sk_classify_flow(sk, flowi6_to_flowi_common(&fl));
		if (!ipv6_addr_any(&fl.saddr) &&
		    !ipv6_chk_addr(sock_net(sk), &fl.saddr, NULL, 0)) {
			fl.saddr = in6addr_any;
			if (cache)
				dst_cache_reset(cache);
		}
		dst_entry = ipv6_stub->ipv6_dst_lookup_flow(sock_net(sk), sk,
							    &fl, NULL);
		if (IS_ERR(dst_entry)) {
			ret = PTR_ERR(dst_entry);
			dst_entry = NULL;
			goto err;
		}
		if (unlikely(dst_entry->dev == vdev->dev)) {
			dst_release(dst_entry);
			ret = -ELOOP;
			goto err;
		}
		if (cache)
			dst_cache_set_ip6(cache, dst_entry, &fl.saddr);
	}
	list = veil_socket_unbatch_for_mtu(skb, dst_mtu(dst_entry) - sizeof(struct ipv6hdr));
	do {
		next = list;
		if (next) {
			list = next->next;
			skb_mark_not_on_list(next);
			dst_hold(dst_entry);
		}
		segs = skb_is_gso(skb) ? skb_shinfo(skb)->gso_segs : 1;
		skb->ignore_df = 1;
		udp_tunnel6_xmit_skb(dst_entry, sk, skb, skb->dev, &fl.saddr,
				     &fl.daddr, ds, ip6_dst_hoplimit(dst_entry),
				     0, fl.fl6_sport, fl.fl6_dport, false);
		veil_socket_count_batch(vdev, segs);
		skb = next;
	} while (skb);
	rcu_read_unlock_bh();
	*src = fl.saddr;
	return 0;

err:
	rcu_read_unlock_bh();
	kfree_skb(skb);
	return ret;
}
#endif

/* Sends to an endpoint; counts failures. Consumes @skb. */
static int veil_send_to(struct veil_device *vdev, struct sk_buff *skb,
			const union veil_endpoint *ep, __be32 *src4,
			struct in6_addr *src6, u8 ds, struct dst_cache *cache)
{
	int ret;

	skb->dev = vdev->dev;
	skb->mark = 0;
	if (ep->addr.sa_family == AF_INET) {
		ret = veil_send4(vdev, skb, &ep->addr4, src4, ds, cache);
#if IS_ENABLED(CONFIG_IPV6)
	} else if (ep->addr.sa_family == AF_INET6) {
		ret = veil_send6(vdev, skb, &ep->addr6, src6, ds, cache);
#endif
	} else {
		kfree_skb(skb);
		ret = -EAFNOSUPPORT;
	}
	if (unlikely(ret)) {
		if (ret == -EAFNOSUPPORT)
			veil_stat_inc(vdev, TX_DROP_NO_ENDPOINT);
		else
			veil_stat_inc(vdev, TX_DROP_NO_ROUTE);
		DEV_STATS_INC(vdev->dev, tx_errors);
	}
	return ret;
}

int veil_socket_send_skb(struct veil_peer *peer, struct sk_buff *skb, u8 ds)
{
	union veil_endpoint ep;
	struct in6_addr src6;
	__be32 src4;
	int ret;

	read_lock_bh(&peer->lock);
	ep = peer->endpoint;
	src4 = peer->src4;
	src6 = peer->src6;
	read_unlock_bh(&peer->lock);

	ret = veil_send_to(peer->vdev, skb, &ep, &src4, &src6, ds,
			   &peer->dst_cache);
	if (ret)
		return ret;

	/* Keep the source address routing chose (sticky source). */
	if ((ep.addr.sa_family == AF_INET && src4 != peer->src4) ||
	    (ep.addr.sa_family == AF_INET6 &&
	     !ipv6_addr_equal(&src6, &peer->src6))) {
		write_lock_bh(&peer->lock);
		if (!memcmp(&ep, &peer->endpoint, sizeof(ep))) {
			peer->src4 = src4;
			peer->src6 = src6;
		}
		write_unlock_bh(&peer->lock);
	}
	return 0;
}

/* A message in a fresh skb with room for the outer headers, or NULL. */
static struct sk_buff *veil_socket_buffer_skb(struct veil_device *vdev,
					      const void *buf, size_t len)
{
	struct sk_buff *skb;

	skb = alloc_skb(VEIL_SOCKET_HEADROOM + len, GFP_ATOMIC);
	if (unlikely(!skb)) {
		veil_stat_inc(vdev, TX_DROP_OTHER);
		return NULL;
	}
	skb_reserve(skb, VEIL_SOCKET_HEADROOM);
	/* The tunnel helpers count the device's tx bytes from here. */
	skb_set_inner_network_header(skb, 0);
	skb_put_data(skb, buf, len);
	return skb;
}

int veil_socket_send_buffer(struct veil_peer *peer, const void *buf,
			    size_t len, u8 ds)
{
	struct sk_buff *skb = veil_socket_buffer_skb(peer->vdev, buf, len);

	return skb ? veil_socket_send_skb(peer, skb, ds) : -ENOMEM;
}

int veil_socket_reply_buffer(struct veil_device *vdev,
			     const struct sk_buff *in_skb, const void *buf,
			     size_t len)
{
	union veil_endpoint ep;
	struct in6_addr src6;
	struct sk_buff *skb;
	__be32 src4;
	int ret;

	ret = veil_socket_skb_source(in_skb, &ep);
	if (ret)
		return ret;
	veil_socket_skb_dest(in_skb, &src4, &src6);
	skb = veil_socket_buffer_skb(vdev, buf, len);
	if (unlikely(!skb))
		return -ENOMEM;
	return veil_send_to(vdev, skb, &ep, &src4, &src6, 0, NULL);
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
		.gro_receive = veil_gro_receive,
		.gro_complete = veil_gro_complete,
	};

	sock->sk->sk_allocation = GFP_ATOMIC;
	setup_udp_tunnel_sock(vdev->birth_net, sock, &cfg);
	/*
	 * setup_udp_tunnel_sock() asks UDP for CHECKSUM_COMPLETE, for tunnels
	 * whose inner stack reuses the outer sum. Ours never does (Poly1305
	 * authenticates every byte; decrypted packets are marked
	 * CHECKSUM_UNNECESSARY), and with it, each UDP GSO datagram that UDP
	 * segments before encap_rcv (a local sender without GRO on the way)
	 * has every segment summed in software. UDP still verifies the UDP
	 * checksum of what it did not get from a trusted source.
	 */
	inet_dec_convert_csum(sock->sk);
	/* UDP GSO datagrams reach encap_rcv whole (veil_gro_receive()). */
	udp_set_bit(ACCEPT_L4, sock->sk);
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
