// SPDX-License-Identifier: GPL-2.0
/*
 * ChaCha20-Poly1305 in pieces (see crypt.h), on top of the ChaCha20 and
 * Poly1305 library calls, which pick the CPU's SIMD code when they may.
 */

#include <asm/unaligned.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include "crypt.h"

static void veil_xor(u8 *dst, const u8 *src, const u8 *ks, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		dst[i] = src[i] ^ ks[i];
}

void veil_seal_init(struct veil_seal *s, const u8 key[CHACHA_KEY_SIZE],
		    u64 nonce)
{
	u32 k[CHACHA_KEY_SIZE / sizeof(u32)];
	u8 iv[CHACHA_IV_SIZE] = {};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(k); i++)
		k[i] = get_unaligned_le32(key + i * sizeof(u32));
	/* Block counter 0, then the 96-bit nonce: 32 zero bits, LE64. */
	put_unaligned_le64(nonce, iv + 8);
	chacha_init(s->chacha, k, iv);
	memzero_explicit(k, sizeof(k));

	/* Block 0 gives the one-time Poly1305 key; data starts at block 1. */
	memset(s->stream, 0, sizeof(s->stream));
	chacha20_crypt(s->chacha, s->stream, s->stream, sizeof(s->stream));
	poly1305_init(&s->poly, s->stream);
	s->used = sizeof(s->stream);
	s->len = 0;
}

void veil_seal_update(struct veil_seal *s, u8 *dst, const u8 *src,
		      size_t len)
{
	u8 *out = dst;
	size_t n, total = len;

	/* What is left of the block the previous piece started. */
	if (s->used < CHACHA_BLOCK_SIZE && len) {
		n = min_t(size_t, len, CHACHA_BLOCK_SIZE - s->used);
		veil_xor(dst, src, s->stream + s->used, n);
		s->used += n;
		dst += n;
		src += n;
		len -= n;
	}
	/* Whole blocks straight from the cipher. */
	n = round_down(len, CHACHA_BLOCK_SIZE);
	if (n) {
		chacha20_crypt(s->chacha, dst, src, n);
		dst += n;
		src += n;
		len -= n;
	}
	/* A partial block: keep its keystream for the next piece. */
	if (len) {
		memset(s->stream, 0, sizeof(s->stream));
		chacha20_crypt(s->chacha, s->stream, s->stream,
			       sizeof(s->stream));
		veil_xor(dst, src, s->stream, len);
		s->used = len;
	}
	poly1305_update(&s->poly, out, total);
	s->len += total;
}

void veil_seal_final(struct veil_seal *s, u8 *tag)
{
	static const u8 zeros[16];
	__le64 lens[2];

	if (s->len & 0xf)
		poly1305_update(&s->poly, zeros, 0x10 - (s->len & 0xf));
	/* No additional data: its length is 0. */
	lens[0] = 0;
	lens[1] = cpu_to_le64(s->len);
	poly1305_update(&s->poly, (const u8 *)lens, sizeof(lens));
	poly1305_final(&s->poly, tag);
	memzero_explicit(s, sizeof(*s));
}
