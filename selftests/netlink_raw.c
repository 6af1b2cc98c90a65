// SPDX-License-Identifier: GPL-2.0
/*
 * netlink_raw: the "veil" generic netlink family (uapi/linux/veil.h) driven
 * over raw netlink sockets, without libnl and without the veil tool.
 *
 * Every test runs in a fresh network namespace with one veil device that has
 * a known configuration. The malformed-request tests each send one bad
 * VEIL_CMD_SET_DEVICE and check the error number, the extended ack message
 * and, by comparing a dump taken before and after, that the configuration
 * did not change at all. A positive test checks that a complete
 * configuration dumps back exactly, and a seeded fuzz loop sends random
 * attribute soups, and a second one random requests of any command, flags
 * and length.
 *
 * Build (the selftests Makefile does this; <ksft> holds kselftest.h and
 * kselftest_harness.h from linux-source-6.1 tools/testing/selftests/):
 *
 *	cc -Wall -Wextra -O2 -g -I../uapi -I<ksft> -o netlink_raw netlink_raw.c
 *
 * Run as root with the veil module loaded: ./netlink_raw
 * (TAP output; skips when not root or when the module is not loaded).
 * Environment: VEIL_FUZZ_SEED (default: time-based, always printed) and
 * VEIL_FUZZ_ITERATIONS (default 2000).
 */

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <grp.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veil.h>

/* The 6.1 harness has an unused handler parameter; not ours to fix. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

#define IFNAME		"veil0"
#define MSG_MAX		(64 * 1024)
#define RECV_MAX	(256 * 1024)

/* ---- Growing strings, for the canonical form of a dump ---- */

struct sbuf {
	char *s;
	size_t len, cap;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->s ? b->s + b->len : NULL,
			      b->s ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			abort();
		if (b->s && b->len + n < b->cap)
			break;
		b->cap = (b->cap + n + 1) * 2;
		b->s = realloc(b->s, b->cap);
		if (!b->s)
			abort();
		b->s[b->len] = '\0';
	}
	b->len += n;
}

static void sb_hex(struct sbuf *b, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t i;

	for (i = 0; i < len; i++)
		sb_printf(b, "%02x", p[i]);
}

/* Returns the string (to free) and empties @b. */
static char *sb_take(struct sbuf *b)
{
	char *s = b->s ? b->s : strdup("");

	b->s = NULL;
	b->len = b->cap = 0;
	return s;
}

/* ---- Building requests ---- */

struct msg {
	union {
		struct nlmsghdr nlh;
		char buf[MSG_MAX];
	};
};

/* Appends @len zeroed bytes (aligned) and returns where they start. */
static void *msg_reserve(struct msg *m, size_t len)
{
	size_t at = NLMSG_ALIGN(m->nlh.nlmsg_len);
	void *p = m->buf + at;

	if (at + NLMSG_ALIGN(len) > sizeof(m->buf)) {
		fprintf(stderr, "netlink_raw: request buffer overflow\n");
		abort();
	}
	memset(p, 0, NLMSG_ALIGN(len));
	m->nlh.nlmsg_len = at + NLMSG_ALIGN(len);
	return p;
}

static void msg_init(struct msg *m, uint16_t type, uint16_t flags)
{
	memset(&m->nlh, 0, sizeof(m->nlh));
	m->nlh.nlmsg_len = NLMSG_HDRLEN;
	m->nlh.nlmsg_type = type;
	m->nlh.nlmsg_flags = NLM_F_REQUEST | flags;
}

static void msg_genl(struct msg *m, uint16_t family, uint16_t flags,
		     uint8_t cmd, uint8_t version)
{
	struct genlmsghdr *g;

	msg_init(m, family, flags);
	g = msg_reserve(m, sizeof(*g));
	g->cmd = cmd;
	g->version = version;
}

static struct nlattr *put(struct msg *m, uint16_t type, const void *data,
			  size_t len)
{
	struct nlattr *a = msg_reserve(m, NLA_HDRLEN + len);

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy((char *)a + NLA_HDRLEN, data, len);
	return a;
}

static void put_u8(struct msg *m, uint16_t type, uint8_t v)
{
	put(m, type, &v, sizeof(v));
}

static void put_u16(struct msg *m, uint16_t type, uint16_t v)
{
	put(m, type, &v, sizeof(v));
}

static void put_u32(struct msg *m, uint16_t type, uint32_t v)
{
	put(m, type, &v, sizeof(v));
}

static void put_str(struct msg *m, uint16_t type, const char *s)
{
	put(m, type, s, strlen(s) + 1);
}

static struct nlattr *nest_start(struct msg *m, uint16_t type)
{
	return put(m, type | NLA_F_NESTED, NULL, 0);
}

static void nest_end(struct msg *m, struct nlattr *nest)
{
	nest->nla_len = m->buf + m->nlh.nlmsg_len - (char *)nest;
}

/* ---- Reading replies ---- */

static bool attr_ok(const struct nlattr *a, int rem)
{
	return rem >= (int)sizeof(*a) && a->nla_len >= sizeof(*a) &&
	       a->nla_len <= rem;
}

#define attr_for_each(a, head, len, rem)				\
	for ((a) = (struct nlattr *)(head), (rem) = (len);		\
	     attr_ok((a), (rem));					\
	     (rem) -= NLA_ALIGN((a)->nla_len),				\
	     (a) = (struct nlattr *)((char *)(a) + NLA_ALIGN((a)->nla_len)))

#define attr_for_each_nested(a, nest, rem)				\
	attr_for_each(a, attr_data(nest), attr_len(nest), rem)

static void *attr_data(const struct nlattr *a)
{
	return (char *)a + NLA_HDRLEN;
}

static int attr_len(const struct nlattr *a)
{
	return a->nla_len - NLA_HDRLEN;
}

static int attr_type(const struct nlattr *a)
{
	return a->nla_type & NLA_TYPE_MASK;
}

/* Outcome of one request. */
struct reply {
	int error;		/* 0 or a negative errno from the kernel */
	char msg[256];		/* NLMSGERR_ATTR_MSG, "" when absent */
	bool bad_attr;		/* NLMSGERR_ATTR_OFFS was present */
	bool interrupted;	/* a dump message had NLM_F_DUMP_INTR */
	int cb_error;		/* first error a callback returned */
	int messages;		/* messages before the ack or the dump end */
};

typedef int (*msg_cb)(const struct nlmsghdr *nlh, void *arg);

static void parse_ack_tlvs(struct reply *r, const void *tlvs, int len)
{
	struct nlattr *a;
	int rem;

	attr_for_each(a, tlvs, len, rem) {
		if (attr_type(a) == NLMSGERR_ATTR_MSG && attr_len(a) > 0)
			snprintf(r->msg, sizeof(r->msg), "%.*s", attr_len(a),
				 (char *)attr_data(a));
		else if (attr_type(a) == NLMSGERR_ATTR_OFFS)
			r->bad_attr = true;
	}
}

/*
 * Sends @m and reads until its acknowledgement (or the end of the dump).
 * Messages in between go to @cb. Returns 0 when the kernel answered (the
 * answer is in @r), or a negative errno for a socket-level failure.
 */
static int nl_talk(int fd, struct msg *m, msg_cb cb, void *arg,
		   struct reply *r)
{
	static uint32_t seq_counter;
	static char *buf;
	uint32_t seq = ++seq_counter;
	struct nlmsghdr *nlh;
	ssize_t n;

	if (!buf) {
		buf = malloc(RECV_MAX);
		if (!buf)
			return -ENOMEM;
	}
	memset(r, 0, sizeof(*r));
	m->nlh.nlmsg_seq = seq;
	m->nlh.nlmsg_pid = 0;
	if (send(fd, m->buf, m->nlh.nlmsg_len, 0) != (ssize_t)m->nlh.nlmsg_len)
		return -errno;

	for (;;) {
		n = recv(fd, buf, RECV_MAX, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n ? -errno : -EPIPE;
		for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, n);
		     nlh = NLMSG_NEXT(nlh, n)) {
			if (nlh->nlmsg_seq != seq)
				continue;
			if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
				r->interrupted = true;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(nlh);
				char *tlv = (char *)(e + 1);

				r->error = e->error;
				if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
					tlv += NLMSG_ALIGN(e->msg.nlmsg_len) -
					       NLMSG_HDRLEN;
				if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
					parse_ack_tlvs(r, tlv, (char *)nlh +
						       nlh->nlmsg_len - tlv);
				return 0;
			}
			if (nlh->nlmsg_type == NLMSG_DONE) {
				int *err = NLMSG_DATA(nlh);

				if (nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(*err)))
					r->error = *err;
				if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
					parse_ack_tlvs(r, err + 1,
						       nlh->nlmsg_len -
						       NLMSG_LENGTH(sizeof(*err)));
				return 0;
			}
			r->messages++;
			if (cb && !r->cb_error)
				r->cb_error = cb(nlh, arg);
		}
	}
}

static int nl_open(int protocol)
{
	int fd, one = 1;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one))) {
		close(fd);
		return -errno;
	}
	return fd;
}

static int family_id_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *a;
	int rem;

	attr_for_each(a, (char *)NLMSG_DATA(nlh) + GENL_HDRLEN,
		      nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN), rem)
		if (attr_type(a) == CTRL_ATTR_FAMILY_ID &&
		    attr_len(a) == sizeof(uint16_t))
			*(uint16_t *)arg = *(uint16_t *)attr_data(a);
	return 0;
}

