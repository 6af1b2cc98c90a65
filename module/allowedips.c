// SPDX-License-Identifier: GPL-2.0
/*
 * Cryptokey routing table: longest-prefix match of IPv4 and IPv6 addresses
 * to peers.
 *
 * Structure. Each address family has its own path-compressed binary trie.
 * Every node stands for one prefix (bits[], cidr), stored in network byte
 * order with the bits past cidr cleared. A child's prefix always extends its
 * parent's prefix by at least one bit, and bit number parent->cidr of the
 * child's prefix (counting from the most significant bit) tells which of the
 * parent's two slots holds it. So the cidr strictly grows along any path and
 * the depth is at most 33 (IPv4) or 129 (IPv6) nodes.
 *
 * A node with a peer is a routing entry. A node without a peer is a branch
 * point: it exists only to hold two subtrees whose prefixes diverge right
 * after its own prefix, and it always has two children. Removing entries
 * keeps that invariant (a branch left with one child is replaced by that
 * child), so a trie holding n prefixes has at most 2n - 1 nodes.
 *
 * Lookup walks down from the root while the node's prefix matches the
 * address, remembering the last peer seen: that is the longest match.
 *
 * Locking. Writers (insert, removal, free) hold the device's update mutex,
 * which the caller passes in so that lockdep can check it. Readers hold
 * rcu_read_lock_bh() and never take a lock. Writers only publish fully
 * initialised nodes (rcu_assign_pointer()), never modify the prefix or the
 * children of a node that readers can reach except to point a slot at a
 * node that is already valid, and free unlinked nodes after a grace period
 * (kfree_rcu()). A reader racing with a change thus sees either the old or
 * the new trie along its path, which for a single lookup is fine.
 *
 * The per-peer lists (peer->allowedips_list, linked through
 * veil_aip_node.peer_list) and the reservation lists are only touched under
 * the update mutex; readers never look at them.
 */

#include <linux/bitops.h>
#include <linux/errno.h>
#include <linux/lockdep.h>
#include <linux/minmax.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <linux/string.h>
#include <asm/unaligned.h>

#include "allowedips.h"
#include "peer.h"

/* Writer-side dereference: the update mutex must be held. */
#define aip_deref(p, lock) rcu_dereference_protected(p, lockdep_is_held(lock))

static unsigned int family_bitlen(int family)
{
	switch (family) {
	case AF_INET:
		return 32;
	case AF_INET6:
		return 128;
	}
	return 0;
}

static struct veil_aip_node __rcu **
family_root(struct veil_allowedips *table, int family)
{
	return family == AF_INET ? &table->root4 : &table->root6;
}

/*
 * Number of leading bits that @node's prefix and @key (an address of the
 * node's family, network order, any alignment) have in common; at most
 * node->bitlen. The node matches @key when this is at least node->cidr.
 */
static unsigned int common_bits(const struct veil_aip_node *node,
				const u8 *key)
{
	u64 diff;
	u32 diff4;

	if (node->bitlen == 32) {
		diff4 = get_unaligned_be32(node->bits) ^ get_unaligned_be32(key);
		return diff4 ? 32 - fls(diff4) : 32;
	}
	diff = get_unaligned_be64(node->bits) ^ get_unaligned_be64(key);
	if (diff)
		return 64 - fls64(diff);
	diff = get_unaligned_be64(node->bits + 8) ^ get_unaligned_be64(key + 8);
	return diff ? 128 - fls64(diff) : 128;
}

/*
 * The bit of @key right after @node's prefix: which child slot to follow.
 * Only meaningful when node->cidr < node->bitlen; bit_at_a is the byte
 * index of that bit and bit_at_b its shift within the byte.
 */
static unsigned int next_bit(const struct veil_aip_node *node, const u8 *key)
{
	return (key[node->bit_at_a] >> node->bit_at_b) & 1;
}

static bool node_matches(const struct veil_aip_node *node, const u8 *key)
{
	return common_bits(node, key) >= node->cidr;
}

/* Copies the first @cidr bits of @src to @dst and clears the rest. */
static void mask_prefix(u8 dst[16], const u8 *src, unsigned int cidr)
{
	unsigned int bytes = cidr / 8, rest = cidr % 8;

	memset(dst, 0, 16);
	memcpy(dst, src, bytes);
	if (rest)
		dst[bytes] = src[bytes] & (u8)(0xff << (8 - rest));
}

