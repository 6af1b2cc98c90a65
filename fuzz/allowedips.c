// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzzer for the cryptokey routing table, module/allowedips.c compiled
 * unchanged against fuzz/shim: a sequence of inserts, removals by peer and
 * lookups read from the input, every lookup compared with a naive
 * longest-prefix match over the prefixes that should be in the table, and
 * every peer's prefix list checked against that model after each change.
 * Addresses are drawn from a few input-chosen bases so that prefixes
 * overlap and the trie branches.
 */
#include "kshim.h"
#include "allowedips.h"
#include "peer.h"

#include "fuzz_util.h"

#define PEERS 4
#define MAX_ENTRIES 256

struct entry {
	int family;
	u8 addr[16];	/* masked to cidr */
	u8 cidr;
	int peer;
};

static struct veil_peer peers[PEERS];
static struct entry model[MAX_ENTRIES];
static unsigned int n_model;

static void mask(u8 out[16], const u8 *in, unsigned int cidr)
{
	unsigned int i;

	for (i = 0; i < 16; i++) {
		unsigned int bits = cidr > 8 * i ? cidr - 8 * i : 0;

		out[i] = bits >= 8 ? in[i] : in[i] & (u8)(0xff00 >> bits);
	}
}

static void model_insert(int family, const u8 *addr, u8 cidr, int peer)
{
	unsigned int i;
	u8 key[16];

	mask(key, addr, cidr);
	if (family == AF_INET)
		memset(key + 4, 0, 12);
	for (i = 0; i < n_model; i++) {
		if (model[i].family == family && model[i].cidr == cidr &&
		    !memcmp(model[i].addr, key, 16)) {
			model[i].peer = peer;
			return;
		}
	}
	CHECK(n_model < MAX_ENTRIES);
	model[n_model].family = family;
	memcpy(model[n_model].addr, key, 16);
	model[n_model].cidr = cidr;
	model[n_model].peer = peer;
	n_model++;
}

static void model_remove_peer(int peer)
{
	unsigned int i, j = 0;

	for (i = 0; i < n_model; i++)
		if (model[i].peer != peer)
			model[j++] = model[i];
	n_model = j;
}

static struct veil_peer *model_lookup(int family, const u8 *addr)
{
	int best = -1, best_cidr = -1;
	unsigned int i;
	u8 key[16];

	for (i = 0; i < n_model; i++) {
		if (model[i].family != family || model[i].cidr <= best_cidr)
			continue;
		mask(key, addr, model[i].cidr);
		if (family == AF_INET)
			memset(key + 4, 0, 12);
		if (!memcmp(key, model[i].addr, 16)) {
			best = model[i].peer;
			best_cidr = model[i].cidr;
		}
	}
	return best < 0 ? NULL : &peers[best];
}

/* Each peer's list holds exactly its model entries. */
static void check_lists(void)
{
	unsigned int counts[PEERS] = { 0 }, i;
	struct veil_aip_node *node;
	int p, family;
	u8 addr[16], cidr;

	for (i = 0; i < n_model; i++)
		counts[model[i].peer]++;
	for (p = 0; p < PEERS; p++) {
		unsigned int n = 0;

		list_for_each_entry(node, &peers[p].allowedips_list, peer_list) {
			bool found = false;

			CHECK(node->peer == &peers[p]);
			memset(addr, 0, sizeof(addr));
			veil_aip_node_read(node, &family, addr, &cidr);
			for (i = 0; i < n_model && !found; i++)
				found = model[i].peer == p && model[i].family == family &&
					model[i].cidr == cidr && !memcmp(model[i].addr, addr, 16);
			CHECK(found);
			n++;
		}
		CHECK(n == counts[p]);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	shim_quiet = true;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct veil_allowedips table;
	struct veil_aip_reserve r;
	struct mutex lock;
	u8 bases[4][16];
	int p;

	fuzz_bytes(&in, bases, sizeof(bases));
	for (p = 0; p < PEERS; p++)
		INIT_LIST_HEAD(&peers[p].allowedips_list);
	n_model = 0;
	mutex_init(&lock);
	veil_aip_init(&table);
	veil_aip_reserve_init(&r);

	while (in.left) {
		u8 op = fuzz_u8(&in), addr[16];
		int family = op & 1 ? AF_INET6 : AF_INET;
		unsigned int maxc = family == AF_INET ? 32 : 128;

		/* a base address with a few input-chosen bytes changed */
		memcpy(addr, bases[(op >> 1) & 3], 16);
		addr[fuzz_u8(&in) & 15] ^= fuzz_u8(&in);
		switch ((op >> 3) & 3) {
		case 0:
		case 1: {
			u8 cidr = fuzz_u8(&in) % (maxc + 1);

			if (n_model >= MAX_ENTRIES)
				break;
			p = (op >> 5) % PEERS;
			CHECK(!veil_aip_reserve(&r, 1, GFP_KERNEL));
			veil_aip_insert(&table, family, addr, cidr, &peers[p], &r, &lock);
			model_insert(family, addr, cidr, p);
			veil_aip_reserve_release(&r);
			check_lists();
			break;
		}
		case 2:
			p = (op >> 5) % PEERS;
			veil_aip_remove_by_peer(&table, &peers[p], &lock);
			model_remove_peer(p);
			check_lists();
			break;
		default:
			CHECK(veil_aip_lookup(&table, family, addr) == model_lookup(family, addr));
			break;
		}
	}
	veil_aip_free(&table, &lock);
	for (p = 0; p < PEERS; p++)
		CHECK(list_empty(&peers[p].allowedips_list));
	return 0;
}
