// SPDX-License-Identifier: GPL-2.0
/*
 * Configuration file and `set` argument parsing. See config.h.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "config.h"
#include "encoding.h"

#define MAX_QUOTED 128

bool set_error(char **err, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;

	if (!err)
		return false;
	free(*err);
	*err = NULL;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	*err = msg ? msg : strdup("Out of memory");
	return false;
}

const char *quote_value(const char *s)
{
	static char buf[MAX_QUOTED * 4 + 8];
	size_t i, o = 0;

	for (i = 0; s[i] && i < MAX_QUOTED; ++i) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f) {
			buf[o++] = (char)c;
		} else {
			o += (size_t)snprintf(buf + o, sizeof(buf) - o, "\\x%02x", c);
		}
	}
	if (s[i]) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

static bool char_is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static bool char_is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/*
 * Strict unsigned number: only digits (or hex digits after "0x" when
 * @allow_hex), no sign, no spaces, at least one digit, value <= max.
 * Returns 1 on success, 0 when not a number, -1 when out of range.
 */
static int parse_number(const char *s, bool allow_hex, uint64_t max, uint64_t *out)
{
	unsigned int base = 10;
	uint64_t v = 0;
	bool overflow = false;

	if (allow_hex && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return 0;
	for (; *s; ++s) {
		unsigned int d;

		if (char_is_digit(*s))
			d = (unsigned int)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned int)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned int)(*s - 'A' + 10);
		else
			return 0;
		if (v > (UINT64_MAX - d) / base)
			overflow = true;
		else
			v = v * base + d;
	}
	if (overflow || v > max)
		return -1;
	*out = v;
	return 1;
}

bool parse_key(const char *value, uint8_t key[VEIL_KEY_LEN], char **err)
{
	if (!key_from_base64(key, value))
		return set_error(err, "Key is not the correct length or format: '%s'",
				 quote_value(value));
	return true;
}

bool parse_listen_port(const char *value, const struct config_opts *opts,
		       uint16_t *port, char **err)
{
	uint64_t v;
	int r;

	if (!*value)
		return set_error(err, "Listen port is empty");
	if (char_is_digit(value[0])) {
		r = parse_number(value, false, 65535, &v);
		if (r < 0)
			return set_error(err, "Listen port out of range: %s", quote_value(value));
		if (r == 0)
			return set_error(err, "Listen port is not a number or a known UDP service name: '%s'",
					 quote_value(value));
		*port = (uint16_t)v;
		return true;
	}
	if (!opts->numeric_only) {
		struct addrinfo hints = {
			.ai_family = AF_UNSPEC,
			.ai_socktype = SOCK_DGRAM,
			.ai_protocol = IPPROTO_UDP,
			.ai_flags = AI_PASSIVE,
		};
		struct addrinfo *res = NULL;

		if (!getaddrinfo(NULL, value, &hints, &res) && res) {
			bool ok = true;

			if (res->ai_family == AF_INET && res->ai_addrlen >= sizeof(struct sockaddr_in))
				*port = ntohs(((struct sockaddr_in *)res->ai_addr)->sin_port);
			else if (res->ai_family == AF_INET6 && res->ai_addrlen >= sizeof(struct sockaddr_in6))
				*port = ntohs(((struct sockaddr_in6 *)res->ai_addr)->sin6_port);
			else
				ok = false;
			freeaddrinfo(res);
			if (ok)
				return true;
		}
	}
	return set_error(err, "Listen port is not a number or a known UDP service name: '%s'",
			 quote_value(value));
}

bool parse_fwmark(const char *value, uint32_t *fwmark, char **err)
{
	uint64_t v;
	int r;

	if (!strcasecmp(value, "off")) {
		*fwmark = 0;
		return true;
	}
	r = parse_number(value, true, UINT32_MAX, &v);
	if (r < 0)
		return set_error(err, "Fwmark out of range (0 to 0xffffffff): %s", quote_value(value));
	if (r == 0)
		return set_error(err, "Fwmark is neither 'off' nor a decimal or 0x-prefixed hexadecimal number: '%s'",
				 quote_value(value));
	*fwmark = (uint32_t)v;
	return true;
}

