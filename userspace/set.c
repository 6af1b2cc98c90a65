// SPDX-License-Identifier: GPL-2.0
/* veil set: change parts of a device's configuration from the command line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "ipc.h"
#include "keyfile.h"
#include "subcommands.h"

static void retry_notice(const char *endpoint, const char *why, double seconds)
{
	print_error("%s: '%s'; trying again in %.2f seconds...", why, endpoint, seconds);
}

int set_main(int argc, const char *argv[])
{
	struct config_opts opts;
	struct veil_device *dev;
	char *err = NULL;
	int done = subcommand_args(argc, argv, 3, -1);

	if (done >= 0)
		return done;
	if (!config_opts_init(&opts, &err)) {
		print_error("%s", err);
		free(err);
		return 1;
	}
	opts.retry_notice = retry_notice;
	dev = config_parse_args(argc - 2, argv + 2, &opts, read_keyfile, NULL, &err);
	if (!dev) {
		print_error("%s", err ? err : "Invalid arguments");
		free(err);
		return 1;
	}
	device_set_name(dev, argv[1]);
	return apply_device(dev, argv[1]);
}

int apply_device(struct veil_device *dev, const char *ifname)
{
	char *err = NULL;
	int r = ipc_set_device(dev, &err);

	if (r)
		print_error("Unable to modify interface %s: %s", ifname, err ? err : strerror(-r));
	free(err);
	device_free(dev);
	return r ? 1 : 0;
}
