// SPDX-License-Identifier: GPL-2.0
/*
 * Self-test of the cryptokey routing table (allowedips.c), run at module
 * load with selftest=1.
 *
 * First a set of hand-written cases, then a randomised comparison against
 * a naive reference (an array of prefixes, searched linearly for the longest
 * match) for both address families, with several rounds of inserts, moves
 * and removals. After every round the trie's structure is checked too: the
 * prefixes grow along every path, children sit in the slot their next bit
 * names, branch nodes (no peer) have two children, and the peers' lists
 * hold exactly the reference's prefixes. At the end every table must be
 * empty again (nothing leaked in the trie).
 *
 * The peers are fake: zeroed struct veil_peer with only allowedips_list set
 * up, which is all allowedips.c looks at. The random data comes from a
 * fixed seed, so a failure is reproducible.
 */

#include <linux/inet.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/prandom.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <linux/string.h>

#include "../allowedips.h"
#include "../peer.h"

#define AIP_TEST_PEERS		32
#define AIP_TEST_PREFIXES	1500	/* random inserts per family and round */
#define AIP_TEST_LOOKUPS	2000	/* random lookups per family and check */
#define AIP_TEST_ROUNDS		3
#define AIP_TEST_BASES		8	/* clusters the random prefixes grow from */
#define AIP_TEST_SEED		0x7665696cULL
/* A trie is at most 129 nodes deep; a pre-order walk stacks fewer. */
#define AIP_TEST_STACK		260

#define test_deref(p, t) rcu_dereference_protected(p, lockdep_is_held(&(t)->lock))

struct walk_item {
	struct veil_aip_node *node, *parent;
};

struct aip_test {
	struct veil_allowedips table;
	/* Plays the device's update mutex: held around every change. */
	struct mutex lock;
	struct veil_peer *peers[AIP_TEST_PEERS];
	bool ok;
};

/* One prefix of the naive reference. */
struct ref_entry {
	u8 addr[16];
	u8 cidr;
	u8 peer;
};

struct ref_table {
	struct ref_entry *e;
	unsigned int n;
	unsigned int bitlen;
};

static unsigned int bitlen_of(int family)
{
	return family == AF_INET ? 32 : 128;
}

static const char *family_name(int family)
{
	return family == AF_INET ? "IPv4" : "IPv6";
}

/* Prints an address (or prefix if @cidr >= 0) into @buf for messages. */
static const char *addr_str(char *buf, size_t len, int family, const u8 *a,
			    int cidr)
{
	int n;

	if (family == AF_INET)
		n = snprintf(buf, len, "%pI4", a);
	else
		n = snprintf(buf, len, "%pI6c", a);
	if (cidr >= 0 && n >= 0 && n < (int)len)
		snprintf(buf + n, len - n, "/%d", cidr);
	return buf;
}

static int peer_index(struct aip_test *t, struct veil_peer *peer)
{
	int i;

	for (i = 0; i < AIP_TEST_PEERS; i++)
		if (t->peers[i] == peer)
			return i;
	return -1;
}

static size_t peer_prefix_count(struct veil_peer *peer)
{
	struct veil_aip_node *node;
	size_t n = 0;

	list_for_each_entry(node, &peer->allowedips_list, peer_list)
		n++;
	return n;
}

/* Clears the bits of @a past @cidr (in place). */
static void mask_addr(u8 *a, unsigned int cidr, unsigned int bitlen)
{
	unsigned int i;

	for (i = cidr; i < bitlen; i++)
		a[i / 8] &= ~(0x80 >> (i % 8));
}

static bool prefix_matches(const u8 *prefix, unsigned int cidr, const u8 *a)
{
	unsigned int bytes = cidr / 8, rest = cidr % 8;
	u8 mask = (u8)(0xff << (8 - rest));

	if (memcmp(prefix, a, bytes))
		return false;
	return !rest || !((prefix[bytes] ^ a[bytes]) & mask);
}

static void insert(struct aip_test *t, int family, const u8 *addr, u8 cidr,
		   struct veil_peer *peer)
{
	struct veil_aip_reserve r;