bool parse_keepalive(const char *value, uint16_t *interval, char **err)
{
	uint64_t v;
	int r;

	if (!strcasecmp(value, "off")) {
		*interval = 0;
		return true;
	}
	r = parse_number(value, false, 65535, &v);
	if (r < 0)
		return set_error(err, "Persistent keepalive interval out of range (1 to 65535, or 0/off): %s",
				 quote_value(value));
	if (r == 0)
		return set_error(err, "Persistent keepalive interval is neither 0/off nor a number of seconds from 1 to 65535: '%s'",
				 quote_value(value));
	*interval = (uint16_t)v;
	return true;
}

static bool parse_one_allowedip(const char *entry, struct veil_allowedip *aip, char **err)
{
	char addr[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(entry, '/');
	size_t alen = slash ? (size_t)(slash - entry) : strlen(entry);
	unsigned int max;
	uint64_t cidr;

	memset(aip, 0, sizeof(*aip));
	if (!alen)
		return set_error(err, "Allowed IP has no address: '%s'", quote_value(entry));
	if (alen >= sizeof(addr))
		goto bad_addr;
	memcpy(addr, entry, alen);
	addr[alen] = '\0';
	if (strchr(addr, ':')) {
		if (inet_pton(AF_INET6, addr, &aip->ip6) != 1)
			goto bad_addr;
		aip->family = AF_INET6;
		max = 128;
	} else {
		if (inet_pton(AF_INET, addr, &aip->ip4) != 1)
			goto bad_addr;
		aip->family = AF_INET;
		max = 32;
	}
	if (slash) {
		int r = parse_number(slash + 1, false, max, &cidr);

		if (r <= 0)
			return set_error(err, "Allowed IP has an invalid prefix length (0 to %u): '%s'",
					 max, quote_value(entry));
		aip->cidr = (uint8_t)cidr;
	} else {
		aip->cidr = (uint8_t)max;
	}
	return true;

bad_addr:
	return set_error(err, "Allowed IP is not an IPv4 or IPv6 address: '%s'", quote_value(entry));
}

bool parse_allowedips(const char *value, struct veil_peer *peer, char **err)
{
	const char *p = value;

	if (!*value)
		return true;
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		struct veil_allowedip aip;
		char *entry = strndup(p, n);
		bool ok;

		if (!entry)
			return set_error(err, "Out of memory");
		ok = parse_one_allowedip(entry, &aip, err);
		free(entry);
		if (!ok)
			return false;
		if (!peer_add_allowedip(peer, &aip))
			return set_error(err, "Out of memory");
		if (!comma)
			break;
		p = comma + 1;
	}
	return true;
}