/* Resolves a generic netlink family name; returns its id or -errno. */
static int genl_family(int fd, const char *name)
{
	uint16_t id = 0;
	struct reply r;
	struct msg *m;
	int ret;

	m = malloc(sizeof(*m));
	if (!m)
		return -ENOMEM;
	msg_genl(m, GENL_ID_CTRL, NLM_F_ACK, CTRL_CMD_GETFAMILY, 1);
	put_str(m, CTRL_ATTR_FAMILY_NAME, name);
	ret = nl_talk(fd, m, family_id_cb, &id, &r);
	free(m);
	if (ret)
		return ret;
	if (r.error)
		return r.error;
	return id ? id : -ENOENT;
}

/* Creates a link of kind @kind named @name with rtnetlink. */
static int create_link(int rtnl, const char *name, const char *kind,
		       struct reply *r)
{
	struct nlattr *linkinfo;
	struct msg *m;
	int ret;

	m = malloc(sizeof(*m));
	if (!m)
		return -ENOMEM;
	msg_init(m, RTM_NEWLINK, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
	msg_reserve(m, sizeof(struct ifinfomsg));
	put_str(m, IFLA_IFNAME, name);
	linkinfo = nest_start(m, IFLA_LINKINFO);
	put_str(m, IFLA_INFO_KIND, kind);
	nest_end(m, linkinfo);
	ret = nl_talk(rtnl, m, NULL, NULL, r);
	free(m);
	return ret;
}

/* Sets a link up with rtnetlink. */
static int set_link_up(int rtnl, int ifindex, struct reply *r)
{
	struct ifinfomsg *ifi;
	struct msg *m;
	int ret;

	m = malloc(sizeof(*m));
	if (!m)
		return -ENOMEM;
	msg_init(m, RTM_NEWLINK, NLM_F_ACK);
	ifi = msg_reserve(m, sizeof(*ifi));
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	ret = nl_talk(rtnl, m, NULL, NULL, r);
	free(m);
	return ret;
}

/* Whether a UDP/IPv4 socket can bind @port (0: yes, else -errno). */
static int udp4_bind(uint16_t port)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
	};
	int fd, ret = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)))
		ret = -errno;
	close(fd);
	return ret;
}

/* ---- Canonical text of a device dump ---- */

/*
 * One line for the device, then one line per peer, each with every
 * attribute the kernel returned, in a fixed order. A peer continued in the
 * next message (same public key) is merged, as uapi/linux/veil.h asks of
 * userspace. Anything unexpected (an unknown or repeated attribute, a wrong
 * length) shows up in the text too, so comparisons catch it.
 */
struct dump_state {
	struct sbuf dev;	/* the device line of the first message */
	struct sbuf peers;	/* finished peer lines */
	struct sbuf cur;	/* the current peer, up to its allowed IPs */
	struct sbuf cur_aips;	/* the current peer's allowed IPs */
	uint8_t cur_key[VEIL_KEY_LEN];
	bool have_cur;
	int messages;
	bool inconsistent;	/* device attributes differ between messages */
};

#define TB_MAX 16

/*
 * Indexes the attributes in [@head, @head + @len) by type into @tb; notes
 * unknown and repeated ones (except type @pad) in @odd.
 */
static void attr_table(const struct nlattr *tb[TB_MAX + 1], int max,
		       const void *head, int len, int pad, struct sbuf *odd)
{
	struct nlattr *a;
	int rem, type;

	memset(tb, 0, sizeof(*tb) * (TB_MAX + 1));
	attr_for_each(a, head, len, rem) {
		type = attr_type(a);
		if (type == pad)
			continue;
		if (type <= 0 || type > max)
			sb_printf(odd, " unknown-%d", type);
		else if (tb[type])
			sb_printf(odd, " repeated-%d", type);
		else
			tb[type] = a;
	}
	if (rem)
		sb_printf(odd, " trailing-%d", rem);
}

static bool bad_len(struct sbuf *b, const char *name, const struct nlattr *a,
		    int len)
{
	if (attr_len(a) == len)
		return false;
	sb_printf(b, " %s=bad-length-%d", name, attr_len(a));
	return true;
}

static void render_key(struct sbuf *b, const char *name,
		       const struct nlattr *a)
{
	if (!a || bad_len(b, name, a, VEIL_KEY_LEN))
		return;
	sb_printf(b, " %s=", name);
	sb_hex(b, attr_data(a), VEIL_KEY_LEN);
}

/* An unsigned integer attribute of @size bytes, in @fmt. */
static void render_uint(struct sbuf *b, const char *name,
			const struct nlattr *a, int size, const char *fmt)
{
	unsigned long long v;

	if (!a || bad_len(b, name, a, size))
		return;
	if (size == 1)
		v = *(uint8_t *)attr_data(a);
	else if (size == 2)
		v = *(uint16_t *)attr_data(a);
	else if (size == 4)
		v = *(uint32_t *)attr_data(a);
	else
		v = *(uint64_t *)attr_data(a);
	sb_printf(b, " %s=", name);
	sb_printf(b, fmt, v);
}

static void render_endpoint(struct sbuf *b, const struct nlattr *a)
{
	char addr[INET6_ADDRSTRLEN];

	if (!a)
		return;
	if (attr_len(a) == sizeof(struct sockaddr_in)) {
		struct sockaddr_in *sin = attr_data(a);

		inet_ntop(AF_INET, &sin->sin_addr, addr, sizeof(addr));
		sb_printf(b, " endpoint=%s:%u", addr, ntohs(sin->sin_port));
		if (sin->sin_family != AF_INET)
			sb_printf(b, "(family-%u)", sin->sin_family);
	} else if (attr_len(a) == sizeof(struct sockaddr_in6)) {
		struct sockaddr_in6 *sin6 = attr_data(a);

		inet_ntop(AF_INET6, &sin6->sin6_addr, addr, sizeof(addr));
		sb_printf(b, " endpoint=[%s]:%u", addr, ntohs(sin6->sin6_port));
		if (sin6->sin6_scope_id || sin6->sin6_flowinfo)
			sb_printf(b, "(scope-%u,flow-%u)", sin6->sin6_scope_id,
				  sin6->sin6_flowinfo);
		if (sin6->sin6_family != AF_INET6)
			sb_printf(b, "(family-%u)", sin6->sin6_family);
	} else {
		sb_printf(b, " endpoint=bad-length-%d", attr_len(a));
	}
}

static void render_handshake(struct sbuf *b, const struct nlattr *a)
{
	int64_t ts[2];

	if (!a || bad_len(b, "handshake", a, sizeof(ts)))
		return;
	memcpy(ts, attr_data(a), sizeof(ts));
	sb_printf(b, " handshake=%lld.%09lld", (long long)ts[0],
		  (long long)ts[1]);
}

/* Appends one allowed IP as "addr/cidr" to the comma-separated @b. */
static void render_allowedip(struct sbuf *b, const struct nlattr *elem)
{
	const struct nlattr *tb[TB_MAX + 1];
	char text[INET6_ADDRSTRLEN];
	struct sbuf odd = {};
	int family, len;

	sb_printf(b, b->len ? "," : "");
	attr_table(tb, VEIL_ALLOWEDIP_A_MAX, attr_data(elem), attr_len(elem),
		   -1, &odd);
	if (odd.s || !tb[VEIL_ALLOWEDIP_A_FAMILY] ||
	    !tb[VEIL_ALLOWEDIP_A_IPADDR] || !tb[VEIL_ALLOWEDIP_A_CIDR_MASK] ||
	    attr_len(tb[VEIL_ALLOWEDIP_A_FAMILY]) != 2 ||
	    attr_len(tb[VEIL_ALLOWEDIP_A_CIDR_MASK]) != 1) {
		sb_printf(b, "malformed%s", odd.s ? odd.s : "");
		free(odd.s);
		return;
	}
	family = *(uint16_t *)attr_data(tb[VEIL_ALLOWEDIP_A_FAMILY]);
	len = attr_len(tb[VEIL_ALLOWEDIP_A_IPADDR]);
	if (!((family == AF_INET && len == 4) ||
	      (family == AF_INET6 && len == 16))) {
		sb_printf(b, "family-%d-length-%d", family, len);
		return;
	}
	inet_ntop(family, attr_data(tb[VEIL_ALLOWEDIP_A_IPADDR]), text,
		  sizeof(text));
	sb_printf(b, "%s/%u", text,
		  *(uint8_t *)attr_data(tb[VEIL_ALLOWEDIP_A_CIDR_MASK]));
}

static void dump_flush_peer(struct dump_state *st)
{
	if (!st->have_cur)
		return;
	sb_printf(&st->peers, "peer%s allowedips=%s\n",
		  st->cur.s ? st->cur.s : "",
		  st->cur_aips.s ? st->cur_aips.s : "");
	free(sb_take(&st->cur));
	free(sb_take(&st->cur_aips));
	st->have_cur = false;
}

