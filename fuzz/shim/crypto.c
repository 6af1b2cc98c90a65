// SPDX-License-Identifier: GPL-2.0
/*
 * Userspace implementations of the lib/crypto calls the protocol core makes
 * (BLAKE2s, ChaCha20-Poly1305, XChaCha20-Poly1305, X25519), with the
 * kernel's contracts, plus the other out-of-line shim helpers (random bytes,
 * time, printk, WARN). Written for the fuzzers: plain and portable, not
 * constant time. X25519 itself is userspace/curve25519.c, linked under
 * other names (see fuzz/Makefile); the BLAKE2s code follows our
 * selftests/wire_tool.c. Checked against the module's known-answer
 * self-tests by fuzz/shimcheck.c.
 */
#include <stdarg.h>
#include <time.h>

#include "kshim.h"

/* userspace/curve25519.c, renamed at compile time. */
void us_curve25519(u8 out[32], const u8 scalar[32], const u8 u[32]);
void us_curve25519_public(u8 pub[32], const u8 priv[32]);

static inline u32 rol32(u32 x, unsigned int n)
{
	return (x << n) | (x >> (32 - n));
}

static inline u32 ror32(u32 x, unsigned int n)
{
	return (x >> n) | (x << (32 - n));
}

/* ---- BLAKE2s (RFC 7693) ---- */

static const u32 blake2s_iv[8] = {
	0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
	0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

static const u8 blake2s_sigma[10][16] = {
	{ 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 },
	{ 14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3 },
	{ 11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4 },
	{ 7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8 },
	{ 9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13 },
	{ 2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9 },
	{ 12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11 },
	{ 13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10 },
	{ 6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5 },
	{ 10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0 },
};

#define B2S_G(a, b, c, d, x, y) do {			\
	a += b + (x); d = ror32(d ^ a, 16);		\
	c += d;       b = ror32(b ^ c, 12);		\
	a += b + (y); d = ror32(d ^ a, 8);		\
	c += d;       b = ror32(b ^ c, 7);		\
} while (0)

static void blake2s_compress(struct blake2s_state *s, const u8 block[64])
{
	u32 m[16], v[16];
	int i, r;

	for (i = 0; i < 16; i++)
		m[i] = get_unaligned_le32(block + 4 * i);
	for (i = 0; i < 8; i++) {
		v[i] = s->h[i];
		v[i + 8] = blake2s_iv[i];
	}
	v[12] ^= s->t[0];
	v[13] ^= s->t[1];
	v[14] ^= s->f[0];
	v[15] ^= s->f[1];
	for (r = 0; r < 10; r++) {
		const u8 *sg = blake2s_sigma[r];

		B2S_G(v[0], v[4], v[8], v[12], m[sg[0]], m[sg[1]]);
		B2S_G(v[1], v[5], v[9], v[13], m[sg[2]], m[sg[3]]);
		B2S_G(v[2], v[6], v[10], v[14], m[sg[4]], m[sg[5]]);
		B2S_G(v[3], v[7], v[11], v[15], m[sg[6]], m[sg[7]]);
		B2S_G(v[0], v[5], v[10], v[15], m[sg[8]], m[sg[9]]);
		B2S_G(v[1], v[6], v[11], v[12], m[sg[10]], m[sg[11]]);
		B2S_G(v[2], v[7], v[8], v[13], m[sg[12]], m[sg[13]]);
		B2S_G(v[3], v[4], v[9], v[14], m[sg[14]], m[sg[15]]);
	}
	for (i = 0; i < 8; i++)
		s->h[i] ^= v[i] ^ v[i + 8];
}

static void blake2s_add_counter(struct blake2s_state *s, u32 n)
{
	s->t[0] += n;
	if (s->t[0] < n)
		s->t[1]++;
}

void blake2s_update(struct blake2s_state *s, const u8 *in, size_t len)
{
	while (len > 0) {
		size_t n;

		/* The last block is compressed by final(), with the flag. */
		if (s->buflen == BLAKE2S_BLOCK_SIZE) {
			blake2s_add_counter(s, BLAKE2S_BLOCK_SIZE);
			blake2s_compress(s, s->buf);
			s->buflen = 0;
		}
		n = BLAKE2S_BLOCK_SIZE - s->buflen;
		if (n > len)
			n = len;
		memcpy(s->buf + s->buflen, in, n);
		s->buflen += n;
		in += n;
		len -= n;
	}
}

