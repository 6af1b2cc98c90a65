// SPDX-License-Identifier: GPL-2.0
/*
 * The "veil" generic netlink family: VEIL_CMD_GET_DEVICE (a dump) and
 * VEIL_CMD_SET_DEVICE (a transactional update), see uapi/linux/veil.h.
 */

#include <crypto/curve25519.h>
#include <linux/capability.h>
#include <linux/if.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/mm.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/time64.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "device.h"
#include "netlink.h"
#include "peer.h"
#include "send.h"
#include "socket.h"

static const struct nla_policy veil_allowedip_policy[VEIL_ALLOWEDIP_A_MAX + 1] = {
	[VEIL_ALLOWEDIP_A_FAMILY]	= { .type = NLA_U16 },
	[VEIL_ALLOWEDIP_A_IPADDR]	= NLA_POLICY_RANGE(NLA_BINARY,
							   sizeof(struct in_addr),
							   sizeof(struct in6_addr)),
	[VEIL_ALLOWEDIP_A_CIDR_MASK]	= NLA_POLICY_MAX(NLA_U8, 128),
};

#define VEIL_READ_ONLY { .type = NLA_REJECT, .reject_message = "read-only attribute" }

static const struct nla_policy veil_peer_policy[VEIL_PEER_A_MAX + 1] = {
	[VEIL_PEER_A_PUBLIC_KEY]	= NLA_POLICY_EXACT_LEN(VEIL_KEY_LEN),
	[VEIL_PEER_A_PRESHARED_KEY]	= NLA_POLICY_EXACT_LEN(VEIL_KEY_LEN),
	[VEIL_PEER_A_FLAGS]		= NLA_POLICY_MASK(NLA_U32, __VEIL_PEER_F_ALL),
	[VEIL_PEER_A_ENDPOINT]		= NLA_POLICY_RANGE(NLA_BINARY,
							   sizeof(struct sockaddr_in),
							   sizeof(struct sockaddr_in6)),
	[VEIL_PEER_A_PERSISTENT_KEEPALIVE_INTERVAL] = { .type = NLA_U16 },
	[VEIL_PEER_A_LAST_HANDSHAKE_TIME] = VEIL_READ_ONLY,
	[VEIL_PEER_A_RX_BYTES]		= VEIL_READ_ONLY,
	[VEIL_PEER_A_TX_BYTES]		= VEIL_READ_ONLY,
	[VEIL_PEER_A_ALLOWEDIPS]	= NLA_POLICY_NESTED_ARRAY(veil_allowedip_policy),
	[VEIL_PEER_A_PROTOCOL_VERSION]	= NLA_POLICY_RANGE(NLA_U32, 1, 1),
	[VEIL_PEER_A_PAD]		= VEIL_READ_ONLY,
};

