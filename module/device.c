// SPDX-License-Identifier: GPL-2.0
/*
 * The veil link type: device setup and teardown, open/stop, transmit, and
 * deletion of devices whose birth namespace goes away.
 */

#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/inetdevice.h>
#include <linux/ethtool.h>
#include <linux/if_arp.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/skbuff.h>
#include <linux/string.h>
#include <net/addrconf.h>
#include <net/dst_metadata.h>
#include <net/icmp.h>
#include <net/ip_tunnels.h>
#include <net/net_namespace.h>
#include <net/rtnetlink.h>

#include "device.h"
#include "fragcache.h"
#include "peer.h"
#include "receive.h"
#include "send.h"
#include "socket.h"

/* Every veil device, wherever it lives (RTNL). */
static LIST_HEAD(veil_device_list);

static struct rtnl_link_ops veil_link_ops;

/*
 * What the stack may hand us: scatter-gather, any checksum left to do
 * (done before encryption) and GSO packets (segmented by the crypto jobs,
 * see veil_xmit()).
 */
#define VEIL_FEATURES \
	(NETIF_F_HW_CSUM | NETIF_F_RXCSUM | NETIF_F_SG | NETIF_F_GSO | \
	 NETIF_F_GSO_SOFTWARE | NETIF_F_HIGHDMA)

/* Data message header plus outer UDP/IP, and padding plus tag. */
#define VEIL_DEVICE_HEADROOM \
	(sizeof(struct veil_msg_data) + sizeof(struct udphdr) + \
	 sizeof(struct ipv6hdr))
#define VEIL_DEVICE_TAILROOM (VEIL_PADDING_MULTIPLE + VEIL_AEAD_TAG_LEN)

/* TSQ allowance of local senders: 2^-8 s of their pacing rate (veil_xmit). */
#define VEIL_SK_PACING_SHIFT 8

bool veil_is_veil_dev(const struct net_device *dev)
{
	return dev->rtnl_link_ops == &veil_link_ops;
}

/* Called under the update lock after every change visible to a dump. */
void veil_device_changed(struct veil_device *vdev)
{
	lockdep_assert_held(&vdev->update_lock);
	if (!++vdev->generation)
		vdev->generation = 1;
}

/* RTNL held; the sockets are created in the birth namespace. */
static int veil_open(struct net_device *dev)
{
	struct veil_device *vdev = netdev_priv(dev);
	struct inet6_dev *in6_dev = __in6_dev_get(dev);
	struct in_device *in_dev = __in_dev_get_rtnl(dev);
	struct veil_socks socks, old = {};
	struct veil_peer *peer;
	int ret;

	/*
	 * A point-to-point tunnel has no link-local neighbours to talk to:
	 * no IPv6 link-local address (whose router solicitations and MLD
	 * reports no peer would take), and no ICMP redirects.
	 */
	if (in6_dev)
		in6_dev->cnf.addr_gen_mode = IN6_ADDR_GEN_MODE_NONE;
	if (in_dev)
		IN_DEV_CONF_SET(in_dev, SEND_REDIRECTS, 0);

	mutex_lock(&vdev->update_lock);
	ret = veil_socks_create(vdev, vdev->listen_port, &socks);
	if (ret < 0) {
		netdev_err(dev, "could not bind UDP port %u: %d\n",
			   vdev->listen_port, ret);
		goto out;
	}
	veil_socks_swap(vdev, &socks, &old);
	/* A port picked at random is kept for the next time. */
	vdev->listen_port = socks.port;
	veil_device_changed(vdev);
	/* Peers with a persistent keepalive announce themselves. */
	list_for_each_entry(peer, &vdev->peer_list, peer_list)
		if (peer->keepalive_interval)
			veil_send_keepalive(peer);
out:
	mutex_unlock(&vdev->update_lock);
	/* Nothing was installed before; this is for robustness only. */
	veil_socks_release(&old);
	return ret;
}

/*
 * Interface down: sockets closed, and every key, handshake, timer and
 * staged packet dropped (protocol.md 8.3). The configuration stays.
 */
