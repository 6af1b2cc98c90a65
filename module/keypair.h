/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Session keys and the index table (protocol.md section 7).
 *
 * Every handshake in flight and every keypair is registered under a random
 * 32-bit local index, unique within the device; the peer puts it in the
 * receiver_index of what it sends us. A keypair takes over the index of the
 * handshake that produced it.
 */
#ifndef _VEIL_KEYPAIR_H
#define _VEIL_KEYPAIR_H

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include "messages.h"
#include "noise.h"
#include "replay.h"

struct veil_peer;

enum veil_index_type {
	VEIL_INDEX_HANDSHAKE = BIT(0),
	VEIL_INDEX_KEYPAIR = BIT(1),
};

/*
 * An entry of the index table, embedded in a peer (its handshake) or in a
 * keypair. @index is in host order; it goes on the wire as LE32.
 */
struct veil_index_entry {
	struct hlist_node node;
	struct veil_peer *peer;
	u32 index;
	enum veil_index_type type;
};

#define VEIL_INDEX_BITS 13

/*
 * The table: writers take @lock (with BHs off, since keypairs can be freed
 * from the data path); readers walk a bucket under RCU.
 */
struct veil_index_table {
	struct hlist_head buckets[1 << VEIL_INDEX_BITS];
	spinlock_t lock; /* serialises writers */
};

void veil_index_table_init(struct veil_index_table *table);
/* Registers @entry under a new random index (unhashing it first). */
void veil_index_insert(struct veil_index_table *table,
		       struct veil_index_entry *entry);
/* @new takes over @old's index and bucket position. */
void veil_index_replace(struct veil_index_table *table,
			struct veil_index_entry *old,
			struct veil_index_entry *new);
void veil_index_remove(struct veil_index_table *table,
		       struct veil_index_entry *entry);
/*
 * Finds the entry of one of the @types under @index and returns its peer
 * with a reference taken, or NULL; *@entry gets the entry. Caller is in an
 * RCU-bh read section and stays in it while it uses *@entry.
 */
struct veil_peer *veil_index_lookup(struct veil_index_table *table,
				    unsigned int types, u32 index,
				    struct veil_index_entry **entry);

/*
 * The keys of one session. Keys and indices are constant after creation;
 * @send_valid and @recv_valid only go from true to false. @send_counter is
 * the next nonce (atomic fetch-add); @replay guards the receive side.
 * Freed (and wiped) one RCU grace period after the last reference goes,
 * its index unregistered at that time.
 */
struct veil_keypair {
	struct veil_index_entry entry;
	u8 send_key[VEIL_NOISE_KEY_LEN];
	u8 recv_key[VEIL_NOISE_KEY_LEN];
	atomic64_t send_counter;
	struct veil_replay replay;
	u64 birth;		/* ktime_get_coarse_boottime_ns() */
	u32 remote_index;
	bool is_initiator;
	bool send_valid;
	bool recv_valid;
	struct kref refcount;
	struct rcu_head rcu;
};

/*
 * The three slots of a peer (protocol.md 7.2). Readers use RCU; writers
 * take @lock with BHs off.
 */
struct veil_keypairs {
	struct veil_keypair __rcu *current_keypair;
	struct veil_keypair __rcu *previous_keypair;
	struct veil_keypair __rcu *next_keypair;
	spinlock_t lock; /* serialises writers */
};

struct veil_keypair *veil_keypair_create(struct veil_peer *peer,
					 const struct veil_noise_keys *keys);
struct veil_keypair *veil_keypair_get(struct veil_keypair *kp);
/* NULL-safe. */
void veil_keypair_put(struct veil_keypair *kp);
/* A reference to the current keypair, or NULL. Caller is under RCU-bh. */
struct veil_keypair *veil_keypair_current(struct veil_keypairs *kps);

void veil_keypairs_init(struct veil_keypairs *kps);
/*
 * Installs a new keypair (the caller's reference moves to the slots): as
 * current for the initiator, as next for the responder (protocol.md 7.2).
 */
void veil_keypairs_install(struct veil_keypairs *kps, struct veil_keypair *kp);
/*
 * A packet authenticated under @kp: if @kp is next, rotate it in and return
 * true (the session is confirmed).
 */
bool veil_keypairs_received_with(struct veil_keypairs *kps,
				 struct veil_keypair *kp);
/* Drops every keypair (interface down, peer removal, key zeroing). */
void veil_keypairs_clear(struct veil_keypairs *kps);
/* Stops sending on current and next (identity change). */
void veil_keypairs_expire_sending(struct veil_keypairs *kps);

/* Has @birth (boot-time ns) reached @seconds of age? */
bool veil_has_expired(u64 birth, u64 seconds);

#endif /* _VEIL_KEYPAIR_H */