static const struct nla_policy veil_device_policy[VEIL_DEVICE_A_MAX + 1] = {
	[VEIL_DEVICE_A_IFINDEX]		= { .type = NLA_U32 },
	[VEIL_DEVICE_A_IFNAME]		= { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
	[VEIL_DEVICE_A_PRIVATE_KEY]	= NLA_POLICY_EXACT_LEN(VEIL_KEY_LEN),
	[VEIL_DEVICE_A_PUBLIC_KEY]	= VEIL_READ_ONLY,
	[VEIL_DEVICE_A_FLAGS]		= NLA_POLICY_MASK(NLA_U32, __VEIL_DEVICE_F_ALL),
	[VEIL_DEVICE_A_LISTEN_PORT]	= { .type = NLA_U16 },
	[VEIL_DEVICE_A_FWMARK]		= { .type = NLA_U32 },
	[VEIL_DEVICE_A_PEERS]		= NLA_POLICY_NESTED_ARRAY(veil_peer_policy),
};

static struct genl_family veil_genl_family;

/*
 * Finds the veil device named by exactly one of ifindex/ifname in @net and
 * returns it with a reference held.
 */
static struct net_device *veil_lookup_dev(struct net *net, struct nlattr **attrs,
					  struct netlink_ext_ack *extack)
{
	struct nlattr *index = attrs[VEIL_DEVICE_A_IFINDEX];
	struct nlattr *name = attrs[VEIL_DEVICE_A_IFNAME];
	struct net_device *dev;

	if (!index == !name) {
		NL_SET_ERR_MSG_MOD(extack,
				   "exactly one of ifindex and ifname is required");
		return ERR_PTR(-EINVAL);
	}
	if (index) {
		dev = dev_get_by_index(net, nla_get_u32(index));
	} else {
		char ifname[IFNAMSIZ];

		nla_strscpy(ifname, name, sizeof(ifname));
		dev = dev_get_by_name(net, ifname);
	}
	if (!dev) {
		NL_SET_ERR_MSG_ATTR(extack, index ?: name, "no such device");
		return ERR_PTR(-ENODEV);
	}
	if (!veil_is_veil_dev(dev)) {
		dev_put(dev);
		NL_SET_ERR_MSG_ATTR(extack, index ?: name, "not a veil device");
		return ERR_PTR(-EOPNOTSUPP);
	}
	return dev;
}

/*
 * Reads one allowed-IP element. The core has already validated the request
 * strictly against the policies; this re-parses without insisting on
 * NLA_F_NESTED on list elements, and does the semantic checks.
 */
static int veil_parse_allowedip(const struct nlattr *attr, int *family,
				const void **addr, u8 *cidr,
				struct netlink_ext_ack *extack)
{
	struct nlattr *tb[VEIL_ALLOWEDIP_A_MAX + 1];
	unsigned int len, max_cidr;
	int ret;

	ret = nla_parse_nested_deprecated(tb, VEIL_ALLOWEDIP_A_MAX, attr,
					  veil_allowedip_policy, extack);
	if (ret < 0)
		return ret;
	if (!tb[VEIL_ALLOWEDIP_A_FAMILY] || !tb[VEIL_ALLOWEDIP_A_IPADDR] ||
	    !tb[VEIL_ALLOWEDIP_A_CIDR_MASK]) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "allowed IP needs family, address and mask");
		return -EINVAL;
	}
	*family = nla_get_u16(tb[VEIL_ALLOWEDIP_A_FAMILY]);
	if (*family == AF_INET) {
		len = sizeof(struct in_addr);
		max_cidr = 32;
	} else if (*family == AF_INET6) {
		len = sizeof(struct in6_addr);
		max_cidr = 128;
	} else {
		NL_SET_ERR_MSG_ATTR(extack, tb[VEIL_ALLOWEDIP_A_FAMILY],
				    "allowed IP family must be AF_INET or AF_INET6");
		return -EAFNOSUPPORT;
	}
	if (nla_len(tb[VEIL_ALLOWEDIP_A_IPADDR]) != len) {
		NL_SET_ERR_MSG_ATTR(extack, tb[VEIL_ALLOWEDIP_A_IPADDR],
				    "allowed IP address length does not match its family");
		return -EINVAL;
	}
	*cidr = nla_get_u8(tb[VEIL_ALLOWEDIP_A_CIDR_MASK]);
	if (*cidr > max_cidr) {
		NL_SET_ERR_MSG_ATTR(extack, tb[VEIL_ALLOWEDIP_A_CIDR_MASK],
				    "allowed IP mask too long for its family");
		return -EINVAL;
	}
	*addr = nla_data(tb[VEIL_ALLOWEDIP_A_IPADDR]);
	return 0;
}

/* ---- VEIL_CMD_SET_DEVICE ---- */

/* One distinct public key named by the request. */
struct veil_set_key {
	struct hlist_node node;
	const u8 *key;
	/* The peer holding this key at this point of the request, or NULL. */
	struct veil_peer *peer;
};

enum veil_set_action {
	VEIL_SET_SKIP,
	VEIL_SET_REMOVE,
	VEIL_SET_CREATE,
	VEIL_SET_UPDATE,
};

/* One element of VEIL_DEVICE_A_PEERS, validated and prepared. */
struct veil_set_peer {
	enum veil_set_action action;
	struct veil_peer *peer;
	u32 flags;
	const u8 *preshared_key;
	const struct nlattr *allowedips;
	bool has_keepalive;
	bool has_endpoint;
	u16 keepalive;
	union veil_endpoint endpoint;
};

/*
 * A whole request. Pass 1 (veil_set_prepare) fills it in, allocating
 * everything that can fail; pass 2 (veil_set_commit) cannot fail.
 */
struct veil_set {
	struct veil_device *vdev;
	struct netlink_ext_ack *extack;

	bool set_port;
	bool rebind;
	u16 port;
	struct veil_socks socks;	/* new pair, until installed */
	struct veil_socks old_socks;	/* replaced pair, released at the end */

	bool set_fwmark;
	u32 fwmark;

	bool replace_peers;

	bool set_private_key;
	bool has_identity;
	u8 private_key[VEIL_KEY_LEN];
	u8 public_key[VEIL_KEY_LEN];
	/* Existing peer whose key is the new own public key. */
	struct veil_peer *self_peer;

	unsigned int n_peers;
	struct veil_set_peer *peers;
	unsigned int n_keys;
	struct veil_set_key *keys;
	struct hlist_head *key_buckets;
	unsigned int key_mask;

	struct veil_aip_reserve reserve;
	struct veil_peer_table *table;
};