static void dump_peer(struct dump_state *st, const struct nlattr *elem)
{
	const struct nlattr *tb[TB_MAX + 1], *key, *e;
	struct sbuf head = {};
	int rem, index = 0;

	attr_table(tb, VEIL_PEER_A_MAX, attr_data(elem), attr_len(elem),
		   VEIL_PEER_A_PAD, &head);
	key = tb[VEIL_PEER_A_PUBLIC_KEY];
	if (key && attr_len(key) == VEIL_KEY_LEN && st->have_cur &&
	    !memcmp(st->cur_key, attr_data(key), VEIL_KEY_LEN)) {
		/* The continuation of the current peer. */
		free(head.s);
	} else {
		render_key(&head, "public", key);
		render_key(&head, "psk", tb[VEIL_PEER_A_PRESHARED_KEY]);
		render_endpoint(&head, tb[VEIL_PEER_A_ENDPOINT]);
		render_uint(&head, "keepalive",
			    tb[VEIL_PEER_A_PERSISTENT_KEEPALIVE_INTERVAL], 2,
			    "%llu");
		render_handshake(&head, tb[VEIL_PEER_A_LAST_HANDSHAKE_TIME]);
		render_uint(&head, "rx", tb[VEIL_PEER_A_RX_BYTES], 8, "%llu");
		render_uint(&head, "tx", tb[VEIL_PEER_A_TX_BYTES], 8, "%llu");
		render_uint(&head, "version", tb[VEIL_PEER_A_PROTOCOL_VERSION],
			    4, "%llu");
		render_uint(&head, "flags", tb[VEIL_PEER_A_FLAGS], 4, "%#llx");
		dump_flush_peer(st);
		st->cur = head;
		st->have_cur = true;
		memset(st->cur_key, 0, sizeof(st->cur_key));
		if (key && attr_len(key) == VEIL_KEY_LEN)
			memcpy(st->cur_key, attr_data(key), VEIL_KEY_LEN);
	}
	if (tb[VEIL_PEER_A_ALLOWEDIPS])
		attr_for_each_nested(e, tb[VEIL_PEER_A_ALLOWEDIPS], rem) {
			/* On output, a list element's type is its index. */
			if (attr_type(e) != index++)
				sb_printf(&st->cur_aips, "%s(index-%d)",
					  st->cur_aips.len ? "," : "",
					  attr_type(e));
			render_allowedip(&st->cur_aips, e);
		}
}

static int dump_cb(const struct nlmsghdr *nlh, void *arg)
{
	const struct nlattr *tb[TB_MAX + 1], *e;
	struct dump_state *st = arg;
	struct sbuf dev = {};
	int rem, index = 0;

	attr_table(tb, VEIL_DEVICE_A_MAX, (char *)NLMSG_DATA(nlh) + GENL_HDRLEN,
		   nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN), -1, &dev);
	render_uint(&dev, "ifindex", tb[VEIL_DEVICE_A_IFINDEX], 4, "%llu");
	if (tb[VEIL_DEVICE_A_IFNAME])
		sb_printf(&dev, " ifname=%.*s",
			  (int)strnlen(attr_data(tb[VEIL_DEVICE_A_IFNAME]),
				       attr_len(tb[VEIL_DEVICE_A_IFNAME])),
			  (char *)attr_data(tb[VEIL_DEVICE_A_IFNAME]));
	render_uint(&dev, "port", tb[VEIL_DEVICE_A_LISTEN_PORT], 2, "%llu");
	render_uint(&dev, "fwmark", tb[VEIL_DEVICE_A_FWMARK], 4, "%#llx");
	render_uint(&dev, "flags", tb[VEIL_DEVICE_A_FLAGS], 4, "%#llx");
	render_key(&dev, "private", tb[VEIL_DEVICE_A_PRIVATE_KEY]);
	render_key(&dev, "public", tb[VEIL_DEVICE_A_PUBLIC_KEY]);
	if (tb[VEIL_DEVICE_A_PEERS])
		attr_for_each_nested(e, tb[VEIL_DEVICE_A_PEERS], rem) {
			if (attr_type(e) != index++)
				sb_printf(&dev, " peer-index-%d", attr_type(e));
			dump_peer(st, e);
		}

	if (!st->messages++)
		st->dev = dev;
	else if (!dev.s || !st->dev.s || strcmp(dev.s, st->dev.s))
		st->inconsistent = true;
	if (st->dev.s != dev.s)
		free(dev.s);
	return 0;
}

/*
 * Dumps the device with ifindex @ifindex into its canonical text (to free).
 * Returns 0, a negative errno from the kernel, or -EPROTO for a malformed
 * answer. A dump interrupted by a concurrent change is retried.
 */
static int dump_device(int fd, uint16_t family, int ifindex, char **text,
		       struct reply *r)
{
	struct dump_state st;
	struct msg *m;
	int ret, tries;

	m = malloc(sizeof(*m));
	if (!m)
		return -ENOMEM;
	for (tries = 0; tries < 5; tries++) {
		memset(&st, 0, sizeof(st));
		msg_genl(m, family, NLM_F_DUMP, VEIL_CMD_GET_DEVICE,
			 VEIL_GENL_VERSION);
		put_u32(m, VEIL_DEVICE_A_IFINDEX, ifindex);
		ret = nl_talk(fd, m, dump_cb, &st, r);
		dump_flush_peer(&st);
		if (!ret && r->error)
			ret = r->error;
		if (!ret && (st.inconsistent || !st.messages || r->cb_error))
			ret = -EPROTO;
		if (!ret && !r->interrupted) {
			sb_printf(&st.dev, "\n%s", st.peers.s ? st.peers.s : "");
			*text = sb_take(&st.dev);
		}
		free(st.dev.s);
		free(st.peers.s);
		if (ret || !r->interrupted)
			break;
	}
	free(m);
	if (!ret && tries == 5)
		ret = -EINTR;
	return ret;
}

/* ---- Configuration pieces ---- */

/* RFC 7748 section 6.1: Alice's key pair; the kernel stores it clamped. */
static const uint8_t alice_private[VEIL_KEY_LEN] = {
	0x77, 0x07, 0x6d, 0x0a, 0x73, 0x18, 0xa5, 0x7d, 0x3c, 0x16, 0xc1,
	0x72, 0x51, 0xb2, 0x66, 0x45, 0xdf, 0x4c, 0x2f, 0x87, 0xeb, 0xc0,
	0x99, 0x2a, 0xb1, 0x77, 0xfb, 0xa5, 0x1d, 0xb9, 0x2c, 0x2a,
};

#define ALICE_PRIVATE_CLAMPED \
	"70076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c6a"
#define ALICE_PUBLIC \
	"8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"

/* A public (or preshared) key with every byte @v. */
static const uint8_t *key_of(uint8_t v)
{
	static uint8_t keys[256][VEIL_KEY_LEN];

	memset(keys[v], v, VEIL_KEY_LEN);
	return keys[v];
}

static void put_key(struct msg *m, uint16_t type, uint8_t v)
{
	put(m, type, key_of(v), VEIL_KEY_LEN);
}

/* An allowed IP from "addr/cidr" text; the family follows the address. */
static void put_allowedip(struct msg *m, const char *prefix)
{
	char addr[INET6_ADDRSTRLEN];
	uint8_t bytes[16];
	struct nlattr *elem;
	int cidr, family;

	if (sscanf(prefix, "%45[^/]/%d", addr, &cidr) != 2)
		abort();
	family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(family, addr, bytes) != 1)
		abort();
	elem = nest_start(m, 0);
	put_u16(m, VEIL_ALLOWEDIP_A_FAMILY, family);
	put(m, VEIL_ALLOWEDIP_A_IPADDR, bytes, family == AF_INET ? 4 : 16);
	put_u8(m, VEIL_ALLOWEDIP_A_CIDR_MASK, cidr);
	nest_end(m, elem);
}

/* Appends "addr/cidr" as inet_ntop() writes it (as a dump shows it). */
static void sb_canonical_prefix(struct sbuf *b, const char *prefix)
{
	char addr[INET6_ADDRSTRLEN];
	uint8_t bytes[16];
	int cidr, family;

	if (sscanf(prefix, "%45[^/]/%d", addr, &cidr) != 2)
		abort();
	family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(family, addr, bytes) != 1)
		abort();
	inet_ntop(family, bytes, addr, sizeof(addr));
	sb_printf(b, "%s/%d", addr, cidr);
}

/* An endpoint from "a.b.c.d:port" or "[v6]:port" text. */
static void put_endpoint(struct msg *m, const char *text)
{
	char addr[INET6_ADDRSTRLEN];
	unsigned int port;

	if (sscanf(text, "[%45[^]]]:%u", addr, &port) == 2) {
		struct sockaddr_in6 sin6 = {
			.sin6_family = AF_INET6,
			.sin6_port = htons(port),
		};

		if (inet_pton(AF_INET6, addr, &sin6.sin6_addr) != 1)
			abort();
		put(m, VEIL_PEER_A_ENDPOINT, &sin6, sizeof(sin6));
	} else if (sscanf(text, "%45[^:]:%u", addr, &port) == 2) {
		struct sockaddr_in sin = {
			.sin_family = AF_INET,
			.sin_port = htons(port),
		};

		if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1)
			abort();
		put(m, VEIL_PEER_A_ENDPOINT, &sin, sizeof(sin));
	} else {
		abort();
	}
}

/* A peer as the tests describe it; absent fields are not sent. */
struct peer_spec {
	uint8_t key;		/* public key: every byte this value */
	uint8_t psk;		/* preshared key likewise; 0: none */
	const char *endpoint;
	int keepalive;		/* -1: none */
	uint32_t flags;		/* 0: not sent */
	const char *aips[4];	/* "addr/cidr" */
};

/* Opens a peer element with its usual attributes; the caller ends it. */
static struct nlattr *put_peer_start(struct msg *m, const struct peer_spec *p)
{
	struct nlattr *peer, *list;
	int i;

	peer = nest_start(m, 0);
	put_key(m, VEIL_PEER_A_PUBLIC_KEY, p->key);
	if (p->psk)
		put_key(m, VEIL_PEER_A_PRESHARED_KEY, p->psk);
	if (p->endpoint)
		put_endpoint(m, p->endpoint);
	if (p->keepalive >= 0)
		put_u16(m, VEIL_PEER_A_PERSISTENT_KEEPALIVE_INTERVAL,
			p->keepalive);
	if (p->flags)
		put_u32(m, VEIL_PEER_A_FLAGS, p->flags);
	if (p->aips[0]) {
		list = nest_start(m, VEIL_PEER_A_ALLOWEDIPS);
		for (i = 0; i < 4 && p->aips[i]; i++)
			put_allowedip(m, p->aips[i]);
		nest_end(m, list);
	}
	return peer;
}

