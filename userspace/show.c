// SPDX-License-Identifier: GPL-2.0
/* veil show: pretty and script-friendly views of veil devices. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "containers.h"
#include "encoding.h"
#include "ipc.h"
#include "subcommands.h"
#include "terminal.h"

static const char *const show_params[] = {
	"public-key", "private-key", "listen-port", "fwmark", "peers", "preshared-keys",
	"endpoints", "allowed-ips", "latest-handshakes", "transfer", "persistent-keepalive",
	"dump", NULL
};

static bool valid_param(const char *p)
{
	int i;

	for (i = 0; show_params[i]; ++i) {
		if (!strcmp(p, show_params[i]))
			return true;
	}
	return false;
}

static const char *key(const uint8_t k[VEIL_KEY_LEN])
{
	static char b64[VEIL_KEY_B64_SIZE];

	key_to_base64(b64, k);
	return b64;
}

static const char *maybe_key(const uint8_t k[VEIL_KEY_LEN], bool have)
{
	return have ? key(k) : "(none)";
}

static bool hide_keys(void)
{
	const char *v = getenv("VEIL_HIDE_KEYS");

	if (!v)
		v = getenv("WG_HIDE_KEYS");
	return !v || strcmp(v, "never");
}

static const char *masked_key(const uint8_t k[VEIL_KEY_LEN])
{
	return hide_keys() ? "(hidden)" : key(k);
}

static const char *ip(const struct veil_allowedip *aip)
{
	static char buf[INET6_ADDRSTRLEN];

	buf[0] = '\0';
	if (aip->family == AF_INET)
		inet_ntop(AF_INET, &aip->ip4, buf, sizeof(buf));
	else if (aip->family == AF_INET6)
		inet_ntop(AF_INET6, &aip->ip6, buf, sizeof(buf));
	return buf;
}

static bool has_endpoint(const struct veil_peer *peer)
{
	return peer->endpoint.addr.sa_family == AF_INET || peer->endpoint.addr.sa_family == AF_INET6;
}

/* "host:port" or "[v6host]:port"; false when it cannot be formatted. */
bool format_endpoint(const union veil_endpoint *ep, char *out, size_t len)
{
	char host[NI_MAXHOST], serv[NI_MAXSERV];
	socklen_t alen = ep->addr.sa_family == AF_INET ? sizeof(ep->addr4) : sizeof(ep->addr6);
	int r;

	r = getnameinfo(&ep->addr, alen, host, sizeof(host), serv, sizeof(serv),
			NI_DGRAM | NI_NUMERICHOST | NI_NUMERICSERV);
	if (r) {
		snprintf(out, len, "%s", gai_strerror(r));
		return false;
	}
	if (ep->addr.sa_family == AF_INET6 && strchr(host, ':'))
		snprintf(out, len, "[%s]:%s", host, serv);
	else
		snprintf(out, len, "%s:%s", host, serv);
	return true;
}

static const char *endpoint(const struct veil_peer *peer)
{
	static char buf[NI_MAXHOST + NI_MAXSERV + 4];

	format_endpoint(&peer->endpoint, buf, sizeof(buf));
	return buf;
}

static size_t pretty_time(char *buf, size_t len, unsigned long long left)
{
	static const struct {
		unsigned long long secs;
		const char *name;
	} units[] = {
		{ 365ULL * 24 * 60 * 60, "year" },
		{ 24 * 60 * 60, "day" },
		{ 60 * 60, "hour" },
		{ 60, "minute" },
		{ 1, "second" },
	};
	size_t off = 0, i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); ++i) {
		unsigned long long n = left / units[i].secs;
		int w;

		left %= units[i].secs;
		if (!n)
			continue;
		w = snprintf(buf + off, len - off, "%s%llu " TERMINAL_FG_CYAN "%s%s" TERMINAL_RESET,
			     off ? ", " : "", n, units[i].name, n == 1 ? "" : "s");
		if (w < 0 || (size_t)w >= len - off)
			return len - 1;
		off += (size_t)w;
	}
	return off;
}

