/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Known-answer tests of the lib/crypto primitives veil is built on, run at
 * module load with selftest=1 before the tests of veil's own code.
 */
#ifndef _VEIL_SELFTEST_CRYPTO_H
#define _VEIL_SELFTEST_CRYPTO_H

#include <linux/types.h>

/* X25519, ChaCha20-Poly1305 (linear and scatterlist), XChaCha20-Poly1305, BLAKE2s. */
bool veil_crypto_selftest(void);
/* Sealing and opening data messages in socket buffers of every shape. */
bool veil_skbseal_selftest(void);

#endif /* _VEIL_SELFTEST_CRYPTO_H */