static void put_peer(struct msg *m, const struct peer_spec *p)
{
	nest_end(m, put_peer_start(m, p));
}

/* The configuration every test starts from. */
static const struct peer_spec base_peer = {
	.key = 0xa1, .psk = 0x5a, .endpoint = "192.0.2.1:51820",
	.keepalive = 25, .aips = { "10.0.0.0/24", "fd00::/64" },
};

/* ---- The fixture ---- */

FIXTURE(veil) {
	int genl;		/* generic netlink socket */
	int rtnl;		/* rtnetlink socket */
	uint16_t family;	/* id of the "veil" family */
	int ifindex;		/* of veil0 in this test's namespace */
	char *baseline;		/* canonical dump of the known configuration */
	struct msg *m;		/* request being built */
	const char *skip;	/* why the tests cannot run, or NULL */
};

/* Starts a SET_DEVICE request for the fixture's device. */
static struct msg *set_start(FIXTURE_DATA(veil) *self)
{
	msg_genl(self->m, self->family, NLM_F_ACK, VEIL_CMD_SET_DEVICE,
		 VEIL_GENL_VERSION);
	put_u32(self->m, VEIL_DEVICE_A_IFINDEX, self->ifindex);
	return self->m;
}

/* The dump of the device now; fails the test if there is none. */
static char *dump_now(struct __test_metadata *_metadata,
		      FIXTURE_DATA(veil) *self)
{
	struct reply r;
	char *text = NULL;

	ASSERT_EQ(0, dump_device(self->genl, self->family, self->ifindex,
				 &text, &r)) {
		TH_LOG("dump failed: %s", r.msg);
	}
	return text;
}

/* Sends a request that must succeed. */
static void expect_applied(struct __test_metadata *_metadata,
			   FIXTURE_DATA(veil) *self, struct msg *m)
{
	struct reply r;

	ASSERT_EQ(0, nl_talk(self->genl, m, NULL, NULL, &r));
	ASSERT_EQ(0, r.error) {
		TH_LOG("refused: %s (%s)", strerror(-r.error), r.msg);
	}
}

/*
 * Sends a request that must be refused with @err, with an extended ack
 * message when @want_msg, and without changing the configuration.
 */
static void __expect_refused(struct __test_metadata *_metadata,
			     FIXTURE_DATA(veil) *self, struct msg *m, int err,
			     bool want_msg)
{
	struct reply r;
	char *after;

	ASSERT_EQ(0, nl_talk(self->genl, m, NULL, NULL, &r));
	EXPECT_EQ(err, r.error) {
		TH_LOG("expected %s, got %s (extack: \"%s\")",
		       strerror(-err), strerror(-r.error), r.msg);
	}
	if (want_msg) {
		EXPECT_NE('\0', r.msg[0]) {
			TH_LOG("no extended ack message");
		}
	}
	after = dump_now(_metadata, self);
	EXPECT_STREQ(self->baseline, after) {
		TH_LOG("a refused request changed the configuration");
	}
	free(after);
}

#define expect_refused(m, err) \
	__expect_refused(_metadata, self, m, err, true)

/* First statement of every test: the fixture may have found no module. */
#define REQUIRE_FIXTURE() do {						\
	if (self->skip)							\
		SKIP(return, "%s", self->skip);				\
} while (0)

FIXTURE_SETUP(veil)
{
	struct nlattr *peers;
	struct reply r;
	struct msg *m;
	int ret;

	self->genl = self->rtnl = -1;
	self->m = malloc(sizeof(*self->m));
	ASSERT_NE(NULL, self->m);
	if (geteuid()) {
		self->skip = "needs root";
		return;
	}
	ASSERT_EQ(0, unshare(CLONE_NEWNET)) {
		TH_LOG("unshare(CLONE_NEWNET): %s", strerror(errno));
	}
	self->genl = nl_open(NETLINK_GENERIC);
	self->rtnl = nl_open(NETLINK_ROUTE);
	ASSERT_LE(0, self->genl);
	ASSERT_LE(0, self->rtnl);

	ret = genl_family(self->genl, VEIL_GENL_NAME);
	if (ret == -ENOENT) {
		self->skip = "the veil module is not loaded";
		return;
	}
	ASSERT_LT(0, ret) {
		TH_LOG("resolving the family: %s", strerror(-ret));
	}
	self->family = ret;

	ASSERT_EQ(0, create_link(self->rtnl, IFNAME, "veil", &r));
	ASSERT_EQ(0, r.error) {
		TH_LOG("creating %s: %s (%s)", IFNAME, strerror(-r.error),
		       r.msg);
	}
	self->ifindex = if_nametoindex(IFNAME);
	ASSERT_LT(0, self->ifindex);

	m = set_start(self);
	put(m, VEIL_DEVICE_A_PRIVATE_KEY, alice_private, VEIL_KEY_LEN);
	put_u16(m, VEIL_DEVICE_A_LISTEN_PORT, 51820);
	put_u32(m, VEIL_DEVICE_A_FWMARK, 0x42);
	peers = nest_start(m, VEIL_DEVICE_A_PEERS);
	put_peer(m, &base_peer);
	nest_end(m, peers);
	expect_applied(_metadata, self, m);
	self->baseline = dump_now(_metadata, self);
	ASSERT_NE(NULL, strstr(self->baseline, "fd00::/64")) {
		TH_LOG("unexpected baseline:\n%s", self->baseline);
	}
}

FIXTURE_TEARDOWN(veil)
{
	if (self->genl >= 0)
		close(self->genl);
	if (self->rtnl >= 0)
		close(self->rtnl);
	free(self->baseline);
	free(self->m);
}

/* ---- Positive ---- */

TEST_F(veil, set_everything_dumps_back)
{
	static const struct peer_spec peers[] = {
		{ .key = 0xb1, .psk = 0x11, .endpoint = "198.51.100.7:12345",
		  .keepalive = 25, .aips = { "10.1.0.0/16", "10.2.0.1/32",
					     "fd01::/64" } },
		{ .key = 0xb2, .psk = 0x22,
		  .endpoint = "[2001:db8::1]:51821", .keepalive = 65535,
		  .aips = { "0.0.0.0/0", "::/0", "2001:db8:1::/48" } },
	};
	struct nlattr *list;
	char want[2048], *got;
	struct msg *m;
	unsigned int i;

	REQUIRE_FIXTURE();
	m = set_start(self);
	put_u32(m, VEIL_DEVICE_A_FLAGS, VEIL_DEVICE_F_REPLACE_PEERS);
	put(m, VEIL_DEVICE_A_PRIVATE_KEY, alice_private, VEIL_KEY_LEN);
	put_u16(m, VEIL_DEVICE_A_LISTEN_PORT, 51999);
	put_u32(m, VEIL_DEVICE_A_FWMARK, 0x1234);
	list = nest_start(m, VEIL_DEVICE_A_PEERS);
	for (i = 0; i < ARRAY_SIZE(peers); i++)
		put_peer(m, &peers[i]);
	nest_end(m, list);
	expect_applied(_metadata, self, m);

	snprintf(want, sizeof(want),
		 " ifindex=%d ifname=" IFNAME " port=51999 fwmark=0x1234"
		 " private=" ALICE_PRIVATE_CLAMPED " public=" ALICE_PUBLIC "\n"
		 "peer public=%s psk=%s endpoint=198.51.100.7:12345"
		 " keepalive=25 handshake=0.000000000 rx=0 tx=0 version=1"
		 " allowedips=10.1.0.0/16,10.2.0.1/32,fd01::/64\n"
		 "peer public=%s psk=%s endpoint=[2001:db8::1]:51821"
		 " keepalive=65535 handshake=0.000000000 rx=0 tx=0 version=1"
		 " allowedips=0.0.0.0/0,::/0,2001:db8:1::/48\n",
		 self->ifindex,
		 "b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1",
		 "1111111111111111111111111111111111111111111111111111111111111111",
		 "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2",
		 "2222222222222222222222222222222222222222222222222222222222222222");
	got = dump_now(_metadata, self);
	EXPECT_STREQ(want, got);
	free(got);
}

/*
 * A configuration too large for one dump message, sent in several
 * requests: every prefix must come back, in order, with split peers merged.
 */
