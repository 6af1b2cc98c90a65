/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ChaCha20-Poly1305 (RFC 8439, no additional data) fed in pieces.
 *
 * lib/crypto seals either one flat buffer or a scatterlist in place. The
 * data path needs more shapes: a message whose bytes sit in several places
 * (the skb head, shared page fragments) and whose ciphertext goes partly
 * back in place and partly to a new buffer. A stream takes the message one
 * piece at a time, each with its own source and destination, and yields the
 * same bytes and tag as chacha20poly1305_encrypt() (or accepts exactly what
 * chacha20poly1305_decrypt() accepts) over the concatenation.
 *
 * The ChaCha20 keystream is consumed in 64-byte blocks; a piece that ends
 * inside a block leaves the rest of that block for the next piece. Poly1305
 * absorbs the ciphertext as it is written (sealing) or read (opening).
 *
 * ChaCha20 itself comes from lib/crypto when the CPU has the SIMD code the
 * kernel's arch implementation needs; otherwise from veil's own portable
 * C (crypt.c), which keeps the cipher state in registers where the
 * kernel's generic code works through memory.
 */
#ifndef _VEIL_CRYPT_H
#define _VEIL_CRYPT_H

#include <crypto/chacha.h>
#include <crypto/poly1305.h>
#include <linux/scatterlist.h>
#include <linux/types.h>
#include <net/checksum.h>

/*
 * A message's cipher state. Every field is written by veil_seal_init()
 * before it is read, so a hot caller may declare it __uninitialized.
 */
struct veil_seal {
	u32 chacha[CHACHA_STATE_WORDS];
	struct poly1305_desc_ctx poly;
	u8 stream[CHACHA_BLOCK_SIZE];	/* keystream of the current block */
	unsigned int used;		/* bytes of @stream consumed */
	u64 len;			/* bytes sealed or opened so far */
};

/*
 * Picks the ChaCha20 implementation at module load: the module parameter
 * "chacha" (auto, lib or portable), auto meaning lib/crypto's when the CPU
 * has the SIMD code it needs. -EINVAL for an unknown name.
 */
int veil_crypt_init(void);
/* The name of the ChaCha20 implementation in use ("lib" or "portable"). */
const char *veil_crypt_chacha_impl(void);

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

/*
 * The two halves of veil_seal_update(), for a caller that must change
 * plaintext it has already encrypted (an inner checksum known only at the
 * end: XOR the change into the ciphertext) before authenticating it:
 * veil_seal_xor() encrypts the next @len bytes of the message;
 * veil_seal_xor_csum() also returns their Internet checksum (plaintext, as
 * csum_partial(@src, @len, 0)), at no extra pass; veil_seal_mac() then
 * takes the ciphertext, every byte once and in message order.
 */
void veil_seal_xor(struct veil_seal *s, u8 *dst, const u8 *src, size_t len);
__wsum veil_seal_xor_csum(struct veil_seal *s, u8 *dst, const u8 *src,
			  size_t len);
void veil_seal_mac(struct veil_seal *s, const u8 *data, size_t len);

/* As veil_seal_update(), decrypting: @src is ciphertext. */
void veil_open_update(struct veil_seal *s, u8 *dst, const u8 *src,
		      size_t len);
/*
 * Ends an opened message: true when @tag is the message's tag (compared in
 * constant time). Wipes @s. On false the plaintext written must be thrown
 * away.
 */
bool veil_open_final(struct veil_seal *s, const u8 *tag);

/*
 * Seals (@encrypt) or opens the first @len bytes of @sg in place, under the
 * stream @s started by veil_seal_init(); the tag is the caller's (final).
 * Returns false when @sg holds fewer than @len bytes. Atomic context is
 * fine.
 */
bool veil_crypt_sg(struct veil_seal *s, struct scatterlist *sg,
		   unsigned int len, bool encrypt);

/*
 * The portable ChaCha20: XORs @nblocks 64-byte blocks of keystream from
 * @state into @src, to @dst (equal or not overlapping), and advances the
 * block counter. Exposed for the self-tests.
 */
void veil_chacha20_portable(u32 *state, u8 *dst, const u8 *src,
			    unsigned int nblocks);

/* Compares the stream with chacha20poly1305_encrypt(); for the self-tests. */
bool veil_crypt_selftest(void);

#endif /* _VEIL_CRYPT_H */