static int veil_stop(struct net_device *dev)
{
	struct veil_device *vdev = netdev_priv(dev);
	struct veil_socks none = {}, old;
	struct veil_peer *peer;

	mutex_lock(&vdev->update_lock);
	veil_socks_swap(vdev, &none, &old);
	veil_device_changed(vdev);
	/* Waits for the receive path. */
	veil_socks_release(&old);
	/* What the hook left in the cells: batched into jobs, or dropped. */
	veil_rx_cells_flush(vdev);
	/* Jobs in flight end now: they find no socket to send on. */
	veil_pqueue_drain(&vdev->rx_queue);
	veil_pqueue_drain(&vdev->tx_queue);
	skb_queue_purge(&vdev->handshake_queue);
	cancel_work_sync(&vdev->handshake_work);
	skb_queue_purge(&vdev->handshake_queue);
	list_for_each_entry(peer, &vdev->peer_list, peer_list)
		veil_peer_stop(peer);
	mutex_unlock(&vdev->update_lock);
	return 0;
}

/* The address family of an IP packet handed to the device, or 0. */
static int veil_skb_family(struct sk_buff *skb)
{
	if (skb->protocol == htons(ETH_P_IP) &&
	    pskb_network_may_pull(skb, sizeof(struct iphdr)) &&
	    ip_hdr(skb)->version == 4)
		return AF_INET;
	if (skb->protocol == htons(ETH_P_IPV6) &&
	    pskb_network_may_pull(skb, sizeof(struct ipv6hdr)) &&
	    ipv6_hdr(skb)->version == 6)
		return AF_INET6;
	return 0;
}

/*
 * The data messages a GSO packet becomes, or an upper bound when the stack
 * did not count its segments (the headers counted as payload).
 */
static unsigned int veil_gso_msgs(const struct sk_buff *skb)
{
	const struct skb_shared_info *shinfo = skb_shinfo(skb);

	if (shinfo->gso_segs)
		return shinfo->gso_segs;
	return DIV_ROUND_UP(skb->len, shinfo->gso_size);
}

/*
 * Cryptokey routing on transmit (protocol.md 6.1, 10): the inner
 * destination selects the peer, and the packet is staged for it, to be
 * sent under its current key. A GSO packet is staged whole and segmented
 * by the crypto job that seals it (send.c), off this CPU and outside the
 * sending socket's lock; one of more than VEIL_GSO_MAX_MSGS segments is
 * segmented here.
 */
static netdev_tx_t veil_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct veil_device *vdev = netdev_priv(dev);
	struct sk_buff_head list;
	struct sk_buff *segs, *next;
	struct veil_peer *peer;
	unsigned int mtu, msgs;
	const void *daddr;
	int family;
	u8 ds;

	family = veil_skb_family(skb);
	if (unlikely(!family)) {
		veil_stat_inc(vdev, TX_DROP_OTHER);
		DEV_STATS_INC(dev, tx_errors);
		goto free;
	}
	if (family == AF_INET)
		daddr = &ip_hdr(skb)->daddr;
	else
		daddr = &ipv6_hdr(skb)->daddr;

	/* The peer stays valid until the read section ends. */
	rcu_read_lock_bh();
	peer = veil_aip_lookup(&vdev->aip, family, daddr);
	if (unlikely(!peer || READ_ONCE(peer->dead))) {
		veil_stat_inc(vdev, TX_DROP_NO_PEER);
		goto unreachable;
	}
	if (unlikely(READ_ONCE(peer->endpoint.addr.sa_family) == AF_UNSPEC)) {
		veil_stat_inc(vdev, TX_DROP_NO_ENDPOINT);
		goto unreachable;
	}

	/*
	 * A local TCP sender may keep only about 1 ms of data below its
	 * socket (TSQ: pacing rate >> sk_pacing_shift, 10 by default) until
	 * the packets leave the host; here they first wait for the parallel
	 * crypto. Allow it 4 ms, as mac80211 does for its aggregation queues,
	 * or TCP stalls the pipeline between jobs.
	 */
	sk_pacing_shift_update(skb->sk, VEIL_SK_PACING_SHIFT);

	mtu = skb_valid_dst(skb) ? dst_mtu(skb_dst(skb)) : dev->mtu;
	/* Only the inner ECN bits go outside, never the DSCP. */
	ds = ip_tunnel_ecn_encap(0, ip_hdr(skb), skb);

	__skb_queue_head_init(&list);
	msgs = 1;
	if (skb_is_gso(skb)) {
		msgs = veil_gso_msgs(skb);
		if (msgs > VEIL_GSO_MAX_MSGS) {
			segs = veil_send_segment(skb);
			if (IS_ERR_OR_NULL(segs)) {
				veil_stat_inc(vdev, TX_DROP_OTHER);
				DEV_STATS_INC(dev, tx_errors);
				rcu_read_unlock_bh();
				goto free;
			}
			consume_skb(skb);
			skb = segs;
			msgs = 1;
		}
	}
	skb_list_walk_safe(skb, skb, next) {
		skb_mark_not_on_list(skb);
		skb = skb_share_check(skb, GFP_ATOMIC);
		if (unlikely(!skb)) {
			veil_stat_inc(vdev, TX_DROP_OTHER);
			DEV_STATS_INC(dev, tx_dropped);
			continue;
		}
		/* The route was only needed for ICMP errors. */
		skb_dst_drop(skb);
		VEIL_CB(skb)->mtu = mtu;
		VEIL_CB(skb)->ds = ds;
		VEIL_CB(skb)->msgs = msgs;
		__skb_queue_tail(&list, skb);
	}
	veil_send_stage(peer, &list);
	rcu_read_unlock_bh();
	return NETDEV_TX_OK;