static void sleep_seconds(double s)
{
	struct timespec ts = {
		.tv_sec = (time_t)s,
		.tv_nsec = (long)((s - (double)(time_t)s) * 1e9),
	};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

bool parse_endpoint(const char *value, const struct config_opts *opts,
		    union veil_endpoint *endpoint, char **err)
{
	char *copy, *host, *port;
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC,
		.ai_socktype = SOCK_DGRAM,
		.ai_protocol = IPPROTO_UDP,
	};
	struct addrinfo *res = NULL;
	int retries = opts->dns_retries, ret;
	double delay = 0.2;
	bool numeric_port;
	uint64_t v;

	if (!*value)
		return set_error(err, "Endpoint is empty");
	copy = strdup(value);
	if (!copy)
		return set_error(err, "Out of memory");
	if (copy[0] == '[') {
		char *end = strchr(copy, ']');

		if (!end) {
			free(copy);
			return set_error(err, "Endpoint has no closing bracket: '%s'", quote_value(value));
		}
		host = copy + 1;
		*end = '\0';
		if (end[1] != ':' || !end[2]) {
			free(copy);
			return set_error(err, "Endpoint has no port (expected [address]:port): '%s'",
					 quote_value(value));
		}
		port = end + 2;
	} else {
		char *colon = strrchr(copy, ':');

		if (!colon || !colon[1]) {
			free(copy);
			return set_error(err, "Endpoint has no port (expected host:port or [IPv6]:port): '%s'",
					 quote_value(value));
		}
		*colon = '\0';
		host = copy;
		port = colon + 1;
	}
	if (!*host) {
		free(copy);
		return set_error(err, "Endpoint has no host: '%s'", quote_value(value));
	}
	numeric_port = char_is_digit(port[0]);
	if (numeric_port) {
		int r = parse_number(port, false, 65535, &v);

		if (r <= 0) {
			free(copy);
			return set_error(err, "Endpoint port is not a number from 0 to 65535: '%s'",
					 quote_value(value));
		}
	}

	/* A numeric address needs no resolver and no retries. */
	hints.ai_flags = AI_NUMERICHOST | (numeric_port ? AI_NUMERICSERV : 0);
	ret = getaddrinfo(host, port, &hints, &res);
	if (ret == EAI_NONAME && !opts->numeric_only) {
		hints.ai_flags = numeric_port ? AI_NUMERICSERV : 0;
		for (;;) {
			ret = getaddrinfo(host, port, &hints, &res);
			if (!ret)
				break;
			/* permanent failures: no point in asking again */
			if (ret == EAI_NONAME || ret == EAI_FAIL || ret == EAI_SERVICE ||
#ifdef EAI_NODATA
			    ret == EAI_NODATA ||
#endif
			    ret == EAI_FAMILY || ret == EAI_SOCKTYPE || ret == EAI_BADFLAGS ||
			    (retries >= 0 && !retries--))
				break;
			if (opts->retry_notice)
				opts->retry_notice(value, ret == EAI_SYSTEM ? strerror(errno) : gai_strerror(ret),
						   delay);
			sleep_seconds(delay);
			delay = delay * 1.5 > 2.0 ? 2.0 : delay * 1.5;
		}
	}
	if (ret) {
		const char *why = ret == EAI_SYSTEM ? strerror(errno) : gai_strerror(ret);

		if (opts->numeric_only && ret == EAI_NONAME)
			why = "not a numeric address";
		set_error(err, "Unable to resolve endpoint '%s': %s", quote_value(value), why);
		free(copy);
		return false;
	}
	free(copy);

	memset(endpoint, 0, sizeof(*endpoint));
	if (res->ai_family == AF_INET && res->ai_addrlen == sizeof(struct sockaddr_in)) {
		memcpy(&endpoint->addr4, res->ai_addr, sizeof(struct sockaddr_in));
	} else if (res->ai_family == AF_INET6 && res->ai_addrlen == sizeof(struct sockaddr_in6)) {
		memcpy(&endpoint->addr6, res->ai_addr, sizeof(struct sockaddr_in6));
	} else {
		freeaddrinfo(res);
		return set_error(err, "Endpoint resolved to neither an IPv4 nor an IPv6 address: '%s'",
				 quote_value(value));
	}
	freeaddrinfo(res);
	return true;
}

bool config_opts_init(struct config_opts *opts, char **err)
{
	const char *name = "VEIL_ENDPOINT_RESOLUTION_RETRIES";
	const char *v = getenv(name);
	uint64_t n;

	memset(opts, 0, sizeof(*opts));
	opts->dns_retries = 15;
	if (!v) {
		name = "WG_ENDPOINT_RESOLUTION_RETRIES";
		v = getenv(name);
	}
	if (!v)
		return true;
	if (!strcmp(v, "infinity")) {
		opts->dns_retries = -1;
		return true;
	}
	if (parse_number(v, false, INT_MAX, &n) != 1)
		return set_error(err, "Invalid %s (a number or 'infinity'): '%s'", name, quote_value(v));
	opts->dns_retries = (int)n;
	return true;
}

/* ---- configuration file ---- */

enum section { SECTION_NONE, SECTION_INTERFACE, SECTION_PEER };

struct file_ctx {
	const struct config_opts *opts;
	struct veil_device *dev;
	enum section section;
	unsigned int interface_line;
	unsigned int peer_line;		/* line of the current [Peer] header */
	struct veil_peer *peer;
	char **err;
};

static const char *const wg_quick_keys[] = {
	"Address", "DNS", "MTU", "Table", "PreUp", "PostUp", "PreDown", "PostDown",
	"SaveConfig", NULL
};

static bool unknown_key(struct file_ctx *ctx, const char *key)
{
	const char *sect = ctx->section == SECTION_PEER ? "[Peer]" : "[Interface]";
	int i;

	for (i = 0; wg_quick_keys[i]; ++i) {
		if (!strcasecmp(key, wg_quick_keys[i]))
			return set_error(ctx->err, "Unknown key '%s' in %s section (a wg-quick setting; remove it, e.g. with 'wg-quick strip')",
					 quote_value(key), sect);
	}
	return set_error(ctx->err, "Unknown key '%s' in %s section", quote_value(key), sect);
}

