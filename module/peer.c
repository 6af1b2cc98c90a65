// SPDX-License-Identifier: GPL-2.0
/*
 * Peers: lifetime and lookup by public key.
 *
 * The device holds one reference on each linked peer; removal unlinks the
 * peer from the allowed-IPs trie, the peer list and the hashtable, marks it
 * dead and drops that reference. Others (a dump's cursor, the data
 * path) hold their own. The memory is wiped and freed one RCU grace period
 * after the last reference goes, so an RCU reader that found the peer in the
 * trie or the hashtable can still use it until it leaves its read section.
 */

#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/siphash.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <net/ipv6.h>

#include "device.h"
#include "peer.h"
#include "send.h"
#include "socket.h"
#include "timers.h"

#define VEIL_PEER_TABLE_MIN_SHIFT	4
#define VEIL_PEER_TABLE_MAX_SHIFT	19

static struct hlist_head *veil_peer_bucket(struct veil_device *vdev,
					   struct veil_peer_table *table,
					   const u8 key[VEIL_KEY_LEN])
{
	u64 hash = siphash(key, VEIL_KEY_LEN, &vdev->hash_key);

	return &table->buckets[hash & ((1U << table->shift) - 1)];
}

static struct veil_peer_table *veil_peer_table_alloc(unsigned int shift,
						     unsigned int slot)
{
	struct veil_peer_table *table;
	unsigned int i;

	table = kvmalloc(struct_size(table, buckets, 1U << shift),
			 GFP_KERNEL);
	if (!table)
		return NULL;
	table->shift = shift;
	table->slot = slot;
	for (i = 0; i < (1U << shift); i++)
		INIT_HLIST_HEAD(&table->buckets[i]);
	return table;
}

static struct veil_peer_table *veil_peer_table(struct veil_device *vdev)
{
	return rcu_dereference_protected(vdev->peer_table,
					 lockdep_is_held(&vdev->update_lock));
}

int veil_peer_table_init(struct veil_device *vdev)
{
	struct veil_peer_table *table;

	table = veil_peer_table_alloc(VEIL_PEER_TABLE_MIN_SHIFT, 0);
	if (!table)
		return -ENOMEM;
	get_random_bytes(&vdev->hash_key, sizeof(vdev->hash_key));
	RCU_INIT_POINTER(vdev->peer_table, table);
	return 0;
}

/* At teardown, when no peer is left and there are no readers. */
void veil_peer_table_free(struct veil_device *vdev)
{
	kvfree(rcu_dereference_protected(vdev->peer_table, true));
	RCU_INIT_POINTER(vdev->peer_table, NULL);
}

int veil_peer_table_prepare(struct veil_device *vdev, unsigned int peers,
			    struct veil_peer_table **new)
{
	struct veil_peer_table *table = veil_peer_table(vdev);
	unsigned int shift;

	*new = NULL;
	/* Keep at most two peers per bucket on average. */
	if (table->shift >= VEIL_PEER_TABLE_MAX_SHIFT ||
	    peers <= (2U << table->shift))
		return 0;
	shift = clamp_t(unsigned int, order_base_2(peers),
			table->shift + 1, VEIL_PEER_TABLE_MAX_SHIFT);
	*new = veil_peer_table_alloc(shift, !table->slot);
	return *new ? 0 : -ENOMEM;
}

void veil_peer_table_discard(struct veil_peer_table *table)
{
	kvfree(table);
}

void veil_peer_table_commit(struct veil_device *vdev,
			    struct veil_peer_table *new)
{
	struct veil_peer_table *old = veil_peer_table(vdev);
	struct veil_peer *peer;

	if (!new)
		return;
	/*
	 * hash_node[new->slot] is unused: the previous resize waited for
	 * every reader of the table that used it.
	 */
	list_for_each_entry(peer, &vdev->peer_list, peer_list)
		hlist_add_head_rcu(&peer->hash_node[new->slot],
				   veil_peer_bucket(vdev, new, peer->public_key));
	rcu_assign_pointer(vdev->peer_table, new);
	synchronize_rcu();
	kvfree(old);
}

/* The serial CPU of the next peer (a count, folded onto the CPUs). */
static atomic_t veil_peer_serial_next = ATOMIC_INIT(0);

