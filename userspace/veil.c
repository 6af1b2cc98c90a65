// SPDX-License-Identifier: GPL-2.0
/*
 * veil: configure veil tunnel devices. Same subcommands, arguments, file
 * format and output as wg(8).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "subcommands.h"

#ifndef VEIL_VERSION
#define VEIL_VERSION "0.1.0"
#endif

static const struct {
	const char *name;
	int (*fn)(int argc, const char *argv[]);
	const char *description;
	const char *usage;	/* after "Usage: veil <name>" */
} commands[] = {
	{ "show", show_main, "Print devices, their peers and live state (handshakes, traffic)",
	  " { <interface> | all | interfaces } [public-key | private-key | listen-port | fwmark | peers | preshared-keys | endpoints | allowed-ips | latest-handshakes | transfer | persistent-keepalive | dump]" },
	{ "showconf", showconf_main, "Print one device's configuration as a file that `setconf' reads",
	  " <interface>" },
	{ "set", set_main, "Change device settings and add, change or remove peers",
	  " <interface> [listen-port <port>] [fwmark <mark>] [private-key <file path>] [peer <base64 public key> [remove] [preshared-key <file path>] [endpoint <ip>:<port>] [persistent-keepalive <interval seconds>] [allowed-ips <ip1>/<cidr1>[,<ip2>/<cidr2>]...] ]..." },
	{ "setconf", setconf_main, "Replace a device's whole configuration with a file's",
	  " <interface> <configuration filename>" },
	{ "addconf", setconf_main, "Add a file's settings and peers to a device's configuration",
	  " <interface> <configuration filename>" },
	{ "syncconf", setconf_main, "Make a device match a file, changing only what differs",
	  " <interface> <configuration filename>" },
	{ "genkey", genkey_main, "Print a new random private key (base64)", "" },
	{ "genpsk", genkey_main, "Print a new random preshared key (base64)", "" },
	{ "pubkey", pubkey_main, "Read a private key on stdin, print its public key", "" },
};

#define NUM_COMMANDS (sizeof(commands) / sizeof(commands[0]))

void print_error(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs(PROG_NAME ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int is_help_arg(const char *arg)
{
	return !strcmp(arg, "-h") || !strcmp(arg, "--help") || !strcmp(arg, "help");
}

int subcommand_args(int argc, const char *argv[], int min, int max)
{
	if (argc == 2 && is_help_arg(argv[1])) {
		print_subcommand_usage(stdout, argv[0]);
		return 0;
	}
	if (argc < min || (max >= 0 && argc > max)) {
		print_subcommand_usage(stderr, argv[0]);
		return 1;
	}
	return -1;
}

void print_subcommand_usage(FILE *f, const char *cmd)
{
	size_t i;

	for (i = 0; i < NUM_COMMANDS; ++i) {
		if (!strcmp(cmd, commands[i].name)) {
			fprintf(f, "Usage: %s %s%s\n", PROG_NAME, commands[i].name, commands[i].usage);
			return;
		}
	}
}

static void print_usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: %s <cmd> [<args>]\n\n", PROG_NAME);
	fprintf(f, "Available subcommands:\n");
	for (i = 0; i < NUM_COMMANDS; ++i)
		fprintf(f, "  %s: %s\n", commands[i].name, commands[i].description);
	fprintf(f, "Run `veil <cmd> --help' for the arguments of one command.\n");
}

int main(int argc, const char *argv[])
{
	static const char *show_argv[] = { "show", NULL };
	size_t i;

	if (argc == 2 && (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version"))) {
		printf("%s v%s - userspace configurator for veil tunnel devices\n", PROG_NAME, VEIL_VERSION);
		return 0;
	}
	if (argc == 2 && is_help_arg(argv[1])) {
		print_usage(stdout);
		return 0;
	}
	if (argc == 1)
		return show_main(1, show_argv);

	for (i = 0; i < NUM_COMMANDS; ++i) {
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	}
	print_error("Invalid subcommand: '%s' (see '%s --help')", argv[1], PROG_NAME);
	return 1;
}