void blake2s_init_key(struct blake2s_state *s, size_t outlen,
		      const void *key, size_t keylen)
{
	int i;

	if (WARN_ON(!outlen || outlen > BLAKE2S_HASH_SIZE ||
		    keylen > BLAKE2S_KEY_SIZE || (keylen && !key)))
		return;
	memset(s, 0, sizeof(*s));
	for (i = 0; i < 8; i++)
		s->h[i] = blake2s_iv[i];
	s->h[0] ^= 0x01010000 ^ (u32)(keylen << 8) ^ (u32)outlen;
	s->outlen = outlen;
	if (keylen) {
		u8 block[BLAKE2S_BLOCK_SIZE] = { 0 };

		memcpy(block, key, keylen);
		blake2s_update(s, block, sizeof(block));
		memzero_explicit(block, sizeof(block));
	}
}

void blake2s_init(struct blake2s_state *s, size_t outlen)
{
	blake2s_init_key(s, outlen, NULL, 0);
}

void blake2s_final(struct blake2s_state *s, u8 *out)
{
	u8 full[BLAKE2S_HASH_SIZE];
	int i;

	blake2s_add_counter(s, s->buflen);
	memset(s->buf + s->buflen, 0, BLAKE2S_BLOCK_SIZE - s->buflen);
	s->f[0] = U32_MAX;
	blake2s_compress(s, s->buf);
	for (i = 0; i < 8; i++)
		put_unaligned_le32(s->h[i], full + 4 * i);
	memcpy(out, full, s->outlen);
	memzero_explicit(s, sizeof(*s));
}

void blake2s(u8 *out, const u8 *in, const u8 *key, size_t outlen,
	     size_t inlen, size_t keylen)
{
	struct blake2s_state s;

	blake2s_init_key(&s, outlen, key, keylen);
	blake2s_update(&s, in, inlen);
	blake2s_final(&s, out);
}

/* ---- ChaCha20 (RFC 8439 2.3), HChaCha20 (XChaCha draft 2.2) ---- */

#define QR(a, b, c, d) do {				\
	a += b; d = rol32(d ^ a, 16);			\
	c += d; b = rol32(b ^ c, 12);			\
	a += b; d = rol32(d ^ a, 8);			\
	c += d; b = rol32(b ^ c, 7);			\
} while (0)

static void chacha_rounds(u32 x[16])
{
	int i;

	for (i = 0; i < 10; i++) {
		QR(x[0], x[4], x[8], x[12]);
		QR(x[1], x[5], x[9], x[13]);
		QR(x[2], x[6], x[10], x[14]);
		QR(x[3], x[7], x[11], x[15]);
		QR(x[0], x[5], x[10], x[15]);
		QR(x[1], x[6], x[11], x[12]);
		QR(x[2], x[7], x[8], x[13]);
		QR(x[3], x[4], x[9], x[14]);
	}
}

/* "expand 32-byte k", the key, then words 12-15 from the caller. */
static void chacha_init(u32 st[16], const u8 key[32])
{
	int i;

	st[0] = 0x61707865;
	st[1] = 0x3320646e;
	st[2] = 0x79622d32;
	st[3] = 0x6b206574;
	for (i = 0; i < 8; i++)
		st[4 + i] = get_unaligned_le32(key + 4 * i);
}

static void chacha_block(const u32 st[16], u8 out[64])
{
	u32 x[16];
	int i;

	memcpy(x, st, sizeof(x));
	chacha_rounds(x);
	for (i = 0; i < 16; i++)
		put_unaligned_le32(x[i] + st[i], out + 4 * i);
	memzero_explicit(x, sizeof(x));
}

/* XOR @len bytes of keystream from block @counter on; in place allowed. */
static void chacha20_xor(u8 *dst, const u8 *src, size_t len, const u8 key[32],
			 u64 nonce, u32 counter)
{
	u32 st[16];
	u8 ks[64];
	size_t i, n;

	chacha_init(st, key);
	st[12] = counter;
	st[13] = 0;
	st[14] = (u32)nonce;
	st[15] = (u32)(nonce >> 32);
	while (len) {
		chacha_block(st, ks);
		st[12]++;
		n = len < 64 ? len : 64;
		for (i = 0; i < n; i++)
			dst[i] = src[i] ^ ks[i];
		dst += n;
		src += n;
		len -= n;
	}
	memzero_explicit(st, sizeof(st));
	memzero_explicit(ks, sizeof(ks));
}

