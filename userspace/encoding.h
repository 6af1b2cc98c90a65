/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Text form of 32-byte keys: standard base64, exactly 44 characters, the
 * last one '='. Encoding and decoding run in constant time with respect to
 * the key material (no table lookups or branches on secret values).
 */
#ifndef VEIL_ENCODING_H
#define VEIL_ENCODING_H

#include <stdbool.h>
#include <stdint.h>

#include "containers.h"

#define VEIL_KEY_B64_LEN 44			/* without the NUL */
#define VEIL_KEY_B64_SIZE (VEIL_KEY_B64_LEN + 1)

/* Writes 44 characters and a NUL. */
void key_to_base64(char out[VEIL_KEY_B64_SIZE], const uint8_t key[VEIL_KEY_LEN]);
/*
 * Decodes a NUL-terminated string. Accepts only canonical encodings of 32
 * bytes; on failure returns false and leaves @key zeroed.
 */
bool key_from_base64(uint8_t key[VEIL_KEY_LEN], const char *text);
/* Constant time. */
bool key_is_zero(const uint8_t key[VEIL_KEY_LEN]);
/* Constant time; true when equal. */
bool key_equal(const uint8_t a[VEIL_KEY_LEN], const uint8_t b[VEIL_KEY_LEN]);

#endif
