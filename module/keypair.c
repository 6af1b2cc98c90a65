// SPDX-License-Identifier: GPL-2.0
/*
 * Session keys and the index table. See keypair.h.
 */

#include <linux/hash.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/ktime.h>
#include <linux/timekeeping.h>

#include "device.h"
#include "keypair.h"
#include "peer.h"

static struct hlist_head *veil_index_bucket(struct veil_index_table *table,
					    u32 index)
{
	/* The index is random: its low bits are a fine hash. */
	return &table->buckets[index & ((1 << VEIL_INDEX_BITS) - 1)];
}

void veil_index_table_init(struct veil_index_table *table)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(table->buckets); i++)
		INIT_HLIST_HEAD(&table->buckets[i]);
	spin_lock_init(&table->lock);
}

static bool veil_index_in_use(struct veil_index_table *table, u32 index)
{
	struct veil_index_entry *e;

	hlist_for_each_entry(e, veil_index_bucket(table, index), node)
		if (e->index == index)
			return true;
	return false;
}

void veil_index_insert(struct veil_index_table *table,
		       struct veil_index_entry *entry)
{
	u32 index;

	spin_lock_bh(&table->lock);
	if (!hlist_unhashed(&entry->node))
		hlist_del_init_rcu(&entry->node);
	/* 2^32 indices and at most a few per peer: this ends quickly. */
	do {
		index = get_random_u32();
	} while (veil_index_in_use(table, index));
	entry->index = index;
	hlist_add_head_rcu(&entry->node, veil_index_bucket(table, index));
	spin_unlock_bh(&table->lock);
}

void veil_index_replace(struct veil_index_table *table,
			struct veil_index_entry *old,
			struct veil_index_entry *new)
{
	spin_lock_bh(&table->lock);
	new->index = old->index;
	if (hlist_unhashed(&old->node)) {
		/* The handshake was cleared meanwhile: register anew. */
		spin_unlock_bh(&table->lock);
		veil_index_insert(table, new);
		return;
	}
	hlist_replace_rcu(&old->node, &new->node);
	/*
	 * Unhashed, but readers standing on @old may still follow its next
	 * pointer, so that stays intact.
	 */
	WRITE_ONCE(old->node.pprev, NULL);
	spin_unlock_bh(&table->lock);
}

void veil_index_remove(struct veil_index_table *table,
		       struct veil_index_entry *entry)
{
	spin_lock_bh(&table->lock);
	if (!hlist_unhashed(&entry->node))
		hlist_del_init_rcu(&entry->node);
	spin_unlock_bh(&table->lock);
}

struct veil_peer *veil_index_lookup(struct veil_index_table *table,
				    unsigned int types, u32 index,
				    struct veil_index_entry **entry)
{
	struct veil_index_entry *e;

	hlist_for_each_entry_rcu(e, veil_index_bucket(table, index), node) {
		if (e->index != index || !(e->type & types))
			continue;
		if (!kref_get_unless_zero(&e->peer->refcount))
			return NULL;
		*entry = e;
		return e->peer;
	}
	return NULL;
}

bool veil_has_expired(u64 birth, u64 seconds)
{
	return (s64)(birth + seconds * NSEC_PER_SEC) <=
	       (s64)ktime_get_coarse_boottime_ns();
}

struct veil_keypair *veil_keypair_create(struct veil_peer *peer,
					 const struct veil_noise_keys *keys)
{
	struct veil_keypair *kp;

	kp = kzalloc(sizeof(*kp), GFP_KERNEL);
	if (!kp)
		return NULL;
	kp->entry.type = VEIL_INDEX_KEYPAIR;
	kp->entry.peer = veil_peer_get(peer);
	kp->entry.index = keys->local_index;
	INIT_HLIST_NODE(&kp->entry.node);
	memcpy(kp->send_key, keys->sending, sizeof(kp->send_key));
	memcpy(kp->recv_key, keys->receiving, sizeof(kp->recv_key));
	atomic64_set(&kp->send_counter, 0);
	veil_replay_init(&kp->replay);
	kp->birth = ktime_get_coarse_boottime_ns();
	kp->remote_index = keys->remote_index;
	kp->is_initiator = keys->is_initiator;
	kp->send_valid = true;
	kp->recv_valid = true;
	kref_init(&kp->refcount);
	return kp;
}

struct veil_keypair *veil_keypair_get(struct veil_keypair *kp)
{
	kref_get(&kp->refcount);
	return kp;
}

static void veil_keypair_free_rcu(struct rcu_head *rcu)
{
	struct veil_keypair *kp = container_of(rcu, struct veil_keypair, rcu);

	veil_peer_put(kp->entry.peer);
	kfree_sensitive(kp);
}