static void hchacha20(u8 out[32], const u8 key[32], const u8 nonce[16])
{
	u32 x[16];
	int i;

	chacha_init(x, key);
	for (i = 0; i < 4; i++)
		x[12 + i] = get_unaligned_le32(nonce + 4 * i);
	chacha_rounds(x);
	for (i = 0; i < 4; i++) {
		put_unaligned_le32(x[i], out + 4 * i);
		put_unaligned_le32(x[12 + i], out + 16 + 4 * i);
	}
	memzero_explicit(x, sizeof(x));
}

/* ---- Poly1305 (RFC 8439 2.5), 26-bit limbs ---- */

struct poly1305 {
	u32 r[5], h[5], pad[4];
	u8 buf[16];
	size_t buflen;
};

static void poly1305_init(struct poly1305 *p, const u8 key[32])
{
	u32 t0 = get_unaligned_le32(key), t1 = get_unaligned_le32(key + 4);
	u32 t2 = get_unaligned_le32(key + 8), t3 = get_unaligned_le32(key + 12);
	int i;

	memset(p, 0, sizeof(*p));
	/* r with the clamping of RFC 8439 2.5.1, split into 26-bit limbs */
	p->r[0] = t0 & 0x3ffffff;
	p->r[1] = ((t0 >> 26) | (t1 << 6)) & 0x3ffff03;
	p->r[2] = ((t1 >> 20) | (t2 << 12)) & 0x3ffc0ff;
	p->r[3] = ((t2 >> 14) | (t3 << 18)) & 0x3f03fff;
	p->r[4] = (t3 >> 8) & 0x00fffff;
	for (i = 0; i < 4; i++)
		p->pad[i] = get_unaligned_le32(key + 16 + 4 * i);
}

/* h = (h + block + hibit * 2^128) * r mod 2^130 - 5 */
static void poly1305_block(struct poly1305 *p, const u8 m[16], u32 hibit)
{
	const u32 *r = p->r;
	u32 *h = p->h;
	u32 s1 = r[1] * 5, s2 = r[2] * 5, s3 = r[3] * 5, s4 = r[4] * 5;
	u64 d0, d1, d2, d3, d4;
	u32 c;

	h[0] += get_unaligned_le32(m) & 0x3ffffff;
	h[1] += (get_unaligned_le32(m + 3) >> 2) & 0x3ffffff;
	h[2] += (get_unaligned_le32(m + 6) >> 4) & 0x3ffffff;
	h[3] += (get_unaligned_le32(m + 9) >> 6) & 0x3ffffff;
	h[4] += (get_unaligned_le32(m + 12) >> 8) | (hibit << 24);

	d0 = (u64)h[0] * r[0] + (u64)h[1] * s4 + (u64)h[2] * s3 +
	     (u64)h[3] * s2 + (u64)h[4] * s1;
	d1 = (u64)h[0] * r[1] + (u64)h[1] * r[0] + (u64)h[2] * s4 +
	     (u64)h[3] * s3 + (u64)h[4] * s2;
	d2 = (u64)h[0] * r[2] + (u64)h[1] * r[1] + (u64)h[2] * r[0] +
	     (u64)h[3] * s4 + (u64)h[4] * s3;
	d3 = (u64)h[0] * r[3] + (u64)h[1] * r[2] + (u64)h[2] * r[1] +
	     (u64)h[3] * r[0] + (u64)h[4] * s4;
	d4 = (u64)h[0] * r[4] + (u64)h[1] * r[3] + (u64)h[2] * r[2] +
	     (u64)h[3] * r[1] + (u64)h[4] * r[0];

	c = (u32)(d0 >> 26); h[0] = (u32)d0 & 0x3ffffff;
	d1 += c; c = (u32)(d1 >> 26); h[1] = (u32)d1 & 0x3ffffff;
	d2 += c; c = (u32)(d2 >> 26); h[2] = (u32)d2 & 0x3ffffff;
	d3 += c; c = (u32)(d3 >> 26); h[3] = (u32)d3 & 0x3ffffff;
	d4 += c; c = (u32)(d4 >> 26); h[4] = (u32)d4 & 0x3ffffff;
	h[0] += c * 5; c = h[0] >> 26; h[0] &= 0x3ffffff;
	h[1] += c;
}