unreachable:
	rcu_read_unlock_bh();
	DEV_STATS_INC(dev, tx_errors);
	if (family == AF_INET)
		icmp_ndo_send(skb, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, 0);
	else
		icmpv6_ndo_send(skb, ICMPV6_DEST_UNREACH, ICMPV6_ADDR_UNREACH, 0);
free:
	kfree_skb(skb);
	return NETDEV_TX_OK;
}

static void veil_get_drvinfo(struct net_device *dev,
			     struct ethtool_drvinfo *info)
{
	strscpy(info->driver, KBUILD_MODNAME, sizeof(info->driver));
	strscpy(info->version, VEIL_VERSION, sizeof(info->version));
}

static const char veil_stat_names[VEIL_STAT_COUNT][ETH_GSTRING_LEN] = {
	[VEIL_STAT_RX_DROP_MALFORMED] = "rx_drop_malformed",
	[VEIL_STAT_RX_DROP_BAD_MAC1] = "rx_drop_bad_mac1",
	[VEIL_STAT_RX_DROP_HANDSHAKE_QUEUE_FULL] = "rx_drop_handshake_queue_full",
	[VEIL_STAT_RX_DROP_HANDSHAKE_STALE] = "rx_drop_handshake_stale",
	[VEIL_STAT_RX_DROP_RATELIMITED] = "rx_drop_ratelimited",
	[VEIL_STAT_RX_DROP_HANDSHAKE_INVALID] = "rx_drop_handshake_invalid",
	[VEIL_STAT_RX_DROP_COOKIE_INVALID] = "rx_drop_cookie_invalid",
	[VEIL_STAT_RX_DROP_UNKNOWN_INDEX] = "rx_drop_unknown_index",
	[VEIL_STAT_RX_DROP_KEY_EXPIRED] = "rx_drop_key_expired",
	[VEIL_STAT_RX_DROP_BAD_TAG] = "rx_drop_bad_tag",
	[VEIL_STAT_RX_DROP_REPLAY] = "rx_drop_replay",
	[VEIL_STAT_RX_DROP_BAD_INNER] = "rx_drop_bad_inner",
	[VEIL_STAT_RX_DROP_ALLOWEDIPS] = "rx_drop_allowedips",
	[VEIL_STAT_RX_DROP_NO_MEMORY] = "rx_drop_no_memory",
	[VEIL_STAT_RX_DROP_BACKLOG] = "rx_drop_backlog",
	[VEIL_STAT_TX_DROP_NO_PEER] = "tx_drop_no_peer",
	[VEIL_STAT_TX_DROP_NO_ENDPOINT] = "tx_drop_no_endpoint",
	[VEIL_STAT_TX_DROP_STAGED_OVERFLOW] = "tx_drop_staged_overflow",
	[VEIL_STAT_TX_DROP_NO_ROUTE] = "tx_drop_no_route",
	[VEIL_STAT_TX_DROP_OTHER] = "tx_drop_other",
	[VEIL_STAT_HANDSHAKE_INITIATIONS_SENT] = "handshake_initiations_sent",
	[VEIL_STAT_HANDSHAKE_INITIATIONS_RECEIVED] = "handshake_initiations_received",
	[VEIL_STAT_HANDSHAKE_RESPONSES_SENT] = "handshake_responses_sent",
	[VEIL_STAT_HANDSHAKE_RESPONSES_RECEIVED] = "handshake_responses_received",
	[VEIL_STAT_COOKIE_REPLIES_SENT] = "cookie_replies_sent",
	[VEIL_STAT_COOKIE_REPLIES_RECEIVED] = "cookie_replies_received",
	[VEIL_STAT_KEEPALIVES_SENT] = "keepalives_sent",
	[VEIL_STAT_KEEPALIVES_RECEIVED] = "keepalives_received",
	[VEIL_STAT_UNDER_LOAD] = "under_load",
	[VEIL_STAT_HANDSHAKE_COLLISIONS] = "handshake_collisions",
	[VEIL_STAT_TX_GSO_SPLIT] = "tx_gso_split",
	[VEIL_STAT_TX_GSO_BATCHES] = "tx_gso_batches",
	[VEIL_STAT_TX_GSO_SEGMENTS] = "tx_gso_segments",
	[VEIL_STAT_TX_SINGLE] = "tx_single",
	[VEIL_STAT_TX_TAIL_INPLACE] = "tx_tail_inplace",
	[VEIL_STAT_TX_TAIL_FRAG] = "tx_tail_frag",
	[VEIL_STAT_TX_OUT_OF_PLACE] = "tx_out_of_place",
	[VEIL_STAT_TX_COW] = "tx_cow",
	[VEIL_STAT_TX_DEFERRED] = "tx_deferred",
	[VEIL_STAT_TX_GATHERED] = "tx_gathered",
	[VEIL_STAT_RX_GRO_MERGED] = "rx_gro_merged",
	[VEIL_STAT_RX_GSO_BATCHES] = "rx_gso_batches",
	[VEIL_STAT_RX_GSO_SEGMENTS] = "rx_gso_segments",
	[VEIL_STAT_RX_INPLACE] = "rx_inplace",
	[VEIL_STAT_RX_COW] = "rx_cow",
	[VEIL_STAT_TX_JOBS_PARALLEL] = "tx_jobs_parallel",
	[VEIL_STAT_TX_JOBS_INLINE] = "tx_jobs_inline",
	[VEIL_STAT_RX_JOBS_PARALLEL] = "rx_jobs_parallel",
	[VEIL_STAT_RX_JOBS_INLINE] = "rx_jobs_inline",
	[VEIL_STAT_TX_JOBS_SYNC] = "tx_jobs_sync",
	[VEIL_STAT_RX_JOBS_SYNC] = "rx_jobs_sync",
	[VEIL_STAT_TX_PAGES_FRESH] = "tx_pages_fresh",
	[VEIL_STAT_TX_PAGES_RECYCLED] = "tx_pages_recycled",
};

