// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite veil_allowedips: the cryptokey routing table (allowedips.c).
 *
 * Longest-prefix match per family, default routes, host bits, moving a
 * prefix to another peer, removing a peer, emptying the table, and a
 * randomised comparison against a linear search. The peers are fake:
 * zeroed struct veil_peer with only allowedips_list set up, which is all
 * allowedips.c touches (as in the load-time self-test, selftest/allowedips.c).
 */
#include <kunit/test.h>
#include <linux/inet.h>
#include <linux/mutex.h>
#include <linux/prandom.h>
#include <linux/socket.h>
#include <linux/string.h>

#include "../allowedips.h"
#include "../peer.h"

#define NPEERS	6

struct aip_fixture {
	struct veil_allowedips table;
	struct mutex lock;	/* the device's update lock */
	struct veil_peer *peer[NPEERS];
};

static int aip_init(struct kunit *test)
{
	struct aip_fixture *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	int i;

	if (!f)
		return -ENOMEM;
	mutex_init(&f->lock);
	veil_aip_init(&f->table);
	for (i = 0; i < NPEERS; i++) {
		f->peer[i] = kunit_kzalloc(test, sizeof(*f->peer[i]),
					   GFP_KERNEL);
		if (!f->peer[i])
			return -ENOMEM;
		INIT_LIST_HEAD(&f->peer[i]->allowedips_list);
	}
	test->priv = f;
	return 0;
}

static void aip_exit(struct kunit *test)
{
	struct aip_fixture *f = test->priv;

	mutex_lock(&f->lock);
	veil_aip_free(&f->table, &f->lock);
	mutex_unlock(&f->lock);
	mutex_destroy(&f->lock);
}

/* A literal address: the family follows from its syntax. */
static int parse(struct kunit *test, const char *s, u8 a[16])
{
	memset(a, 0, 16);
	if (in4_pton(s, -1, a, -1, NULL))
		return AF_INET;
	KUNIT_ASSERT_TRUE_MSG(test, in6_pton(s, -1, a, -1, NULL),
			      "bad test address %s", s);
	return AF_INET6;
}

static void insert_raw(struct kunit *test, int family, const u8 *a, u8 cidr,
		       struct veil_peer *peer)
{
	struct aip_fixture *f = test->priv;
	struct veil_aip_reserve r;

	veil_aip_reserve_init(&r);
	KUNIT_ASSERT_EQ(test, veil_aip_reserve(&r, 1, GFP_KERNEL), 0);
	mutex_lock(&f->lock);
	veil_aip_insert(&f->table, family, a, cidr, peer, &r, &f->lock);
	mutex_unlock(&f->lock);
	veil_aip_reserve_release(&r);
}

static void insert(struct kunit *test, const char *s, u8 cidr, int peer)
{
	struct aip_fixture *f = test->priv;
	u8 a[16];
	int family = parse(test, s, a);

	insert_raw(test, family, a, cidr, f->peer[peer]);
}

static struct veil_peer *lookup_raw(struct aip_fixture *f, int family,
				    const u8 *a)
{
	struct veil_peer *peer;

	rcu_read_lock_bh();
	peer = veil_aip_lookup(&f->table, family, a);
	rcu_read_unlock_bh();
	return peer;
}

/* Index of the peer @s routes to, -1 for none. */
static int route(struct kunit *test, const char *s)
{
	struct aip_fixture *f = test->priv;
	struct veil_peer *peer;
	u8 a[16];
	int i, family = parse(test, s, a);

	peer = lookup_raw(f, family, a);
	for (i = 0; i < NPEERS; i++)
		if (f->peer[i] == peer)
			return i;
	KUNIT_EXPECT_NULL_MSG(test, peer, "%s: unknown peer", s);
	return -1;
}

static void expect_route(struct kunit *test, const char *s, int want)
{
	KUNIT_EXPECT_EQ_MSG(test, route(test, s), want, "route of %s", s);
}

#define EXPECT_ROUTE(s, want)	expect_route(test, s, want)