struct veil_peer *veil_peer_alloc(struct veil_device *vdev,
				  const u8 public_key[VEIL_KEY_LEN])
{
	struct veil_peer *peer;

	peer = kzalloc(sizeof(*peer), GFP_KERNEL);
	if (!peer)
		return NULL;
	if (dst_cache_init(&peer->dst_cache, GFP_KERNEL)) {
		kfree(peer);
		return NULL;
	}
	peer->vdev = vdev;
	/* Round robin over the CPUs, across devices (parallel.h). */
	peer->serial_cpu = atomic_inc_return(&veil_peer_serial_next);
	memcpy(peer->public_key, public_key, VEIL_KEY_LEN);
	rwlock_init(&peer->lock);
	peer->endpoint.addr.sa_family = AF_UNSPEC;
	mutex_init(&peer->hs_lock);
	peer->hs_entry.type = VEIL_INDEX_HANDSHAKE;
	peer->hs_entry.peer = peer;
	INIT_HLIST_NODE(&peer->hs_entry.node);
	veil_cookie_maker_init(&peer->cookie_maker, public_key);
	veil_keypairs_init(&peer->keypairs);
	skb_queue_head_init(&peer->staged);
	spin_lock_init(&peer->tx_lock);
	atomic_set(&peer->tx_jobs, 0);
	INIT_WORK(&peer->tx_handshake_work,
		  veil_send_handshake_initiation_work);
	INIT_WORK(&peer->clear_work, veil_peer_clear_work);
	INIT_WORK(&peer->tx_work, veil_send_staged_work);
	veil_timers_init(peer);
	veil_peer_allow_handshake(peer);
	INIT_LIST_HEAD(&peer->allowedips_list);
	INIT_LIST_HEAD(&peer->peer_list);
	kref_init(&peer->refcount);
	return peer;
}

static void veil_peer_wipe(struct veil_peer *peer)
{
	dst_cache_destroy(&peer->dst_cache);
	veil_cookie_maker_uninit(&peer->cookie_maker);
	mutex_destroy(&peer->hs_lock);
	kfree_sensitive(peer);
}

void veil_peer_free_unlinked(struct veil_peer *peer)
{
	veil_peer_wipe(peer);
}

void veil_peer_link(struct veil_peer *peer)
{
	struct veil_device *vdev = peer->vdev;
	struct veil_peer_table *table = veil_peer_table(vdev);

	lockdep_assert_held(&vdev->update_lock);
	list_add_tail_rcu(&peer->peer_list, &vdev->peer_list);
	hlist_add_head_rcu(&peer->hash_node[table->slot],
			   veil_peer_bucket(vdev, table, peer->public_key));
	vdev->num_peers++;
}

/* Unlinks the peer; the data path may still hold it until a grace period. */
static void veil_peer_unlink(struct veil_peer *peer)
{
	struct veil_device *vdev = peer->vdev;
	struct veil_peer_table *table = veil_peer_table(vdev);

	lockdep_assert_held(&vdev->update_lock);
	veil_aip_remove_by_peer(&vdev->aip, peer, &vdev->update_lock);
	list_del_rcu(&peer->peer_list);
	hlist_del_rcu(&peer->hash_node[table->slot]);
	vdev->num_peers--;
	WRITE_ONCE(peer->dead, true);
}

/*
 * After veil_peer_unlink() and a grace period: nothing in the data path
 * sees the peer and nothing can re-arm its timers or queue its work.
 */
static void veil_peer_shutdown(struct veil_peer *peer)
{
	veil_peer_stop(peer);
	veil_peer_put(peer);
}

void veil_peer_remove(struct veil_peer *peer)
{
	veil_peer_unlink(peer);
	synchronize_net();
	veil_peer_shutdown(peer);
}

void veil_peer_remove_all(struct veil_device *vdev)
{
	struct veil_peer *peer, *tmp;
	LIST_HEAD(dead);

	lockdep_assert_held(&vdev->update_lock);
	list_for_each_entry_safe(peer, tmp, &vdev->peer_list, peer_list) {
		veil_peer_unlink(peer);
		list_add_tail(&peer->remove_list, &dead);
		cond_resched();
	}
	if (list_empty(&dead))
		return;
	/* One grace period for all of them. */
	synchronize_net();
	list_for_each_entry_safe(peer, tmp, &dead, remove_list) {
		list_del_init(&peer->remove_list);
		veil_peer_shutdown(peer);
		cond_resched();
	}
}

/* Lets the next initiation go out at once. */
void veil_peer_allow_handshake(struct veil_peer *peer)
{
	atomic64_set(&peer->last_sent_handshake,
		     ktime_get_coarse_boottime_ns() -
		     (u64)(VEIL_REKEY_TIMEOUT + 1) * NSEC_PER_SEC);
}

void veil_peer_wipe_session(struct veil_peer *peer)
{
	mutex_lock(&peer->hs_lock);
	veil_noise_handshake_clear(&peer->handshake);
	veil_index_remove(&peer->vdev->index_table, &peer->hs_entry);
	peer->crossed_until = 0;
	mutex_unlock(&peer->hs_lock);
	veil_keypairs_clear(&peer->keypairs);
}

struct veil_keypair *veil_peer_begin_session(struct veil_peer *peer)
{
	struct veil_device *vdev = peer->vdev;
	struct veil_noise_keys keys;
	struct veil_keypair *kp = NULL;