static int veil_get_sset_count(struct net_device *dev, int sset)
{
	return sset == ETH_SS_STATS ? VEIL_STAT_COUNT : -EOPNOTSUPP;
}

static void veil_get_strings(struct net_device *dev, u32 sset, u8 *data)
{
	if (sset == ETH_SS_STATS)
		memcpy(data, veil_stat_names, sizeof(veil_stat_names));
}

static void veil_get_ethtool_stats(struct net_device *dev,
				   struct ethtool_stats *stats, u64 *data)
{
	struct veil_device *vdev = netdev_priv(dev);
	unsigned long fresh, recycled;
	unsigned int i;
	int cpu;

	memset(data, 0, VEIL_STAT_COUNT * sizeof(*data));
	for_each_possible_cpu(cpu) {
		const struct veil_stats *s = per_cpu_ptr(vdev->stats, cpu);

		for (i = 0; i < VEIL_STAT_COUNT; i++)
			data[i] += READ_ONCE(s->count[i]);
	}
	data[VEIL_STAT_TX_JOBS_PARALLEL] = atomic64_read(&vdev->tx_queue.parallel);
	data[VEIL_STAT_TX_JOBS_INLINE] = atomic64_read(&vdev->tx_queue.inline_jobs);
	data[VEIL_STAT_RX_JOBS_PARALLEL] = atomic64_read(&vdev->rx_queue.parallel);
	data[VEIL_STAT_RX_JOBS_INLINE] = atomic64_read(&vdev->rx_queue.inline_jobs);
	data[VEIL_STAT_TX_JOBS_SYNC] = atomic64_read(&vdev->tx_queue.sync);
	data[VEIL_STAT_RX_JOBS_SYNC] = atomic64_read(&vdev->rx_queue.sync);
	veil_frag_counts(&fresh, &recycled);
	data[VEIL_STAT_TX_PAGES_FRESH] = fresh;
	data[VEIL_STAT_TX_PAGES_RECYCLED] = recycled;
}