static void veil_keypair_release(struct kref *kref)
{
	struct veil_keypair *kp = container_of(kref, struct veil_keypair,
					       refcount);

	/* Late packets for this index find nothing from now on. */
	veil_index_remove(&kp->entry.peer->vdev->index_table, &kp->entry);
	call_rcu(&kp->rcu, veil_keypair_free_rcu);
}

void veil_keypair_put(struct veil_keypair *kp)
{
	if (kp)
		kref_put(&kp->refcount, veil_keypair_release);
}

struct veil_keypair *veil_keypair_current(struct veil_keypairs *kps)
{
	struct veil_keypair *kp;

	kp = rcu_dereference_bh(kps->current_keypair);
	if (kp && !kref_get_unless_zero(&kp->refcount))
		kp = NULL;
	return kp;
}

void veil_keypairs_init(struct veil_keypairs *kps)
{
	RCU_INIT_POINTER(kps->current_keypair, NULL);
	RCU_INIT_POINTER(kps->previous_keypair, NULL);
	RCU_INIT_POINTER(kps->next_keypair, NULL);
	spin_lock_init(&kps->lock);
}

/* A slot's keypair, for a writer holding the lock. */
static struct veil_keypair *veil_kp_slot(struct veil_keypairs *kps,
					 struct veil_keypair __rcu **slot)
{
	return rcu_dereference_protected(*slot, lockdep_is_held(&kps->lock));
}

void veil_keypairs_install(struct veil_keypairs *kps, struct veil_keypair *kp)
{
	struct veil_keypair *prev, *cur, *next;

	spin_lock_bh(&kps->lock);
	prev = veil_kp_slot(kps, &kps->previous_keypair);
	cur = veil_kp_slot(kps, &kps->current_keypair);
	next = veil_kp_slot(kps, &kps->next_keypair);
	if (kp->is_initiator) {
		/*
		 * A next that was never confirmed becomes previous (it may
		 * still receive); current is then dropped.
		 */
		if (next) {
			RCU_INIT_POINTER(kps->next_keypair, NULL);
			rcu_assign_pointer(kps->previous_keypair, next);
			veil_keypair_put(cur);
		} else {
			rcu_assign_pointer(kps->previous_keypair, cur);
		}
		veil_keypair_put(prev);
		rcu_assign_pointer(kps->current_keypair, kp);
	} else {
		/* Unconfirmed: current keeps sending until the peer uses it. */
		rcu_assign_pointer(kps->next_keypair, kp);
		veil_keypair_put(next);
		RCU_INIT_POINTER(kps->previous_keypair, NULL);
		veil_keypair_put(prev);
	}
	spin_unlock_bh(&kps->lock);
}

bool veil_keypairs_received_with(struct veil_keypairs *kps,
				 struct veil_keypair *kp)
{
	struct veil_keypair *prev;

	if (likely(kp != rcu_access_pointer(kps->next_keypair)))
		return false;

	spin_lock_bh(&kps->lock);
	if (kp != veil_kp_slot(kps, &kps->next_keypair)) {
		spin_unlock_bh(&kps->lock);
		return false;
	}
	prev = veil_kp_slot(kps, &kps->previous_keypair);
	rcu_assign_pointer(kps->previous_keypair,
			   veil_kp_slot(kps, &kps->current_keypair));
	rcu_assign_pointer(kps->current_keypair, kp);
	RCU_INIT_POINTER(kps->next_keypair, NULL);
	veil_keypair_put(prev);
	spin_unlock_bh(&kps->lock);
	return true;
}

void veil_keypairs_clear(struct veil_keypairs *kps)
{
	struct veil_keypair *prev, *cur, *next;

	spin_lock_bh(&kps->lock);
	prev = veil_kp_slot(kps, &kps->previous_keypair);
	cur = veil_kp_slot(kps, &kps->current_keypair);
	next = veil_kp_slot(kps, &kps->next_keypair);
	RCU_INIT_POINTER(kps->previous_keypair, NULL);
	RCU_INIT_POINTER(kps->current_keypair, NULL);
	RCU_INIT_POINTER(kps->next_keypair, NULL);
	spin_unlock_bh(&kps->lock);
	veil_keypair_put(prev);
	veil_keypair_put(cur);
	veil_keypair_put(next);
}

void veil_keypairs_expire_sending(struct veil_keypairs *kps)
{
	struct veil_keypair *kp;

	spin_lock_bh(&kps->lock);
	kp = veil_kp_slot(kps, &kps->current_keypair);
	if (kp)
		WRITE_ONCE(kp->send_valid, false);
	kp = veil_kp_slot(kps, &kps->next_keypair);
	if (kp)
		WRITE_ONCE(kp->send_valid, false);
	spin_unlock_bh(&kps->lock);
}
