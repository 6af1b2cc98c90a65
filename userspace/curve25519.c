// SPDX-License-Identifier: GPL-2.0
/*
 * X25519 following RFC 7748: field elements mod p = 2^255 - 19 held in five
 * 51-bit limbs (radix 2^51), products in unsigned __int128, and the
 * Montgomery ladder of RFC 7748 §5 with a branch-free conditional swap.
 * Nothing here branches on or indexes memory by secret data.
 */
#include <string.h>

#include "curve25519.h"

typedef uint64_t fe[5];
typedef unsigned __int128 u128;

#define MASK51 ((UINT64_C(1) << 51) - 1)

static uint64_t load64_le(const uint8_t *p)
{
	uint64_t r = 0;
	int i;

	for (i = 7; i >= 0; --i)
		r = (r << 8) | p[i];
	return r;
}

static void store64_le(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; ++i, v >>= 8)
		p[i] = (uint8_t)v;
}

static void fe_frombytes(fe h, const uint8_t s[32])
{
	uint64_t w0 = load64_le(s), w1 = load64_le(s + 8);
	uint64_t w2 = load64_le(s + 16), w3 = load64_le(s + 24);

	/* bit 255 is ignored (RFC 7748 §5: mask the most significant bit) */
	h[0] = w0 & MASK51;
	h[1] = ((w0 >> 51) | (w1 << 13)) & MASK51;
	h[2] = ((w1 >> 38) | (w2 << 26)) & MASK51;
	h[3] = ((w2 >> 25) | (w3 << 39)) & MASK51;
	h[4] = (w3 >> 12) & MASK51;
}

/* Propagates carries so every limb is below 2^51 (limb 1 may exceed slightly). */
static void fe_carry(fe h)
{
	uint64_t c;

	c = h[0] >> 51; h[0] &= MASK51; h[1] += c;
	c = h[1] >> 51; h[1] &= MASK51; h[2] += c;
	c = h[2] >> 51; h[2] &= MASK51; h[3] += c;
	c = h[3] >> 51; h[3] &= MASK51; h[4] += c;
	c = h[4] >> 51; h[4] &= MASK51; h[0] += 19 * c;
	c = h[0] >> 51; h[0] &= MASK51; h[1] += c;
}

static void fe_tobytes(uint8_t s[32], const fe f)
{
	fe h;
	uint64_t q, c;

	memcpy(h, f, sizeof(h));
	fe_carry(h);
	fe_carry(h);
	/* now h < 2^255 + small, so h mod p is h or h - p: q = (h >= p) */
	q = (h[0] + 19) >> 51;
	q = (h[1] + q) >> 51;
	q = (h[2] + q) >> 51;
	q = (h[3] + q) >> 51;
	q = (h[4] + q) >> 51;
	/* h - p = h + 19 - 2^255 */
	h[0] += 19 * q;
	c = h[0] >> 51; h[0] &= MASK51; h[1] += c;
	c = h[1] >> 51; h[1] &= MASK51; h[2] += c;
	c = h[2] >> 51; h[2] &= MASK51; h[3] += c;
	c = h[3] >> 51; h[3] &= MASK51; h[4] += c;
	h[4] &= MASK51;		/* drops 2^255 */

	store64_le(s, h[0] | (h[1] << 51));
	store64_le(s + 8, (h[1] >> 13) | (h[2] << 38));
	store64_le(s + 16, (h[2] >> 26) | (h[3] << 25));
	store64_le(s + 24, (h[3] >> 39) | (h[4] << 12));
	explicit_bzero(h, sizeof(h));
}

static void fe_add(fe h, const fe f, const fe g)
{
	int i;

	for (i = 0; i < 5; ++i)
		h[i] = f[i] + g[i];
	fe_carry(h);
}

/* h = f - g, computed as f + 4p - g so no limb goes negative. */
static void fe_sub(fe h, const fe f, const fe g)
{
	static const uint64_t four_p0 = 4 * (MASK51 - 18), four_pi = 4 * MASK51;
	int i;

	h[0] = f[0] + four_p0 - g[0];
	for (i = 1; i < 5; ++i)
		h[i] = f[i] + four_pi - g[i];
	fe_carry(h);
}

