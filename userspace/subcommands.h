/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VEIL_SUBCOMMANDS_H
#define VEIL_SUBCOMMANDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "containers.h"

#define PROG_NAME "veil"

/* argv[0] is the subcommand name. Each returns the exit status. */
int show_main(int argc, const char *argv[]);
int showconf_main(int argc, const char *argv[]);
int set_main(int argc, const char *argv[]);
int setconf_main(int argc, const char *argv[]);
int genkey_main(int argc, const char *argv[]);
int pubkey_main(int argc, const char *argv[]);

/* Prints "veil: <message>\n" to stderr. */
void print_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints the usage line of a subcommand to @f. */
void print_subcommand_usage(FILE *f, const char *cmd);
/* True for "-h", "--help" and "help". */
int is_help_arg(const char *arg);
/*
 * The common start of a subcommand: "<cmd> --help" prints its usage (exit
 * status 0); fewer than @min or more than @max (unless negative) arguments,
 * counting the command name, print it to stderr (status 1). Returns that
 * exit status, or -1 when the subcommand should go on.
 */
int subcommand_args(int argc, const char *argv[], int min, int max);
/* Sends @dev, parsed for interface @ifname, reports a refusal, frees @dev;
 * returns the exit status (set.c). */
int apply_device(struct veil_device *dev, const char *ifname);

/* "host:port" or "[v6host]:port" (show.c). */
bool format_endpoint(const union veil_endpoint *ep, char *out, size_t len);

#endif