static void poly1305_update(struct poly1305 *p, const u8 *in, size_t len)
{
	while (len) {
		size_t n = 16 - p->buflen;

		if (n > len)
			n = len;
		memcpy(p->buf + p->buflen, in, n);
		p->buflen += n;
		in += n;
		len -= n;
		if (p->buflen == 16) {
			poly1305_block(p, p->buf, 1);
			p->buflen = 0;
		}
	}
}

static void poly1305_final(struct poly1305 *p, u8 tag[16])
{
	u32 *h = p->h, g[5], c, mask;
	u64 f;
	int i;

	if (p->buflen) {
		p->buf[p->buflen] = 1;
		memset(p->buf + p->buflen + 1, 0, 16 - p->buflen - 1);
		poly1305_block(p, p->buf, 0);
	}
	/* fully carry h */
	c = h[1] >> 26; h[1] &= 0x3ffffff;
	for (i = 2; i < 5; i++) {
		h[i] += c;
		c = h[i] >> 26;
		h[i] &= 0x3ffffff;
	}
	h[0] += c * 5; c = h[0] >> 26; h[0] &= 0x3ffffff;
	h[1] += c;
	/* g = h + 5 - 2^130; use it if it did not go negative */
	g[0] = h[0] + 5; c = g[0] >> 26; g[0] &= 0x3ffffff;
	for (i = 1; i < 5; i++) {
		g[i] = h[i] + c;
		c = g[i] >> 26;
		g[i] &= 0x3ffffff;
	}
	g[4] = h[4] + c - (1u << 26);
	mask = (g[4] >> 31) - 1;	/* all ones when g >= 0 */
	for (i = 0; i < 5; i++)
		h[i] = (h[i] & ~mask) | (g[i] & mask);
	/* h mod 2^128, plus the pad */
	h[0] = h[0] | (h[1] << 26);
	h[1] = (h[1] >> 6) | (h[2] << 20);
	h[2] = (h[2] >> 12) | (h[3] << 14);
	h[3] = (h[3] >> 18) | (h[4] << 8);
	f = 0;
	for (i = 0; i < 4; i++) {
		f = (u64)h[i] + p->pad[i] + (f >> 32);
		put_unaligned_le32((u32)f, tag + 4 * i);
	}
	memzero_explicit(p, sizeof(*p));
}

/* ---- ChaCha20-Poly1305 (RFC 8439 2.8), nonce 0^32 || LE64(n) ---- */

static void aead_tag(u8 tag[16], const u8 *ad, size_t ad_len, const u8 *ct,
		     size_t ct_len, const u8 key[32], u64 nonce)
{
	static const u8 zero[16];
	u8 block0[64], lens[16];
	struct poly1305 p;
	u32 st[16];

	chacha_init(st, key);
	st[12] = 0;
	st[13] = 0;
	st[14] = (u32)nonce;
	st[15] = (u32)(nonce >> 32);
	chacha_block(st, block0);
	poly1305_init(&p, block0);
	poly1305_update(&p, ad, ad_len);
	poly1305_update(&p, zero, -ad_len & 15);
	poly1305_update(&p, ct, ct_len);
	poly1305_update(&p, zero, -ct_len & 15);
	put_unaligned_le64(ad_len, lens);
	put_unaligned_le64(ct_len, lens + 8);
	poly1305_update(&p, lens, sizeof(lens));
	poly1305_final(&p, tag);
	memzero_explicit(block0, sizeof(block0));
	memzero_explicit(st, sizeof(st));
}

void chacha20poly1305_encrypt(u8 *dst, const u8 *src, size_t src_len,
			      const u8 *ad, size_t ad_len, u64 nonce,
			      const u8 key[CHACHA20POLY1305_KEY_SIZE])
{
	chacha20_xor(dst, src, src_len, key, nonce, 1);
	aead_tag(dst + src_len, ad, ad_len, dst, src_len, key, nonce);
}

bool chacha20poly1305_decrypt(u8 *dst, const u8 *src, size_t src_len,
			      const u8 *ad, size_t ad_len, u64 nonce,
			      const u8 key[CHACHA20POLY1305_KEY_SIZE])
{
	size_t len;
	u8 tag[16];
	bool ok;

	if (src_len < CHACHA20POLY1305_AUTHTAG_SIZE)
		return false;
	len = src_len - CHACHA20POLY1305_AUTHTAG_SIZE;
	aead_tag(tag, ad, ad_len, src, len, key, nonce);
	ok = !crypto_memneq(tag, src + len, sizeof(tag));
	/* Like lib/crypto, the plaintext is written whatever the verdict. */
	chacha20_xor(dst, src, len, key, nonce, 1);
	memzero_explicit(tag, sizeof(tag));
	return ok;
}

