// SPDX-License-Identifier: GPL-2.0
/*
 * ChaCha20-Poly1305 in pieces (see crypt.h), on top of the Poly1305 library
 * calls and either lib/crypto's ChaCha20 or the portable one below.
 *
 * Why a ChaCha20 of our own: without the CPU features of the kernel's arch
 * code (SSSE3 on x86), lib/crypto falls back to chacha_block_generic(),
 * whose permutation works on an array through a pointer, so every step of
 * every round loads and stores the state in memory. Here the sixteen state
 * words are locals the compiler keeps in registers, and the keystream is
 * XORed into the data word by word straight from them: on an x86-64
 * without SSSE3 (QEMU's qemu64 CPU, for one) this is about twice as fast.
 * With the SIMD code available, lib/crypto's is far faster and is used.
 */

#include <asm/unaligned.h>
#include <crypto/algapi.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/string.h>
#include <net/checksum.h>
#ifdef CONFIG_X86
#include <asm/cpufeature.h>
#endif

#include "crypt.h"

static char *veil_chacha_param = "auto";
module_param_named(chacha, veil_chacha_param, charp, 0444);
MODULE_PARM_DESC(chacha, "ChaCha20 implementation: auto (default), lib (lib/crypto) or portable (veil's C)");

static bool veil_chacha_use_portable __ro_after_init;

int veil_crypt_init(void)
{
	bool lib_simd;

#ifdef CONFIG_X86
	lib_simd = boot_cpu_has(X86_FEATURE_SSSE3);
#else
	lib_simd = IS_ENABLED(CONFIG_CRYPTO_ARCH_HAVE_LIB_CHACHA);
#endif
	if (sysfs_streq(veil_chacha_param, "auto"))
		veil_chacha_use_portable = !lib_simd;
	else if (sysfs_streq(veil_chacha_param, "lib"))
		veil_chacha_use_portable = false;
	else if (sysfs_streq(veil_chacha_param, "portable"))
		veil_chacha_use_portable = true;
	else
		return -EINVAL;
	return 0;
}

const char *veil_crypt_chacha_impl(void)
{
	return veil_chacha_use_portable ? "portable" : "lib";
}

/*
 * One quarter round on four state words (RFC 8439, 2.1). Always inlined on
 * locals: once inlined, their addresses are gone and they live in registers.
 */
static __always_inline void veil_qr(u32 *a, u32 *b, u32 *c, u32 *d)
{
	*a += *b;
	*d = rol32(*d ^ *a, 16);
	*c += *d;
	*b = rol32(*b ^ *c, 12);
	*a += *b;
	*d = rol32(*d ^ *a, 8);
	*c += *d;
	*b = rol32(*b ^ *c, 7);
}

/*
 * Keystream word @i (permuted word @x plus state word) into the data. With
 * @sum, the source word is added to it as loaded (in CPU order, as
 * csum_partial() adds), for an Internet checksum of the plaintext.
 */
static __always_inline void veil_xor_word(u8 *dst, const u8 *src,
					  const u32 *state, unsigned int i,
					  u32 x, u64 *sum)
{
	u32 w = get_unaligned((const u32 *)(src + 4 * i));

	if (sum)
		*sum += w;
	w ^= (__force u32)cpu_to_le32(x + state[i]);
	put_unaligned(w, (u32 *)(dst + 4 * i));
}

