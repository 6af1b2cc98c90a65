// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzzer for the configuration file parser (userspace/config.c
 * config_parse_file(), what `veil setconf/addconf/syncconf` read), numeric
 * endpoints only (no DNS). The last input byte's low bit selects addconf
 * (append) mode. Besides the sanitizers it checks that a refused file
 * gives a one-line error, that an accepted one has the invariants
 * config.h promises, and that writing the result back as a file and
 * parsing that again gives the same device.
 */
#include <stdarg.h>

#include "devfmt.h"

static void write_file(struct sbuf *b, const struct veil_device *dev)
{
	const struct veil_peer *p;
	size_t i;

	sb_add(b, "[Interface]\n");
	if (dev->flags & DEV_HAS_PRIVATE_KEY) {
		sb_add(b, "PrivateKey = ");
		fmt_key(b, dev->private_key);
		sb_add(b, "\n");
	}
	if (dev->flags & DEV_HAS_LISTEN_PORT)
		sb_add(b, "ListenPort = %u\n", dev->listen_port);
	if (dev->flags & DEV_HAS_FWMARK)
		sb_add(b, "FwMark = 0x%x\n", dev->fwmark);
	for_each_peer(dev, p) {
		sb_add(b, "\n[Peer]\nPublicKey = ");
		fmt_key(b, p->public_key);
		sb_add(b, "\n");
		if (p->flags & PEER_HAS_PRESHARED_KEY) {
			sb_add(b, "PresharedKey = ");
			fmt_key(b, p->preshared_key);
			sb_add(b, "\n");
		}
		if (p->endpoint.addr.sa_family != AF_UNSPEC) {
			sb_add(b, "Endpoint = ");
			fmt_endpoint(b, &p->endpoint);
			sb_add(b, "\n");
		}
		if (p->flags & PEER_HAS_KEEPALIVE)
			sb_add(b, "PersistentKeepalive = %u\n", p->persistent_keepalive);
		/* one line per prefix: the lines accumulate */
		for (i = 0; i < p->num_allowedips; i++) {
			sb_add(b, "AllowedIPs = ");
			fmt_aip(b, &p->allowedips[i]);
			sb_add(b, "\n");
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config_opts opts = {
		.numeric_only = true,
		.append = size && (data[size - 1] & 1),
	};
	struct veil_device *dev, *again;
	const struct veil_peer *p, *q;
	struct sbuf text = { 0 };
	char *err = NULL;

	dev = config_parse_file((const char *)data, size, &opts, &err);
	if (!dev) {
		check_error_text(err);
		free(err);
		return 0;
	}
	CHECK(!err);
	if (!opts.append)
		CHECK((dev->flags & (DEV_REPLACE_PEERS | DEV_HAS_PRIVATE_KEY | DEV_HAS_FWMARK)) ==
		      (DEV_REPLACE_PEERS | DEV_HAS_PRIVATE_KEY | DEV_HAS_FWMARK));
	else
		CHECK(!(dev->flags & DEV_REPLACE_PEERS));
	for_each_peer(dev, p) {
		CHECK(p->flags & PEER_HAS_PUBLIC_KEY);
		CHECK(p->flags & PEER_REPLACE_ALLOWEDIPS);
		CHECK(!(p->flags & PEER_REMOVE_ME));
		for (q = p->next; q; q = q->next)
			CHECK(memcmp(p->public_key, q->public_key, VEIL_KEY_LEN));
	}

	write_file(&text, dev);
	again = config_parse_file(text.s, text.len, &opts, &err);
	if (!again)
		fprintf(stderr, "re-parse failed: %s\n--- text ---\n%s", err, text.s);
	CHECK(again);
	check_devices_equal(dev, again);
	device_free(again);
	device_free(dev);
	free(text.s);
	return 0;
}