/* Sets @node's prefix to the first @cidr bits of @key. */
static void node_set_prefix(struct veil_aip_node *node, const u8 *key,
			    u8 cidr, u8 bitlen)
{
	unsigned int bytes = cidr / 8, rest = cidr % 8;

	mask_prefix(node->bits, key, cidr);
	node->cidr = cidr;
	node->bitlen = bitlen;
	if (cidr < bitlen) {
		node->bit_at_a = bytes;
		node->bit_at_b = 7 - rest;
	} else {
		/* A full-length prefix has no children: next_bit() is unused. */
		node->bit_at_a = 0;
		node->bit_at_b = 0;
	}
}

void veil_aip_init(struct veil_allowedips *table)
{
	RCU_INIT_POINTER(table->root4, NULL);
	RCU_INIT_POINTER(table->root6, NULL);
	table->seq = 1;
}

void veil_aip_reserve_init(struct veil_aip_reserve *r)
{
	INIT_LIST_HEAD(&r->nodes);
	r->count = 0;
}

int veil_aip_reserve(struct veil_aip_reserve *r, unsigned int inserts,
		     gfp_t gfp)
{
	struct veil_aip_node *node;
	unsigned int want;

	if (inserts > (UINT_MAX - r->count) / VEIL_AIP_NODES_PER_INSERT)
		return -E2BIG;
	want = inserts * VEIL_AIP_NODES_PER_INSERT;
	while (want--) {
		node = kzalloc(sizeof(*node), gfp);
		if (!node)
			return -ENOMEM;
		list_add(&node->reserve_list, &r->nodes);
		r->count++;
	}
	return 0;
}

void veil_aip_reserve_release(struct veil_aip_reserve *r)
{
	struct veil_aip_node *node, *tmp;

	/* These nodes were never published: no grace period needed. */
	list_for_each_entry_safe(node, tmp, &r->nodes, reserve_list)
		kfree(node);
	veil_aip_reserve_init(r);
}

static struct veil_aip_node *reserve_take(struct veil_aip_reserve *r)
{
	struct veil_aip_node *node;

	node = list_first_entry(&r->nodes, struct veil_aip_node, reserve_list);
	list_del(&node->reserve_list);
	r->count--;
	/* Reserved nodes come zeroed; only the lists need setting up. */
	INIT_LIST_HEAD(&node->peer_list);
	return node;
}

/* Gives the existing prefix @node to @peer (it may have had none). */
static void node_set_peer(struct veil_aip_node *node, struct veil_peer *peer,
			  struct mutex *lock)
{
	if (aip_deref(node->peer, lock) == peer)
		return;
	/* list_move_tail() also works for a branch's empty peer_list. */
	list_move_tail(&node->peer_list, &peer->allowedips_list);
	rcu_assign_pointer(node->peer, peer);
}

void veil_aip_insert(struct veil_allowedips *table, int family,
		     const void *addr, u8 cidr, struct veil_peer *peer,
		     struct veil_aip_reserve *r, struct mutex *lock)
{
	unsigned int bitlen = family_bitlen(family), common = 0;
	struct veil_aip_node *node, *leaf, *branch;
	struct veil_aip_node __rcu **slot;
	u8 key[16] __aligned(__alignof(u64));

	if (WARN_ON(!bitlen || cidr > bitlen))
		return;

	/* The key is the prefix with its host bits cleared. */
	mask_prefix(key, addr, cidr);

	/*
	 * Walk down while the node's prefix is a proper prefix of the key.
	 * We stop at an empty slot, at the node holding exactly the key, or at
	 * a node whose prefix leaves the key's path (after @common bits).
	 */
	slot = family_root(table, family);
	for (;;) {
		node = aip_deref(*slot, lock);
		if (!node)
			break;
		common = min3(common_bits(node, key), (unsigned int)node->cidr,
			      (unsigned int)cidr);
		if (common < node->cidr)
			break;
		if (node->cidr == cidr) {
			node_set_peer(node, peer, lock);
			table->seq++;
			return;
		}
		slot = &node->bit[next_bit(node, key)];
	}

	/* Inserting needs one leaf and, if the paths diverge, one branch. */
	if (WARN_ON(r->count < (node && common < cidr ? 2 : 1)))
		return;

	leaf = reserve_take(r);
	node_set_prefix(leaf, key, cidr, bitlen);
	RCU_INIT_POINTER(leaf->peer, peer);
	list_add_tail(&leaf->peer_list, &peer->allowedips_list);

	if (!node) {
		/* Empty slot: the leaf goes there. */
		rcu_assign_pointer(*slot, leaf);
	} else if (common == cidr) {
		/* The key is a prefix of @node: the leaf goes above it. */
		RCU_INIT_POINTER(leaf->bit[next_bit(leaf, node->bits)], node);
		rcu_assign_pointer(*slot, leaf);
	} else {
		/*
		 * The key and @node agree on @common bits only: a new branch
		 * on those bits takes both as children.
		 */
		branch = reserve_take(r);
		node_set_prefix(branch, key, common, bitlen);
		RCU_INIT_POINTER(branch->peer, NULL);
		RCU_INIT_POINTER(branch->bit[next_bit(branch, key)], leaf);
		RCU_INIT_POINTER(branch->bit[next_bit(branch, node->bits)],
				 node);
		rcu_assign_pointer(*slot, branch);
	}
	table->seq++;
}