static void fe_mul(fe h, const fe f, const fe g)
{
	uint64_t f0 = f[0], f1 = f[1], f2 = f[2], f3 = f[3], f4 = f[4];
	uint64_t g0 = g[0], g1 = g[1], g2 = g[2], g3 = g[3], g4 = g[4];
	uint64_t g1_19 = 19 * g1, g2_19 = 19 * g2, g3_19 = 19 * g3, g4_19 = 19 * g4;
	u128 r0, r1, r2, r3, r4;
	uint64_t c;

	/* 2^255 = 19 (mod p): limbs past the fifth fold back times 19 */
	r0 = (u128)f0 * g0 + (u128)f1 * g4_19 + (u128)f2 * g3_19 + (u128)f3 * g2_19 + (u128)f4 * g1_19;
	r1 = (u128)f0 * g1 + (u128)f1 * g0 + (u128)f2 * g4_19 + (u128)f3 * g3_19 + (u128)f4 * g2_19;
	r2 = (u128)f0 * g2 + (u128)f1 * g1 + (u128)f2 * g0 + (u128)f3 * g4_19 + (u128)f4 * g3_19;
	r3 = (u128)f0 * g3 + (u128)f1 * g2 + (u128)f2 * g1 + (u128)f3 * g0 + (u128)f4 * g4_19;
	r4 = (u128)f0 * g4 + (u128)f1 * g3 + (u128)f2 * g2 + (u128)f3 * g1 + (u128)f4 * g0;

	c = (uint64_t)(r0 >> 51); h[0] = (uint64_t)r0 & MASK51; r1 += c;
	c = (uint64_t)(r1 >> 51); h[1] = (uint64_t)r1 & MASK51; r2 += c;
	c = (uint64_t)(r2 >> 51); h[2] = (uint64_t)r2 & MASK51; r3 += c;
	c = (uint64_t)(r3 >> 51); h[3] = (uint64_t)r3 & MASK51; r4 += c;
	c = (uint64_t)(r4 >> 51); h[4] = (uint64_t)r4 & MASK51;
	h[0] += c * 19;
	c = h[0] >> 51; h[0] &= MASK51; h[1] += c;
}

static void fe_sq(fe h, const fe f)
{
	fe_mul(h, f, f);
}

/* h = f * n for a small constant n (< 2^17). */
static void fe_mul_small(fe h, const fe f, uint32_t n)
{
	u128 r;
	uint64_t c = 0;
	int i;

	for (i = 0; i < 5; ++i) {
		r = (u128)f[i] * n + c;
		h[i] = (uint64_t)r & MASK51;
		c = (uint64_t)(r >> 51);
	}
	h[0] += c * 19;
	c = h[0] >> 51; h[0] &= MASK51; h[1] += c;
}

static void fe_sqn(fe h, const fe f, int n)
{
	fe_sq(h, f);
	while (--n > 0)
		fe_sq(h, h);
}

/* h = z^(p - 2) = z^(2^255 - 21) = 1/z (0 for z = 0). */
static void fe_invert(fe out, const fe z)
{
	fe z2, z9, z11, t, z5_0, z10_0, z20_0, z50_0, z100_0;

	fe_sq(z2, z);			/* 2 */
	fe_sqn(t, z2, 2);		/* 8 */
	fe_mul(z9, t, z);		/* 9 */
	fe_mul(z11, z9, z2);		/* 11 */
	fe_sq(t, z11);			/* 22 */
	fe_mul(z5_0, t, z9);		/* 2^5 - 1 */
	fe_sqn(t, z5_0, 5);
	fe_mul(z10_0, t, z5_0);		/* 2^10 - 1 */
	fe_sqn(t, z10_0, 10);
	fe_mul(z20_0, t, z10_0);	/* 2^20 - 1 */
	fe_sqn(t, z20_0, 20);
	fe_mul(t, t, z20_0);		/* 2^40 - 1 */
	fe_sqn(t, t, 10);
	fe_mul(z50_0, t, z10_0);	/* 2^50 - 1 */
	fe_sqn(t, z50_0, 50);
	fe_mul(z100_0, t, z50_0);	/* 2^100 - 1 */
	fe_sqn(t, z100_0, 100);
	fe_mul(t, t, z100_0);		/* 2^200 - 1 */
	fe_sqn(t, t, 50);
	fe_mul(t, t, z50_0);		/* 2^250 - 1 */
	fe_sqn(t, t, 5);		/* 2^255 - 32 */
	fe_mul(out, t, z11);		/* 2^255 - 21 */
}

