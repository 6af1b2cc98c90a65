// SPDX-License-Identifier: GPL-2.0
/*
 * Self-test of the piecewise ChaCha20-Poly1305 (crypt.c), run at module
 * load with selftest=1: for many message lengths (0, 1, around the 16-byte
 * Poly1305 and 64-byte ChaCha20 blocks, around a page and beyond) and many
 * ways of cutting the message into pieces (whole, one byte at a time, fixed
 * piece sizes on both sides of a block, random cuts including empty
 * pieces), both in place and into another buffer, the ciphertext and tag
 * must equal chacha20poly1305_encrypt()'s byte for byte. Opening in the
 * same pieces must give the plaintext back and accept the tag, and refuse a
 * tag or a ciphertext with one bit flipped; the same over scatterlists.
 * The portable ChaCha20 must equal lib/crypto's chacha20_crypt() on random
 * states whichever implementation the data path uses, and the speed of
 * both is logged.
 */

#include <crypto/chacha20poly1305.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/scatterlist.h>
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

/* Opens @want (ciphertext and tag) in pieces; checks plaintext and verdict. */
static bool open_pieces(const u8 *key, u64 nonce, const u8 *want, u8 *dst,
			const u8 *plain, unsigned int len, unsigned int piece,
			bool in_place, bool tamper)
{
	unsigned int off = 0, n, bit = 0;
	u8 *src = (u8 *)want, tag[CHACHA20POLY1305_AUTHTAG_SIZE];
	struct veil_seal s;
	bool accepted;

	memcpy(tag, want + len, sizeof(tag));
	if (in_place) {
		memcpy(dst, want, len);
		src = dst;
	}
	if (tamper) {
		bit = get_random_u32_below((len + sizeof(tag)) * 8);
		if (bit / 8 < len)
			src[bit / 8] ^= 1 << (bit % 8);
		else
			tag[bit / 8 - len] ^= 1 << (bit % 8);
	}
	veil_seal_init(&s, key, nonce);
	while (off < len) {
		n = piece ? piece : get_random_u32_below(200);
		n = min(n, len - off);
		veil_open_update(&s, dst + off, src + off, n);
		off += n;
	}
	accepted = veil_open_final(&s, tag);
	if (!in_place && tamper && bit / 8 < len)
		src[bit / 8] ^= 1 << (bit % 8);
	if (tamper)
		return !accepted;
	return accepted && !memcmp(dst, plain, len);
}

/* Seals then opens @len (> 0) bytes spread over up to four sg entries. */
static bool sg_roundtrip(const u8 *key, u64 nonce, u8 *buf, const u8 *plain,
			 const u8 *want, unsigned int len)
{
	unsigned int cut[4], i, nents = 0, prev = 0;
	u8 tag[CHACHA20POLY1305_AUTHTAG_SIZE];
	struct scatterlist sg[4];
	struct veil_seal s;
	bool ok;

	for (i = 0; i < 3; i++)
		cut[i] = get_random_u32_below(len + 1);
	cut[3] = len;
	if (cut[0] > cut[1])
		swap(cut[0], cut[1]);
	if (cut[1] > cut[2])
		swap(cut[1], cut[2]);
	if (cut[0] > cut[1])
		swap(cut[0], cut[1]);
	/* Entries of length 0 would end the walk early: none. */
	for (i = 0; i < ARRAY_SIZE(cut); i++) {
		if (cut[i] == prev)
			continue;
		cut[nents++] = cut[i];
		prev = cut[i];
	}
	sg_init_table(sg, nents);
	for (i = 0, prev = 0; i < nents; prev = cut[i++])
		sg_set_buf(&sg[i], buf + prev, cut[i] - prev);

	memcpy(buf, plain, len);
	veil_seal_init(&s, key, nonce);
	ok = veil_crypt_sg(&s, sg, len, true);
	veil_seal_final(&s, tag);
	if (!ok || memcmp(buf, want, len) || memcmp(tag, want + len, sizeof(tag)))
		return false;
	veil_seal_init(&s, key, nonce);
	ok = veil_crypt_sg(&s, sg, len, false) && veil_open_final(&s, tag);
	return ok && !memcmp(buf, plain, len);
}

/* The portable ChaCha20 against lib/crypto's, then the speed of both. */
static bool chacha_selftest(u8 *a, u8 *b, const u8 *src)
{
	u32 st_a[CHACHA_STATE_WORDS], st_b[CHACHA_STATE_WORDS];
	unsigned int i, n;
	u64 t_lib, t_port, t0;

	for (i = 0; i < 64; i++) {
		n = get_random_u32_below(MAX_LEN / CHACHA_BLOCK_SIZE) + 1;
		get_random_bytes(st_a, sizeof(st_a));
		/* Counter far from wrapping, as the data path's. */
		st_a[12] >>= 1;
		memcpy(st_b, st_a, sizeof(st_a));
		chacha20_crypt(st_a, a, src, n * CHACHA_BLOCK_SIZE);
		veil_chacha20_portable(st_b, b, src, n);
		if (memcmp(a, b, n * CHACHA_BLOCK_SIZE) ||
		    memcmp(st_a, st_b, sizeof(st_a))) {
			pr_err("crypt self-test: portable ChaCha20, %u blocks\n", n);
			return false;
		}
	}
	/* Not a test: a record of what each costs on this CPU. */
	n = MAX_LEN / CHACHA_BLOCK_SIZE;
	t0 = ktime_get_ns();
	for (i = 0; i < 64; i++)
		chacha20_crypt(st_a, a, src, n * CHACHA_BLOCK_SIZE);
	t_lib = ktime_get_ns() - t0 + 1;
	t0 = ktime_get_ns();
	for (i = 0; i < 64; i++)
		veil_chacha20_portable(st_b, b, src, n);
	t_port = ktime_get_ns() - t0 + 1;
	pr_info("ChaCha20 speed: lib %llu MB/s, portable %llu MB/s (using %s)\n",
		div64_u64(64ULL * n * CHACHA_BLOCK_SIZE * 1000, t_lib),
		div64_u64(64ULL * n * CHACHA_BLOCK_SIZE * 1000, t_port),
		veil_crypt_chacha_impl());
	memzero_explicit(st_a, sizeof(st_a));
	memzero_explicit(st_b, sizeof(st_b));
	return true;
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
		for (j = 0; j < ARRAY_SIZE(piece_sizes) && ok; j++) {
			ok = open_pieces(key, nonce, want, dst + (j & 1), src,
					 len, piece_sizes[j], j & 2, false) &&
			     open_pieces(key, nonce, want, dst + (j & 1), src,
					 len, piece_sizes[j], j & 2, true);
			if (!ok)
				pr_err("crypt self-test: opening, length %u, pieces %u\n",
				       len, piece_sizes[j]);
		}
		for (j = 0; j < 8 && ok && len; j++) {
			ok = sg_roundtrip(key, nonce, dst + (j & 1), src, want,
					  len);
			if (!ok)
				pr_err("crypt self-test: scatterlist, length %u\n",
				       len);
		}
	}
	if (ok)
		ok = chacha_selftest(dst, want, src);
out:
	kfree(src);
	kfree(dst);
	kfree(want);
	return ok;
}
