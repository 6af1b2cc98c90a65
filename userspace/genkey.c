// SPDX-License-Identifier: GPL-2.0
/* veil genkey, genpsk, pubkey. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "curve25519.h"
#include "encoding.h"
#include "subcommands.h"

static bool random_bytes(uint8_t *out, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t r = getrandom(out + got, len - got, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return false;
		got += (size_t)r;
	}
	return true;
}

static int write_line(const char *s)
{
	if (puts(s) < 0 || fflush(stdout) || ferror(stdout)) {
		print_error("Unable to write the key: %s", strerror(errno));
		return 1;
	}
	return 0;
}

int genkey_main(int argc, const char *argv[])
{
	uint8_t key[VEIL_KEY_LEN];
	char b64[VEIL_KEY_B64_SIZE];
	struct stat st;
	int ret;
	int done = subcommand_args(argc, argv, 1, 1);

	if (done >= 0)
		return done;
	if (!fstat(STDOUT_FILENO, &st) && S_ISREG(st.st_mode) && (st.st_mode & S_IRWXO))
		print_error("Warning: writing a key to a world accessible file; consider 'umask 077' and trying again");
	if (!random_bytes(key, sizeof(key))) {
		print_error("Unable to get random bytes (getrandom): %s", strerror(errno));
		return 1;
	}
	if (!strcmp(argv[0], "genkey"))
		curve25519_clamp(key);
	key_to_base64(b64, key);
	ret = write_line(b64);
	explicit_bzero(key, sizeof(key));
	explicit_bzero(b64, sizeof(b64));
	return ret;
}

static bool is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

int pubkey_main(int argc, const char *argv[])
{
	uint8_t key[VEIL_KEY_LEN];
	char b64[VEIL_KEY_B64_SIZE];
	size_t n = 0;
	bool too_long = false, trailing = false, ended = false;
	int c, ret;
	int done = subcommand_args(argc, argv, 1, 1);

	if (done >= 0)
		return done;
	/* leading whitespace, the key, then only whitespace */
	while ((c = getchar()) != EOF) {
		if (is_space(c)) {
			if (n)
				ended = true;
			continue;
		}
		if (ended) {
			trailing = true;
			break;
		}
		if (n < VEIL_KEY_B64_LEN)
			b64[n++] = (char)c;
		else
			too_long = true;
	}
	b64[n] = '\0';
	if (ferror(stdin)) {
		print_error("Unable to read the private key from standard input: %s", strerror(errno));
		return 1;
	}
	if (trailing) {
		explicit_bzero(b64, sizeof(b64));
		print_error("Trailing characters found after key");
		return 1;
	}
	if (too_long || !key_from_base64(key, b64)) {
		explicit_bzero(b64, sizeof(b64));
		print_error("Key is not the correct length or format");
		return 1;
	}
	curve25519_public(key, key);
	key_to_base64(b64, key);
	ret = write_line(b64);
	explicit_bzero(key, sizeof(key));
	return ret;
}