	veil_aip_reserve_init(&r);
	if (veil_aip_reserve(&r, 1, GFP_KERNEL)) {
		pr_err("allowedips self-test: out of memory\n");
		t->ok = false;
	} else {
		mutex_lock(&t->lock);
		veil_aip_insert(&t->table, family, addr, cidr, peer, &r,
				&t->lock);
		mutex_unlock(&t->lock);
	}
	veil_aip_reserve_release(&r);
}

static void remove_peer(struct aip_test *t, struct veil_peer *peer)
{
	mutex_lock(&t->lock);
	veil_aip_remove_by_peer(&t->table, peer, &t->lock);
	mutex_unlock(&t->lock);
}

static struct veil_peer *lookup(struct aip_test *t, int family, const u8 *a)
{
	struct veil_peer *peer;

	rcu_read_lock_bh();
	peer = veil_aip_lookup(&t->table, family, a);
	rcu_read_unlock_bh();
	return peer;
}

/* Parses a literal address of the test cases; @family is set from it. */
static bool parse_addr(const char *s, int *family, u8 a[16])
{
	memset(a, 0, 16);
	if (in4_pton(s, -1, a, -1, NULL)) {
		*family = AF_INET;
		return true;
	}
	if (in6_pton(s, -1, a, -1, NULL)) {
		*family = AF_INET6;
		return true;
	}
	return false;
}

static void insert_str(struct aip_test *t, const char *s, u8 cidr,
		       struct veil_peer *peer)
{
	int family;
	u8 a[16];

	if (!parse_addr(s, &family, a)) {
		pr_err("allowedips self-test: bad test address %s\n", s);
		t->ok = false;
		return;
	}
	insert(t, family, a, cidr, peer);
}

/* Checks that @s is routed to @want (NULL: no route). */
static void expect_str(struct aip_test *t, const char *s,
		       struct veil_peer *want, int line)
{
	struct veil_peer *got;
	int family;
	u8 a[16];

	if (!parse_addr(s, &family, a)) {
		pr_err("allowedips self-test: bad test address %s\n", s);
		t->ok = false;
		return;
	}
	got = lookup(t, family, a);
	if (got != want) {
		pr_err("allowedips self-test: case at line %d: %s goes to peer %d, expected %d (-1: none)\n",
		       line, s, peer_index(t, got), peer_index(t, want));
		t->ok = false;
	}
}

static void expect_count(struct aip_test *t, struct veil_peer *peer,
			 size_t want, int line)
{
	size_t got = peer_prefix_count(peer);

	if (got != want) {
		pr_err("allowedips self-test: case at line %d: peer %d has %zu prefixes, expected %zu\n",
		       line, peer_index(t, peer), got, want);
		t->ok = false;
	}
}

static void expect_empty(struct aip_test *t, int line)
{
	if (rcu_access_pointer(t->table.root4) ||
	    rcu_access_pointer(t->table.root6)) {
		pr_err("allowedips self-test: case at line %d: table not empty\n",
		       line);
		t->ok = false;
	}
}

#define EXPECT(t, s, peer)	expect_str(t, s, peer, __LINE__)
#define EXPECT_COUNT(t, p, n)	expect_count(t, p, n, __LINE__)
#define EXPECT_EMPTY(t)		expect_empty(t, __LINE__)

static void remove_all(struct aip_test *t)
{
	int i;

	for (i = 0; i < AIP_TEST_PEERS; i++)
		remove_peer(t, t->peers[i]);
}

