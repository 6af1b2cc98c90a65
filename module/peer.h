/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Peers of a veil device: creation, removal, lookup by public key, reference
 * counting.
 */
#ifndef _VEIL_PEER_H
#define _VEIL_PEER_H

#include <linux/bits.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/time64.h>
#include <linux/types.h>

#include <linux/veil.h>

struct veil_device;

#define VEIL_MAX_PEERS BIT(20)

union veil_endpoint {
	struct sockaddr addr;
	struct sockaddr_in addr4;
	struct sockaddr_in6 addr6;
};

/*
 * struct veil_peer - a remote end, identified by its public key.
 *
 * Locking: @public_key is constant. @preshared_key, @keepalive_interval,
 * @peer_list, @hash_node and @dead are written under the device's update
 * lock. @endpoint and @last_handshake are protected by @lock (readers and
 * writers both take it; the data path will write them). @rx_bytes and
 * @tx_bytes have a single writer each in the data path and are read with
 * READ_ONCE(). The data path finds peers through the allowed-IPs trie under
 * rcu_read_lock_bh(); a peer is freed one grace period after its last
 * reference is dropped.
 */
struct veil_peer {
	struct veil_device *vdev;
	u8 public_key[VEIL_KEY_LEN];
	u8 preshared_key[VEIL_KEY_LEN];

	rwlock_t lock;
	union veil_endpoint endpoint;	/* sa_family AF_UNSPEC: not set */
	struct timespec64 last_handshake;

	u16 keepalive_interval;		/* seconds, 0: off */
	u64 rx_bytes;
	u64 tx_bytes;

	/* Prefixes of this peer, see allowedips.h. */
	struct list_head allowedips_list;

	/* On the device's peer list (update lock, RCU readers). */
	struct list_head peer_list;
	/*
	 * In the device's public-key hashtable. Two nodes so that the table
	 * can be resized while RCU readers walk the old one.
	 */
	struct hlist_node hash_node[2];

	bool dead;
	struct kref refcount;
	struct rcu_head rcu;
};

/*
 * Public-key hashtable: 1 << @shift buckets, linked through
 * veil_peer.hash_node[@slot].
 */
struct veil_peer_table {
	struct rcu_head rcu;
	unsigned int shift;
	unsigned int slot;
	struct hlist_head buckets[];
};

/* Allocates a peer that is not on any list yet. */
struct veil_peer *veil_peer_alloc(struct veil_device *vdev,
				  const u8 public_key[VEIL_KEY_LEN]);
/* Frees a peer from veil_peer_alloc() that was never linked. */
void veil_peer_free_unlinked(struct veil_peer *peer);
/* Adds an allocated peer to the device (update lock; cannot fail). */
void veil_peer_link(struct veil_peer *peer);
/* Removes a linked peer from the device and drops the device's reference. */
void veil_peer_remove(struct veil_peer *peer);
void veil_peer_remove_all(struct veil_device *vdev);

/*
 * Finds a linked peer. Caller holds the update lock or rcu_read_lock_bh();
 * no reference is taken.
 */
struct veil_peer *veil_peer_lookup(struct veil_device *vdev,
				   const u8 public_key[VEIL_KEY_LEN]);

struct veil_peer *veil_peer_get(struct veil_peer *peer);
void veil_peer_put(struct veil_peer *peer);

void veil_peer_set_endpoint(struct veil_peer *peer,
			    const union veil_endpoint *ep);
void veil_peer_get_endpoint(struct veil_peer *peer, union veil_endpoint *ep);

/*
 * Public-key table. veil_peer_table_prepare() allocates a larger table when
 * the device is about to hold up to @peers peers (NULL in *@table when the
 * current one is large enough); veil_peer_table_commit() switches to it and
 * cannot fail. Both under the update lock; commit waits for a grace period.
 */
int veil_peer_table_init(struct veil_device *vdev);
void veil_peer_table_free(struct veil_device *vdev);
int veil_peer_table_prepare(struct veil_device *vdev, unsigned int peers,
			    struct veil_peer_table **table);
void veil_peer_table_commit(struct veil_device *vdev,
			    struct veil_peer_table *table);
void veil_peer_table_discard(struct veil_peer_table *table);

#endif /* _VEIL_PEER_H */