TEST_F(veil, large_config_split_dump)
{
	enum { PEERS = 3, REQUESTS = 2, PER_REQUEST = 1200 };
	struct sbuf want[PEERS] = {};
	struct nlattr *list, *peer, *aips;
	char prefix[64], *got, *line;
	int p, q, i, n;
	struct reply r;
	struct msg *m;

	REQUIRE_FIXTURE();
	for (p = 0; p < PEERS; p++) {
		for (q = 0; q < REQUESTS; q++) {
			m = set_start(self);
			if (!p && !q)
				put_u32(m, VEIL_DEVICE_A_FLAGS,
					VEIL_DEVICE_F_REPLACE_PEERS);
			list = nest_start(m, VEIL_DEVICE_A_PEERS);
			peer = nest_start(m, 0);
			put_key(m, VEIL_PEER_A_PUBLIC_KEY, 0x70 + p);
			aips = nest_start(m, VEIL_PEER_A_ALLOWEDIPS);
			for (i = 0; i < PER_REQUEST; i++) {
				n = q * PER_REQUEST + i;
				if (i % 3)
					snprintf(prefix, sizeof(prefix),
						 "10.%d.%d.%d/32", p, n / 256,
						 n % 256);
				else
					snprintf(prefix, sizeof(prefix),
						 "fd00:%x::%x/128", p, n);
				put_allowedip(m, prefix);
				sb_printf(&want[p], "%s", want[p].len ? "," : "");
				sb_canonical_prefix(&want[p], prefix);
			}
			nest_end(m, aips);
			nest_end(m, peer);
			nest_end(m, list);
			expect_applied(_metadata, self, m);
		}
	}

	ASSERT_EQ(0, dump_device(self->genl, self->family, self->ifindex,
				 &got, &r));
	EXPECT_LT(PEERS, r.messages) {
		TH_LOG("the dump came in %d messages: nothing was split",
		       r.messages);
	}
	for (p = 0, line = strchr(got, '\n'); line && line[1];
	     p++, line = strchr(line + 1, '\n')) {
		char *aip = strstr(line, " allowedips="), *end;

		ASSERT_GT(PEERS, p) {
			TH_LOG("too many peers in the dump:\n%s", got);
		}
		ASSERT_NE(NULL, aip);
		aip += strlen(" allowedips=");
		end = strchr(aip, '\n');
		ASSERT_NE(NULL, end);
		*end = '\0';
		EXPECT_STREQ(want[p].s, aip) {
			TH_LOG("peer %d differs", p);
		}
		*end = '\n';
		free(want[p].s);
	}
	EXPECT_EQ(PEERS, p);
	free(got);
}

/* ---- Device attributes ---- */

TEST_F(veil, listen_port_as_u8)
{
	REQUIRE_FIXTURE();
	put_u8(set_start(self), VEIL_DEVICE_A_LISTEN_PORT, 7);
	expect_refused(self->m, -EINVAL);
}

TEST_F(veil, listen_port_as_u32)
{
	REQUIRE_FIXTURE();
	put_u32(set_start(self), VEIL_DEVICE_A_LISTEN_PORT, 7);
	expect_refused(self->m, -EINVAL);
}

TEST_F(veil, private_key_31_bytes)
{
	REQUIRE_FIXTURE();
	put(set_start(self), VEIL_DEVICE_A_PRIVATE_KEY, key_of(0x33), 31);
	expect_refused(self->m, -ERANGE);
}

TEST_F(veil, private_key_33_bytes)
{
	uint8_t key[33];

	REQUIRE_FIXTURE();
	memset(key, 0x33, sizeof(key));
	put(set_start(self), VEIL_DEVICE_A_PRIVATE_KEY, key, sizeof(key));
	expect_refused(self->m, -ERANGE);
}

TEST_F(veil, unknown_device_attribute)
{
	REQUIRE_FIXTURE();
	put_u32(set_start(self), VEIL_DEVICE_A_MAX + 1, 1);
	expect_refused(self->m, -EINVAL);
}

TEST_F(veil, device_attribute_zero)
{
	REQUIRE_FIXTURE();
	put_u32(set_start(self), VEIL_DEVICE_A_UNSPEC, 1);
	expect_refused(self->m, -EINVAL);
}

TEST_F(veil, read_only_public_key)
{
	REQUIRE_FIXTURE();
	put_key(set_start(self), VEIL_DEVICE_A_PUBLIC_KEY, 0x44);
	expect_refused(self->m, -EINVAL);
}

TEST_F(veil, device_flags_unknown_bits)
{
	REQUIRE_FIXTURE();
	put_u32(set_start(self), VEIL_DEVICE_A_FLAGS,
		VEIL_DEVICE_F_REPLACE_PEERS | 0x80);
	expect_refused(self->m, -EINVAL);
}

TEST_F(veil, peers_without_nested_flag)
{
	struct nlattr *list;
	struct msg *m;

	REQUIRE_FIXTURE();
	m = set_start(self);
	list = nest_start(m, VEIL_DEVICE_A_PEERS);
	list->nla_type &= ~NLA_F_NESTED;
	put_peer(m, &(struct peer_spec){ .key = 0xc1, .keepalive = -1 });
	nest_end(m, list);
	expect_refused(m, -EINVAL);
}

/* ---- Naming the device ---- */

TEST_F(veil, both_ifindex_and_ifname)
{
	REQUIRE_FIXTURE();
	put_str(set_start(self), VEIL_DEVICE_A_IFNAME, IFNAME);
	put_u32(self->m, VEIL_DEVICE_A_FWMARK, 7);
	expect_refused(self->m, -EINVAL);
}

TEST_F(veil, neither_ifindex_nor_ifname)
{
	REQUIRE_FIXTURE();
	msg_genl(self->m, self->family, NLM_F_ACK, VEIL_CMD_SET_DEVICE,
		 VEIL_GENL_VERSION);
	put_u32(self->m, VEIL_DEVICE_A_FWMARK, 7);
	expect_refused(self->m, -EINVAL);
}

TEST_F(veil, nonexistent_ifname)
{
	REQUIRE_FIXTURE();
	msg_genl(self->m, self->family, NLM_F_ACK, VEIL_CMD_SET_DEVICE,
		 VEIL_GENL_VERSION);
	put_str(self->m, VEIL_DEVICE_A_IFNAME, "nosuchveil9");
	put_u32(self->m, VEIL_DEVICE_A_FWMARK, 7);
	expect_refused(self->m, -ENODEV);
}

TEST_F(veil, not_a_veil_device)
{
	REQUIRE_FIXTURE();
	msg_genl(self->m, self->family, NLM_F_ACK, VEIL_CMD_SET_DEVICE,
		 VEIL_GENL_VERSION);
	put_u32(self->m, VEIL_DEVICE_A_IFINDEX, if_nametoindex("lo"));
	put_u32(self->m, VEIL_DEVICE_A_FWMARK, 7);
	expect_refused(self->m, -EOPNOTSUPP);
}

/* ---- Peers ---- */

/* A SET with one peer element; @extra may add to it before it ends. */
static struct msg *set_one_peer(FIXTURE_DATA(veil) *self,
				const struct peer_spec *p,
				void (*extra)(struct msg *m))
{
	struct msg *m = set_start(self);
	struct nlattr *list, *peer;

	list = nest_start(m, VEIL_DEVICE_A_PEERS);
	peer = put_peer_start(m, p);
	if (extra)
		extra(m);
	nest_end(m, peer);
	nest_end(m, list);
	return m;
}

static const struct peer_spec new_peer = {
	.key = 0xc1, .keepalive = -1, .aips = { "10.9.0.0/16" },
};

static void add_unknown_attr(struct msg *m)
{
	put_u32(m, VEIL_PEER_A_MAX + 1, 1);
}

TEST_F(veil, unknown_peer_attribute)
{
	REQUIRE_FIXTURE();
	expect_refused(set_one_peer(self, &new_peer, add_unknown_attr),
		       -EINVAL);
}

TEST_F(veil, peer_without_public_key)
{
	struct nlattr *list, *peer;
	struct msg *m;

	REQUIRE_FIXTURE();
	m = set_start(self);
	list = nest_start(m, VEIL_DEVICE_A_PEERS);
	peer = nest_start(m, 0);
	put_u16(m, VEIL_PEER_A_PERSISTENT_KEEPALIVE_INTERVAL, 5);
	nest_end(m, peer);
	nest_end(m, list);
	expect_refused(m, -EINVAL);
}

TEST_F(veil, peer_flags_unknown_bits)
{
	struct peer_spec p = new_peer;

	REQUIRE_FIXTURE();
	p.flags = VEIL_PEER_F_REPLACE_ALLOWEDIPS | 0x100;
	expect_refused(set_one_peer(self, &p, NULL), -EINVAL);
}

static void add_read_only_rx_bytes(struct msg *m)
{
	uint64_t v = 1;

	put(m, VEIL_PEER_A_RX_BYTES, &v, sizeof(v));
}

TEST_F(veil, peer_read_only_rx_bytes)
{
	REQUIRE_FIXTURE();
	expect_refused(set_one_peer(self, &new_peer, add_read_only_rx_bytes),
		       -EINVAL);
}

/* One raw allowed-IP element, for the malformed ones. */
static void put_raw_allowedip(struct msg *m, uint16_t family,
			      const void *addr, size_t len, uint8_t cidr)
{
	struct nlattr *list, *elem;

	list = nest_start(m, VEIL_PEER_A_ALLOWEDIPS);
	elem = nest_start(m, 0);
	put_u16(m, VEIL_ALLOWEDIP_A_FAMILY, family);
	put(m, VEIL_ALLOWEDIP_A_IPADDR, addr, len);
	put_u8(m, VEIL_ALLOWEDIP_A_CIDR_MASK, cidr);
	nest_end(m, elem);
	nest_end(m, list);
}

static const uint8_t addr16[16] = { 0xfd, 0x09 };

static void add_inet_16_bytes(struct msg *m)
{
	put_raw_allowedip(m, AF_INET, addr16, 16, 24);
}

static void add_inet_cidr_33(struct msg *m)
{
	put_raw_allowedip(m, AF_INET, addr16, 4, 33);
}

static void add_inet6_cidr_129(struct msg *m)
{
	put_raw_allowedip(m, AF_INET6, addr16, 16, 129);
}

static void add_unix_family(struct msg *m)
{
	put_raw_allowedip(m, AF_UNIX, addr16, 4, 8);
}

static void add_inet6_4_bytes(struct msg *m)
{
	put_raw_allowedip(m, AF_INET6, addr16, 4, 8);
}