static void test_fixed(struct aip_test *t)
{
	struct veil_peer *a = t->peers[0], *b = t->peers[1], *c = t->peers[2];
	struct veil_peer *d = t->peers[3], *e = t->peers[4], *f = t->peers[5];
	struct veil_aip_node *node;
	int family;
	u8 addr[16], cidr;
	u64 seq;

	/* Empty tables route nothing. */
	EXPECT(t, "10.0.0.1", NULL);
	EXPECT(t, "::1", NULL);

	/* Longest prefix wins, whatever the insertion order. */
	insert_str(t, "10.1.2.0", 24, c);
	insert_str(t, "10.0.0.0", 8, a);
	insert_str(t, "10.1.2.3", 32, d);
	insert_str(t, "10.1.0.0", 16, b);
	EXPECT(t, "10.9.9.9", a);
	EXPECT(t, "10.1.9.9", b);
	EXPECT(t, "10.1.2.9", c);
	EXPECT(t, "10.1.2.3", d);
	EXPECT(t, "10.1.2.2", c);
	EXPECT(t, "11.0.0.1", NULL);
	EXPECT(t, "9.255.255.255", NULL);

	/* A /0 is a default route; longer prefixes still win. */
	insert_str(t, "0.0.0.0", 0, e);
	EXPECT(t, "11.0.0.1", e);
	EXPECT(t, "255.255.255.255", e);
	EXPECT(t, "10.1.2.3", d);
	EXPECT(t, "10.9.9.9", a);

	/* IPv4 and IPv6 are separate: same leading bytes do not matter. */
	EXPECT(t, "a01:203::", NULL);
	EXPECT(t, "::ffff:10.1.2.3", NULL);
	insert_str(t, "::", 0, f);
	EXPECT(t, "a01:203::", f);
	EXPECT(t, "::ffff:10.1.2.3", f);
	EXPECT(t, "10.1.2.3", d);
	EXPECT(t, "11.0.0.1", e);

	/* Host bits past the cidr are ignored. */
	insert_str(t, "192.168.1.77", 24, a);
	EXPECT(t, "192.168.1.1", a);
	EXPECT(t, "192.168.2.1", e);
	insert_str(t, "2001:db8:1:2:3:4:5:6", 32, b);
	EXPECT(t, "2001:db8:ffff::1", b);
	EXPECT(t, "2001:db9::", f);
	EXPECT_COUNT(t, a, 2);
	EXPECT_COUNT(t, b, 2);

	/* ... and not stored: the prefix reads back masked. */
	mutex_lock(&t->lock);
	node = list_last_entry(&b->allowedips_list, struct veil_aip_node,
			       peer_list);
	veil_aip_node_read(node, &family, addr, &cidr);
	mutex_unlock(&t->lock);
	if (family != AF_INET6 || cidr != 32 ||
	    memcmp(addr, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\0", 16)) {
		pr_err("allowedips self-test: prefix read back as %pI6c/%u\n",
		       addr, cidr);
		t->ok = false;
	}

	/* Inserting the same prefix twice for the same peer is a no-op. */
	insert_str(t, "10.1.0.0", 16, b);
	EXPECT_COUNT(t, b, 2);

	/* Inserting a prefix for another peer moves it, list included. */
	seq = t->table.seq;
	insert_str(t, "10.1.0.0", 16, c);
	EXPECT(t, "10.1.9.9", c);
	EXPECT(t, "10.1.2.9", c);
	EXPECT_COUNT(t, b, 1);
	EXPECT_COUNT(t, c, 2);
	if (t->table.seq == seq) {
		pr_err("allowedips self-test: seq unchanged by a move\n");
		t->ok = false;
	}

	/* Removing a peer removes only its prefixes. */
	remove_peer(t, d);
	EXPECT_COUNT(t, d, 0);
	EXPECT(t, "10.1.2.3", c);
	remove_peer(t, c);
	EXPECT(t, "10.1.2.3", a);
	EXPECT(t, "10.1.9.9", a);
	remove_peer(t, a);
	EXPECT(t, "10.1.2.3", e);
	EXPECT(t, "192.168.1.1", e);
	EXPECT(t, "2001:db8::1", b);
	remove_peer(t, e);
	EXPECT(t, "10.1.2.3", NULL);
	EXPECT(t, "2001:db8::1", b);
	remove_peer(t, b);
	EXPECT(t, "2001:db8::1", f);
	remove_peer(t, f);
	EXPECT(t, "2001:db8::1", NULL);
	EXPECT_EMPTY(t);

	/* Edges: /32 and /128 at both ends of the address space. */
	insert_str(t, "255.255.255.255", 32, a);
	insert_str(t, "0.0.0.0", 32, b);
	insert_str(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 128, c);
	insert_str(t, "::", 128, d);
	insert_str(t, "::1", 128, e);
	EXPECT(t, "255.255.255.255", a);
	EXPECT(t, "255.255.255.254", NULL);
	EXPECT(t, "0.0.0.0", b);
	EXPECT(t, "0.0.0.1", NULL);
	EXPECT(t, "128.0.0.0", NULL);
	EXPECT(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", c);
	EXPECT(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", NULL);
	EXPECT(t, "7fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", NULL);
	EXPECT(t, "::", d);
	EXPECT(t, "::1", e);
	EXPECT(t, "::2", NULL);
	EXPECT(t, "::1:0:0:0:1", NULL);
	insert_str(t, "0.0.0.0", 0, f);
	insert_str(t, "::", 0, f);
	EXPECT(t, "255.255.255.254", f);
	EXPECT(t, "0.0.0.0", b);
	EXPECT(t, "::2", f);
	EXPECT(t, "::1", e);
	remove_peer(t, f);
	EXPECT(t, "::2", NULL);
	EXPECT(t, "::", d);

	/* Giving a branch point a peer, then taking the leaves away. */
	remove_all(t);
	EXPECT_EMPTY(t);
	insert_str(t, "10.0.0.0", 24, a);
	insert_str(t, "10.0.1.0", 24, b);
	EXPECT(t, "10.0.0.5", a);
	EXPECT(t, "10.0.1.5", b);
	insert_str(t, "10.0.0.0", 23, c);
	EXPECT(t, "10.0.0.5", a);
	EXPECT(t, "10.0.1.5", b);
	EXPECT(t, "10.0.2.5", NULL);
	remove_peer(t, a);
	EXPECT(t, "10.0.0.5", c);
	remove_peer(t, c);
	EXPECT(t, "10.0.0.5", NULL);
	EXPECT(t, "10.0.1.5", b);
	remove_peer(t, b);
	EXPECT_EMPTY(t);

	/* veil_aip_free() empties both tables and the peers' lists. */
	insert_str(t, "10.0.0.0", 8, a);
	insert_str(t, "10.0.0.1", 32, b);
	insert_str(t, "fd00::", 8, a);
	insert_str(t, "fd00::1", 128, c);
	mutex_lock(&t->lock);
	veil_aip_free(&t->table, &t->lock);
	mutex_unlock(&t->lock);
	EXPECT_EMPTY(t);
	EXPECT_COUNT(t, a, 0);
	EXPECT_COUNT(t, b, 0);
	EXPECT_COUNT(t, c, 0);
	EXPECT(t, "10.0.0.1", NULL);
	EXPECT(t, "fd00::1", NULL);
}

/* Reference: adds or moves a prefix (@addr already masked). */
static void ref_insert(struct ref_table *ref, const u8 *addr, u8 cidr,
		       u8 peer)
{
	unsigned int i;

	for (i = 0; i < ref->n; i++) {
		if (ref->e[i].cidr == cidr &&
		    !memcmp(ref->e[i].addr, addr, ref->bitlen / 8)) {
			ref->e[i].peer = peer;
			return;
		}
	}
	memcpy(ref->e[ref->n].addr, addr, 16);
	ref->e[ref->n].cidr = cidr;
	ref->e[ref->n].peer = peer;
	ref->n++;
}

static void ref_remove_peer(struct ref_table *ref, u8 peer)
{
	unsigned int i, kept = 0;

	for (i = 0; i < ref->n; i++)
		if (ref->e[i].peer != peer)
			ref->e[kept++] = ref->e[i];
	ref->n = kept;
}

/* Reference: index of the longest matching prefix, or -1. */
static int ref_lookup(const struct ref_table *ref, const u8 *a)
{
	int best = -1;
	unsigned int i;

	for (i = 0; i < ref->n; i++)
		if ((best < 0 || ref->e[i].cidr > ref->e[best].cidr) &&
		    prefix_matches(ref->e[i].addr, ref->e[i].cidr, a))
			best = i;
	return best;
}

static void random_bytes(struct rnd_state *rnd, u8 *buf, size_t len)
{
	prandom_bytes_state(rnd, buf, len);
}

/*
 * A random address near one of the bases: a random number of leading bits
 * is kept, the rest is random. That gives deep, shared paths in the trie.
 */
static void random_addr(struct rnd_state *rnd, u8 bases[][16],
			unsigned int bitlen, u8 *a)
{
	unsigned int keep, i;
	u8 noise[16];

	memcpy(a, bases[prandom_u32_state(rnd) % AIP_TEST_BASES], 16);
	keep = prandom_u32_state(rnd) % (bitlen + 1);
	random_bytes(rnd, noise, sizeof(noise));
	for (i = keep; i < bitlen; i++)
		if (noise[i / 8] & (0x80 >> (i % 8)))
			a[i / 8] ^= 0x80 >> (i % 8);
	memset(a + bitlen / 8, 0, 16 - bitlen / 8);
}

/* Every length, including 0 and the full length, but mostly long ones. */
static u8 random_cidr(struct rnd_state *rnd, unsigned int bitlen)
{
	u32 x = prandom_u32_state(rnd);

	switch (x % 32) {
	case 0:
		return 0;
	case 1 ... 4:
		return bitlen;
	case 5 ... 15:
		return x / 32 % (bitlen + 1);
	default:
		return bitlen - x / 32 % (bitlen / 4 + 1);
	}
}

static bool compare_lookups(struct aip_test *t, struct rnd_state *rnd,
			    int family, const struct ref_table *ref,
			    u8 bases[][16])
{
	unsigned int bitlen = bitlen_of(family), i;
	struct veil_peer *got, *want;
	char s1[64], s2[64];
	int best;
	u8 a[16];

	for (i = 0; i < AIP_TEST_LOOKUPS; i++) {
		/* Half near an existing prefix, half near a base. */
		if (ref->n && i % 2) {
			const struct ref_entry *e =
				&ref->e[prandom_u32_state(rnd) % ref->n];
			u8 noise[16];
			unsigned int j;

			memcpy(a, e->addr, 16);
			random_bytes(rnd, noise, sizeof(noise));
			for (j = e->cidr; j < bitlen; j++)
				if (noise[j / 8] & (0x80 >> (j % 8)))
					a[j / 8] |= 0x80 >> (j % 8);
		} else {
			random_addr(rnd, bases, bitlen, a);
		}
		best = ref_lookup(ref, a);
		want = best < 0 ? NULL : t->peers[ref->e[best].peer];
		got = lookup(t, family, a);
		if (got != want) {
			pr_err("allowedips self-test: %s lookup %s: got peer %d, the reference says peer %d via %s (-1: none)\n",
			       family_name(family),
			       addr_str(s1, sizeof(s1), family, a, -1),
			       peer_index(t, got), peer_index(t, want),
			       best < 0 ? "(none)" :
			       addr_str(s2, sizeof(s2), family,
					ref->e[best].addr, ref->e[best].cidr));
			return false;
		}
	}
	return true;
}

/* The bit of @a at position @pos, counting from the most significant. */
static unsigned int bit_at(const u8 *a, unsigned int pos)
{
	return (a[pos / 8] >> (7 - pos % 8)) & 1;
}

/* Finds the node holding exactly @addr/@cidr by walking down its path. */
static struct veil_aip_node *find_exact(struct aip_test *t,
					struct veil_aip_node *node,
					const u8 *addr, unsigned int cidr)
{
	while (node && node->cidr < cidr &&
	       prefix_matches(node->bits, node->cidr, addr))
		node = test_deref(node->bit[bit_at(addr, node->cidr)], t);
	if (node && node->cidr == cidr && prefix_matches(addr, cidr, node->bits))
		return node;
	return NULL;
}

/*
 * Walks a trie checking its invariants, then checks that it maps exactly
 * the reference's prefixes to the same peers. Returns the number of entries
 * (nodes with a peer), or -1 after printing the first problem.
 */
static int check_trie(struct aip_test *t, int family,
		      const struct ref_table *ref)
{
	struct veil_aip_node __rcu *root = family == AF_INET ?
		t->table.root4 : t->table.root6;
	unsigned int bitlen = bitlen_of(family), depth = 0, nodes = 0;
	struct veil_aip_node *node = NULL, *parent, *child;
	unsigned int entries = 0, i;
	struct walk_item *stack;
	const char *why = NULL;
	struct veil_peer *peer;
	bool ok = false;
	char s[64];
	u8 a[16];
	int slot;

	stack = kmalloc_array(AIP_TEST_STACK, sizeof(*stack), GFP_KERNEL);
	if (!stack)
		return -1;
	node = test_deref(root, t);
	if (node) {
		stack[0].node = node;
		stack[0].parent = NULL;
		depth = 1;
	}
	while (depth && !why) {
		node = stack[--depth].node;
		parent = stack[depth].parent;
		nodes++;
		memcpy(a, node->bits, 16);
		mask_addr(a, node->cidr, 128);
		peer = test_deref(node->peer, t);
		if (node->bitlen != bitlen || node->cidr > bitlen)
			why = "bad length";
		else if (memcmp(a, node->bits, 16))
			why = "host bits set";
		else if (parent && node->cidr <= parent->cidr)
			why = "cidr not growing";
		else if (parent && !prefix_matches(parent->bits, parent->cidr,
						   node->bits))
			why = "prefix not extending its parent's";
		if (why)
			break;
		for (slot = 0; slot < 2; slot++) {
			child = test_deref(node->bit[slot], t);
			if (!child) {
				if (!peer)
					why = "branch with fewer than two children";
				continue;
			}
			if (node->cidr == bitlen ||
			    bit_at(child->bits, node->cidr) != slot) {
				why = "child in the wrong slot";
				break;
			}
			if (depth == AIP_TEST_STACK) {
				why = "too deep";
				break;
			}
			stack[depth].node = child;
			stack[depth].parent = node;
			depth++;
		}
		if (!why && peer) {
			entries++;
			if (peer_index(t, peer) < 0)
				why = "unknown peer";
		}
	}
	if (why) {
		pr_err("allowedips self-test: %s trie node %s: %s\n",
		       family_name(family),
		       addr_str(s, sizeof(s), family, node->bits, node->cidr),
		       why);
		goto out;
	}
	if (entries != ref->n || (entries && nodes > 2 * entries - 1)) {
		pr_err("allowedips self-test: %s trie has %u nodes, %u entries; the reference has %u\n",
		       family_name(family), nodes, entries, ref->n);
		goto out;
	}
	/*
	 * As many entries as the reference, and the structure puts a prefix
	 * only on its own path: finding each reference prefix on its path
	 * with the right peer shows that both hold the same mapping.
	 */
	for (i = 0; i < ref->n; i++) {
		node = find_exact(t, test_deref(root, t), ref->e[i].addr,
				  ref->e[i].cidr);
		if (!node || test_deref(node->peer, t) !=
			     t->peers[ref->e[i].peer]) {
			pr_err("allowedips self-test: %s prefix %s of peer %u %s\n",
			       family_name(family),
			       addr_str(s, sizeof(s), family, ref->e[i].addr,
					ref->e[i].cidr),
			       ref->e[i].peer,
			       node ? "has another peer" : "is missing");
			goto out;
		}
	}
	ok = true;
out:
	kfree(stack);
	return ok ? entries : -1;
}

/* Checks the trie shapes, the peers' lists and the lookups. */
static bool check_all(struct aip_test *t, struct rnd_state *rnd,
		      struct ref_table *ref4, struct ref_table *ref6,
		      u8 bases4[][16], u8 bases6[][16])
{
	size_t listed = 0;
	int n4, n6, i;

	mutex_lock(&t->lock);
	n4 = check_trie(t, AF_INET, ref4);
	n6 = n4 < 0 ? -1 : check_trie(t, AF_INET6, ref6);
	for (i = 0; i < AIP_TEST_PEERS; i++)
		listed += peer_prefix_count(t->peers[i]);
	mutex_unlock(&t->lock);
	if (n4 < 0 || n6 < 0)
		return false;
	if (listed != (size_t)n4 + n6) {
		pr_err("allowedips self-test: peers list %zu prefixes, the tries hold %d\n",
		       listed, n4 + n6);
		return false;
	}
	return compare_lookups(t, rnd, AF_INET, ref4, bases4) &&
	       compare_lookups(t, rnd, AF_INET6, ref6, bases6);
}

/* Inserts random prefixes into the table and both references. */
static bool random_inserts(struct aip_test *t, struct rnd_state *rnd,
			   int family, struct ref_table *ref, u8 bases[][16])
{
	unsigned int bitlen = bitlen_of(family), i;
	struct veil_aip_reserve r;
	u8 a[16], masked[16], cidr, peer;
	int err;

	/* One reservation for the whole batch, as netlink.c does. */
	veil_aip_reserve_init(&r);
	err = veil_aip_reserve(&r, AIP_TEST_PREFIXES, GFP_KERNEL);
	if (err) {
		veil_aip_reserve_release(&r);
		pr_err("allowedips self-test: reserve failed (%d)\n", err);
		return false;
	}
	mutex_lock(&t->lock);
	for (i = 0; i < AIP_TEST_PREFIXES; i++) {
		random_addr(rnd, bases, bitlen, a);
		cidr = random_cidr(rnd, bitlen);
		peer = prandom_u32_state(rnd) % AIP_TEST_PEERS;
		/* The table must ignore the host bits we leave in @a. */
		veil_aip_insert(&t->table, family, a, cidr, t->peers[peer], &r,
				&t->lock);
		memcpy(masked, a, 16);
		mask_addr(masked, cidr, bitlen);
		ref_insert(ref, masked, cidr, peer);
	}
	mutex_unlock(&t->lock);
	veil_aip_reserve_release(&r);
	return true;
}

static bool test_random(struct aip_test *t)
{
	u8 bases4[AIP_TEST_BASES][16], bases6[AIP_TEST_BASES][16];
	struct ref_table ref4 = { .bitlen = 32 }, ref6 = { .bitlen = 128 };
	struct rnd_state rnd;
	bool ok = false;
	int round, i;

	prandom_seed_state(&rnd, AIP_TEST_SEED);
	ref4.e = kvcalloc(AIP_TEST_PREFIXES * AIP_TEST_ROUNDS,
			  sizeof(*ref4.e), GFP_KERNEL);
	ref6.e = kvcalloc(AIP_TEST_PREFIXES * AIP_TEST_ROUNDS,
			  sizeof(*ref6.e), GFP_KERNEL);
	if (!ref4.e || !ref6.e) {
		pr_err("allowedips self-test: out of memory\n");
		goto out;
	}
	for (i = 0; i < AIP_TEST_BASES; i++) {
		random_bytes(&rnd, bases4[i], 16);
		random_bytes(&rnd, bases6[i], 16);
		memset(bases4[i] + 4, 0, 12);
	}

	for (round = 0; round < AIP_TEST_ROUNDS; round++) {
		if (!random_inserts(t, &rnd, AF_INET, &ref4, bases4) ||
		    !random_inserts(t, &rnd, AF_INET6, &ref6, bases6))
			goto out;
		if (!check_all(t, &rnd, &ref4, &ref6, bases4, bases6))
			goto out;
		/* Remove a random third of the peers. */
		for (i = 0; i < AIP_TEST_PEERS; i++) {
			if (prandom_u32_state(&rnd) % 3)
				continue;
			remove_peer(t, t->peers[i]);
			ref_remove_peer(&ref4, i);
			ref_remove_peer(&ref6, i);
		}
		if (!check_all(t, &rnd, &ref4, &ref6, bases4, bases6))
			goto out;
	}

	/* Removing every peer must leave nothing behind. */
	remove_all(t);
	ref4.n = 0;
	ref6.n = 0;
	if (!check_all(t, &rnd, &ref4, &ref6, bases4, bases6))
		goto out;
	ok = true;
out:
	if (!ok)
		pr_err("allowedips self-test: random test failed (seed %#llx)\n",
		       AIP_TEST_SEED);
	kvfree(ref4.e);
	kvfree(ref6.e);
	return ok;
}

bool veil_aip_selftest(void)
{
	struct aip_test *t;
	bool ok = false;
	int i;

	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return false;
	veil_aip_init(&t->table);
	mutex_init(&t->lock);
	t->ok = true;
	for (i = 0; i < AIP_TEST_PEERS; i++) {
		t->peers[i] = kzalloc(sizeof(*t->peers[i]), GFP_KERNEL);
		if (!t->peers[i])
			goto out;
		INIT_LIST_HEAD(&t->peers[i]->allowedips_list);
	}

	test_fixed(t);
	remove_all(t);
	if (t->ok)
		t->ok = test_random(t);
	ok = t->ok;
out:
	/* Leave nothing behind even after a failure. */
	mutex_lock(&t->lock);
	veil_aip_free(&t->table, &t->lock);
	mutex_unlock(&t->lock);
	for (i = 0; i < AIP_TEST_PEERS; i++)
		kfree(t->peers[i]);
	mutex_destroy(&t->lock);
	kfree(t);
	if (ok)
		pr_info("allowedips self-test: passed\n");
	return ok;
}