static const struct ethtool_ops veil_ethtool_ops = {
	.get_drvinfo		= veil_get_drvinfo,
	.get_link		= ethtool_op_get_link,
	.get_sset_count		= veil_get_sset_count,
	.get_strings		= veil_get_strings,
	.get_ethtool_stats	= veil_get_ethtool_stats,
};

/* Unregistration, under RTNL: leave the global list. */
static void veil_uninit(struct net_device *dev)
{
	struct veil_device *vdev = netdev_priv(dev);

	list_del_init(&vdev->device_list);
	/*
	 * No socket is left (ndo_stop), so no cell fills again; the receive
	 * jobs are drained in between the cells' two sides.
	 */
	veil_rx_cells_del(vdev);
}

static const struct net_device_ops veil_netdev_ops = {
	.ndo_uninit		= veil_uninit,
	.ndo_open		= veil_open,
	.ndo_stop		= veil_stop,
	.ndo_start_xmit		= veil_xmit,
	.ndo_get_stats64	= dev_get_tstats64,
};

/*
 * Last step of a device's life, after every reference is gone (the core
 * then frees the net_device itself).
 */
static void veil_destruct(struct net_device *dev)
{
	struct veil_device *vdev = netdev_priv(dev);
	struct veil_socks none = {}, old;

	mutex_lock(&vdev->update_lock);
	veil_socks_swap(vdev, &none, &old);
	veil_socks_release(&old);
	cancel_work_sync(&vdev->handshake_work);
	skb_queue_purge(&vdev->handshake_queue);
	veil_pqueue_free(&vdev->rx_queue);
	veil_pqueue_free(&vdev->tx_queue);
	veil_rx_cells_free(vdev);
	veil_peer_remove_all(vdev);
	veil_aip_free(&vdev->aip, &vdev->update_lock);
	down_write(&vdev->identity_lock);
	memzero_explicit(&vdev->identity, sizeof(vdev->identity));
	up_write(&vdev->identity_lock);
	mutex_unlock(&vdev->update_lock);

	/* Keypairs and peers are freed after a grace period: wait for them. */
	rcu_barrier();
	veil_cookie_checker_uninit(&vdev->cookie_checker);
	veil_ratelimiter_uninit(&vdev->ratelimiter);
	veil_peer_table_free(vdev);
	memzero_explicit(&vdev->hash_key, sizeof(vdev->hash_key));
	free_percpu(vdev->stats);
	free_percpu(dev->tstats);
	mutex_destroy(&vdev->update_lock);
}

static const struct device_type veil_device_type = { .name = KBUILD_MODNAME };

static void veil_setup(struct net_device *dev)
{
	struct veil_device *vdev = netdev_priv(dev);

	dev->netdev_ops = &veil_netdev_ops;
	dev->header_ops = &ip_tunnel_header_ops;
	dev->type = ARPHRD_NONE;
	dev->hard_header_len = 0;
	dev->addr_len = 0;
	dev->flags = IFF_POINTOPOINT | IFF_NOARP;
	dev->priv_flags |= IFF_NO_QUEUE;
	dev->features |= NETIF_F_LLTX | VEIL_FEATURES;
	dev->hw_features |= VEIL_FEATURES;
	dev->hw_enc_features |= VEIL_FEATURES;
	dev->needed_headroom = VEIL_DEVICE_HEADROOM;
	dev->needed_tailroom = VEIL_DEVICE_TAILROOM;
	dev->ethtool_ops = &veil_ethtool_ops;
	dev->mtu = VEIL_DEFAULT_MTU;
	dev->min_mtu = ETH_MIN_MTU;
	dev->max_mtu = VEIL_MAX_MTU;
	dev->needs_free_netdev = true;
	SET_NETDEV_DEVTYPE(dev, &veil_device_type);
	/* ICMP errors for unroutable packets need the route. */
	netif_keep_dst(dev);

	memset(vdev, 0, sizeof(*vdev));
	vdev->dev = dev;
	INIT_LIST_HEAD(&vdev->device_list);
}

