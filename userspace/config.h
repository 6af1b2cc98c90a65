/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Parsers for the configuration file (setconf/addconf/syncconf) and for the
 * arguments of `veil set`. Both build a struct veil_device describing the
 * change to make. They do no I/O except name resolution (endpoints, service
 * names for ports) and, for `set`, reading key files through a callback, so
 * a test or a fuzzer can call them on a buffer.
 *
 * Errors are returned as one line of text (no trailing newline, no program
 * name) in *err, to be freed by the caller.
 */
#ifndef VEIL_CONFIG_H
#define VEIL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "containers.h"

struct config_opts {
	/* addconf: no REPLACE_PEERS; absent PrivateKey/FwMark are left
	 * alone (listed peers still get REPLACE_ALLOWEDIPS, as in wg) */
	bool append;
	/* resolve only numeric hosts and ports (for fuzzing and tests) */
	bool numeric_only;
	/* endpoint resolution retries for transient failures; -1: forever */
	int dns_retries;
	/* optional: called before sleeping between resolution attempts */
	void (*retry_notice)(const char *endpoint, const char *why, double seconds);
};

/*
 * Fills @opts with defaults and the endpoint retry count from
 * VEIL_ENDPOINT_RESOLUTION_RETRIES (else WG_ENDPOINT_RESOLUTION_RETRIES,
 * else 15; "infinity" for no limit). False and *err on a bad value.
 */
bool config_opts_init(struct config_opts *opts, char **err);

/*
 * Parses a whole configuration file held in @buf (@len bytes, NUL bytes are
 * an error). Returns the device (name left empty) or NULL with *err set.
 * Not in append mode the device has DEV_REPLACE_PEERS, DEV_HAS_PRIVATE_KEY
 * and DEV_HAS_FWMARK (zero when the file does not give them) and every peer
 * PEER_REPLACE_ALLOWEDIPS.
 */
struct veil_device *config_parse_file(const char *buf, size_t len,
				      const struct config_opts *opts, char **err);

/*
 * Reads a key file: base64 with optional surrounding whitespace; an empty
 * file gives the all-zero key (which removes the key). Returns false with
 * *err set.
 */
typedef bool (*keyfile_reader_fn)(const char *path, uint8_t key[VEIL_KEY_LEN],
				  char **err, void *ctx);

/*
 * Parses the arguments of `veil set <interface>` that follow the interface
 * name. Key file arguments are read with @reader. Returns NULL with *err set.
 */
struct veil_device *config_parse_args(int argc, const char *const argv[],
				      const struct config_opts *opts,
				      keyfile_reader_fn reader, void *reader_ctx,
				      char **err);

/* Individual value parsers, also used by tests. */
bool parse_key(const char *value, uint8_t key[VEIL_KEY_LEN], char **err);
bool parse_listen_port(const char *value, const struct config_opts *opts,
		       uint16_t *port, char **err);
bool parse_fwmark(const char *value, uint32_t *fwmark, char **err);
bool parse_keepalive(const char *value, uint16_t *interval, char **err);
/* Appends to @peer; @value has no whitespace; "" appends nothing. */
bool parse_allowedips(const char *value, struct veil_peer *peer, char **err);
bool parse_endpoint(const char *value, const struct config_opts *opts,
		    union veil_endpoint *endpoint, char **err);

/* Sets *err to a formatted message; always returns false. */
bool set_error(char **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A printable, length-limited copy of @s for messages (static buffer). */
const char *quote_value(const char *s);

#endif