	lockdep_assert_held(&peer->hs_lock);
	if (veil_noise_derive_keys(&peer->handshake, &keys)) {
		kp = veil_keypair_create(peer, &keys);
		memzero_explicit(&keys, sizeof(keys));
	}
	if (kp) {
		/* The keypair inherits the handshake's index. */
		veil_index_replace(&vdev->index_table, &peer->hs_entry,
				   &kp->entry);
		veil_keypairs_install(&peer->keypairs, kp);
	} else {
		veil_noise_handshake_clear(&peer->handshake);
		veil_index_remove(&vdev->index_table, &peer->hs_entry);
	}
	return kp;
}

void veil_peer_stop(struct veil_peer *peer)
{
	veil_timers_stop(peer);
	/* A cancelled work item did not drop the reference it held. */
	if (cancel_work_sync(&peer->tx_handshake_work))
		veil_peer_put(peer);
	if (cancel_work_sync(&peer->clear_work))
		veil_peer_put(peer);
	if (cancel_work_sync(&peer->tx_work))
		veil_peer_put(peer);
	/* The timers again: the work items may have armed one. */
	veil_timers_stop(peer);

	veil_peer_wipe_session(peer);
	veil_send_purge_staged(peer);
	peer->handshake_attempts = 0;
	peer->sent_lastminute_handshake = false;
	peer->need_another_keepalive = false;
	veil_peer_allow_handshake(peer);
}

/* Key zeroing (protocol.md 8.3): wipe the handshake and all keypairs. */
void veil_peer_clear_work(struct work_struct *work)
{
	struct veil_peer *peer = container_of(work, struct veil_peer,
					      clear_work);

	veil_peer_wipe_session(peer);
	veil_peer_put(peer);
}

struct veil_peer *veil_peer_lookup(struct veil_device *vdev,
				   const u8 public_key[VEIL_KEY_LEN])
{
	struct veil_peer_table *table;
	struct veil_peer *peer;
	struct hlist_head *bucket;

	table = rcu_dereference_check(vdev->peer_table,
				      lockdep_is_held(&vdev->update_lock) ||
				      rcu_read_lock_bh_held());
	bucket = veil_peer_bucket(vdev, table, public_key);
	/* Only one slot is linked into a given table: walk that one. */
	if (table->slot) {
		hlist_for_each_entry_rcu(peer, bucket, hash_node[1],
					 lockdep_is_held(&vdev->update_lock))
			if (!memcmp(peer->public_key, public_key, VEIL_KEY_LEN))
				return peer;
	} else {
		hlist_for_each_entry_rcu(peer, bucket, hash_node[0],
					 lockdep_is_held(&vdev->update_lock))
			if (!memcmp(peer->public_key, public_key, VEIL_KEY_LEN))
				return peer;
	}
	return NULL;
}

struct veil_peer *veil_peer_get(struct veil_peer *peer)
{
	kref_get(&peer->refcount);
	return peer;
}

static void veil_peer_free_rcu(struct rcu_head *rcu)
{
	veil_peer_wipe(container_of(rcu, struct veil_peer, rcu));
}

static void veil_peer_release(struct kref *kref)
{
	struct veil_peer *peer = container_of(kref, struct veil_peer, refcount);

	/* A late sender (the handshake worker) may have staged something. */
	veil_send_purge_staged(peer);
	call_rcu(&peer->rcu, veil_peer_free_rcu);
}

void veil_peer_put(struct veil_peer *peer)
{
	kref_put(&peer->refcount, veil_peer_release);
}

void veil_peer_set_endpoint(struct veil_peer *peer,
			    const union veil_endpoint *ep)
{
	write_lock_bh(&peer->lock);
	peer->endpoint = *ep;
	peer->src4 = 0;
	peer->src6 = in6addr_any;
	dst_cache_reset(&peer->dst_cache);
	write_unlock_bh(&peer->lock);
}

void veil_peer_set_endpoint_from_skb(struct veil_peer *peer,
				     struct sk_buff *skb)
{
	union veil_endpoint ep;
	struct in6_addr src6;
	__be32 src4;
	bool same;

	if (veil_socket_skb_source(skb, &ep))
		return;
	veil_socket_skb_dest(skb, &src4, &src6);

	/* The common case: nothing moved. */
	read_lock_bh(&peer->lock);
	same = !memcmp(&ep, &peer->endpoint, sizeof(ep)) &&
	       src4 == peer->src4 && ipv6_addr_equal(&src6, &peer->src6);
	read_unlock_bh(&peer->lock);
	if (same)
		return;

	write_lock_bh(&peer->lock);
	peer->endpoint = ep;
	peer->src4 = src4;
	peer->src6 = src6;
	dst_cache_reset(&peer->dst_cache);
	write_unlock_bh(&peer->lock);
}

void veil_peer_clear_src(struct veil_peer *peer)
{
	write_lock_bh(&peer->lock);
	peer->src4 = 0;
	peer->src6 = in6addr_any;
	dst_cache_reset(&peer->dst_cache);
	write_unlock_bh(&peer->lock);
}

void veil_peer_get_endpoint(struct veil_peer *peer, union veil_endpoint *ep)
{
	read_lock_bh(&peer->lock);
	*ep = peer->endpoint;
	read_unlock_bh(&peer->lock);
}