void xchacha20poly1305_encrypt(u8 *dst, const u8 *src, size_t src_len,
			       const u8 *ad, size_t ad_len,
			       const u8 nonce[XCHACHA20POLY1305_NONCE_SIZE],
			       const u8 key[CHACHA20POLY1305_KEY_SIZE])
{
	u8 sub[32];

	hchacha20(sub, key, nonce);
	chacha20poly1305_encrypt(dst, src, src_len, ad, ad_len,
				 get_unaligned_le64(nonce + 16), sub);
	memzero_explicit(sub, sizeof(sub));
}

bool xchacha20poly1305_decrypt(u8 *dst, const u8 *src, size_t src_len,
			       const u8 *ad, size_t ad_len,
			       const u8 nonce[XCHACHA20POLY1305_NONCE_SIZE],
			       const u8 key[CHACHA20POLY1305_KEY_SIZE])
{
	u8 sub[32];
	bool ok;

	hchacha20(sub, key, nonce);
	ok = chacha20poly1305_decrypt(dst, src, src_len, ad, ad_len,
				      get_unaligned_le64(nonce + 16), sub);
	memzero_explicit(sub, sizeof(sub));
	return ok;
}

/* ---- X25519 with the kernel's all-zero checks ---- */

static const u8 null_point[CURVE25519_KEY_SIZE];

bool curve25519(u8 out[CURVE25519_KEY_SIZE], const u8 secret[CURVE25519_KEY_SIZE],
		const u8 basepoint[CURVE25519_KEY_SIZE])
{
	us_curve25519(out, secret, basepoint);
	return crypto_memneq(out, null_point, CURVE25519_KEY_SIZE);
}

bool curve25519_generate_public(u8 pub[CURVE25519_KEY_SIZE],
				const u8 secret[CURVE25519_KEY_SIZE])
{
	if (!crypto_memneq(secret, null_point, CURVE25519_KEY_SIZE))
		return false;
	us_curve25519_public(pub, secret);
	return crypto_memneq(pub, null_point, CURVE25519_KEY_SIZE);
}

/* ---- randomness (xoshiro-style PRNG, reseeded per input) ---- */

static u64 rng_state = 0x9e3779b97f4a7c15ULL;

static u64 splitmix64(u64 *x)
{
	u64 z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void shim_random_seed(u64 seed)
{
	rng_state = seed;
}

u64 get_random_u64(void)
{
	return splitmix64(&rng_state);
}

u32 get_random_u32(void)
{
	return (u32)get_random_u64();
}

void get_random_bytes(void *buf, size_t len)
{
	u8 *p = buf;

	while (len) {
		u64 v = get_random_u64();
		size_t n = len < 8 ? len : 8;

		memcpy(p, &v, n);
		p += n;
		len -= n;
	}
}

void prandom_seed_state(struct rnd_state *st, u64 seed)
{
	st->s = seed;
}

u32 prandom_u32_state(struct rnd_state *st)
{
	return (u32)splitmix64(&st->s);
}

void prandom_bytes_state(struct rnd_state *st, void *buf, size_t len)
{
	u8 *p = buf;

	while (len--)
		*p++ = (u8)prandom_u32_state(st);
}

/* ---- time, diagnostics, memory ---- */

void ktime_get_real_ts64(struct timespec64 *ts)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	ts->tv_sec = t.tv_sec;
	ts->tv_nsec = t.tv_nsec;
}

u64 ktime_get_coarse_boottime_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_BOOTTIME, &t);
	return (u64)t.tv_sec * NSEC_PER_SEC + (u64)t.tv_nsec;
}

/* Self-test messages are wanted; the fuzzers' own runs print nothing. */
bool shim_quiet;

void shim_printk(const char *fmt, ...)
{
	va_list ap;

	if (shim_quiet)
		return;
	/* %p extensions (%*ph, %pI4...) are kernel-only: print the format. */
	if (strstr(fmt, "%p") || strstr(fmt, "%*p")) {
		fputs(fmt, stderr);
		return;
	}
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

void shim_warn(const char *file, int line, const char *cond)
{
	fprintf(stderr, "kernel WARN_ON(%s) at %s:%d\n", cond, file, line);
	abort();
}

void kfree_sensitive(const void *p)
{
	/* The size is unknown here; ASan still sees the free. */
	free((void *)p);
}