static void add_allowedip_without_mask(struct msg *m)
{
	struct nlattr *list, *elem;

	list = nest_start(m, VEIL_PEER_A_ALLOWEDIPS);
	elem = nest_start(m, 0);
	put_u16(m, VEIL_ALLOWEDIP_A_FAMILY, AF_INET);
	put(m, VEIL_ALLOWEDIP_A_IPADDR, addr16, 4);
	nest_end(m, elem);
	nest_end(m, list);
}

TEST_F(veil, allowedip_inet_with_16_bytes)
{
	REQUIRE_FIXTURE();
	expect_refused(set_one_peer(self, &new_peer, add_inet_16_bytes),
		       -EINVAL);
}

TEST_F(veil, allowedip_inet6_with_4_bytes)
{
	REQUIRE_FIXTURE();
	expect_refused(set_one_peer(self, &new_peer, add_inet6_4_bytes),
		       -EINVAL);
}

TEST_F(veil, allowedip_cidr_33_inet)
{
	REQUIRE_FIXTURE();
	expect_refused(set_one_peer(self, &new_peer, add_inet_cidr_33),
		       -EINVAL);
}

TEST_F(veil, allowedip_cidr_129_inet6)
{
	REQUIRE_FIXTURE();
	expect_refused(set_one_peer(self, &new_peer, add_inet6_cidr_129),
		       -ERANGE);
}

TEST_F(veil, allowedip_family_unix)
{
	REQUIRE_FIXTURE();
	expect_refused(set_one_peer(self, &new_peer, add_unix_family),
		       -EAFNOSUPPORT);
}

TEST_F(veil, allowedip_without_mask)
{
	REQUIRE_FIXTURE();
	expect_refused(set_one_peer(self, &new_peer,
				    add_allowedip_without_mask), -EINVAL);
}

static void add_endpoint_short(struct msg *m)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };

	put(m, VEIL_PEER_A_ENDPOINT, &sin, 8);
}

static void add_endpoint_unix(struct msg *m)
{
	struct sockaddr_in sin = { .sin_family = AF_UNIX };

	put(m, VEIL_PEER_A_ENDPOINT, &sin, sizeof(sin));
}

static void add_endpoint_inet_long(struct msg *m)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET };

	put(m, VEIL_PEER_A_ENDPOINT, &sin6, sizeof(sin6));
}

TEST_F(veil, endpoint_wrong_size)
{
	REQUIRE_FIXTURE();
	expect_refused(set_one_peer(self, &new_peer, add_endpoint_short),
		       -ERANGE);
}

TEST_F(veil, endpoint_wrong_family)
{
	REQUIRE_FIXTURE();
	expect_refused(set_one_peer(self, &new_peer, add_endpoint_unix),
		       -EINVAL);
}

TEST_F(veil, endpoint_family_size_mismatch)
{
	REQUIRE_FIXTURE();
	expect_refused(set_one_peer(self, &new_peer, add_endpoint_inet_long),
		       -EINVAL);
}

/*
 * Three valid peers (one taking a prefix from the existing peer) plus
 * device changes, then a bad fourth peer: nothing at all may be applied.
 */
static void three_good_then(FIXTURE_DATA(veil) *self, bool replace,
			    void (*bad_peer)(struct msg *m))
{
	static const struct peer_spec good[] = {
		{ .key = 0xd1, .psk = 0x01, .endpoint = "203.0.113.1:1000",
		  .keepalive = 10, .aips = { "10.0.0.0/24", "10.5.0.0/16" } },
		{ .key = 0xa1, .keepalive = 99,
		  .flags = VEIL_PEER_F_REPLACE_ALLOWEDIPS,
		  .aips = { "10.6.0.0/16" } },
		{ .key = 0xd3, .endpoint = "[2001:db8::3]:3000",
		  .keepalive = -1, .aips = { "fd00::/64", "fd03::/64" } },
	};
	struct msg *m = set_start(self);
	struct nlattr *list;
	unsigned int i;

	if (replace)
		put_u32(m, VEIL_DEVICE_A_FLAGS, VEIL_DEVICE_F_REPLACE_PEERS);
	put_key(m, VEIL_DEVICE_A_PRIVATE_KEY, 0x48);
	put_u32(m, VEIL_DEVICE_A_FWMARK, 0x777);
	put_u16(m, VEIL_DEVICE_A_LISTEN_PORT, 40000);
	list = nest_start(m, VEIL_DEVICE_A_PEERS);
	for (i = 0; i < ARRAY_SIZE(good); i++)
		put_peer(m, &good[i]);
	bad_peer(m);
	nest_end(m, list);
}

static void bad_peer_cidr(struct msg *m)
{
	struct nlattr *peer = put_peer_start(m, &new_peer);

	add_inet_cidr_33(m);
	nest_end(m, peer);
}

static void bad_peer_no_key(struct msg *m)
{
	struct nlattr *peer = nest_start(m, 0);

	put_u16(m, VEIL_PEER_A_PERSISTENT_KEEPALIVE_INTERVAL, 5);
	nest_end(m, peer);
}

TEST_F(veil, fourth_peer_bad_nothing_applied)
{
	REQUIRE_FIXTURE();
	three_good_then(self, false, bad_peer_cidr);
	expect_refused(self->m, -EINVAL);
}

TEST_F(veil, fourth_peer_bad_with_replace_peers)
{
	REQUIRE_FIXTURE();
	three_good_then(self, true, bad_peer_no_key);
	expect_refused(self->m, -EINVAL);
}

/* The same request without the bad peer is fine (so the above is fair). */
static void no_bad_peer(struct msg *m)
{
	(void)m;
}

TEST_F(veil, three_good_peers_applied)
{
	char *after;

	REQUIRE_FIXTURE();
	three_good_then(self, false, no_bad_peer);
	expect_applied(_metadata, self, self->m);
	after = dump_now(_metadata, self);
	EXPECT_STRNE(self->baseline, after);
	EXPECT_NE(NULL, strstr(after, "fwmark=0x777"));
	EXPECT_NE(NULL, strstr(after, " endpoint=192.0.2.1:51820 keepalive=99 handshake=0.000000000 rx=0 tx=0 version=1 allowedips=10.6.0.0/16\n")) {
		TH_LOG("dump:\n%s", after);
	}
	free(after);
}

/*
 * With the device up, a port change binds the new sockets while the request
 * is checked; a refusal must release them and keep the old port in use.
 */
TEST_F(veil, port_change_refused_while_up)
{
	/* No endpoint: nothing is sent, so the counters stay still. */
	static const struct peer_spec quiet = {
		.key = 0xc5, .keepalive = -1, .aips = { "10.7.0.0/16" },
	};
	struct nlattr *list;
	char *before, *after;
	struct reply r;
	struct msg *m;

	REQUIRE_FIXTURE();
	m = set_start(self);
	put_u32(m, VEIL_DEVICE_A_FLAGS, VEIL_DEVICE_F_REPLACE_PEERS);
	list = nest_start(m, VEIL_DEVICE_A_PEERS);
	put_peer(m, &quiet);
	nest_end(m, list);
	expect_applied(_metadata, self, m);
	ASSERT_EQ(0, set_link_up(self->rtnl, self->ifindex, &r));
	ASSERT_EQ(0, r.error) {
		TH_LOG("setting %s up: %s (%s)", IFNAME, strerror(-r.error),
		       r.msg);
	}
	EXPECT_EQ(-EADDRINUSE, udp4_bind(51820));
	ASSERT_EQ(0, udp4_bind(40001));
	before = dump_now(_metadata, self);

	m = set_start(self);
	put_u16(m, VEIL_DEVICE_A_LISTEN_PORT, 40001);
	list = nest_start(m, VEIL_DEVICE_A_PEERS);
	put_peer(m, &new_peer);
	bad_peer_cidr(m);
	nest_end(m, list);
	ASSERT_EQ(0, nl_talk(self->genl, m, NULL, NULL, &r));
	EXPECT_EQ(-EINVAL, r.error);
	after = dump_now(_metadata, self);
	EXPECT_STREQ(before, after);
	free(after);
	EXPECT_EQ(0, udp4_bind(40001)) {
		TH_LOG("the refused request left port 40001 bound");
	}
	EXPECT_EQ(-EADDRINUSE, udp4_bind(51820));

	/* The same port change alone moves the sockets. */
	m = set_start(self);
	put_u16(m, VEIL_DEVICE_A_LISTEN_PORT, 40001);
	expect_applied(_metadata, self, m);
	EXPECT_EQ(-EADDRINUSE, udp4_bind(40001));
	EXPECT_EQ(0, udp4_bind(51820));
	after = dump_now(_metadata, self);
	EXPECT_NE(NULL, strstr(after, " port=40001 "));
	free(after);

	/* Port 0 picks a free port, and the dump shows which. */
	m = set_start(self);
	put_u16(m, VEIL_DEVICE_A_LISTEN_PORT, 0);
	expect_applied(_metadata, self, m);
	EXPECT_EQ(0, udp4_bind(40001));
	after = dump_now(_metadata, self);
	{
		const char *at = strstr(after, " port=");
		unsigned int port = at ? strtoul(at + 6, NULL, 10) : 0;

		EXPECT_NE(0U, port) {
			TH_LOG("dump after port 0:\n%s", after);
		}
		if (port)
			EXPECT_EQ(-EADDRINUSE, udp4_bind(port));
	}
	free(after);
	free(before);
}

/* ---- Semantics of valid requests ---- */

/* Sends @m, which must succeed, and returns the dump afterwards. */
static char *apply_and_dump(struct __test_metadata *_metadata,
			    FIXTURE_DATA(veil) *self, struct msg *m)
{
	expect_applied(_metadata, self, m);
	return dump_now(_metadata, self);
}

