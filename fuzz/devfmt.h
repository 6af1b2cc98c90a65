/* SPDX-License-Identifier: GPL-2.0 */
/*
 * For the userspace parser fuzzers: writes a parsed struct veil_device back
 * as configuration text or `set` arguments, and compares two devices, so
 * that every accepted input is checked to round-trip.
 */
#ifndef VEIL_FUZZ_DEVFMT_H
#define VEIL_FUZZ_DEVFMT_H

#include <arpa/inet.h>

#include "config.h"
#include "encoding.h"
#include "fuzz_util.h"

/* A growing string. */
struct sbuf {
	char *s;
	size_t len, cap;
};

static void sb_add(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_add(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		CHECK(n >= 0);
		if (b->s && b->len + (size_t)n < b->cap)
			break;
		b->cap = (b->cap + (size_t)n + 1) * 2;
		b->s = realloc(b->s, b->cap);
		CHECK(b->s);
	}
	b->len += (size_t)n;
}

/* "addr/cidr" of an allowed IP. */
static void fmt_aip(struct sbuf *b, const struct veil_allowedip *a)
{
	char s[INET6_ADDRSTRLEN];

	CHECK(a->family == AF_INET ? a->cidr <= 32 : a->family == AF_INET6 && a->cidr <= 128);
	CHECK(inet_ntop(a->family, a->family == AF_INET ? (const void *)&a->ip4 :
			(const void *)&a->ip6, s, sizeof(s)));
	sb_add(b, "%s/%u", s, a->cidr);
}

/* "host:port" or "[v6%scope]:port" of an endpoint that is set. */
static void fmt_endpoint(struct sbuf *b, const union veil_endpoint *e)
{
	char s[INET6_ADDRSTRLEN];

	if (e->addr.sa_family == AF_INET) {
		CHECK(inet_ntop(AF_INET, &e->addr4.sin_addr, s, sizeof(s)));
		sb_add(b, "%s:%u", s, ntohs(e->addr4.sin_port));
		return;
	}
	CHECK(e->addr.sa_family == AF_INET6);
	CHECK(inet_ntop(AF_INET6, &e->addr6.sin6_addr, s, sizeof(s)));
	if (e->addr6.sin6_scope_id)
		sb_add(b, "[%s%%%u]:%u", s, e->addr6.sin6_scope_id, ntohs(e->addr6.sin6_port));
	else
		sb_add(b, "[%s]:%u", s, ntohs(e->addr6.sin6_port));
}

static void fmt_key(struct sbuf *b, const uint8_t key[VEIL_KEY_LEN])
{
	char s[VEIL_KEY_B64_SIZE];

	key_to_base64(s, key);
	sb_add(b, "%s", s);
}

static bool endpoint_equal(const union veil_endpoint *a, const union veil_endpoint *b)
{
	if (a->addr.sa_family != b->addr.sa_family)
		return false;
	switch (a->addr.sa_family) {
	case AF_UNSPEC:
		return true;
	case AF_INET:
		return a->addr4.sin_port == b->addr4.sin_port &&
		       a->addr4.sin_addr.s_addr == b->addr4.sin_addr.s_addr;
	case AF_INET6:
		return a->addr6.sin6_port == b->addr6.sin6_port &&
		       a->addr6.sin6_scope_id == b->addr6.sin6_scope_id &&
		       !memcmp(&a->addr6.sin6_addr, &b->addr6.sin6_addr, 16);
	}
	return false;
}

static bool aip_equal(const struct veil_allowedip *a, const struct veil_allowedip *b)
{
	return a->family == b->family && a->cidr == b->cidr &&
	       !memcmp(a->family == AF_INET ? (const void *)&a->ip4 : (const void *)&a->ip6,
		       b->family == AF_INET ? (const void *)&b->ip4 : (const void *)&b->ip6,
		       a->family == AF_INET ? 4 : 16);
}

/* Equal in everything the parsers set. */
static void check_devices_equal(const struct veil_device *a, const struct veil_device *b)
{
	const struct veil_peer *p, *q;
	size_t i;

	CHECK(a->flags == b->flags);
	if (a->flags & DEV_HAS_PRIVATE_KEY)
		CHECK(!memcmp(a->private_key, b->private_key, VEIL_KEY_LEN));
	if (a->flags & DEV_HAS_LISTEN_PORT)
		CHECK(a->listen_port == b->listen_port);
	if (a->flags & DEV_HAS_FWMARK)
		CHECK(a->fwmark == b->fwmark);
	for (p = a->first_peer, q = b->first_peer; p && q; p = p->next, q = q->next) {
		CHECK(p->flags == q->flags);
		CHECK(!memcmp(p->public_key, q->public_key, VEIL_KEY_LEN));
		if (p->flags & PEER_HAS_PRESHARED_KEY)
			CHECK(!memcmp(p->preshared_key, q->preshared_key, VEIL_KEY_LEN));
		if (p->flags & PEER_HAS_KEEPALIVE)
			CHECK(p->persistent_keepalive == q->persistent_keepalive);
		CHECK(endpoint_equal(&p->endpoint, &q->endpoint));
		CHECK(p->num_allowedips == q->num_allowedips);
		for (i = 0; i < p->num_allowedips; i++)
			CHECK(aip_equal(&p->allowedips[i], &q->allowedips[i]));
	}
	CHECK(!p && !q);
}

/* An error is one non-empty line (config.h). */
static void check_error_text(const char *err)
{
	CHECK(err && *err);
	CHECK(!strchr(err, '\n'));
}

#endif /* VEIL_FUZZ_DEVFMT_H */