static struct veil_set_key *veil_set_find_key(struct veil_set *set,
					      const u8 *key)
{
	struct veil_device *vdev = set->vdev;
	struct hlist_head *bucket;
	struct veil_set_key *k;

	bucket = &set->key_buckets[siphash(key, VEIL_KEY_LEN, &vdev->hash_key) &
				   set->key_mask];
	hlist_for_each_entry(k, bucket, node)
		if (!memcmp(k->key, key, VEIL_KEY_LEN))
			return k;

	k = &set->keys[set->n_keys++];
	k->key = key;
	k->peer = NULL;
	if (!set->replace_peers) {
		k->peer = veil_peer_lookup(vdev, key);
		if (k->peer == set->self_peer)
			k->peer = NULL;
	}
	hlist_add_head(&k->node, bucket);
	return k;
}

/* Whether @key is the device's own public key after this request. */
static bool veil_set_is_own_key(struct veil_set *set, const u8 *key)
{
	struct veil_device *vdev = set->vdev;

	if (set->set_private_key)
		return set->has_identity &&
		       !memcmp(key, set->public_key, VEIL_KEY_LEN);
	return vdev->identity.has_identity &&
	       !memcmp(key, vdev->identity.static_public, VEIL_KEY_LEN);
}

static int veil_set_prepare_peer(struct veil_set *set, const struct nlattr *attr,
				 struct veil_set_peer *op, unsigned int *count,
				 unsigned int *peak, unsigned int *inserts)
{
	struct netlink_ext_ack *extack = set->extack;
	struct nlattr *tb[VEIL_PEER_A_MAX + 1];
	unsigned int n_aips = 0;
	struct veil_set_key *k;
	const u8 *key;
	int ret;

	ret = nla_parse_nested_deprecated(tb, VEIL_PEER_A_MAX, attr,
					  veil_peer_policy, extack);
	if (ret < 0)
		return ret;
	if (!tb[VEIL_PEER_A_PUBLIC_KEY]) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "peer without public key");
		return -EINVAL;
	}
	key = nla_data(tb[VEIL_PEER_A_PUBLIC_KEY]);
	if (tb[VEIL_PEER_A_FLAGS])
		op->flags = nla_get_u32(tb[VEIL_PEER_A_FLAGS]);

	/* Everything is checked, even what a removal does not look at. */
	if (tb[VEIL_PEER_A_ENDPOINT]) {
		const struct nlattr *ep = tb[VEIL_PEER_A_ENDPOINT];
		const struct sockaddr *sa = nla_data(ep);
		int len = nla_len(ep);

		if (!((sa->sa_family == AF_INET &&
		       len == sizeof(struct sockaddr_in)) ||
		      (sa->sa_family == AF_INET6 &&
		       len == sizeof(struct sockaddr_in6)))) {
			NL_SET_ERR_MSG_ATTR(extack, ep,
					    "endpoint must be a sockaddr_in or sockaddr_in6");
			return -EINVAL;
		}
		memcpy(&op->endpoint, sa, len);
		op->has_endpoint = true;
	}
	if (tb[VEIL_PEER_A_PRESHARED_KEY])
		op->preshared_key = nla_data(tb[VEIL_PEER_A_PRESHARED_KEY]);
	if (tb[VEIL_PEER_A_PERSISTENT_KEEPALIVE_INTERVAL]) {
		op->has_keepalive = true;
		op->keepalive =
			nla_get_u16(tb[VEIL_PEER_A_PERSISTENT_KEEPALIVE_INTERVAL]);
	}
	if (tb[VEIL_PEER_A_ALLOWEDIPS]) {
		const struct nlattr *aip;
		const void *addr;
		int rem, family;
		u8 cidr;

		nla_for_each_nested(aip, tb[VEIL_PEER_A_ALLOWEDIPS], rem) {
			ret = veil_parse_allowedip(aip, &family, &addr, &cidr,
						   extack);
			if (ret < 0)
				return ret;
			n_aips++;
		}
		op->allowedips = tb[VEIL_PEER_A_ALLOWEDIPS];
	}

	if (op->flags & VEIL_PEER_F_REMOVE_ME) {
		/* Removing an unknown peer is not an error, as in WireGuard. */
		k = veil_set_find_key(set, key);
		if (k->peer) {
			op->action = VEIL_SET_REMOVE;
			op->peer = k->peer;
			k->peer = NULL;
			(*count)--;
		}
		return 0;
	}

	/* As in WireGuard, a peer with the device's own key is ignored. */
	if (veil_set_is_own_key(set, key))
		return 0;

	k = veil_set_find_key(set, key);
	if (k->peer) {
		op->action = VEIL_SET_UPDATE;
		op->peer = k->peer;
		*inserts += n_aips;
		return 0;
	}
	if (op->flags & VEIL_PEER_F_UPDATE_ONLY)
		return 0;

	if (*count >= VEIL_MAX_PEERS) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "too many peers");
		return -E2BIG;
	}
	op->peer = veil_peer_alloc(set->vdev, key);
	if (!op->peer)
		return -ENOMEM;
	op->action = VEIL_SET_CREATE;
	k->peer = op->peer;
	(*count)++;
	*peak = max(*peak, *count);
	*inserts += n_aips;
	return 0;
}

