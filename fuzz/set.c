// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzzer for the `veil set` argument parser (userspace/config.c
 * config_parse_args()), numeric endpoints only. The input is the argument
 * list, NUL-separated. Key "files" are not read: the reader callback takes
 * the path itself as a base64 key ("empty" stands for an empty file, the
 * all-zero key). Checks a one-line error on refusal and, on success, that
 * writing the device back as arguments and parsing them again gives the
 * same device.
 */
#include <stdarg.h>

#include "devfmt.h"

#define MAX_ARGS 512

static bool path_is_key(const char *path, uint8_t key[VEIL_KEY_LEN], char **err, void *ctx)
{
	(void)ctx;
	if (!strcmp(path, "empty")) {
		memset(key, 0, VEIL_KEY_LEN);
		return true;
	}
	return parse_key(path, key, err);
}

/* Arguments as one buffer of NUL-terminated strings, and their starts. */
struct args {
	struct sbuf buf;
	size_t off[MAX_ARGS];
	int n;
};

static void arg_begin(struct args *a)
{
	CHECK(a->n < MAX_ARGS);
	a->off[a->n++] = a->buf.len;
}

static void arg_end(struct args *a)
{
	sb_add(&a->buf, "%c", '\0');
	a->buf.len++;	/* keep the NUL: sb_add does not count it */
}

static void arg(struct args *a, const char *s)
{
	arg_begin(a);
	sb_add(&a->buf, "%s", s);
	arg_end(a);
}

static void write_args(struct args *a, const struct veil_device *dev)
{
	const struct veil_peer *p;
	size_t i;

	if (dev->flags & DEV_HAS_LISTEN_PORT) {
		arg(a, "listen-port");
		arg_begin(a);
		sb_add(&a->buf, "%u", dev->listen_port);
		arg_end(a);
	}
	if (dev->flags & DEV_HAS_FWMARK) {
		arg(a, "fwmark");
		arg_begin(a);
		sb_add(&a->buf, "%u", dev->fwmark);
		arg_end(a);
	}
	if (dev->flags & DEV_HAS_PRIVATE_KEY) {
		arg(a, "private-key");
		arg_begin(a);
		fmt_key(&a->buf, dev->private_key);
		arg_end(a);
	}
	for_each_peer(dev, p) {
		arg(a, "peer");
		arg_begin(a);
		fmt_key(&a->buf, p->public_key);
		arg_end(a);
		if (p->flags & PEER_REMOVE_ME)
			arg(a, "remove");
		if (p->flags & PEER_HAS_PRESHARED_KEY) {
			arg(a, "preshared-key");
			arg_begin(a);
			fmt_key(&a->buf, p->preshared_key);
			arg_end(a);
		}
		if (p->endpoint.addr.sa_family != AF_UNSPEC) {
			arg(a, "endpoint");
			arg_begin(a);
			fmt_endpoint(&a->buf, &p->endpoint);
			arg_end(a);
		}
		if (p->flags & PEER_HAS_KEEPALIVE) {
			arg(a, "persistent-keepalive");
			arg_begin(a);
			sb_add(&a->buf, "%u", p->persistent_keepalive);
			arg_end(a);
		}
		if (p->flags & PEER_REPLACE_ALLOWEDIPS) {
			arg(a, "allowed-ips");
			arg_begin(a);
			for (i = 0; i < p->num_allowedips; i++) {
				if (i)
					sb_add(&a->buf, ", ");
				fmt_aip(&a->buf, &p->allowedips[i]);
			}
			arg_end(a);
		} else {
			CHECK(!p->num_allowedips);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config_opts opts = { .numeric_only = true };
	const char *argv[MAX_ARGS];
	struct veil_device *dev, *again;
	const struct veil_peer *p, *q;
	struct args out = { 0 };
	char *copy, *err = NULL;
	size_t i, start = 0;
	int argc = 0;

	copy = malloc(size + 1);
	CHECK(copy);
	memcpy(copy, data, size);
	copy[size] = '\0';
	for (i = 0; i <= size && argc < MAX_ARGS; ++i) {
		if (i == size || copy[i] == '\0') {
			argv[argc++] = copy + start;
			start = i + 1;
		}
	}

	dev = config_parse_args(argc, argv, &opts, path_is_key, NULL, &err);
	free(copy);
	if (!dev) {
		check_error_text(err);
		free(err);
		return 0;
	}
	CHECK(!err);
	CHECK(!(dev->flags & DEV_REPLACE_PEERS));
	for_each_peer(dev, p) {
		CHECK(p->flags & PEER_HAS_PUBLIC_KEY);
		for (q = p->next; q; q = q->next)
			CHECK(memcmp(p->public_key, q->public_key, VEIL_KEY_LEN));
	}

	write_args(&out, dev);
	for (i = 0; i < (size_t)out.n; i++)
		argv[i] = out.buf.s + out.off[i];
	again = config_parse_args(out.n, argv, &opts, path_is_key, NULL, &err);
	if (!again)
		fprintf(stderr, "re-parse failed: %s\n", err);
	CHECK(again);
	check_devices_equal(dev, again);
	device_free(again);
	device_free(dev);
	free(out.buf.s);
	return 0;
}
