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
#include <linux/mutex.h>
#include <linux/skbuff.h>
#include <linux/timer.h>
#include <linux/workqueue.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/time64.h>
#include <linux/types.h>

#include <linux/veil.h>
#include <net/dst_cache.h>

#include "cookie.h"
#include "keypair.h"
#include "noise.h"

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
 * Locking:
 * - @public_key is constant. @keepalive_interval, @peer_list, @hash_node
 *   and @dead are written under the device's update lock (@dead also with
 *   WRITE_ONCE: the data path reads it).
 * - @lock protects @endpoint, the sticky source address (@src4, @src6) and
 *   @last_handshake. The data path takes it for reading on every send and
 *   for writing when the peer roams.
 * - @hs_lock (a mutex: handshakes are computed in process context) protects
 *   @handshake, the registration of @hs_entry, @last_initiation_consumed,
 *   @initiation_created and @crossed_until. Lock order: update lock, device
 *   identity lock, @hs_lock.
 * - @keypairs, @staged and @tx_lock: see keypair.h and send.c.
 * - @rx_bytes and @tx_bytes are atomic.
 *
 * Lifetime: the device holds one reference while the peer is linked; index
 * table entries, keypairs and pending work hold their own. The data path
 * finds peers through the allowed-IPs trie or the index table under
 * rcu_read_lock_bh(); a peer is freed one grace period after its last
 * reference is dropped. Removal marks it @dead, waits for the data path
 * (synchronize_net()) and only then stops its timers and work, so nothing
 * re-arms them: timers are armed under rcu_read_lock_bh() after a @dead
 * check (timers.c).
 */
struct veil_peer {
	struct veil_device *vdev;
	u8 public_key[VEIL_KEY_LEN];

	rwlock_t lock;
	union veil_endpoint endpoint;	/* sa_family AF_UNSPEC: not set */
	__be32 src4;			/* 0: not known */
	struct in6_addr src6;		/* any: not known */
	struct timespec64 last_handshake;
	struct dst_cache dst_cache;

	u16 keepalive_interval;		/* seconds, 0: off */
	/* The CPU the data path finishes this peer's jobs on (parallel.h). */
	unsigned int serial_cpu;
	atomic64_t rx_bytes;
	atomic64_t tx_bytes;

	struct mutex hs_lock;		/* see "Locking" above */
	struct veil_noise_handshake handshake;
	struct veil_index_entry hs_entry;
	u64 last_initiation_consumed;	/* boot-time ns, 0: never */
	u64 initiation_created;		/* boot-time ns, our latest one */
	u64 crossed_until;		/* boot-time ns, see receive.c */
	struct veil_cookie_maker cookie_maker;
	struct veil_keypairs keypairs;

	/* Packets waiting for a key; see send.c. */
	struct sk_buff_head staged;
	unsigned int staged_msgs;	/* messages in @staged, its lock */
	spinlock_t tx_lock;		/* one sender of @staged at a time */
	atomic_t tx_jobs;		/* submitted, not finished yet */
	struct work_struct tx_work;	/* veil_send_staged() from a worker */

	/* Timers (timers.c). */
	atomic64_t last_sent_handshake;	/* boot-time ns */
	struct work_struct tx_handshake_work;
	struct work_struct clear_work;
	struct timer_list timer_retransmit;
	struct timer_list timer_send_keepalive;
	struct timer_list timer_new_handshake;
	struct timer_list timer_zero_keys;
	struct timer_list timer_persistent_keepalive;
	unsigned int handshake_attempts;
	bool need_another_keepalive;
	bool sent_lastminute_handshake;

	/* Prefixes of this peer, see allowedips.h. */
	struct list_head allowedips_list;

	/* On the device's peer list (update lock, RCU readers). */
	struct list_head peer_list;
	/*
	 * In the device's public-key hashtable. Two nodes so that the table
	 * can be resized while RCU readers walk the old one.
	 */
	struct hlist_node hash_node[2];
	/* On a private list while being removed (update lock). */
	struct list_head remove_list;

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
/*
 * Removes a linked peer from the device, stops everything it had running
 * and drops the device's reference. Sleeps.
 */
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

/* Sets the endpoint and forgets the cached source address. */
void veil_peer_set_endpoint(struct veil_peer *peer,
			    const union veil_endpoint *ep);
/*
 * The peer sent an authenticated packet from @skb's source: remember it
 * and the local address it arrived at (roaming, protocol.md 9).
 */
void veil_peer_set_endpoint_from_skb(struct veil_peer *peer,
				     struct sk_buff *skb);
/* Forget the cached source address (the route may have changed). */
void veil_peer_clear_src(struct veil_peer *peer);
/*
 * Interface down: drop keys, handshake state, staged packets and timers,
 * keep the configuration. Under the update lock; sleeps.
 */
void veil_peer_stop(struct veil_peer *peer);
/* Wipes the handshake state and every keypair (the session). */
void veil_peer_wipe_session(struct veil_peer *peer);
/*
 * Under @hs_lock, after a response was created or consumed: derives the
 * transport keys and installs them as a keypair that takes over the
 * handshake's index. On failure the handshake is wiped and NULL returned.
 */
struct veil_keypair *veil_peer_begin_session(struct veil_peer *peer);
/* Lets the next initiation go out at once (resets the rate limit). */
void veil_peer_allow_handshake(struct veil_peer *peer);
void veil_peer_clear_work(struct work_struct *work);
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
