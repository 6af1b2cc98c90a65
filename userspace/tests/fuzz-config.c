// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the configuration file and `set` argument parsers
 * (numeric endpoints only, no DNS):
 *   make tests/fuzz-config && tests/fuzz-config -max_total_time=60
 */
#include <stdlib.h>
#include <string.h>

#include "config.h"

static bool no_files(const char *path, uint8_t key[VEIL_KEY_LEN], char **err, void *ctx)
{
	(void)ctx;
	if (!strcmp(path, "empty")) {
		memset(key, 0, VEIL_KEY_LEN);
		return true;
	}
	return set_error(err, "no file '%s'", path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config_opts opts = { .numeric_only = true, .append = size && (data[0] & 1) };
	struct veil_device *dev;
	char *err = NULL;

	dev = config_parse_file((const char *)data, size, &opts, &err);
	device_free(dev);
	free(err);
	err = NULL;

	/* the same bytes as NUL-separated arguments of `set` */
	{
		char *copy = malloc(size + 1);
		const char *argv[256];
		int argc = 0;
		size_t i, start = 0;

		if (!copy)
			return 0;
		memcpy(copy, data, size);
		copy[size] = '\0';
		for (i = 0; i <= size && argc < 256; ++i) {
			if (i == size || copy[i] == '\0') {
				copy[i] = '\0';
				argv[argc++] = copy + start;
				start = i + 1;
			}
		}
		dev = config_parse_args(argc, argv, &opts, no_files, NULL, &err);
		device_free(dev);
		free(err);
		free(copy);
	}
	return 0;
}
