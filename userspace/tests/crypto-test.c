// SPDX-License-Identifier: GPL-2.0
/*
 * X25519 against RFC 7748 (§5.2 vectors and iterations, §6.1 exchange) and
 * the strict base64 key codec. VEIL_SLOW_TESTS=1 adds the 1,000,000
 * iteration vector.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "curve25519.h"
#include "encoding.h"

static int failures, checks;

static void hex2bin(uint8_t *out, const char *hex)
{
	for (size_t i = 0; i < 32; ++i)
		sscanf(hex + 2 * i, "%2hhx", &out[i]);
}

static void check_hex(const char *what, const uint8_t got[32], const char *want_hex)
{
	uint8_t want[32];

	++checks;
	hex2bin(want, want_hex);
	if (memcmp(got, want, 32)) {
		++failures;
		printf("FAIL %s\n", what);
	}
}

static void check(const char *what, int cond)
{
	++checks;
	if (!cond) {
		++failures;
		printf("FAIL %s\n", what);
	}
}

static void x25519_vector(const char *what, const char *k, const char *u, const char *out)
{
	uint8_t kk[32], uu[32], r[32];

	hex2bin(kk, k);
	hex2bin(uu, u);
	curve25519(r, kk, uu);
	check_hex(what, r, out);
}

int main(void)
{
	uint8_t k[32] = { 9 }, u[32] = { 9 }, r[32], a[32], b[32], apub[32], bpub[32], s1[32], s2[32];
	char b64[VEIL_KEY_B64_SIZE];
	int i, iters;

	x25519_vector("RFC 7748 5.2 vector 1",
		      "a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
		      "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
		      "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552");
	x25519_vector("RFC 7748 5.2 vector 2",
		      "4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
		      "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
		      "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957");

	iters = getenv("VEIL_SLOW_TESTS") ? 1000000 : 1000;
	for (i = 1; i <= iters; ++i) {
		curve25519(r, k, u);
		memcpy(u, k, 32);
		memcpy(k, r, 32);
		if (i == 1)
			check_hex("RFC 7748 5.2 after 1 iteration", k,
				  "422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079");
		if (i == 1000)
			check_hex("RFC 7748 5.2 after 1000 iterations", k,
				  "684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51");
		if (i == 1000000)
			check_hex("RFC 7748 5.2 after 1000000 iterations", k,
				  "7c3911e0ab2586fd864497297e575e6f3bc601c0883c30df5f4dd2d24f665424");
	}

	hex2bin(a, "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
	hex2bin(b, "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
	curve25519_public(apub, a);
	curve25519_public(bpub, b);
	check_hex("RFC 7748 6.1 Alice public", apub,
		  "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
	check_hex("RFC 7748 6.1 Bob public", bpub,
		  "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
	curve25519(s1, a, bpub);
	curve25519(s2, b, apub);
	check_hex("RFC 7748 6.1 shared (Alice)", s1,
		  "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
	check_hex("RFC 7748 6.1 shared (Bob)", s2,
		  "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");

	/* protocol.md 13.3 */
	memset(a, 0x22, 32);
	curve25519_public(apub, a);
	key_to_base64(b64, apub);
	check("0x22 x32 public key", !strcmp(b64, "D6poTtKIZ7l/Smot7l34zpdOdrcBjj8iocTPJnhXDyA="));
	memset(a, 0x11, 32);
	curve25519_public(apub, a);
	key_to_base64(b64, apub);
	check("0x11 x32 public key", !strcmp(b64, "e06Qm75//kTEZaIgA31gjuNYl9Me+XLwf3SJLLD3PxM="));

	/* base64 */
	for (i = 0; i < 256; ++i) {
		uint8_t key[32], back[32];

		for (int j = 0; j < 32; ++j)
			key[j] = (uint8_t)(i * 31 + j * 7 + (i >> 3) * j);
		key_to_base64(b64, key);
		check("base64 round trip", key_from_base64(back, b64) && !memcmp(key, back, 32));
	}
	memset(a, 0, 32);
	key_to_base64(b64, a);
	check("zero key text", !strcmp(b64, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="));
	check("zero key is zero", key_is_zero(a));
	a[31] = 1;
	check("nonzero key", !key_is_zero(a));
	check("accepts canonical", key_from_base64(r, "IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiI="));
	check("rejects non-canonical final bits", !key_from_base64(r, "IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiJ="));
	check("rejects non-canonical final bits 2", !key_from_base64(r, "IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiL="));
	check("rejects missing padding", !key_from_base64(r, "IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiI"));
	check("rejects 45 chars", !key_from_base64(r, "IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiI=="));
	check("rejects bad char", !key_from_base64(r, "IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIi*="));
	check("rejects '=' inside", !key_from_base64(r, "IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiI=I="));
	check("rejects space", !key_from_base64(r, "IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiI iI="));
	check("rejects url-safe alphabet", !key_from_base64(r, "e06Qm75__kTEZaIgA31gjuNYl9Me-XLwf3SJLLD3PxM="));
	check("rejects empty", !key_from_base64(r, ""));
	check("failed decode zeroes", key_is_zero(r));
	check("key_equal", key_equal(apub, apub) && !key_equal(apub, bpub));

	printf("crypto-test: %d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
