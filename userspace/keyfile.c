// SPDX-License-Identifier: GPL-2.0
/* Reading private and preshared keys from files for `veil set`. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "encoding.h"
#include "keyfile.h"

/* Far more than a key plus whitespace; anything longer is not a key file. */
#define KEYFILE_MAX 4096

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

bool read_keyfile(const char *path, uint8_t key[VEIL_KEY_LEN], char **err, void *ctx)
{
	char buf[KEYFILE_MAX + 1];
	size_t len = 0, start, end;
	int fd;
	bool ok;

	(void)ctx;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return set_error(err, "Unable to open key file '%s': %s", quote_value(path), strerror(errno));
	while (len < sizeof(buf)) {
		ssize_t r = read(fd, buf + len, sizeof(buf) - len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;

			close(fd);
			explicit_bzero(buf, sizeof(buf));
			return set_error(err, "Unable to read key file '%s': %s", quote_value(path), strerror(e));
		}
		if (!r)
			break;
		len += (size_t)r;
	}
	close(fd);
	if (len > KEYFILE_MAX) {
		explicit_bzero(buf, sizeof(buf));
		return set_error(err, "Key file '%s' is too long to hold a key", quote_value(path));
	}
	if (!len) {
		/* an empty file (e.g. /dev/null) removes the key */
		memset(key, 0, VEIL_KEY_LEN);
		return true;
	}
	for (start = 0; start < len && is_space(buf[start]); ++start)
		;
	for (end = len; end > start && is_space(buf[end - 1]); --end)
		;
	buf[end] = '\0';
	ok = memchr(buf + start, '\0', end - start) == NULL && key_from_base64(key, buf + start);
	explicit_bzero(buf, sizeof(buf));
	if (!ok)
		return set_error(err, "Key file '%s' does not hold a key (expected 44 characters of base64)",
				 quote_value(path));
	return true;
}