static const char *ago(const struct veil_peer *peer)
{
	static char buf[256];
	time_t now = time(NULL);
	size_t off;

	if (now == peer->last_handshake_sec) {
		snprintf(buf, sizeof(buf), "Now");
	} else if (now < peer->last_handshake_sec) {
		snprintf(buf, sizeof(buf), "(" TERMINAL_FG_RED "System clock wound backward; connection problems may ensue." TERMINAL_RESET ")");
	} else {
		off = pretty_time(buf, sizeof(buf), (unsigned long long)(now - peer->last_handshake_sec));
		snprintf(buf + off, sizeof(buf) - off, " ago");
	}
	return buf;
}

static const char *every(uint16_t seconds)
{
	static char buf[128];
	size_t off = (size_t)snprintf(buf, sizeof(buf), "every ");

	pretty_time(buf + off, sizeof(buf) - off, seconds);
	return buf;
}

static const char *bytes(uint64_t b)
{
	static char buf[64];

	if (b < 1024ULL)
		snprintf(buf, sizeof(buf), "%u " TERMINAL_FG_CYAN "B" TERMINAL_RESET, (unsigned int)b);
	else if (b < 1024ULL * 1024)
		snprintf(buf, sizeof(buf), "%.2f " TERMINAL_FG_CYAN "KiB" TERMINAL_RESET, (double)b / 1024);
	else if (b < 1024ULL * 1024 * 1024)
		snprintf(buf, sizeof(buf), "%.2f " TERMINAL_FG_CYAN "MiB" TERMINAL_RESET, (double)b / (1024 * 1024));
	else if (b < 1024ULL * 1024 * 1024 * 1024)
		snprintf(buf, sizeof(buf), "%.2f " TERMINAL_FG_CYAN "GiB" TERMINAL_RESET, (double)b / (1024 * 1024 * 1024));
	else
		snprintf(buf, sizeof(buf), "%.2f " TERMINAL_FG_CYAN "TiB" TERMINAL_RESET, (double)b / (1024.0 * 1024 * 1024 * 1024));
	return buf;
}

/* Most recent handshake first; peers that never had one last; stable. */
static int peer_cmp(const struct veil_peer *a, const struct veil_peer *b)
{
	bool a_never = !a->last_handshake_sec && !a->last_handshake_nsec;
	bool b_never = !b->last_handshake_sec && !b->last_handshake_nsec;

	if (a_never != b_never)
		return a_never ? 1 : -1;
	if (a->last_handshake_sec != b->last_handshake_sec)
		return a->last_handshake_sec > b->last_handshake_sec ? -1 : 1;
	if (a->last_handshake_nsec != b->last_handshake_nsec)
		return a->last_handshake_nsec > b->last_handshake_nsec ? -1 : 1;
	return 0;
}

/* Stable merge sort of the peer list. */
static struct veil_peer *sort_list(struct veil_peer *head, size_t n)
{
	struct veil_peer *a, *b, *tail, **link, dummy;
	size_t i, half;

	if (n < 2)
		return head;
	half = n / 2;
	a = head;
	for (i = 1, tail = head; i < half; ++i)
		tail = tail->next;
	b = tail->next;
	tail->next = NULL;
	a = sort_list(a, half);
	b = sort_list(b, n - half);
	link = &dummy.next;
	while (a && b) {
		if (peer_cmp(b, a) < 0) {
			*link = b;
			b = b->next;
		} else {
			*link = a;
			a = a->next;
		}
		link = &(*link)->next;
	}
	*link = a ? a : b;
	return dummy.next;
}

static void sort_peers(struct veil_device *dev)
{
	struct veil_peer *p;
	size_t n = 0;

	for_each_peer(dev, p)
		++n;
	dev->first_peer = sort_list(dev->first_peer, n);
	dev->last_peer = NULL;
	for_each_peer(dev, p)
		dev->last_peer = p;
}