/*
 * Takes the entry @node out of the trie: it becomes a branch if it has two
 * children, is replaced by its child if it has one, or goes away if it has
 * none, in which case a branch parent left with one child goes away too.
 * Unlinked nodes are freed after a grace period.
 */
static void remove_node(struct veil_allowedips *table,
			struct veil_aip_node *node, struct mutex *lock)
{
	struct veil_aip_node __rcu **slot, **parent_slot = NULL;
	struct veil_aip_node *cur, *parent = NULL, *child, *sibling;

	/* There are no parent pointers: find the slot from the root. */
	slot = node->bitlen == 32 ? &table->root4 : &table->root6;
	for (;;) {
		cur = aip_deref(*slot, lock);
		if (cur == node)
			break;
		if (WARN_ON(!cur || cur->cidr >= node->cidr))
			return;
		parent_slot = slot;
		parent = cur;
		slot = &cur->bit[next_bit(cur, node->bits)];
	}

	list_del_init(&node->peer_list);
	RCU_INIT_POINTER(node->peer, NULL);

	child = aip_deref(node->bit[0], lock);
	sibling = aip_deref(node->bit[1], lock);
	if (child && sibling)
		return;
	if (!child)
		child = sibling;
	/* @child is already reachable, so readers see a valid node. */
	rcu_assign_pointer(*slot, child);
	kfree_rcu(node, rcu);

	if (child || !parent || aip_deref(parent->peer, lock))
		return;
	/* @parent is a branch that just lost a child: splice it out. */
	sibling = aip_deref(parent->bit[0], lock);
	if (!sibling)
		sibling = aip_deref(parent->bit[1], lock);
	rcu_assign_pointer(*parent_slot, sibling);
	kfree_rcu(parent, rcu);
}

void veil_aip_remove_by_peer(struct veil_allowedips *table,
			     struct veil_peer *peer, struct mutex *lock)
{
	struct veil_aip_node *node, *tmp;

	if (list_empty(&peer->allowedips_list))
		return;
	/* remove_node() only frees @node and branches, never @tmp. */
	list_for_each_entry_safe(node, tmp, &peer->allowedips_list, peer_list)
		remove_node(table, node, lock);
	table->seq++;
}

/*
 * Unlinks a whole trie and frees its nodes after a grace period. The walk
 * queues nodes on their reserve_list member, unused while a node is in a
 * trie, so it needs neither recursion nor memory, and it does not modify
 * the child pointers that readers may still be following.
 */
static void free_trie(struct veil_aip_node __rcu **root, struct mutex *lock)
{
	struct veil_aip_node *node, *child;
	LIST_HEAD(todo);
	int i;

	node = aip_deref(*root, lock);
	if (!node)
		return;
	RCU_INIT_POINTER(*root, NULL);
	list_add(&node->reserve_list, &todo);
	while (!list_empty(&todo)) {
		node = list_first_entry(&todo, struct veil_aip_node,
					reserve_list);
		list_del(&node->reserve_list);
		for (i = 0; i < 2; i++) {
			child = aip_deref(node->bit[i], lock);
			if (child)
				list_add_tail(&child->reserve_list, &todo);
		}
		list_del_init(&node->peer_list);
		kfree_rcu(node, rcu);
	}
}

void veil_aip_free(struct veil_allowedips *table, struct mutex *lock)
{
	free_trie(&table->root4, lock);
	free_trie(&table->root6, lock);
	table->seq++;
}

struct veil_peer *veil_aip_lookup(struct veil_allowedips *table, int family,
				  const void *addr)
{
	struct veil_peer *best = NULL, *peer;
	struct veil_aip_node *node;

	if (!family_bitlen(family))
		return NULL;
	node = rcu_dereference_bh(*family_root(table, family));
	while (node && node_matches(node, addr)) {
		peer = rcu_dereference_bh(node->peer);
		if (peer)
			best = peer;
		if (node->cidr == node->bitlen)
			break;
		node = rcu_dereference_bh(node->bit[next_bit(node, addr)]);
	}
	return best;
}

void veil_aip_node_read(const struct veil_aip_node *node, int *family,
			u8 addr[16], u8 *cidr)
{
	*family = node->bitlen == 32 ? AF_INET : AF_INET6;
	memcpy(addr, node->bits, node->bitlen / 8);
	*cidr = node->cidr;
}