static size_t nprefixes(struct kunit *test, int peer)
{
	struct aip_fixture *f = test->priv;
	struct veil_aip_node *node;
	size_t n = 0;

	mutex_lock(&f->lock);
	list_for_each_entry(node, &f->peer[peer]->allowedips_list, peer_list)
		n++;
	mutex_unlock(&f->lock);
	return n;
}

static void aip_empty_routes_nothing(struct kunit *test)
{
	EXPECT_ROUTE("10.0.0.1", -1);
	EXPECT_ROUTE("0.0.0.0", -1);
	EXPECT_ROUTE("::1", -1);
	EXPECT_ROUTE("::", -1);
}

static void aip_longest_prefix_wins(struct kunit *test)
{
	/* Inserted out of order on purpose. */
	insert(test, "10.1.2.0", 24, 2);
	insert(test, "10.0.0.0", 8, 0);
	insert(test, "10.1.2.3", 32, 3);
	insert(test, "10.1.0.0", 16, 1);
	EXPECT_ROUTE("10.9.9.9", 0);
	EXPECT_ROUTE("10.1.9.9", 1);
	EXPECT_ROUTE("10.1.2.9", 2);
	EXPECT_ROUTE("10.1.2.3", 3);
	EXPECT_ROUTE("10.1.2.2", 2);
	EXPECT_ROUTE("10.1.2.4", 2);
	EXPECT_ROUTE("11.0.0.1", -1);
	EXPECT_ROUTE("9.255.255.255", -1);

	insert(test, "2001:db8::", 32, 4);
	insert(test, "2001:db8:1::", 48, 5);
	insert(test, "2001:db8:1::1", 128, 0);
	EXPECT_ROUTE("2001:db8:2::1", 4);
	EXPECT_ROUTE("2001:db8:1:ffff::1", 5);
	EXPECT_ROUTE("2001:db8:1::1", 0);
	EXPECT_ROUTE("2001:db8:1::2", 5);
	EXPECT_ROUTE("2001:db9::", -1);
}

static void aip_default_routes(struct kunit *test)
{
	insert(test, "10.0.0.0", 8, 0);
	insert(test, "0.0.0.0", 0, 1);
	EXPECT_ROUTE("11.0.0.1", 1);
	EXPECT_ROUTE("255.255.255.255", 1);
	EXPECT_ROUTE("10.9.9.9", 0);
	/* An IPv4 default route does not cover IPv6. */
	EXPECT_ROUTE("::ffff:10.1.2.3", -1);
	insert(test, "::", 0, 2);
	EXPECT_ROUTE("::ffff:10.1.2.3", 2);
	EXPECT_ROUTE("a01:203::", 2);
	EXPECT_ROUTE("10.1.2.3", 0);
}

static void aip_families_apart(struct kunit *test)
{
	/* Same leading bytes in the other family do not match. */
	insert(test, "10.1.2.0", 24, 0);
	EXPECT_ROUTE("a01:200::", -1);
	insert(test, "a01:200::", 24, 1);
	EXPECT_ROUTE("a01:200::", 1);
	EXPECT_ROUTE("10.1.2.1", 0);
}

