// SPDX-License-Identifier: GPL-2.0
/*
 * Self-test of the piecewise ChaCha20-Poly1305 (crypt.c), run at module
 * load with selftest=1: for many message lengths (0, 1, around the 16-byte
 * Poly1305 and 64-byte ChaCha20 blocks, around a page and beyond) and many
 * ways of cutting the message into pieces (whole, one byte at a time, fixed
 * piece sizes on both sides of a block, random cuts including empty
 * pieces), both in place and into another buffer, the ciphertext and tag
 * must equal chacha20poly1305_encrypt()'s byte for byte.
 */

#include <crypto/chacha20poly1305.h>
#include <linux/kernel.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "../crypt.h"

#define MAX_LEN 9000

static const unsigned int lengths[] = {
	0, 1, 2, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 191, 192,
	193, 1000, 1419, 1420, 1436, 4095, 4096, 4097, 4159, 4160, 4161,
	8192, MAX_LEN,
};

/* Piece sizes: 0 means random cuts, others a fixed size. */
static const unsigned int piece_sizes[] = { 0, 0, 0, 1, 7, 16, 63, 64, 65, 100, 4096 };

static bool seal_pieces(const u8 *key, u64 nonce, const u8 *src, u8 *dst,
			unsigned int len, unsigned int piece, bool in_place,
			const u8 *want)
{
	struct veil_seal s;
	unsigned int off = 0, n;

	if (in_place)
		memcpy(dst, src, len);
	veil_seal_init(&s, key, nonce);
	while (off < len) {
		n = piece ? piece : get_random_u32_below(200);
		/* Now and then a large piece, and empty ones. */
		if (!piece && !get_random_u32_below(8))
			n = get_random_u32_below(len + 1);
		n = min(n, len - off);
		veil_seal_update(&s, dst + off, in_place ? dst + off : src + off, n);
		off += n;
	}
	if (!get_random_u32_below(4))
		veil_seal_update(&s, dst + off, src + off, 0);
	veil_seal_final(&s, dst + len);
	return !memcmp(dst, want, len + CHACHA20POLY1305_AUTHTAG_SIZE);
}

bool veil_crypt_selftest(void)
{
	u8 key[CHACHA20POLY1305_KEY_SIZE];
	unsigned int i, j, len;
	u8 *src, *dst, *want;
	bool ok = true;
	u64 nonce;

	src = kmalloc(MAX_LEN, GFP_KERNEL);
	dst = kmalloc(MAX_LEN + CHACHA20POLY1305_AUTHTAG_SIZE + 1, GFP_KERNEL);
	want = kmalloc(MAX_LEN + CHACHA20POLY1305_AUTHTAG_SIZE, GFP_KERNEL);
	if (!src || !dst || !want) {
		ok = false;
		goto out;
	}

	for (i = 0; i < ARRAY_SIZE(lengths) && ok; i++) {
		len = lengths[i];
		get_random_bytes(key, sizeof(key));
		get_random_bytes(src, len);
		/* Nonces with high bits set, as after many messages. */
		nonce = get_random_u64() >> get_random_u32_below(64);
		chacha20poly1305_encrypt(want, src, len, NULL, 0, nonce, key);
		for (j = 0; j < ARRAY_SIZE(piece_sizes) && ok; j++) {
			/* Odd destination addresses too. */
			ok = seal_pieces(key, nonce, src, dst + (j & 1), len,
					 piece_sizes[j], j & 2, want);
			if (!ok)
				pr_err("crypt self-test: length %u, pieces %u, %s\n",
				       len, piece_sizes[j],
				       j & 2 ? "in place" : "out of place");
		}
	}
out:
	kfree(src);
	kfree(dst);
	kfree(want);
	return ok;
}