static bool end_peer_section(struct file_ctx *ctx)
{
	if (ctx->peer && !(ctx->peer->flags & PEER_HAS_PUBLIC_KEY))
		return set_error(ctx->err, "Line %u: [Peer] section has no PublicKey", ctx->peer_line);
	ctx->peer = NULL;
	return true;
}

static bool process_line(struct file_ctx *ctx, char *line, unsigned int lineno)
{
	char *value;
	char *e = NULL;
	bool ok = true;

	if (line[0] == '[') {
		if (!strcasecmp(line, "[Interface]")) {
			if (!end_peer_section(ctx))
				return false;
			if (ctx->interface_line)
				return set_error(ctx->err, "Line %u: Duplicate [Interface] section (the first one is on line %u)",
						 lineno, ctx->interface_line);
			ctx->interface_line = lineno;
			ctx->section = SECTION_INTERFACE;
			return true;
		}
		if (!strcasecmp(line, "[Peer]")) {
			if (!end_peer_section(ctx))
				return false;
			ctx->peer = device_add_peer(ctx->dev);
			if (!ctx->peer)
				return set_error(ctx->err, "Out of memory");
			/* As in wg, also for addconf: a listed peer gets exactly
			 * the file's allowed IPs. */
			ctx->peer->flags |= PEER_REPLACE_ALLOWEDIPS;
			ctx->peer_line = lineno;
			ctx->section = SECTION_PEER;
			return true;
		}
		return set_error(ctx->err, "Line %u: Unknown section '%s' (expected [Interface] or [Peer])",
				 lineno, quote_value(line));
	}

	value = strchr(line, '=');
	if (!value)
		return set_error(ctx->err, "Line %u: Line unrecognized (expected Key = Value): '%s'",
				 lineno, quote_value(line));
	*value++ = '\0';
	if (!*line)
		return set_error(ctx->err, "Line %u: Missing key name before '='", lineno);

	if (ctx->section == SECTION_NONE)
		return set_error(ctx->err, "Line %u: Key '%s' is outside of an [Interface] or [Peer] section",
				 lineno, quote_value(line));

	if (ctx->section == SECTION_INTERFACE) {
		struct veil_device *dev = ctx->dev;

		if (!strcasecmp(line, "PrivateKey")) {
			ok = parse_key(value, dev->private_key, &e);
			if (ok)
				dev->flags |= DEV_HAS_PRIVATE_KEY;
		} else if (!strcasecmp(line, "ListenPort")) {
			ok = parse_listen_port(value, ctx->opts, &dev->listen_port, &e);
			if (ok)
				dev->flags |= DEV_HAS_LISTEN_PORT;
		} else if (!strcasecmp(line, "FwMark")) {
			ok = parse_fwmark(value, &dev->fwmark, &e);
			if (ok)
				dev->flags |= DEV_HAS_FWMARK;
		} else {
			ok = unknown_key(ctx, line);
			e = *ctx->err;
			*ctx->err = NULL;
		}
	} else {
		struct veil_peer *peer = ctx->peer;

		if (!strcasecmp(line, "PublicKey")) {
			ok = parse_key(value, peer->public_key, &e);
			if (ok) {
				peer->flags |= PEER_HAS_PUBLIC_KEY;
				peer->line = lineno;
			} else {
				peer->flags &= ~PEER_HAS_PUBLIC_KEY;
			}
		} else if (!strcasecmp(line, "PresharedKey")) {
			ok = parse_key(value, peer->preshared_key, &e);
			if (ok)
				peer->flags |= PEER_HAS_PRESHARED_KEY;
		} else if (!strcasecmp(line, "AllowedIPs")) {
			if (!*value) {
				/* an empty value clears what the file gave so far */
				peer_clear_allowedips(peer);
				peer->flags |= PEER_REPLACE_ALLOWEDIPS;
			} else {
				ok = parse_allowedips(value, peer, &e);
			}
		} else if (!strcasecmp(line, "Endpoint")) {
			ok = parse_endpoint(value, ctx->opts, &peer->endpoint, &e);
		} else if (!strcasecmp(line, "PersistentKeepalive")) {
			ok = parse_keepalive(value, &peer->persistent_keepalive, &e);
			if (ok)
				peer->flags |= PEER_HAS_KEEPALIVE;
		} else {
			ok = unknown_key(ctx, line);
			e = *ctx->err;
			*ctx->err = NULL;
		}
	}
	if (!ok) {
		set_error(ctx->err, "Line %u: %s", lineno, e ? e : "Invalid value");
		free(e);
		return false;
	}
	return true;
}

