/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ChaCha20-Poly1305 (RFC 8439, no additional data) fed in pieces.
 *
 * lib/crypto seals either one flat buffer or a scatterlist in place. The
 * transmit path needs a third shape: a message whose bytes sit in several
 * places (the skb head, shared page fragments) and whose ciphertext goes
 * partly back in place and partly to a new buffer. A stream takes the
 * plaintext one piece at a time, each with its own source and destination,
 * and yields the same bytes and tag as chacha20poly1305_encrypt() over the
 * concatenation.
 *
 * The ChaCha20 keystream is consumed in 64-byte blocks; a piece that ends
 * inside a block leaves the rest of that block for the next piece. Poly1305
 * absorbs the ciphertext as it is written.
 */
#ifndef _VEIL_CRYPT_H
#define _VEIL_CRYPT_H

#include <crypto/chacha.h>
#include <crypto/poly1305.h>
#include <linux/types.h>

struct veil_seal {
	u32 chacha[CHACHA_STATE_WORDS];
	struct poly1305_desc_ctx poly;
	u8 stream[CHACHA_BLOCK_SIZE];	/* keystream of the current block */
	unsigned int used;		/* bytes of @stream consumed */
	u64 len;			/* bytes sealed so far */
};

/* Starts a message under @key and @nonce. */
void veil_seal_init(struct veil_seal *s, const u8 key[CHACHA_KEY_SIZE],
		    u64 nonce);
/*
 * Encrypts @len bytes from @src to @dst (which may be equal to @src, not
 * otherwise overlapping). Any length, including 0.
 */
void veil_seal_update(struct veil_seal *s, u8 *dst, const u8 *src,
		      size_t len);
/* Ends the message: writes the 16-byte tag to @tag and wipes @s. */
void veil_seal_final(struct veil_seal *s, u8 *tag);

/* Compares the stream with chacha20poly1305_encrypt(); for the self-tests. */
bool veil_crypt_selftest(void);

#endif /* _VEIL_CRYPT_H */
