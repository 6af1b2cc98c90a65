/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Cryptokey routing table: a longest-prefix-match structure mapping IPv4 and
 * IPv6 prefixes to peers.
 *
 * Locking: writers hold the device's update mutex, passed in as @lock so that
 * lockdep can check it; readers (the data path) hold rcu_read_lock_bh() and
 * get a peer pointer without a reference, valid until they leave the RCU
 * section. Nodes are freed after a grace period.
 *
 * Atomic updates: a configuration request first reserves nodes with
 * veil_aip_reserve(), sized for every insert it may do, and only then
 * changes anything. An insert takes at most VEIL_AIP_NODES_PER_INSERT nodes
 * from the reservation and cannot fail, so a request either applies whole or
 * not at all.
 */
#ifndef _VEIL_ALLOWEDIPS_H
#define _VEIL_ALLOWEDIPS_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/types.h>

struct veil_peer;

/* A new prefix needs one leaf and possibly one branch node. */
#define VEIL_AIP_NODES_PER_INSERT 2

/*
 * One trie node: the prefix bits[0..cidr) (network order, later bits zero)
 * of a bitlen-bit (32 or 128) address. @peer is NULL for a pure branch
 * point. bit[i] holds the subtree whose prefixes have bit number cidr equal
 * to i; that bit is bits-byte bit_at_a, shifted right by bit_at_b.
 * Only allowedips.c changes nodes; others read them with the update lock.
 */
struct veil_aip_node {
	struct veil_peer __rcu *peer;
	struct veil_aip_node __rcu *bit[2];
	u8 cidr, bit_at_a, bit_at_b, bitlen;
	u8 bits[16] __aligned(__alignof(u64));
	/* Entry in the owning peer's allowedips_list, in insertion order. */
	struct list_head peer_list;
	union {
		/* In a reservation, or on a work list while being freed. */
		struct list_head reserve_list;
		struct rcu_head rcu;
	};
};

struct veil_allowedips {
	struct veil_aip_node __rcu *root4;
	struct veil_aip_node __rcu *root6;
	/* Bumped on every change; lets a dump notice concurrent updates. */
	u64 seq;
};

struct veil_aip_reserve {
	struct list_head nodes;
	unsigned int count;
};

void veil_aip_init(struct veil_allowedips *table);
/*
 * Removes every prefix (e.g. on device teardown). Nodes are unlinked from
 * their peers' allowedips_list, so peers that still own prefixes must not
 * have been freed yet.
 */
void veil_aip_free(struct veil_allowedips *table, struct mutex *lock);

void veil_aip_reserve_init(struct veil_aip_reserve *r);
/*
 * Adds to @r the nodes for @inserts more inserts (VEIL_AIP_NODES_PER_INSERT
 * each), on top of what @r already holds: calling it once per prefix to be
 * inserted, or once with the total, both work. On failure (-ENOMEM, or
 * -E2BIG if the count overflows) @r keeps what it holds; release it.
 * Needs no lock: @r belongs to the caller.
 */
int veil_aip_reserve(struct veil_aip_reserve *r, unsigned int inserts,
		     gfp_t gfp);
/* Frees what is left in @r; @r is then empty and may be reused. */
void veil_aip_reserve_release(struct veil_aip_reserve *r);

/*
 * Maps @family (AF_INET/AF_INET6) prefix @addr/@cidr to @peer. Host bits past
 * @cidr are ignored. If the prefix already exists it moves to @peer. The
 * caller has validated @cidr (<= 32 or <= 128) and reserved nodes in @r.
 */
void veil_aip_insert(struct veil_allowedips *table, int family,
		     const void *addr, u8 cidr, struct veil_peer *peer,
		     struct veil_aip_reserve *r, struct mutex *lock);
/* Removes every prefix that maps to @peer. */
void veil_aip_remove_by_peer(struct veil_allowedips *table,
			     struct veil_peer *peer, struct mutex *lock);

/* Data path: longest-prefix match of @addr. Caller holds rcu_read_lock_bh(). */
struct veil_peer *veil_aip_lookup(struct veil_allowedips *table, int family,
				  const void *addr);

/* Reads back a node's prefix: @addr gets 4 or 16 bytes, network order. */
void veil_aip_node_read(const struct veil_aip_node *node, int *family,
			u8 addr[16], u8 *cidr);

/*
 * A peer's prefixes are listed on peer->allowedips_list (a struct list_head
 * in struct veil_peer) through veil_aip_node.peer_list; walk it with the
 * update lock held.
 */

/* Randomised check against a naive reference; run at load with selftest=1. */
bool veil_aip_selftest(void);

#endif /* _VEIL_ALLOWEDIPS_H */