static int peer_key_cmp(const void *a, const void *b)
{
	const struct veil_peer *p = *(const struct veil_peer *const *)a;
	const struct veil_peer *q = *(const struct veil_peer *const *)b;
	int r = memcmp(p->public_key, q->public_key, VEIL_KEY_LEN);

	if (r)
		return r;
	return p->line < q->line ? -1 : p->line > q->line;
}

/* Duplicate public keys: reports the earliest line that repeats a key. */
static bool check_duplicate_peers(struct veil_device *dev, char **err)
{
	struct veil_peer *peer, **arr, *dup = NULL, *orig = NULL;
	size_t n = 0, i, group;

	for_each_peer(dev, peer)
		++n;
	if (n < 2)
		return true;
	arr = calloc(n, sizeof(*arr));
	if (!arr)
		return set_error(err, "Out of memory");
	i = 0;
	for_each_peer(dev, peer)
		arr[i++] = peer;
	qsort(arr, n, sizeof(*arr), peer_key_cmp);
	for (group = 0, i = 1; i < n; ++i) {
		if (memcmp(arr[i]->public_key, arr[group]->public_key, VEIL_KEY_LEN)) {
			group = i;
			continue;
		}
		if (!dup || arr[i]->line < dup->line) {
			dup = arr[i];
			orig = arr[group];
		}
	}
	free(arr);
	if (dup) {
		char b64[VEIL_KEY_B64_SIZE];

		key_to_base64(b64, dup->public_key);
		return set_error(err, "Line %u: Duplicate peer: PublicKey %s was already given on line %u",
				 dup->line, b64, orig->line);
	}
	return true;
}

struct veil_device *config_parse_file(const char *buf, size_t len,
				      const struct config_opts *opts, char **err)
{
	struct file_ctx ctx = { .opts = opts, .err = err };
	char *line = NULL;
	size_t pos = 0;
	unsigned int lineno = 0;

	ctx.dev = device_new();
	line = malloc(len + 1);
	if (!ctx.dev || !line) {
		set_error(err, "Out of memory");
		goto fail;
	}
	if (!opts->append)
		ctx.dev->flags |= DEV_REPLACE_PEERS | DEV_HAS_PRIVATE_KEY | DEV_HAS_FWMARK;
	/* a UTF-8 byte order mark, as some editors write, is not content */
	if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3))
		pos = 3;

	while (pos < len) {
		size_t start = pos, end, n = 0, i;
		bool comment = false;

		if (lineno == UINT_MAX) {
			set_error(err, "Too many lines");
			goto fail;
		}
		++lineno;
		while (pos < len && buf[pos] != '\n')
			++pos;
		end = pos;
		if (pos < len)
			++pos;	/* the newline */
		for (i = start; i < end; ++i) {
			char c = buf[i];

			if (c == '\0') {
				set_error(err, "Line %u: Invalid NUL character", lineno);
				goto fail;
			}
			if (c == '#')
				comment = true;
			if (comment || char_is_space(c))
				continue;
			line[n++] = c;
		}
		line[n] = '\0';
		if (!n)
			continue;
		if (!process_line(&ctx, line, lineno))
			goto fail;
	}
	if (!end_peer_section(&ctx))
		goto fail;
	if (!check_duplicate_peers(ctx.dev, err))
		goto fail;
	explicit_bzero(line, len + 1);
	free(line);
	return ctx.dev;

fail:
	if (line)
		explicit_bzero(line, len + 1);
	free(line);
	device_free(ctx.dev);
	return NULL;
}

/* ---- `set` arguments ---- */

static bool arg_error(char **err, const char *arg, char *e)
{
	if (e) {
		free(*err);
		*err = e;
		return false;
	}
	return set_error(err, "Invalid value for '%s'", arg);
}