/* The cipher; inlined twice, with and without a checksum (@sum). */
static __always_inline void veil_chacha20_blocks(u32 *state, u8 *dst,
						 const u8 *src,
						 unsigned int nblocks,
						 u64 *sum)
{
	while (nblocks--) {
		u32 x0 = state[0], x1 = state[1], x2 = state[2];
		u32 x3 = state[3], x4 = state[4], x5 = state[5];
		u32 x6 = state[6], x7 = state[7], x8 = state[8];
		u32 x9 = state[9], x10 = state[10], x11 = state[11];
		u32 x12 = state[12], x13 = state[13], x14 = state[14];
		u32 x15 = state[15];
		int i;

		/* 20 rounds: column and diagonal rounds, twice per turn. */
		for (i = 0; i < 5; i++) {
			veil_qr(&x0, &x4, &x8, &x12);
			veil_qr(&x1, &x5, &x9, &x13);
			veil_qr(&x2, &x6, &x10, &x14);
			veil_qr(&x3, &x7, &x11, &x15);
			veil_qr(&x0, &x5, &x10, &x15);
			veil_qr(&x1, &x6, &x11, &x12);
			veil_qr(&x2, &x7, &x8, &x13);
			veil_qr(&x3, &x4, &x9, &x14);
			veil_qr(&x0, &x4, &x8, &x12);
			veil_qr(&x1, &x5, &x9, &x13);
			veil_qr(&x2, &x6, &x10, &x14);
			veil_qr(&x3, &x7, &x11, &x15);
			veil_qr(&x0, &x5, &x10, &x15);
			veil_qr(&x1, &x6, &x11, &x12);
			veil_qr(&x2, &x7, &x8, &x13);
			veil_qr(&x3, &x4, &x9, &x14);
		}
		veil_xor_word(dst, src, state, 0, x0, sum);
		veil_xor_word(dst, src, state, 1, x1, sum);
		veil_xor_word(dst, src, state, 2, x2, sum);
		veil_xor_word(dst, src, state, 3, x3, sum);
		veil_xor_word(dst, src, state, 4, x4, sum);
		veil_xor_word(dst, src, state, 5, x5, sum);
		veil_xor_word(dst, src, state, 6, x6, sum);
		veil_xor_word(dst, src, state, 7, x7, sum);
		veil_xor_word(dst, src, state, 8, x8, sum);
		veil_xor_word(dst, src, state, 9, x9, sum);
		veil_xor_word(dst, src, state, 10, x10, sum);
		veil_xor_word(dst, src, state, 11, x11, sum);
		veil_xor_word(dst, src, state, 12, x12, sum);
		veil_xor_word(dst, src, state, 13, x13, sum);
		veil_xor_word(dst, src, state, 14, x14, sum);
		veil_xor_word(dst, src, state, 15, x15, sum);
		/* A message is far shorter than 2^32 blocks: no carry. */
		state[12]++;
		src += CHACHA_BLOCK_SIZE;
		dst += CHACHA_BLOCK_SIZE;
	}
}

void veil_chacha20_portable(u32 *state, u8 *dst, const u8 *src,
			    unsigned int nblocks)
{
	veil_chacha20_blocks(state, dst, src, nblocks, NULL);
}

/*
 * As csum_partial() of the plaintext: a 64-bit sum of words, folded. Kept
 * out of line, so that a profile counts it as the cipher it mostly is.
 */
static noinline __wsum
veil_chacha20_portable_csum(u32 *state, u8 *dst, const u8 *src,
			    unsigned int nblocks)
{
	u64 sum = 0;

	veil_chacha20_blocks(state, dst, src, nblocks, &sum);
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffffffff) + (sum >> 32);
	return (__force __wsum)(u32)sum;
}

/* @len bytes, a multiple of CHACHA_BLOCK_SIZE, through the chosen cipher. */
static void veil_chacha20(u32 *state, u8 *dst, const u8 *src,
			  unsigned int len)
{
	if (veil_chacha_use_portable)
		veil_chacha20_portable(state, dst, src,
				       len / CHACHA_BLOCK_SIZE);
	else
		chacha20_crypt(state, dst, src, len);
}

/* The next keystream block into @s->stream. */
static void veil_next_stream(struct veil_seal *s)
{
	static const u8 zeros[CHACHA_BLOCK_SIZE];

	veil_chacha20(s->chacha, s->stream, zeros, sizeof(s->stream));
	s->used = 0;
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
	veil_next_stream(s);
	poly1305_init(&s->poly, s->stream);
	s->used = sizeof(s->stream);
	s->len = 0;
}