/* A SET whose peer list holds @p only. */
static struct msg *set_peer(FIXTURE_DATA(veil) *self,
			    const struct peer_spec *p)
{
	return set_one_peer(self, p, NULL);
}

TEST_F(veil, update_only_does_not_create)
{
	struct peer_spec p = new_peer;
	char *after;

	REQUIRE_FIXTURE();
	p.flags = VEIL_PEER_F_UPDATE_ONLY;
	after = apply_and_dump(_metadata, self, set_peer(self, &p));
	EXPECT_STREQ(self->baseline, after);
	free(after);
}

TEST_F(veil, update_only_updates)
{
	struct peer_spec p = { .key = base_peer.key, .keepalive = 7,
			       .flags = VEIL_PEER_F_UPDATE_ONLY };
	char *after;

	REQUIRE_FIXTURE();
	after = apply_and_dump(_metadata, self, set_peer(self, &p));
	EXPECT_NE(NULL, strstr(after, " keepalive=7 ")) {
		TH_LOG("dump:\n%s", after);
	}
	free(after);
}

TEST_F(veil, remove_me_removes_the_peer)
{
	struct peer_spec p = { .key = base_peer.key, .keepalive = -1,
			       .flags = VEIL_PEER_F_REMOVE_ME };
	char *after;

	REQUIRE_FIXTURE();
	after = apply_and_dump(_metadata, self, set_peer(self, &p));
	EXPECT_EQ(NULL, strstr(after, "peer ")) {
		TH_LOG("dump:\n%s", after);
	}
	free(after);
}

/* A removal is checked whole too: a bad prefix refuses it. */
TEST_F(veil, remove_me_with_bad_prefix_refused)
{
	struct peer_spec p = { .key = base_peer.key, .keepalive = -1,
			       .flags = VEIL_PEER_F_REMOVE_ME };

	REQUIRE_FIXTURE();
	expect_refused(set_one_peer(self, &p, add_inet_cidr_33), -EINVAL);
}

TEST_F(veil, replace_allowedips)
{
	struct peer_spec p = { .key = base_peer.key, .keepalive = -1,
			       .flags = VEIL_PEER_F_REPLACE_ALLOWEDIPS,
			       .aips = { "10.8.0.0/16" } };
	char *after;

	REQUIRE_FIXTURE();
	after = apply_and_dump(_metadata, self, set_peer(self, &p));
	EXPECT_NE(NULL, strstr(after, " allowedips=10.8.0.0/16\n")) {
		TH_LOG("dump:\n%s", after);
	}
	free(after);
}

TEST_F(veil, prefix_moves_and_host_bits_are_dropped)
{
	struct peer_spec p = { .key = 0xc7, .keepalive = -1,
			       .aips = { "10.0.0.77/24", "fd00::1/64" } };
	char *after;

	REQUIRE_FIXTURE();
	after = apply_and_dump(_metadata, self, set_peer(self, &p));
	/* The existing peer loses both prefixes to the new one. */
	EXPECT_NE(NULL, strstr(after, " allowedips=\n")) {
		TH_LOG("dump:\n%s", after);
	}
	EXPECT_NE(NULL, strstr(after, " allowedips=10.0.0.0/24,fd00::/64\n")) {
		TH_LOG("dump:\n%s", after);
	}
	free(after);
}

TEST_F(veil, zero_private_key_clears_it)
{
	char *after;
	struct msg *m;

	REQUIRE_FIXTURE();
	m = set_start(self);
	put(m, VEIL_DEVICE_A_PRIVATE_KEY, key_of(0), VEIL_KEY_LEN);
	after = apply_and_dump(_metadata, self, m);
	EXPECT_EQ(NULL, strstr(after, "private=")) {
		TH_LOG("dump:\n%s", after);
	}
	EXPECT_EQ(NULL, strstr(after, " public=" ALICE_PUBLIC));
	free(after);
}

static void add_protocol_version_2(struct msg *m)
{
	put_u32(m, VEIL_PEER_A_PROTOCOL_VERSION, 2);
}

TEST_F(veil, protocol_version_2)
{
	REQUIRE_FIXTURE();
	expect_refused(set_one_peer(self, &new_peer, add_protocol_version_2),
		       -ERANGE);
}

/* ---- Commands and permissions ---- */

TEST_F(veil, get_without_dump_flag)
{
	REQUIRE_FIXTURE();
	msg_genl(self->m, self->family, NLM_F_ACK, VEIL_CMD_GET_DEVICE,
		 VEIL_GENL_VERSION);
	put_u32(self->m, VEIL_DEVICE_A_IFINDEX, self->ifindex);
	/* The genetlink core refuses it without an extack message. */
	__expect_refused(_metadata, self, self->m, -EOPNOTSUPP, false);
}

TEST_F(veil, unknown_command)
{
	REQUIRE_FIXTURE();
	msg_genl(self->m, self->family, NLM_F_ACK, VEIL_CMD_MAX + 1,
		 VEIL_GENL_VERSION);
	put_u32(self->m, VEIL_DEVICE_A_IFINDEX, self->ifindex);
	__expect_refused(_metadata, self, self->m, -EOPNOTSUPP, false);
}

/*
 * In a child that dropped every privilege (uid/gid 65534): SET must be
 * refused with EPERM, and a dump must work but hide the secret keys.
 * Returns the child's verdict as an exit code.
 */
static int unprivileged_child(FIXTURE_DATA(veil) *self)
{
	struct reply r;
	char *text = NULL;
	int fd;

	if (setgroups(0, NULL) || setgid(65534) || setuid(65534)) {
		perror("dropping privileges");
		return 10;
	}
	fd = nl_open(NETLINK_GENERIC);
	if (fd < 0)
		return 11;
	set_start(self);
	put_u32(self->m, VEIL_DEVICE_A_FWMARK, 0x99);
	if (nl_talk(fd, self->m, NULL, NULL, &r))
		return 12;
	if (r.error != -EPERM) {
		fprintf(stderr, "# unprivileged SET: %s (%s)\n",
			strerror(-r.error), r.msg);
		return 13;
	}
	if (dump_device(fd, self->family, self->ifindex, &text, &r)) {
		fprintf(stderr, "# unprivileged dump: %s (%s)\n",
			strerror(-r.error), r.msg);
		return 14;
	}
	if (strstr(text, "private=") || strstr(text, "psk=") ||
	    !strstr(text, "public=" ALICE_PUBLIC)) {
		fprintf(stderr, "# unprivileged dump shows:\n%s", text);
		return 15;
	}
	free(text);
	return 0;
}

TEST_F(veil, unprivileged_set_refused)
{
	char *after;
	int status;
	pid_t pid;

	REQUIRE_FIXTURE();
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(unprivileged_child(self));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	after = dump_now(_metadata, self);
	EXPECT_STREQ(self->baseline, after);
	free(after);
}

/* ---- Fuzzing ---- */

/* xorshift64*: the same sequence everywhere for a given seed. */
static uint64_t rnd_state;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return (rnd_state * 0x2545f4914f6cdd1dULL) >> 32;
}

static void put_random_bytes(struct msg *m, uint16_t type, size_t max)
{
	uint8_t data[64];
	size_t len = rnd() % (max + 1), i;

	for (i = 0; i < len; i++)
		data[i] = rnd();
	put(m, type, data, len);
}

/* An attribute type: mostly the ones in use, sometimes anything. */
static uint16_t random_type(int max)
{
	uint16_t type = rnd() % 8 ? rnd() % (max + 2) : rnd() & 0xffff;

	return rnd() % 16 ? type & ~NLA_F_NESTED : type;
}

static void put_random_allowedips(struct msg *m)
{
	static const uint16_t families[] = { AF_INET, AF_INET6, AF_UNIX, 0 };
	struct nlattr *list, *elem;
	uint8_t addr[16];
	int n = rnd() % 4, i, j;

	list = nest_start(m, VEIL_PEER_A_ALLOWEDIPS);
	for (i = 0; i < n; i++) {
		elem = nest_start(m, rnd() % 3);
		for (j = 0; j < 16; j++)
			addr[j] = rnd() % 4 ? rnd() : 0;
		if (rnd() % 8)
			put_u16(m, VEIL_ALLOWEDIP_A_FAMILY,
				families[rnd() % 8 ? rnd() % 2 : rnd() % 4]);
		if (rnd() % 8)
			put(m, VEIL_ALLOWEDIP_A_IPADDR, addr,
			    rnd() % 8 ? (rnd() % 2 ? 4 : 16) : rnd() % 20);
		if (rnd() % 8)
			put_u8(m, VEIL_ALLOWEDIP_A_CIDR_MASK, rnd() % 140);
		if (!(rnd() % 8))
			put_random_bytes(m, random_type(VEIL_ALLOWEDIP_A_MAX), 8);
		nest_end(m, elem);
	}
	nest_end(m, list);
}

/* A plausible or random value for peer attribute @type. */
static void put_random_peer_attr(struct msg *m, uint16_t type)
{
	static const char *const endpoints[] = {
		"192.0.2.9:9", "[2001:db8::9]:9", "0.0.0.0:0", "[::]:0",
	};

	if (rnd() % 4 == 0) {
		put_random_bytes(m, type, 40);
		return;
	}
	switch (type) {
	case VEIL_PEER_A_PUBLIC_KEY:
	case VEIL_PEER_A_PRESHARED_KEY:
		put_key(m, type, 0xe0 + rnd() % 6);
		break;
	case VEIL_PEER_A_FLAGS:
		put_u32(m, type, rnd() % 4 ? rnd() % 8 : rnd());
		break;
	case VEIL_PEER_A_ENDPOINT:
		put_endpoint(m, endpoints[rnd() % 4]);
		break;
	case VEIL_PEER_A_PERSISTENT_KEEPALIVE_INTERVAL:
		put_u16(m, type, rnd());
		break;
	case VEIL_PEER_A_ALLOWEDIPS:
		put_random_allowedips(m);
		break;
	case VEIL_PEER_A_PROTOCOL_VERSION:
		put_u32(m, type, rnd() % 3);
		break;
	default:
		put_random_bytes(m, type, 16);
	}
}