static int veil_set_prepare_peers(struct veil_set *set, const struct nlattr *list)
{
	struct veil_device *vdev = set->vdev;
	unsigned int count, peak, inserts = 0, i = 0, buckets;
	const struct nlattr *attr;
	int rem, ret;

	nla_for_each_nested(attr, list, rem)
		set->n_peers++;

	count = set->replace_peers ? 0 : vdev->num_peers;
	if (set->self_peer)
		count--;
	peak = count;

	if (set->n_peers) {
		buckets = roundup_pow_of_two(set->n_peers);
		set->key_mask = buckets - 1;
		set->peers = kvcalloc(set->n_peers, sizeof(*set->peers),
				      GFP_KERNEL);
		set->keys = kvcalloc(set->n_peers, sizeof(*set->keys),
				     GFP_KERNEL);
		set->key_buckets = kvcalloc(buckets, sizeof(*set->key_buckets),
					    GFP_KERNEL);
		if (!set->peers || !set->keys || !set->key_buckets)
			return -ENOMEM;

		nla_for_each_nested(attr, list, rem) {
			ret = veil_set_prepare_peer(set, attr, &set->peers[i++],
						    &count, &peak, &inserts);
			if (ret < 0)
				return ret;
			cond_resched();
		}
	}

	if (inserts) {
		ret = veil_aip_reserve(&set->reserve, inserts, GFP_KERNEL);
		if (ret < 0) {
			NL_SET_ERR_MSG_MOD(set->extack,
					   "out of memory for allowed IPs");
			return ret;
		}
	}
	return veil_peer_table_prepare(vdev, peak, &set->table);
}

static int veil_set_prepare(struct veil_set *set, struct nlattr **attrs)
{
	struct veil_device *vdev = set->vdev;
	struct netlink_ext_ack *extack = set->extack;
	int ret;

	if (attrs[VEIL_DEVICE_A_FLAGS])
		set->replace_peers = nla_get_u32(attrs[VEIL_DEVICE_A_FLAGS]) &
				     VEIL_DEVICE_F_REPLACE_PEERS;

	if (attrs[VEIL_DEVICE_A_FWMARK]) {
		set->set_fwmark = true;
		set->fwmark = nla_get_u32(attrs[VEIL_DEVICE_A_FWMARK]);
	}

	if (attrs[VEIL_DEVICE_A_PRIVATE_KEY]) {
		set->set_private_key = true;
		memcpy(set->private_key, nla_data(attrs[VEIL_DEVICE_A_PRIVATE_KEY]),
		       VEIL_KEY_LEN);
		if (memchr_inv(set->private_key, 0, VEIL_KEY_LEN)) {
			curve25519_clamp_secret(set->private_key);
			if (!curve25519_generate_public(set->public_key,
							set->private_key)) {
				NL_SET_ERR_MSG_ATTR(extack,
						    attrs[VEIL_DEVICE_A_PRIVATE_KEY],
						    "invalid private key");
				return -EINVAL;
			}
			set->has_identity = true;
			if (!set->replace_peers)
				set->self_peer = veil_peer_lookup(vdev,
								  set->public_key);
		}
	}

	if (attrs[VEIL_DEVICE_A_PEERS]) {
		ret = veil_set_prepare_peers(set, attrs[VEIL_DEVICE_A_PEERS]);
		if (ret < 0)
			return ret;
	}

	/* Last, as it is visible outside: bind the new port (RTNL held). */
	if (attrs[VEIL_DEVICE_A_LISTEN_PORT]) {
		ASSERT_RTNL();
		set->set_port = true;
		set->port = nla_get_u16(attrs[VEIL_DEVICE_A_LISTEN_PORT]);
		if (netif_running(vdev->dev) && set->port != vdev->listen_port) {
			ret = veil_socks_create(vdev, set->port, &set->socks);
			if (ret < 0) {
				NL_SET_ERR_MSG_ATTR(extack,
						    attrs[VEIL_DEVICE_A_LISTEN_PORT],
						    "could not bind the listen port");
				return ret;
			}
			set->rebind = true;
		}
	}
	return 0;
}