static int veil_newlink(struct net *src_net, struct net_device *dev,
			struct nlattr *tb[], struct nlattr *data[],
			struct netlink_ext_ack *extack)
{
	struct veil_device *vdev = netdev_priv(dev);
	int ret;

	vdev->birth_net = src_net;
	mutex_init(&vdev->update_lock);
	init_rwsem(&vdev->identity_lock);
	INIT_LIST_HEAD(&vdev->peer_list);
	veil_aip_init(&vdev->aip);
	vdev->generation = 1;

	veil_index_table_init(&vdev->index_table);
	veil_cookie_checker_init(&vdev->cookie_checker);
	skb_queue_head_init(&vdev->handshake_queue);
	INIT_WORK(&vdev->handshake_work, veil_receive_handshake_work);

	ret = veil_peer_table_init(vdev);
	if (ret < 0)
		return ret;

	ret = veil_ratelimiter_init(&vdev->ratelimiter, true);
	if (ret < 0)
		goto err_table;

	ret = -ENOMEM;
	dev->tstats = netdev_alloc_pcpu_stats(struct pcpu_sw_netstats);
	if (!dev->tstats)
		goto err_ratelimiter;
	vdev->stats = alloc_percpu(struct veil_stats);
	if (!vdev->stats)
		goto err_tstats;

	/*
	 * Sending a lone small packet inline keeps a ping's latency low, but
	 * a stream of them would keep the sender's CPU doing all the crypto
	 * and the outer transmit: on transmit, one job a jiffy (parallel.h).
	 * A receive runs in softirq, where inline is the cheapest way.
	 */
	ret = veil_pqueue_init(&vdev->tx_queue, true);
	if (ret < 0)
		goto err_stats;
	ret = veil_pqueue_init(&vdev->rx_queue, false);
	if (ret < 0)
		goto err_tx_queue;

	ret = veil_rx_cells_init(vdev);
	if (ret < 0)
		goto err_rx_queue;

	ret = register_netdevice(dev);
	if (ret < 0)
		goto err_rx_cells;

	list_add(&vdev->device_list, &veil_device_list);
	/*
	 * Set only now: a failing register_netdevice() must not run it,
	 * the error path below undoes this function's work instead.
	 */
	dev->priv_destructor = veil_destruct;
	return 0;

err_rx_cells:
	veil_rx_cells_del(vdev);
	veil_rx_cells_free(vdev);
err_rx_queue:
	veil_pqueue_free(&vdev->rx_queue);
err_tx_queue:
	veil_pqueue_free(&vdev->tx_queue);
err_stats:
	free_percpu(vdev->stats);
	vdev->stats = NULL;
err_tstats:
	free_percpu(dev->tstats);
	dev->tstats = NULL;
err_ratelimiter:
	veil_ratelimiter_uninit(&vdev->ratelimiter);
err_table:
	veil_peer_table_free(vdev);
	return ret;
}

static struct rtnl_link_ops veil_link_ops __read_mostly = {
	.kind		= KBUILD_MODNAME,
	.priv_size	= sizeof(struct veil_device),
	.setup		= veil_setup,
	.newlink	= veil_newlink,
};

/*
 * A namespace is going away: delete every device born in it, wherever it
 * lives now, while the namespace (and so the devices' sockets) is still
 * intact. Devices that merely live in it are deleted by the core.
 */
static void veil_netns_pre_exit(struct net *net)
{
	struct veil_device *vdev, *tmp;
	LIST_HEAD(kill);

	rtnl_lock();
	list_for_each_entry_safe(vdev, tmp, &veil_device_list, device_list) {
		if (vdev->birth_net == net)
			unregister_netdevice_queue(vdev->dev, &kill);
	}
	unregister_netdevice_many(&kill);
	rtnl_unlock();
}

static struct pernet_operations veil_net_ops = {
	.pre_exit = veil_netns_pre_exit,
};

int veil_device_init(void)
{
	int ret;

	ret = register_pernet_device(&veil_net_ops);
	if (ret < 0)
		return ret;
	ret = rtnl_link_register(&veil_link_ops);
	if (ret < 0)
		unregister_pernet_device(&veil_net_ops);
	return ret;
}

void veil_device_uninit(void)
{
	/*
	 * Deletes every device in every namespace; the namespaces cannot go
	 * away meanwhile. Only then stop watching them.
	 */
	rtnl_link_unregister(&veil_link_ops);
	unregister_pernet_device(&veil_net_ops);
}