static void put_random_peers(struct msg *m)
{
	struct nlattr *list, *peer;
	int n = rnd() % 4, i, j, attrs;

	list = nest_start(m, VEIL_DEVICE_A_PEERS);
	for (i = 0; i < n; i++) {
		peer = nest_start(m, rnd() % 3);
		/* Usually a public key first, so parsing goes further. */
		if (rnd() % 4)
			put_key(m, VEIL_PEER_A_PUBLIC_KEY, 0xe0 + rnd() % 6);
		attrs = rnd() % 5;
		for (j = 0; j < attrs; j++)
			put_random_peer_attr(m, random_type(VEIL_PEER_A_MAX));
		nest_end(m, peer);
	}
	nest_end(m, list);
}

/* A SET_DEVICE request made of random, mostly almost valid, attributes. */
static void random_set(FIXTURE_DATA(veil) *self)
{
	struct msg *m = self->m;
	int n = rnd() % 6, i;
	uint16_t type;

	msg_genl(m, self->family, NLM_F_ACK, VEIL_CMD_SET_DEVICE,
		 rnd() % 16 ? VEIL_GENL_VERSION : rnd());
	if (rnd() % 16)
		put_u32(m, VEIL_DEVICE_A_IFINDEX,
			rnd() % 16 ? (uint32_t)self->ifindex : rnd() % 4);
	for (i = 0; i < n; i++) {
		type = random_type(VEIL_DEVICE_A_MAX);
		if (rnd() % 4 == 0) {
			put_random_bytes(m, type, 40);
			continue;
		}
		switch (type) {
		case VEIL_DEVICE_A_IFNAME:
			put_str(m, type, rnd() % 2 ? IFNAME : "lo");
			break;
		case VEIL_DEVICE_A_PRIVATE_KEY:
			put_key(m, type, rnd() % 4 ? 0x40 + rnd() % 4 : 0);
			break;
		case VEIL_DEVICE_A_FLAGS:
			put_u32(m, type, rnd() % 4 ? rnd() % 2 : rnd());
			break;
		case VEIL_DEVICE_A_LISTEN_PORT:
			put_u16(m, type, rnd());
			break;
		case VEIL_DEVICE_A_FWMARK:
			put_u32(m, type, rnd());
			break;
		case VEIL_DEVICE_A_PEERS:
			put_random_peers(m);
			break;
		default:
			put_random_bytes(m, type, 40);
		}
	}
	/* Now and then, a broken attribute length somewhere. */
	if (rnd() % 32 == 0 && m->nlh.nlmsg_len > NLMSG_HDRLEN + GENL_HDRLEN) {
		size_t at = NLMSG_HDRLEN + GENL_HDRLEN +
			    rnd() % (m->nlh.nlmsg_len - NLMSG_HDRLEN -
				     GENL_HDRLEN);

		m->buf[at] = rnd();
	}
}

TEST_F_TIMEOUT(veil, fuzz_random_attributes, 600)
{
	const char *env_seed = getenv("VEIL_FUZZ_SEED");
	const char *env_iter = getenv("VEIL_FUZZ_ITERATIONS");
	unsigned long long seed;
	int iterations, i, applied = 0, refused = 0, silent = 0;
	char *now = NULL, *after;
	struct reply r;

	REQUIRE_FIXTURE();
	seed = env_seed ? strtoull(env_seed, NULL, 0) :
			  (unsigned long long)time(NULL) ^ getpid();
	iterations = env_iter ? atoi(env_iter) : 2000;
	rnd_state = seed ? seed : 1;
	TH_LOG("seed %#llx (VEIL_FUZZ_SEED), %d iterations", seed, iterations);

	now = strdup(self->baseline);
	for (i = 0; i < iterations; i++) {
		random_set(self);
		ASSERT_EQ(0, nl_talk(self->genl, self->m, NULL, NULL, &r)) {
			TH_LOG("iteration %d: no answer", i);
		}
		after = dump_now(_metadata, self);
		if (r.error) {
			refused++;
			silent += !r.msg[0];
			ASSERT_STREQ(now, after) {
				TH_LOG("iteration %d (seed %#llx): refused with %s (%s) but changed the configuration",
				       i, seed, strerror(-r.error), r.msg);
			}
			free(after);
			continue;
		}
		applied++;
		free(now);
		now = after;
		/* Keep the configuration small: back to the baseline. */
		if (applied % 64 == 0) {
			struct nlattr *list;
			struct msg *m = set_start(self);

			put_u32(m, VEIL_DEVICE_A_FLAGS,
				VEIL_DEVICE_F_REPLACE_PEERS);
			list = nest_start(m, VEIL_DEVICE_A_PEERS);
			put_peer(m, &base_peer);
			nest_end(m, list);
			expect_applied(_metadata, self, m);
			free(now);
			now = dump_now(_metadata, self);
		}
	}
	TH_LOG("%d applied, %d refused (%d without an extack message)",
	       applied, refused, silent);
	free(now);
}

/*
 * Any command, any flags: a GET_DEVICE (dump or not) with random selectors
 * and extra attributes, a SET_DEVICE as above, an unknown command, a random
 * genl version, and now and then a message cut short (its nlmsg_len shrunk
 * below what its attributes claim). Every request is acknowledged (or its
 * dump ends) within the socket's receive timeout; a request that is not a
 * successful SET_DEVICE leaves the configuration exactly as it was.
 */
static void random_request(FIXTURE_DATA(veil) *self, int *cmd_out)
{
	static const char *const names[] = { IFNAME, "lo", "", "veil00000000000000" };
	struct msg *m = self->m;
	int cmd = rnd() % 8, n, i;
	uint16_t flags = NLM_F_ACK;

	if (cmd < 4) {
		cmd = VEIL_CMD_SET_DEVICE;
		random_set(self);
	} else {
		if (cmd < 7)
			cmd = VEIL_CMD_GET_DEVICE;
		else
			cmd = rnd() % 16 ? VEIL_CMD_UNSPEC : 3 + rnd() % 253;
		if (rnd() % 4)
			flags |= NLM_F_DUMP;
		msg_genl(m, self->family, flags, cmd,
			 rnd() % 8 ? VEIL_GENL_VERSION : rnd());
		n = rnd() % 4;
		for (i = 0; i < n; i++) {
			switch (rnd() % 4) {
			case 0:
				put_u32(m, VEIL_DEVICE_A_IFINDEX,
					rnd() % 2 ? (uint32_t)self->ifindex : rnd());
				break;
			case 1:
				put_str(m, VEIL_DEVICE_A_IFNAME, names[rnd() % 4]);
				break;
			case 2:	/* an ifname without its terminating NUL */
				put(m, VEIL_DEVICE_A_IFNAME, IFNAME, strlen(IFNAME));
				break;
			default:
				put_random_bytes(m, random_type(VEIL_DEVICE_A_MAX), 40);
			}
		}
	}
	if (rnd() % 16 == 0 && m->nlh.nlmsg_len > NLMSG_HDRLEN)
		m->nlh.nlmsg_len = NLMSG_HDRLEN +
				   rnd() % (m->nlh.nlmsg_len - NLMSG_HDRLEN);
	*cmd_out = cmd;
}

TEST_F_TIMEOUT(veil, fuzz_random_requests, 600)
{
	const char *env_seed = getenv("VEIL_FUZZ_SEED");
	const char *env_iter = getenv("VEIL_FUZZ_ITERATIONS");
	struct timeval tv = { .tv_sec = 10 };
	unsigned long long seed;
	int iterations, i, cmd, applied = 0, refused = 0, answered = 0;
	char *now = NULL, *after;
	struct reply r;

	REQUIRE_FIXTURE();
	/* A request the kernel never answers fails instead of hanging. */
	ASSERT_EQ(0, setsockopt(self->genl, SOL_SOCKET, SO_RCVTIMEO, &tv,
				sizeof(tv)));
	seed = env_seed ? strtoull(env_seed, NULL, 0) :
			  (unsigned long long)time(NULL) ^ getpid();
	iterations = env_iter ? atoi(env_iter) / 2 : 1000;
	rnd_state = (seed ? seed : 1) ^ 0x9e3779b97f4a7c15ULL;
	TH_LOG("seed %#llx (VEIL_FUZZ_SEED), %d iterations", seed, iterations);

	now = strdup(self->baseline);
	for (i = 0; i < iterations; i++) {
		random_request(self, &cmd);
		ASSERT_EQ(0, nl_talk(self->genl, self->m, NULL, NULL, &r)) {
			TH_LOG("iteration %d (seed %#llx, command %d): no answer",
			       i, seed, cmd);
		}
		answered++;
		after = dump_now(_metadata, self);
		if (cmd == VEIL_CMD_SET_DEVICE && !r.error) {
			applied++;
			free(now);
			now = after;
			continue;
		}
		refused += !!r.error;
		ASSERT_STREQ(now, after) {
			TH_LOG("iteration %d (seed %#llx): command %d answered %s (%s) but the configuration changed",
			       i, seed, cmd, strerror(-r.error), r.msg);
		}
		free(after);
	}
	TH_LOG("%d answered: %d sets applied, %d refused", answered, applied,
	       refused);
	free(now);
}

TEST_HARNESS_MAIN
