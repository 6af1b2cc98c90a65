/* SPDX-License-Identifier: GPL-2.0 */
/* X25519 (RFC 7748), constant time. */
#ifndef VEIL_CURVE25519_H
#define VEIL_CURVE25519_H

#include <stdint.h>

#define CURVE25519_KEY_LEN 32

/* Clears bits 0-2 and 255 and sets bit 254 of a scalar (RFC 7748, §5). */
void curve25519_clamp(uint8_t scalar[CURVE25519_KEY_LEN]);
/* out = X25519(scalar, u); the scalar is clamped internally. out may alias. */
void curve25519(uint8_t out[CURVE25519_KEY_LEN],
		const uint8_t scalar[CURVE25519_KEY_LEN],
		const uint8_t u[CURVE25519_KEY_LEN]);
/* pub = X25519(priv, 9). */
void curve25519_public(uint8_t pub[CURVE25519_KEY_LEN],
		       const uint8_t priv[CURVE25519_KEY_LEN]);

#endif