static void veil_set_apply_peer(struct veil_set *set, struct veil_set_peer *op)
{
	struct veil_device *vdev = set->vdev;
	struct veil_peer *peer = op->peer;
	const struct nlattr *attr;
	const void *addr;
	int rem, family;
	u8 cidr;

	if (op->preshared_key) {
		mutex_lock(&peer->hs_lock);
		memcpy(peer->handshake.preshared_key, op->preshared_key,
		       VEIL_KEY_LEN);
		mutex_unlock(&peer->hs_lock);
	}
	if (op->has_endpoint)
		veil_peer_set_endpoint(peer, &op->endpoint);
	if (op->has_keepalive) {
		bool start = !peer->keepalive_interval && op->keepalive;

		WRITE_ONCE(peer->keepalive_interval, op->keepalive);
		/* Turned on while up: one now (and a handshake if needed). */
		if (start && netif_running(vdev->dev))
			veil_send_keepalive(peer);
	}
	if (op->flags & VEIL_PEER_F_REPLACE_ALLOWEDIPS)
		veil_aip_remove_by_peer(&vdev->aip, peer, &vdev->update_lock);
	if (!op->allowedips)
		return;
	nla_for_each_nested(attr, op->allowedips, rem) {
		/* Checked in pass 1; cannot fail here. */
		if (WARN_ON_ONCE(veil_parse_allowedip(attr, &family, &addr,
						      &cidr, NULL)))
			continue;
		veil_aip_insert(&vdev->aip, family, addr, cidr, peer,
				&set->reserve, &vdev->update_lock);
		cond_resched();
	}
}

/*
 * A new private key: the cookie checker follows it, every peer's
 * static-static DH is recomputed, and sessions made with the old key stop
 * sending (they are replaced by the next handshake).
 */
static void veil_set_identity(struct veil_set *set)
{
	struct veil_device *vdev = set->vdev;
	struct veil_peer *peer;

	down_write(&vdev->identity_lock);
	if (set->has_identity)
		veil_noise_set_static_identity(&vdev->identity,
					       set->private_key);
	else
		memzero_explicit(&vdev->identity, sizeof(vdev->identity));
	veil_cookie_checker_set_key(&vdev->cookie_checker,
				    vdev->identity.has_identity ?
				    vdev->identity.static_public : NULL);
	list_for_each_entry(peer, &vdev->peer_list, peer_list) {
		mutex_lock(&peer->hs_lock);
		veil_noise_precompute_static_static(&peer->handshake,
						    &vdev->identity);
		veil_noise_handshake_clear(&peer->handshake);
		mutex_unlock(&peer->hs_lock);
		veil_keypairs_expire_sending(&peer->keypairs);
	}
	up_write(&vdev->identity_lock);
}

/* Pass 2: no failure point from here on. */
static void veil_set_commit(struct veil_set *set)
{
	struct veil_device *vdev = set->vdev;
	unsigned int i;

	if (set->rebind) {
		veil_socks_swap(vdev, &set->socks, &set->old_socks);
		vdev->listen_port = set->socks.port;
		memset(&set->socks, 0, sizeof(set->socks));
	} else if (set->set_port && !netif_running(vdev->dev)) {
		vdev->listen_port = set->port;
	}

	if (set->set_fwmark)
		WRITE_ONCE(vdev->fwmark, set->fwmark);

	if (set->replace_peers)
		veil_peer_remove_all(vdev);

	if (set->set_private_key) {
		if (set->self_peer)
			veil_peer_remove(set->self_peer);
		veil_set_identity(set);
	}

	veil_peer_table_commit(vdev, set->table);
	set->table = NULL;

	for (i = 0; i < set->n_peers; i++) {
		struct veil_set_peer *op = &set->peers[i];

		switch (op->action) {
		case VEIL_SET_SKIP:
			break;
		case VEIL_SET_REMOVE:
			veil_peer_remove(op->peer);
			break;
		case VEIL_SET_CREATE:
			veil_noise_handshake_init(&op->peer->handshake,
						  &vdev->identity,
						  op->peer->public_key, NULL);
			veil_peer_link(op->peer);
			op->action = VEIL_SET_UPDATE;
			fallthrough;
		case VEIL_SET_UPDATE:
			veil_set_apply_peer(set, op);
			break;
		}
	}
	veil_device_changed(vdev);
}

/* Frees what pass 1 prepared and pass 2 did not use. */
static void veil_set_cleanup(struct veil_set *set)
{
	unsigned int i;

	if (set->peers) {
		for (i = 0; i < set->n_peers; i++)
			if (set->peers[i].action == VEIL_SET_CREATE)
				veil_peer_free_unlinked(set->peers[i].peer);
	}
	veil_socks_release(&set->socks);
	veil_peer_table_discard(set->table);
	veil_aip_reserve_release(&set->reserve);
	kvfree(set->peers);
	kvfree(set->keys);
	kvfree(set->key_buckets);
	memzero_explicit(set->private_key, sizeof(set->private_key));
}