/*
 * The ChaCha20 part of a piece: XORs @len bytes of keystream. With @csum,
 * returns the Internet checksum of the source bytes (as csum_partial(@src,
 * @len, 0) would), computed as they pass; else 0.
 */
static __wsum veil_stream_xor(struct veil_seal *s, u8 *dst, const u8 *src,
			      size_t len, bool csum)
{
	__wsum sum = 0, part;
	size_t n, done = 0;

	/* What is left of the block the previous piece started. */
	if (s->used < CHACHA_BLOCK_SIZE && len) {
		n = min_t(size_t, len, CHACHA_BLOCK_SIZE - s->used);
		if (csum)
			sum = csum_partial(src, n, 0);
		crypto_xor_cpy(dst, src, s->stream + s->used, n);
		s->used += n;
		done = n;
	}
	/* Whole blocks straight from the cipher. */
	n = round_down(len - done, CHACHA_BLOCK_SIZE);
	if (n) {
		if (csum && veil_chacha_use_portable) {
			part = veil_chacha20_portable_csum(s->chacha, dst + done,
							   src + done,
							   n / CHACHA_BLOCK_SIZE);
			sum = csum_block_add(sum, part, done);
		} else {
			if (csum)
				sum = csum_block_add(sum, csum_partial(src + done,
								       n, 0),
						     done);
			veil_chacha20(s->chacha, dst + done, src + done, n);
		}
		done += n;
	}
	/* A partial block: keep its keystream for the next piece. */
	if (done < len) {
		n = len - done;
		if (csum)
			sum = csum_block_add(sum, csum_partial(src + done, n, 0),
					     done);
		veil_next_stream(s);
		crypto_xor_cpy(dst + done, src + done, s->stream, n);
		s->used = n;
	}
	return sum;
}

void veil_seal_xor(struct veil_seal *s, u8 *dst, const u8 *src, size_t len)
{
	veil_stream_xor(s, dst, src, len, false);
}

__wsum veil_seal_xor_csum(struct veil_seal *s, u8 *dst, const u8 *src,
			  size_t len)
{
	return veil_stream_xor(s, dst, src, len, true);
}

void veil_seal_mac(struct veil_seal *s, const u8 *data, size_t len)
{
	poly1305_update(&s->poly, data, len);
	s->len += len;
}

void veil_seal_update(struct veil_seal *s, u8 *dst, const u8 *src,
		      size_t len)
{
	veil_stream_xor(s, dst, src, len, false);
	veil_seal_mac(s, dst, len);
}

void veil_open_update(struct veil_seal *s, u8 *dst, const u8 *src,
		      size_t len)
{
	/* The tag covers the ciphertext: read it before it is overwritten. */
	veil_seal_mac(s, src, len);
	veil_stream_xor(s, dst, src, len, false);
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

bool veil_open_final(struct veil_seal *s, const u8 *tag)
{
	u8 computed[POLY1305_DIGEST_SIZE];
	bool ok;

	veil_seal_final(s, computed);
	ok = !crypto_memneq(computed, tag, sizeof(computed));
	memzero_explicit(computed, sizeof(computed));
	return ok;
}

bool veil_crypt_sg(struct veil_seal *s, struct scatterlist *sg,
		   unsigned int len, bool encrypt)
{
	struct sg_mapping_iter miter;
	unsigned int n;

	sg_miter_start(&miter, sg, sg_nents(sg),
		       SG_MITER_TO_SG | SG_MITER_FROM_SG | SG_MITER_ATOMIC);
	while (len && sg_miter_next(&miter)) {
		n = min_t(unsigned int, len, miter.length);
		if (encrypt)
			veil_seal_update(s, miter.addr, miter.addr, n);
		else
			veil_open_update(s, miter.addr, miter.addr, n);
		len -= n;
	}
	sg_miter_stop(&miter);
	return !len;
}