static void pretty_print(struct veil_device *dev)
{
	struct veil_peer *peer;
	size_t i;

	terminal_printf(TERMINAL_RESET);
	terminal_printf(TERMINAL_FG_GREEN TERMINAL_BOLD "interface" TERMINAL_RESET ": " TERMINAL_FG_GREEN "%s" TERMINAL_RESET "\n", dev->name);
	if (dev->flags & DEV_HAS_PUBLIC_KEY)
		terminal_printf("  " TERMINAL_BOLD "public key" TERMINAL_RESET ": %s\n", key(dev->public_key));
	if (dev->flags & DEV_HAS_PRIVATE_KEY)
		terminal_printf("  " TERMINAL_BOLD "private key" TERMINAL_RESET ": %s\n", masked_key(dev->private_key));
	if (dev->listen_port)
		terminal_printf("  " TERMINAL_BOLD "listening port" TERMINAL_RESET ": %u\n", dev->listen_port);
	if (dev->fwmark)
		terminal_printf("  " TERMINAL_BOLD "fwmark" TERMINAL_RESET ": 0x%x\n", dev->fwmark);
	if (dev->first_peer) {
		sort_peers(dev);
		terminal_printf("\n");
	}
	for_each_peer(dev, peer) {
		terminal_printf(TERMINAL_FG_YELLOW TERMINAL_BOLD "peer" TERMINAL_RESET ": " TERMINAL_FG_YELLOW "%s" TERMINAL_RESET "\n", key(peer->public_key));
		if (peer->flags & PEER_HAS_PRESHARED_KEY)
			terminal_printf("  " TERMINAL_BOLD "preshared key" TERMINAL_RESET ": %s\n", masked_key(peer->preshared_key));
		if (has_endpoint(peer))
			terminal_printf("  " TERMINAL_BOLD "endpoint" TERMINAL_RESET ": %s\n", endpoint(peer));
		terminal_printf("  " TERMINAL_BOLD "allowed ips" TERMINAL_RESET ": ");
		if (peer->num_allowedips) {
			for (i = 0; i < peer->num_allowedips; ++i)
				terminal_printf("%s" TERMINAL_FG_CYAN "/" TERMINAL_RESET "%u%s", ip(&peer->allowedips[i]),
						peer->allowedips[i].cidr, i + 1 < peer->num_allowedips ? ", " : "\n");
		} else {
			terminal_printf("(none)\n");
		}
		if (peer->last_handshake_sec)
			terminal_printf("  " TERMINAL_BOLD "latest handshake" TERMINAL_RESET ": %s\n", ago(peer));
		if (peer->rx_bytes || peer->tx_bytes) {
			terminal_printf("  " TERMINAL_BOLD "transfer" TERMINAL_RESET ": ");
			terminal_printf("%s received, ", bytes(peer->rx_bytes));
			terminal_printf("%s sent\n", bytes(peer->tx_bytes));
		}
		if (peer->persistent_keepalive)
			terminal_printf("  " TERMINAL_BOLD "persistent keepalive" TERMINAL_RESET ": %s\n", every(peer->persistent_keepalive));
		if (peer->next)
			terminal_printf("\n");
	}
}

static void prefix(const struct veil_device *dev, bool with_interface)
{
	if (with_interface)
		printf("%s\t", dev->name);
}

static void print_allowedips(const struct veil_peer *peer, char sep, char end)
{
	size_t i;

	if (!peer->num_allowedips) {
		printf("(none)%c", end);
		return;
	}
	for (i = 0; i < peer->num_allowedips; ++i)
		printf("%s/%u%c", ip(&peer->allowedips[i]), peer->allowedips[i].cidr,
		       i + 1 < peer->num_allowedips ? sep : end);
}

static void dump_print(const struct veil_device *dev, bool with_interface)
{
	const struct veil_peer *peer;

	prefix(dev, with_interface);
	printf("%s\t", maybe_key(dev->private_key, dev->flags & DEV_HAS_PRIVATE_KEY));
	printf("%s\t", maybe_key(dev->public_key, dev->flags & DEV_HAS_PUBLIC_KEY));
	printf("%u\t", dev->listen_port);
	if (dev->fwmark)
		printf("0x%x\n", dev->fwmark);
	else
		printf("off\n");
	for_each_peer(dev, peer) {
		prefix(dev, with_interface);
		printf("%s\t", key(peer->public_key));
		printf("%s\t", maybe_key(peer->preshared_key, peer->flags & PEER_HAS_PRESHARED_KEY));
		printf("%s\t", has_endpoint(peer) ? endpoint(peer) : "(none)");
		print_allowedips(peer, ',', '\t');
		printf("%lld\t", (long long)peer->last_handshake_sec);
		printf("%" PRIu64 "\t%" PRIu64 "\t", peer->rx_bytes, peer->tx_bytes);
		if (peer->persistent_keepalive)
			printf("%u\n", peer->persistent_keepalive);
		else
			printf("off\n");
	}
}