static int veil_set_device(struct sk_buff *skb, struct genl_info *info)
{
	bool need_rtnl = info->attrs[VEIL_DEVICE_A_LISTEN_PORT];
	struct veil_device *vdev;
	struct net_device *dev;
	struct veil_set *set;
	int ret;

	dev = veil_lookup_dev(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(dev))
		return PTR_ERR(dev);
	vdev = netdev_priv(dev);

	set = kzalloc(sizeof(*set), GFP_KERNEL);
	if (!set) {
		ret = -ENOMEM;
		goto out_put;
	}
	set->vdev = vdev;
	set->extack = info->extack;
	veil_aip_reserve_init(&set->reserve);

	/* Only a port change needs RTNL: it depends on the device being up. */
	if (need_rtnl)
		rtnl_lock();
	mutex_lock(&vdev->update_lock);
	ret = veil_set_prepare(set, info->attrs);
	if (!ret)
		veil_set_commit(set);
	veil_set_cleanup(set);
	mutex_unlock(&vdev->update_lock);
	if (need_rtnl)
		rtnl_unlock();

	veil_socks_release(&set->old_socks);
	kfree_sensitive(set);
out_put:
	dev_put(dev);
	return ret;
}

/* ---- VEIL_CMD_GET_DEVICE ---- */

/* Dump cursor, kept in netlink_callback.ctx between messages. */
struct veil_dump_ctx {
	struct net_device *dev;
	/* Next peer to emit (a reference is held), NULL: none left. */
	struct veil_peer *peer;
	/* Next prefix of @peer, NULL: from its first; valid while aip_seq. */
	struct veil_aip_node *aip;
	u64 aip_seq;
	bool admin;
	bool started;
	bool done;
};

static struct veil_dump_ctx *veil_dump_ctx(struct netlink_callback *cb)
{
	BUILD_BUG_ON(sizeof(struct veil_dump_ctx) > sizeof(cb->ctx));
	return (struct veil_dump_ctx *)cb->ctx;
}

static int veil_get_start(struct netlink_callback *cb)
{
	const struct genl_dumpit_info *info = genl_dumpit_info(cb);
	struct veil_dump_ctx *ctx = veil_dump_ctx(cb);
	struct net *net = sock_net(cb->skb->sk);
	struct net_device *dev;

	dev = veil_lookup_dev(net, info->attrs, cb->extack);
	if (IS_ERR(dev))
		return PTR_ERR(dev);
	ctx->dev = dev;
	/* Decided once, with the credentials of the requester. */
	ctx->admin = netlink_ns_capable(cb->skb, net->user_ns, CAP_NET_ADMIN);
	return 0;
}

static int veil_get_done(struct netlink_callback *cb)
{
	struct veil_dump_ctx *ctx = veil_dump_ctx(cb);

	if (ctx->peer)
		veil_peer_put(ctx->peer);
	dev_put(ctx->dev);
	return 0;
}

static int veil_put_device(struct sk_buff *skb, struct veil_device *vdev,
			   bool admin)
{
	struct net_device *dev = vdev->dev;

	if (nla_put_u32(skb, VEIL_DEVICE_A_IFINDEX, dev->ifindex) ||
	    nla_put_string(skb, VEIL_DEVICE_A_IFNAME, dev->name) ||
	    nla_put_u16(skb, VEIL_DEVICE_A_LISTEN_PORT, vdev->listen_port) ||
	    nla_put_u32(skb, VEIL_DEVICE_A_FWMARK, vdev->fwmark))
		return -EMSGSIZE;
	if (!vdev->identity.has_identity)
		return 0;
	if (admin && nla_put(skb, VEIL_DEVICE_A_PRIVATE_KEY, VEIL_KEY_LEN,
			     vdev->identity.static_private))
		return -EMSGSIZE;
	if (nla_put(skb, VEIL_DEVICE_A_PUBLIC_KEY, VEIL_KEY_LEN,
		    vdev->identity.static_public))
		return -EMSGSIZE;
	return 0;
}