struct veil_device *config_parse_args(int argc, const char *const argv[],
				      const struct config_opts *opts,
				      keyfile_reader_fn reader, void *reader_ctx,
				      char **err)
{
	struct veil_device *dev = device_new();
	struct veil_peer *peer = NULL;
	int i = 0;

	if (!dev) {
		set_error(err, "Out of memory");
		return NULL;
	}
	while (i < argc) {
		const char *arg = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
		bool device_opt = !strcmp(arg, "listen-port") || !strcmp(arg, "fwmark") ||
				  !strcmp(arg, "private-key");
		bool peer_opt = !strcmp(arg, "preshared-key") || !strcmp(arg, "endpoint") ||
				!strcmp(arg, "persistent-keepalive") || !strcmp(arg, "allowed-ips");
		char *e = NULL;

		if (!device_opt && !peer_opt && strcmp(arg, "peer") && strcmp(arg, "remove")) {
			set_error(err, "Invalid argument: '%s'", quote_value(arg));
			goto fail;
		}
		if (device_opt && peer) {
			set_error(err, "'%s' must come before the first 'peer'", arg);
			goto fail;
		}
		if ((peer_opt || !strcmp(arg, "remove")) && !peer) {
			set_error(err, "'%s' must follow 'peer <base64 public key>'", arg);
			goto fail;
		}
		if (strcmp(arg, "remove") && !val) {
			set_error(err, "'%s' needs a value", arg);
			goto fail;
		}

		if (!strcmp(arg, "listen-port")) {
			if (!parse_listen_port(val, opts, &dev->listen_port, &e))
				goto fail_e;
			dev->flags |= DEV_HAS_LISTEN_PORT;
		} else if (!strcmp(arg, "fwmark")) {
			if (!parse_fwmark(val, &dev->fwmark, &e))
				goto fail_e;
			dev->flags |= DEV_HAS_FWMARK;
		} else if (!strcmp(arg, "private-key")) {
			if (!reader(val, dev->private_key, &e, reader_ctx))
				goto fail_e;
			dev->flags |= DEV_HAS_PRIVATE_KEY;
		} else if (!strcmp(arg, "peer")) {
			struct veil_peer *p;

			peer = device_add_peer(dev);
			if (!peer) {
				set_error(err, "Out of memory");
				goto fail;
			}
			if (!parse_key(val, peer->public_key, &e))
				goto fail_e;
			peer->flags |= PEER_HAS_PUBLIC_KEY;
			for_each_peer(dev, p) {
				if (p != peer && !memcmp(p->public_key, peer->public_key, VEIL_KEY_LEN)) {
					set_error(err, "Peer '%s' is given more than once", quote_value(val));
					goto fail;
				}
			}
		} else if (!strcmp(arg, "remove")) {
			peer->flags |= PEER_REMOVE_ME;
			i += 1;
			continue;
		} else if (!strcmp(arg, "preshared-key")) {
			if (!reader(val, peer->preshared_key, &e, reader_ctx))
				goto fail_e;
			peer->flags |= PEER_HAS_PRESHARED_KEY;
		} else if (!strcmp(arg, "endpoint")) {
			if (!parse_endpoint(val, opts, &peer->endpoint, &e))
				goto fail_e;
		} else if (!strcmp(arg, "persistent-keepalive")) {
			if (!parse_keepalive(val, &peer->persistent_keepalive, &e))
				goto fail_e;
			peer->flags |= PEER_HAS_KEEPALIVE;
		} else if (!strcmp(arg, "allowed-ips")) {
			/* spaces are allowed (and ignored), as in the config file */
			char *stripped = malloc(strlen(val) + 1);
			size_t n = 0, k;
			bool ok;

			if (!stripped) {
				set_error(err, "Out of memory");
				goto fail;
			}
			for (k = 0; val[k]; ++k) {
				if (!char_is_space(val[k]))
					stripped[n++] = val[k];
			}
			stripped[n] = '\0';
			peer->flags |= PEER_REPLACE_ALLOWEDIPS;
			ok = parse_allowedips(stripped, peer, &e);
			free(stripped);
			if (!ok)
				goto fail_e;
		}
		i += 2;
		continue;

fail_e:
		arg_error(err, arg, e);
		goto fail;
	}
	return dev;

fail:
	device_free(dev);
	return NULL;
}