/* Swaps f and g when bit is 1, without branching. */
static void fe_cswap(fe f, fe g, uint64_t bit)
{
	uint64_t mask = 0 - bit, x;
	int i;

	for (i = 0; i < 5; ++i) {
		x = mask & (f[i] ^ g[i]);
		f[i] ^= x;
		g[i] ^= x;
	}
}

void curve25519_clamp(uint8_t scalar[CURVE25519_KEY_LEN])
{
	scalar[0] &= 248;
	scalar[31] &= 127;
	scalar[31] |= 64;
}

void curve25519(uint8_t out[CURVE25519_KEY_LEN],
		const uint8_t scalar[CURVE25519_KEY_LEN],
		const uint8_t u[CURVE25519_KEY_LEN])
{
	uint8_t k[32];
	fe x1, x2, z2, x3, z3, a, aa, b, bb, e, c, d, da, cb, t;
	uint64_t swap = 0, bit;
	int pos;

	memcpy(k, scalar, sizeof(k));
	curve25519_clamp(k);
	fe_frombytes(x1, u);
	memset(x2, 0, sizeof(x2));
	x2[0] = 1;
	memset(z2, 0, sizeof(z2));
	memcpy(x3, x1, sizeof(x3));
	memset(z3, 0, sizeof(z3));
	z3[0] = 1;

	for (pos = 254; pos >= 0; --pos) {
		bit = (k[pos >> 3] >> (pos & 7)) & 1;
		swap ^= bit;
		fe_cswap(x2, x3, swap);
		fe_cswap(z2, z3, swap);
		swap = bit;

		fe_add(a, x2, z2);
		fe_sq(aa, a);
		fe_sub(b, x2, z2);
		fe_sq(bb, b);
		fe_sub(e, aa, bb);
		fe_add(c, x3, z3);
		fe_sub(d, x3, z3);
		fe_mul(da, d, a);
		fe_mul(cb, c, b);
		fe_add(t, da, cb);
		fe_sq(x3, t);
		fe_sub(t, da, cb);
		fe_sq(t, t);
		fe_mul(z3, x1, t);
		fe_mul(x2, aa, bb);
		fe_mul_small(t, e, 121665);
		fe_add(t, aa, t);
		fe_mul(z2, e, t);
	}
	fe_cswap(x2, x3, swap);
	fe_cswap(z2, z3, swap);

	fe_invert(z2, z2);
	fe_mul(x2, x2, z2);
	fe_tobytes(out, x2);

	explicit_bzero(k, sizeof(k));
	explicit_bzero(x2, sizeof(x2));
	explicit_bzero(z2, sizeof(z2));
	explicit_bzero(x3, sizeof(x3));
	explicit_bzero(z3, sizeof(z3));
	explicit_bzero(a, sizeof(a));
	explicit_bzero(aa, sizeof(aa));
	explicit_bzero(b, sizeof(b));
	explicit_bzero(bb, sizeof(bb));
	explicit_bzero(e, sizeof(e));
	explicit_bzero(c, sizeof(c));
	explicit_bzero(d, sizeof(d));
	explicit_bzero(da, sizeof(da));
	explicit_bzero(cb, sizeof(cb));
	explicit_bzero(t, sizeof(t));
}

void curve25519_public(uint8_t pub[CURVE25519_KEY_LEN],
		       const uint8_t priv[CURVE25519_KEY_LEN])
{
	static const uint8_t basepoint[CURVE25519_KEY_LEN] = { 9 };

	curve25519(pub, priv, basepoint);
}