static int veil_put_peer_attrs(struct sk_buff *skb, struct veil_peer *peer,
			       bool admin)
{
	u8 psk[VEIL_KEY_LEN];
	struct __kernel_timespec ts;
	union veil_endpoint ep;
	int eplen = 0, ret;

	if (admin) {
		mutex_lock(&peer->hs_lock);
		memcpy(psk, peer->handshake.preshared_key, VEIL_KEY_LEN);
		mutex_unlock(&peer->hs_lock);
	}
	read_lock_bh(&peer->lock);
	ts.tv_sec = peer->last_handshake.tv_sec;
	ts.tv_nsec = peer->last_handshake.tv_nsec;
	ep = peer->endpoint;
	read_unlock_bh(&peer->lock);

	if (ep.addr.sa_family == AF_INET)
		eplen = sizeof(ep.addr4);
	else if (ep.addr.sa_family == AF_INET6)
		eplen = sizeof(ep.addr6);

	ret = -EMSGSIZE;
	if (nla_put(skb, VEIL_PEER_A_PUBLIC_KEY, VEIL_KEY_LEN, peer->public_key) ||
	    (admin && nla_put(skb, VEIL_PEER_A_PRESHARED_KEY, VEIL_KEY_LEN,
			      psk)) ||
	    nla_put(skb, VEIL_PEER_A_LAST_HANDSHAKE_TIME, sizeof(ts), &ts) ||
	    nla_put_u64_64bit(skb, VEIL_PEER_A_RX_BYTES,
			      atomic64_read(&peer->rx_bytes), VEIL_PEER_A_PAD) ||
	    nla_put_u64_64bit(skb, VEIL_PEER_A_TX_BYTES,
			      atomic64_read(&peer->tx_bytes), VEIL_PEER_A_PAD) ||
	    nla_put_u32(skb, VEIL_PEER_A_PROTOCOL_VERSION, 1) ||
	    nla_put_u16(skb, VEIL_PEER_A_PERSISTENT_KEEPALIVE_INTERVAL,
			peer->keepalive_interval) ||
	    (eplen && nla_put(skb, VEIL_PEER_A_ENDPOINT, eplen, &ep)))
		goto out;
	ret = 0;
out:
	memzero_explicit(psk, sizeof(psk));
	return ret;
}

