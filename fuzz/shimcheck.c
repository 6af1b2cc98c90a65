// SPDX-License-Identifier: GPL-2.0
/*
 * Runs the module's own self-tests (module/selftest/, unchanged) against
 * the userspace shims: the known-answer tests of noise.c and cookie.c check
 * the shim's BLAKE2s, ChaCha20-Poly1305, XChaCha20-Poly1305 and X25519
 * byte for byte (protocol.md 13.2, 13.3), the others the shim's lists,
 * bit operations and PRNG plumbing. The fuzzers are only as good as this.
 */
#include "kshim.h"
#include "noise.h"
#include "cookie.h"
#include "replay.h"
#include "packet.h"
#include "allowedips.h"

int main(void)
{
	static const struct {
		const char *name;
		bool (*run)(void);
	} tests[] = {
		{ "noise", veil_noise_selftest },
		{ "cookie", veil_cookie_selftest },
		{ "replay", veil_replay_selftest },
		{ "packet", veil_packet_selftest },
		{ "allowedips", veil_aip_selftest },
	};
	unsigned int i, failed = 0;

	veil_noise_init();
	for (i = 0; i < ARRAY_SIZE(tests); i++) {
		bool ok = tests[i].run();

		printf("shimcheck: module self-test %s: %s\n", tests[i].name,
		       ok ? "passed" : "FAILED");
		failed += !ok;
	}
	return failed ? 1 : 0;
}
