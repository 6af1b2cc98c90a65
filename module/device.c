// SPDX-License-Identifier: GPL-2.0
/*
 * The veil link type: device setup and teardown, open/stop, transmit, and
 * deletion of devices whose birth namespace goes away.
 */

#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/if_arp.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/skbuff.h>
#include <linux/string.h>
#include <net/icmp.h>
#include <net/ip_tunnels.h>
#include <net/net_namespace.h>
#include <net/rtnetlink.h>

#include "device.h"
#include "peer.h"
#include "socket.h"

/* Every veil device, wherever it lives (RTNL). */
static LIST_HEAD(veil_device_list);

static struct rtnl_link_ops veil_link_ops;

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
	struct veil_socks socks, old = {};
	int ret;

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
out:
	mutex_unlock(&vdev->update_lock);
	/* Nothing was installed before; this is for robustness only. */
	veil_socks_release(&old);
	return ret;
}

static int veil_stop(struct net_device *dev)
{
	struct veil_device *vdev = netdev_priv(dev);
	struct veil_socks none = {}, old;

	mutex_lock(&vdev->update_lock);
	veil_socks_swap(vdev, &none, &old);
	veil_device_changed(vdev);
	mutex_unlock(&vdev->update_lock);
	veil_socks_release(&old);
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
 * Routes the packet by its destination through the allowed-IPs trie. There
 * is no protocol yet: a routable packet is counted as dropped, an
 * unroutable one gets an ICMP unreachable back and counts as an error.
 */
static netdev_tx_t veil_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct veil_device *vdev = netdev_priv(dev);
	const void *daddr;
	bool routable;
	int family;

	family = veil_skb_family(skb);
	if (unlikely(!family)) {
		DEV_STATS_INC(dev, tx_errors);
		goto free;
	}
	if (family == AF_INET)
		daddr = &ip_hdr(skb)->daddr;
	else
		daddr = &ipv6_hdr(skb)->daddr;

	rcu_read_lock_bh();
	routable = veil_aip_lookup(&vdev->aip, family, daddr);
	rcu_read_unlock_bh();

	if (!routable) {
		DEV_STATS_INC(dev, tx_errors);
		if (family == AF_INET)
			icmp_ndo_send(skb, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, 0);
		else
			icmpv6_ndo_send(skb, ICMPV6_DEST_UNREACH,
					ICMPV6_ADDR_UNREACH, 0);
		goto free;
	}

	dev_core_stats_tx_dropped_inc(dev);
free:
	kfree_skb(skb);
	return NETDEV_TX_OK;
}

/* Unregistration, under RTNL: leave the global list. */
static void veil_uninit(struct net_device *dev)
{
	struct veil_device *vdev = netdev_priv(dev);

	list_del_init(&vdev->device_list);
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
	veil_peer_remove_all(vdev);
	veil_aip_free(&vdev->aip, &vdev->update_lock);
	down_write(&vdev->identity_lock);
	memzero_explicit(vdev->private_key, sizeof(vdev->private_key));
	memzero_explicit(vdev->public_key, sizeof(vdev->public_key));
	vdev->has_identity = false;
	up_write(&vdev->identity_lock);
	mutex_unlock(&vdev->update_lock);

	veil_socks_release(&old);
	veil_peer_table_free(vdev);
	memzero_explicit(&vdev->hash_key, sizeof(vdev->hash_key));
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
	dev->features |= NETIF_F_LLTX;
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

	ret = veil_peer_table_init(vdev);
	if (ret < 0)
		return ret;

	dev->tstats = netdev_alloc_pcpu_stats(struct pcpu_sw_netstats);
	if (!dev->tstats) {
		ret = -ENOMEM;
		goto err_table;
	}

	ret = register_netdevice(dev);
	if (ret < 0)
		goto err_stats;

	list_add(&vdev->device_list, &veil_device_list);
	/*
	 * Set only now: a failing register_netdevice() must not run it,
	 * the error path below undoes this function's work instead.
	 */
	dev->priv_destructor = veil_destruct;
	return 0;

err_stats:
	free_percpu(dev->tstats);
	dev->tstats = NULL;
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