static void aip_host_bits_masked(struct kunit *test)
{
	struct aip_fixture *f = test->priv;
	struct veil_aip_node *node;
	u8 a[16], cidr;
	int family;

	insert(test, "192.168.1.77", 24, 0);
	EXPECT_ROUTE("192.168.1.1", 0);
	EXPECT_ROUTE("192.168.2.1", -1);
	insert(test, "2001:db8:1:2:3:4:5:6", 32, 1);
	EXPECT_ROUTE("2001:db8:ffff::1", 1);

	/* The prefix reads back without its host bits. */
	mutex_lock(&f->lock);
	node = list_first_entry(&f->peer[1]->allowedips_list,
				struct veil_aip_node, peer_list);
	veil_aip_node_read(node, &family, a, &cidr);
	mutex_unlock(&f->lock);
	KUNIT_EXPECT_EQ(test, family, AF_INET6);
	KUNIT_EXPECT_EQ(test, cidr, 32);
	KUNIT_EXPECT_TRUE_MSG(test,
			      !memcmp(a, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\0", 16),
			      "read back %pI6c", a);
	mutex_lock(&f->lock);
	node = list_first_entry(&f->peer[0]->allowedips_list,
				struct veil_aip_node, peer_list);
	veil_aip_node_read(node, &family, a, &cidr);
	mutex_unlock(&f->lock);
	KUNIT_EXPECT_EQ(test, family, AF_INET);
	KUNIT_EXPECT_EQ(test, cidr, 24);
	KUNIT_EXPECT_TRUE_MSG(test, !memcmp(a, "\xc0\xa8\x01\x00", 4),
			      "read back %pI4", a);
}

static void aip_reinsert_and_move(struct kunit *test)
{
	struct aip_fixture *f = test->priv;
	u64 seq;

	insert(test, "10.1.0.0", 16, 1);
	insert(test, "10.1.2.0", 24, 2);
	KUNIT_EXPECT_EQ(test, nprefixes(test, 1), 1);
	/* The same prefix for the same peer again: nothing changes. */
	insert(test, "10.1.0.0", 16, 1);
	KUNIT_EXPECT_EQ(test, nprefixes(test, 1), 1);
	/* For another peer: it moves, with its list entry. */
	seq = f->table.seq;
	insert(test, "10.1.0.0", 16, 2);
	KUNIT_EXPECT_NE(test, f->table.seq, seq);
	EXPECT_ROUTE("10.1.9.9", 2);
	KUNIT_EXPECT_EQ(test, nprefixes(test, 1), 0);
	KUNIT_EXPECT_EQ(test, nprefixes(test, 2), 2);
}

static void aip_remove_by_peer(struct kunit *test)
{
	struct aip_fixture *f = test->priv;

	insert(test, "10.0.0.0", 8, 0);
	insert(test, "10.1.0.0", 16, 1);
	insert(test, "10.1.2.0", 24, 0);
	insert(test, "fd00::", 8, 1);
	insert(test, "fd00:1::", 32, 0);
	mutex_lock(&f->lock);
	veil_aip_remove_by_peer(&f->table, f->peer[0], &f->lock);
	mutex_unlock(&f->lock);
	KUNIT_EXPECT_EQ(test, nprefixes(test, 0), 0);
	KUNIT_EXPECT_EQ(test, nprefixes(test, 1), 2);
	/* Its routes fall back to the next shorter prefix, or none. */
	EXPECT_ROUTE("10.1.2.3", 1);
	EXPECT_ROUTE("10.9.9.9", -1);
	EXPECT_ROUTE("fd00:1::1", 1);
	mutex_lock(&f->lock);
	veil_aip_remove_by_peer(&f->table, f->peer[1], &f->lock);
	mutex_unlock(&f->lock);
	EXPECT_ROUTE("10.1.2.3", -1);
	EXPECT_ROUTE("fd00:1::1", -1);
	KUNIT_EXPECT_NULL(test, rcu_access_pointer(f->table.root4));
	KUNIT_EXPECT_NULL(test, rcu_access_pointer(f->table.root6));
}

static void aip_free_empties_everything(struct kunit *test)
{
	struct aip_fixture *f = test->priv;

	insert(test, "10.0.0.0", 8, 0);
	insert(test, "0.0.0.0", 0, 1);
	insert(test, "::", 0, 2);
	insert(test, "fe80::1", 128, 3);
	mutex_lock(&f->lock);
	veil_aip_free(&f->table, &f->lock);
	mutex_unlock(&f->lock);
	KUNIT_EXPECT_NULL(test, rcu_access_pointer(f->table.root4));
	KUNIT_EXPECT_NULL(test, rcu_access_pointer(f->table.root6));
	KUNIT_EXPECT_EQ(test, nprefixes(test, 0) + nprefixes(test, 1) +
			nprefixes(test, 2) + nprefixes(test, 3), 0);
	EXPECT_ROUTE("10.0.0.1", -1);
	EXPECT_ROUTE("fe80::1", -1);
}

/* Random prefixes (fixed seed), looked up against a linear search. */
#define RND_PREFIXES	300
#define RND_LOOKUPS	1000

struct rnd_prefix {
	u8 a[16];
	u8 cidr;
	u8 peer;
};

static bool prefix_match(const u8 *p, u8 cidr, const u8 *a)
{
	unsigned int bytes = cidr / 8, rest = cidr % 8;

	if (memcmp(p, a, bytes))
		return false;
	return !rest || !((p[bytes] ^ a[bytes]) & (0xff00 >> rest));
}

static void mask(u8 *a, u8 cidr, unsigned int bits)
{
	unsigned int i;

	for (i = cidr; i < bits; i++)
		a[i / 8] &= ~(0x80 >> (i % 8));
}

static void aip_random_against_linear_search(struct kunit *test)
{
	struct aip_fixture *f = test->priv;
	struct rnd_prefix *ref;
	struct rnd_state rnd;
	unsigned int i, j, n, bits, best;
	int family, want;
	u8 a[16];

	ref = kunit_kcalloc(test, RND_PREFIXES, sizeof(*ref), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ref);
	prandom_seed_state(&rnd, 0x6b756e6974616970ULL);
	for (family = AF_INET; family; family = family == AF_INET ? AF_INET6 : 0) {
		bits = family == AF_INET ? 32 : 128;
		n = 0;
		for (i = 0; i < RND_PREFIXES; i++) {
			struct rnd_prefix *p = &ref[n];

			/* Few distinct leading bytes: prefixes nest often. */
			prandom_bytes_state(&rnd, p->a, 16);
			p->a[0] &= 0x03;
			if (family == AF_INET)
				memset(p->a + 4, 0, 12);
			p->cidr = prandom_u32_state(&rnd) % (bits + 1);
			p->peer = prandom_u32_state(&rnd) % NPEERS;
			mask(p->a, p->cidr, bits);
			insert_raw(test, family, p->a, p->cidr, f->peer[p->peer]);
			/* The same prefix again replaces the earlier one. */
			for (j = 0; j < n; j++)
				if (ref[j].cidr == p->cidr &&
				    !memcmp(ref[j].a, p->a, 16))
					break;
			if (j < n)
				ref[j].peer = p->peer;
			else
				n++;
		}
		for (i = 0; i < RND_LOOKUPS; i++) {
			prandom_bytes_state(&rnd, a, 16);
			a[0] &= 0x03;
			if (family == AF_INET)
				memset(a + 4, 0, 12);
			want = -1;
			best = 0;
			for (j = 0; j < n; j++)
				if (prefix_match(ref[j].a, ref[j].cidr, a) &&
				    (want < 0 || ref[j].cidr >= best)) {
					want = ref[j].peer;
					best = ref[j].cidr;
				}
			KUNIT_ASSERT_PTR_EQ_MSG(test, lookup_raw(f, family, a),
						want < 0 ? NULL : f->peer[want],
						"lookup %u of family %d", i,
						family);
		}
	}
}

static struct kunit_case veil_allowedips_cases[] = {
	KUNIT_CASE(aip_empty_routes_nothing),
	KUNIT_CASE(aip_longest_prefix_wins),
	KUNIT_CASE(aip_default_routes),
	KUNIT_CASE(aip_families_apart),
	KUNIT_CASE(aip_host_bits_masked),
	KUNIT_CASE(aip_reinsert_and_move),
	KUNIT_CASE(aip_remove_by_peer),
	KUNIT_CASE(aip_free_empties_everything),
	KUNIT_CASE(aip_random_against_linear_search),
	{}
};

static struct kunit_suite veil_allowedips_suite = {
	.name = "veil_allowedips",
	.init = aip_init,
	.exit = aip_exit,
	.test_cases = veil_allowedips_cases,
};

kunit_test_suite(veil_allowedips_suite);