static void ugly_print(const struct veil_device *dev, const char *param, bool with_interface)
{
	const struct veil_peer *peer;

	if (!strcmp(param, "dump")) {
		dump_print(dev, with_interface);
	} else if (!strcmp(param, "private-key")) {
		prefix(dev, with_interface);
		printf("%s\n", maybe_key(dev->private_key, dev->flags & DEV_HAS_PRIVATE_KEY));
	} else if (!strcmp(param, "public-key")) {
		prefix(dev, with_interface);
		printf("%s\n", maybe_key(dev->public_key, dev->flags & DEV_HAS_PUBLIC_KEY));
	} else if (!strcmp(param, "listen-port")) {
		prefix(dev, with_interface);
		printf("%u\n", dev->listen_port);
	} else if (!strcmp(param, "fwmark")) {
		prefix(dev, with_interface);
		if (dev->fwmark)
			printf("0x%x\n", dev->fwmark);
		else
			printf("off\n");
	} else {
		for_each_peer(dev, peer) {
			prefix(dev, with_interface);
			printf("%s", key(peer->public_key));
			if (!strcmp(param, "endpoints")) {
				printf("\t%s\n", has_endpoint(peer) ? endpoint(peer) : "(none)");
			} else if (!strcmp(param, "allowed-ips")) {
				putchar('\t');
				print_allowedips(peer, ' ', '\n');
			} else if (!strcmp(param, "latest-handshakes")) {
				printf("\t%lld\n", (long long)peer->last_handshake_sec);
			} else if (!strcmp(param, "transfer")) {
				printf("\t%" PRIu64 "\t%" PRIu64 "\n", peer->rx_bytes, peer->tx_bytes);
			} else if (!strcmp(param, "persistent-keepalive")) {
				if (peer->persistent_keepalive)
					printf("\t%u\n", peer->persistent_keepalive);
				else
					printf("\toff\n");
			} else if (!strcmp(param, "preshared-keys")) {
				printf("\t%s\n", maybe_key(peer->preshared_key, peer->flags & PEER_HAS_PRESHARED_KEY));
			} else {	/* peers */
				putchar('\n');
			}
		}
	}
}

static void access_error(const char *ifname, int ret, char *msg)
{
	print_error("Unable to access interface %s: %s", ifname, msg ? msg : strerror(-ret));
	free(msg);
}

int show_main(int argc, const char *argv[])
{
	const char *param = argc == 3 ? argv[2] : NULL;
	char **names = NULL, *msg = NULL;
	int ret = 0, r;
	size_t i;
	int done = subcommand_args(argc, argv, 1, 3);

	if (done >= 0)
		return done;
	if (param && !valid_param(param)) {
		print_error("Invalid parameter for show: '%s' (see '%s show --help')", param, PROG_NAME);
		return 1;
	}

	if (argc == 1 || !strcmp(argv[1], "all")) {
		r = ipc_list_devices(&names, &msg);
		if (r) {
			print_error("Unable to list interfaces: %s", msg ? msg : strerror(-r));
			free(msg);
			return 1;
		}
		for (i = 0; names[i]; ++i) {
			struct veil_device *dev = NULL;

			r = ipc_get_device(&dev, names[i], &msg);
			if (r) {
				access_error(names[i], r, msg);
				msg = NULL;
				ret = 1;
				continue;
			}
			if (param) {
				ugly_print(dev, param, true);
			} else {
				pretty_print(dev);
				if (names[i + 1])
					printf("\n");
			}
			device_free(dev);
		}
		ipc_free_names(names);
	} else if (!strcmp(argv[1], "interfaces")) {
		if (param) {
			print_subcommand_usage(stderr, argv[0]);
			return 1;
		}
		r = ipc_list_devices(&names, &msg);
		if (r) {
			print_error("Unable to list interfaces: %s", msg ? msg : strerror(-r));
			free(msg);
			return 1;
		}
		for (i = 0; names[i]; ++i)
			printf("%s%c", names[i], names[i + 1] ? ' ' : '\n');
		ipc_free_names(names);
	} else {
		struct veil_device *dev = NULL;

		r = ipc_get_device(&dev, argv[1], &msg);
		if (r) {
			access_error(argv[1], r, msg);
			return 1;
		}
		if (param)
			ugly_print(dev, param, false);
		else
			pretty_print(dev);
		device_free(dev);
	}
	if (fflush(stdout) || ferror(stdout)) {
		print_error("Unable to write output: %s", strerror(errno));
		return 1;
	}
	return ret;
}