static int veil_put_allowedip(struct sk_buff *skb, struct veil_aip_node *node,
			      int index)
{
	struct nlattr *nest;
	u8 addr[16], cidr;
	int family;

	veil_aip_node_read(node, &family, addr, &cidr);
	nest = nla_nest_start(skb, index);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u16(skb, VEIL_ALLOWEDIP_A_FAMILY, family) ||
	    nla_put(skb, VEIL_ALLOWEDIP_A_IPADDR,
		    family == AF_INET6 ? sizeof(struct in6_addr) :
					 sizeof(struct in_addr), addr) ||
	    nla_put_u8(skb, VEIL_ALLOWEDIP_A_CIDR_MASK, cidr)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/*
 * Emits @peer as list element @index, starting at prefix *@next (NULL: the
 * first). Returns 0 when the peer is complete, or -EMSGSIZE with *@next set
 * to the first prefix left out; when nothing of the peer fits, nothing is
 * emitted and *@next is unchanged.
 */
static int veil_put_peer(struct sk_buff *skb, struct veil_peer *peer,
			 struct veil_aip_node **next, int index, bool admin)
{
	struct nlattr *peer_nest, *aip_nest;
	struct veil_aip_node *node = *next;
	int i = 0;

	peer_nest = nla_nest_start(skb, index);
	if (!peer_nest)
		return -EMSGSIZE;
	if (veil_put_peer_attrs(skb, peer, admin))
		goto cancel;
	if (list_empty(&peer->allowedips_list))
		goto end;

	aip_nest = nla_nest_start(skb, VEIL_PEER_A_ALLOWEDIPS);
	if (!aip_nest)
		goto cancel;
	if (!node)
		node = list_first_entry(&peer->allowedips_list,
					struct veil_aip_node, peer_list);
	list_for_each_entry_from(node, &peer->allowedips_list, peer_list) {
		if (veil_put_allowedip(skb, node, i)) {
			if (!i)
				goto cancel;
			nla_nest_end(skb, aip_nest);
			nla_nest_end(skb, peer_nest);
			*next = node;
			return -EMSGSIZE;
		}
		i++;
	}
	nla_nest_end(skb, aip_nest);
end:
	nla_nest_end(skb, peer_nest);
	return 0;

cancel:
	nla_nest_cancel(skb, peer_nest);
	return -EMSGSIZE;
}

/* Emits peers from the cursor on; returns 0 when all are out. */
static int veil_put_peers(struct sk_buff *skb, struct veil_dump_ctx *ctx,
			  struct veil_device *vdev, struct veil_peer *peer,
			  struct veil_aip_node *aip)
{
	struct veil_aip_node *start_aip = aip;
	struct nlattr *nest;
	int index = 0, ret = 0;

	nest = nla_nest_start(skb, VEIL_DEVICE_A_PEERS);
	if (!nest)
		return -EMSGSIZE;
	list_for_each_entry_from(peer, &vdev->peer_list, peer_list) {
		ret = veil_put_peer(skb, peer, &aip, index, ctx->admin);
		if (ret)
			break;
		index++;
		aip = NULL;
	}
	if (!ret) {
		nla_nest_end(skb, nest);
		return 0;
	}

	/* Out of room: remember where to go on. */
	if (!index && aip == start_aip) {
		/* Not even one prefix fitted into this message. */
		nla_nest_cancel(skb, nest);
		return -ENOBUFS;
	}
	nla_nest_end(skb, nest);
	if (ctx->peer != peer) {
		veil_peer_get(peer);
		if (ctx->peer)
			veil_peer_put(ctx->peer);
		ctx->peer = peer;
	}
	ctx->aip = aip;
	ctx->aip_seq = vdev->aip.seq;
	return -EMSGSIZE;
}

static void veil_dump_finish(struct veil_dump_ctx *ctx)
{
	ctx->done = true;
	if (ctx->peer) {
		veil_peer_put(ctx->peer);
		ctx->peer = NULL;
	}
}

/*
 * One message of the dump, under the update lock. A change since the
 * previous message bumps the generation and the message is flagged
 * NLM_F_DUMP_INTR; the cursor is only trusted while the peer is alive and
 * the trie unchanged, otherwise the dump goes on from the next valid point
 * (or ends) and userspace, seeing the flag, retries.
 */
static int veil_get_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct veil_dump_ctx *ctx = veil_dump_ctx(cb);
	struct veil_device *vdev = netdev_priv(ctx->dev);
	struct veil_aip_node *aip = NULL;
	struct veil_peer *peer = NULL;
	void *hdr;
	int ret;

	if (ctx->done)
		return 0;

	mutex_lock(&vdev->update_lock);
	cb->seq = vdev->generation;
	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &veil_genl_family, NLM_F_MULTI, VEIL_CMD_GET_DEVICE);
	if (!hdr) {
		ret = -EMSGSIZE;
		goto out;
	}
	genl_dump_check_consistent(cb, hdr);

	ret = veil_put_device(skb, vdev, ctx->admin);
	if (ret)
		goto cancel;

	if (!ctx->started) {
		ctx->started = true;
		peer = list_first_entry_or_null(&vdev->peer_list,
						struct veil_peer, peer_list);
	} else if (ctx->peer && !ctx->peer->dead) {
		peer = ctx->peer;
		if (ctx->aip && ctx->aip_seq == vdev->aip.seq)
			aip = ctx->aip;
		else if (ctx->aip)
			peer = list_next_entry(peer, peer_list);
		if (list_entry_is_head(peer, &vdev->peer_list, peer_list))
			peer = NULL;
	}

	if (peer) {
		ret = veil_put_peers(skb, ctx, vdev, peer, aip);
		if (ret == -ENOBUFS)
			goto cancel;
	} else {
		ret = 0;
	}
	if (!ret)
		veil_dump_finish(ctx);
	genlmsg_end(skb, hdr);
	ret = skb->len;
	goto out;

cancel:
	genlmsg_cancel(skb, hdr);
	if (!skb->len) {
		/* Not even an empty message fits: give up. */
		veil_dump_finish(ctx);
		ret = -EMSGSIZE;
	} else {
		ret = skb->len;
	}
out:
	mutex_unlock(&vdev->update_lock);
	return ret;
}

static const struct genl_ops veil_genl_ops[] = {
	{
		.cmd	= VEIL_CMD_GET_DEVICE,
		/* Open to everyone; keys are only shown to admins. */
		.start	= veil_get_start,
		.dumpit	= veil_get_dump,
		.done	= veil_get_done,
	},
	{
		.cmd	= VEIL_CMD_SET_DEVICE,
		.doit	= veil_set_device,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
};

static struct genl_family veil_genl_family __ro_after_init = {
	.name		= VEIL_GENL_NAME,
	.version	= VEIL_GENL_VERSION,
	.maxattr	= VEIL_DEVICE_A_MAX,
	.policy		= veil_device_policy,
	.netnsok	= true,
	/* The module locks for itself; no need for the global genl lock. */
	.parallel_ops	= true,
	.ops		= veil_genl_ops,
	.n_ops		= ARRAY_SIZE(veil_genl_ops),
	/* Every command validates strictly. */
	.resv_start_op	= VEIL_CMD_SET_DEVICE + 1,
	.module		= THIS_MODULE,
};

int __init veil_genl_init(void)
{
	return genl_register_family(&veil_genl_family);
}

void veil_genl_uninit(void)
{
	genl_unregister_family(&veil_genl_family);
}
