// SPDX-License-Identifier: GPL-2.0
/*
 * Constant-time base64 for keys. Each 6-bit value is mapped to its
 * character (and back) with arithmetic on range masks instead of a table,
 * so that neither memory access patterns nor branches depend on the key.
 */
#include <string.h>

#include "encoding.h"

/* All ones when a <= v <= b (for 0 <= v < 2^16), else zero. */
static inline uint32_t in_range_mask(uint32_t v, uint32_t a, uint32_t b)
{
	/* (v - a) and (b - v) both stay below 2^31 exactly when v is in range */
	uint32_t outside = ((v - a) | (b - v)) >> 31;

	return outside - 1;
}

/* 0..63 to its base64 character. */
static inline char enc6(uint32_t v)
{
	uint32_t c = 0;

	c |= in_range_mask(v, 0, 25) & (v + 'A');
	c |= in_range_mask(v, 26, 51) & (v - 26 + 'a');
	c |= in_range_mask(v, 52, 61) & (v - 52 + '0');
	c |= in_range_mask(v, 62, 62) & '+';
	c |= in_range_mask(v, 63, 63) & '/';
	return (char)c;
}

/* Base64 character to 0..63; sets bit 8 of *bad when it is not one. */
static inline uint32_t dec6(unsigned char ch, uint32_t *bad)
{
	uint32_t c = ch, v = 0, valid = 0, m;

	m = in_range_mask(c, 'A', 'Z');
	v |= m & (c - 'A');
	valid |= m;
	m = in_range_mask(c, 'a', 'z');
	v |= m & (c - 'a' + 26);
	valid |= m;
	m = in_range_mask(c, '0', '9');
	v |= m & (c - '0' + 52);
	valid |= m;
	m = in_range_mask(c, '+', '+');
	v |= m & 62;
	valid |= m;
	m = in_range_mask(c, '/', '/');
	v |= m & 63;
	valid |= m;
	*bad |= ~valid & 0x100;
	return v;
}

void key_to_base64(char out[VEIL_KEY_B64_SIZE], const uint8_t key[VEIL_KEY_LEN])
{
	unsigned int i, o = 0;

	for (i = 0; i + 3 <= VEIL_KEY_LEN; i += 3) {
		uint32_t w = (uint32_t)key[i] << 16 | (uint32_t)key[i + 1] << 8 | key[i + 2];

		out[o++] = enc6((w >> 18) & 63);
		out[o++] = enc6((w >> 12) & 63);
		out[o++] = enc6((w >> 6) & 63);
		out[o++] = enc6(w & 63);
	}
	/* 32 = 30 + 2: the last group has two bytes, three characters and '=' */
	{
		uint32_t w = (uint32_t)key[30] << 16 | (uint32_t)key[31] << 8;

		out[o++] = enc6((w >> 18) & 63);
		out[o++] = enc6((w >> 12) & 63);
		out[o++] = enc6((w >> 6) & 63);
		out[o++] = '=';
	}
	out[o] = '\0';
}

bool key_from_base64(uint8_t key[VEIL_KEY_LEN], const char *text)
{
	const unsigned char *s = (const unsigned char *)text;
	uint32_t bad = 0, w;
	unsigned int i, o = 0;

	/* The length and the padding position are public, not secret. */
	if (strlen(text) != VEIL_KEY_B64_LEN || s[VEIL_KEY_B64_LEN - 1] != '=') {
		memset(key, 0, VEIL_KEY_LEN);
		return false;
	}
	for (i = 0; i < 40; i += 4) {
		w = dec6(s[i], &bad) << 18 | dec6(s[i + 1], &bad) << 12 |
		    dec6(s[i + 2], &bad) << 6 | dec6(s[i + 3], &bad);
		key[o++] = (uint8_t)(w >> 16);
		key[o++] = (uint8_t)(w >> 8);
		key[o++] = (uint8_t)w;
	}
	w = dec6(s[40], &bad) << 18 | dec6(s[41], &bad) << 12 | dec6(s[42], &bad) << 6;
	/* the two bits below the last full byte must be zero (canonical form) */
	bad |= w & 0xff;
	key[o++] = (uint8_t)(w >> 16);
	key[o++] = (uint8_t)(w >> 8);
	if (bad) {
		explicit_bzero(key, VEIL_KEY_LEN);
		return false;
	}
	return true;
}

bool key_is_zero(const uint8_t key[VEIL_KEY_LEN])
{
	volatile uint8_t acc = 0;
	unsigned int i;

	for (i = 0; i < VEIL_KEY_LEN; ++i)
		acc |= key[i];
	return (((uint32_t)acc - 1) >> 8) & 1;
}

bool key_equal(const uint8_t a[VEIL_KEY_LEN], const uint8_t b[VEIL_KEY_LEN])
{
	volatile uint8_t acc = 0;
	unsigned int i;

	for (i = 0; i < VEIL_KEY_LEN; ++i)
		acc |= a[i] ^ b[i];
	return (((uint32_t)acc - 1) >> 8) & 1;
}
