// SPDX-License-Identifier: GPL-2.0
/*
 * All netlink code (libnl-3, libnl-genl-3).
 *
 * Requests are sent with libnl; replies are read with nl_recv() and walked
 * here, so that the extended ack TLVs of NLMSG_ERROR and NLMSG_DONE, and
 * NLM_F_DUMP_INTR, are handled exactly.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <linux/genetlink.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "encoding.h"
#include "ipc.h"
#include "../uapi/linux/veil.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/*
 * A test-only build (make tests/veil-wgcompat) talks to the in-tree
 * wireguard module instead, whose generic netlink API has the same
 * attributes and flags but other command numbers. It lets the tests compare
 * veil's output with wg(8)'s on the same live device. Never installed.
 */
#ifdef VEIL_WG_COMPAT_TEST
#define GENL_FAMILY "wireguard"
#define CMD_GET_DEVICE 0
#define CMD_SET_DEVICE 1
#define LINK_KIND "wireguard"
#else
#define GENL_FAMILY VEIL_GENL_NAME
#define CMD_GET_DEVICE VEIL_CMD_GET_DEVICE
#define CMD_SET_DEVICE VEIL_CMD_SET_DEVICE
#define LINK_KIND "veil"
#endif

/* Size of one SET_DEVICE request; larger configurations are split. */
#define SET_MSG_SIZE 16384
/* How often a dump is restarted when the kernel reports it was interrupted. */
#define DUMP_RETRIES 64

static void set_msg(char **msg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_msg(char **msg, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	if (!msg)
		return;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	free(*msg);
	*msg = s;
}

static int nlerr_to_errno(int nlerr)
{
	switch (nlerr < 0 ? -nlerr : nlerr) {
	case NLE_NOMEM: return ENOMEM;
	case NLE_AGAIN: return EAGAIN;
	case NLE_INTR: return EINTR;
	case NLE_PERM: return EPERM;
	case NLE_NOACCESS: return EACCES;
	case NLE_OBJ_NOTFOUND: return ENOENT;
	case NLE_NODEV: return ENODEV;
	case NLE_MSGSIZE: return EMSGSIZE;
	case NLE_ATTRSIZE: return EMSGSIZE;
	case NLE_PROTO_MISMATCH: return EPROTONOSUPPORT;
	case NLE_OPNOTSUPP: return EOPNOTSUPP;
	case NLE_INVAL: return EINVAL;
	default: return EIO;
	}
}

/* A libnl failure: errno plus libnl's description. */
static int nl_fail(int nlerr, char **msg, const char *what)
{
	set_msg(msg, "%s: %s", what, nl_geterror(nlerr));
	return -nlerr_to_errno(nlerr);
}

static struct nl_sock *open_socket(int protocol, char **msg, int *ret)
{
	struct nl_sock *sk = nl_socket_alloc();
	int one = 1, r;

	if (!sk) {
		*ret = -ENOMEM;
		return NULL;
	}
	r = nl_connect(sk, protocol);
	if (r < 0) {
		*ret = nl_fail(r, msg, "Unable to open a netlink socket");
		nl_socket_free(sk);
		return NULL;
	}
	/* ask for error strings, and do not have our requests echoed back */
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	nl_socket_enable_msg_peek(sk);
	nl_socket_disable_auto_ack(sk);
	*ret = 0;
	return sk;
}

static int open_genl(struct nl_sock **skp, int *family, char **msg)
{
	struct nl_sock *sk;
	int ret;

	sk = open_socket(NETLINK_GENERIC, msg, &ret);
	if (!sk)
		return ret;
	*family = genl_ctrl_resolve(sk, GENL_FAMILY);
	if (*family < 0) {
		nl_socket_free(sk);
		set_msg(msg, "the '" GENL_FAMILY "' generic netlink family is not registered (is the veil module loaded?)");
		return -EPROTONOSUPPORT;
	}
	*skp = sk;
	return 0;
}

/*
 * Takes NLMSGERR_ATTR_MSG from the TLVs at @tlv (@len bytes), if any, as
 * "<message> (<strerror>)", or just the strerror text when they are the same.
 */
static void take_extack(const void *tlv, int len, int err, char **msg)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	const char *s;
	size_t n;

	if (len <= 0 || nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)tlv, len, NULL) < 0)
		return;
	if (!tb[NLMSGERR_ATTR_MSG])
		return;
	s = nla_data(tb[NLMSGERR_ATTR_MSG]);
	n = strnlen(s, (size_t)nla_len(tb[NLMSGERR_ATTR_MSG]));
	if (!n)
		return;
	if (strlen(strerror(-err)) == n && !strncasecmp(s, strerror(-err), n))
		set_msg(msg, "%s", strerror(-err));
	else
		set_msg(msg, "%.*s (%s)", (int)n, s, strerror(-err));
}

typedef int (*reply_fn)(struct nlmsghdr *h, void *arg);

/*
 * Reads replies to request @seq until its NLMSG_ERROR (ack) or NLMSG_DONE.
 * Data messages go to @fn. Returns 0, the kernel's negative errno, or the
 * first error @fn returned (the rest of the reply is still consumed).
 */
static int read_replies(struct nl_sock *sk, uint32_t seq, reply_fn fn, void *arg,
			bool *interrupted, char **msg)
{
	int fn_err = 0;

	for (;;) {
		struct sockaddr_nl peer;
		unsigned char *buf = NULL;
		struct nlmsghdr *h;
		int n = nl_recv(sk, &peer, &buf, NULL);

		if (n <= 0) {
			free(buf);
			if (!n) {
				set_msg(msg, "the kernel closed the netlink socket");
				return -EIO;
			}
			return nl_fail(n, msg, "Unable to read from netlink");
		}
		for (h = (struct nlmsghdr *)buf; nlmsg_ok(h, n); h = nlmsg_next(h, &n)) {
			if (h->nlmsg_seq != seq)
				continue;
			if ((h->nlmsg_flags & NLM_F_DUMP_INTR) && interrupted)
				*interrupted = true;
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = nlmsg_data(h);
				int ret, off;

				if (h->nlmsg_len < (uint32_t)nlmsg_size(sizeof(*e))) {
					free(buf);
					set_msg(msg, "truncated netlink error message");
					return -EBADMSG;
				}
				ret = e->error;
				if (ret > 0)
					ret = -ret;
				if (ret && (h->nlmsg_flags & NLM_F_ACK_TLVS)) {
					off = sizeof(*e);
					if (!(h->nlmsg_flags & NLM_F_CAPPED))
						off += (int)e->msg.nlmsg_len - NLMSG_HDRLEN;
					off = NLMSG_ALIGN(off);
					if (off > 0 && off < (int)nlmsg_datalen(h))
						take_extack((char *)e + off, nlmsg_datalen(h) - off, ret, msg);
				}
				free(buf);
				return fn_err ? fn_err : ret;
			}
			if (h->nlmsg_type == NLMSG_DONE) {
				int ret = 0;

				if (nlmsg_datalen(h) >= (int)sizeof(int))
					memcpy(&ret, nlmsg_data(h), sizeof(int));
				if (ret > 0)
					ret = -ret;
				if (ret && (h->nlmsg_flags & NLM_F_ACK_TLVS) &&
				    nlmsg_datalen(h) > (int)NLMSG_ALIGN(sizeof(int)))
					take_extack((char *)nlmsg_data(h) + NLMSG_ALIGN(sizeof(int)),
						    nlmsg_datalen(h) - (int)NLMSG_ALIGN(sizeof(int)), ret, msg);
				free(buf);
				return fn_err ? fn_err : ret;
			}
			if (h->nlmsg_type < NLMSG_MIN_TYPE)
				continue;
			if (fn && !fn_err)
				fn_err = fn(h, arg);
		}
		free(buf);
	}
}

static int send_msg(struct nl_sock *sk, struct nl_msg *m, uint32_t *seq, char **msg)
{
	int r = nl_send_auto(sk, m);

	if (r < 0)
		return nl_fail(r, msg, "Unable to send a netlink request");
	*seq = nlmsg_hdr(m)->nlmsg_seq;
	return 0;
}

/* ---- GET_DEVICE ---- */

struct get_ctx {
	struct veil_device *dev;
};

static bool attr_len_is(const struct nlattr *a, int len)
{
	return a && nla_len(a) == len;
}

static int parse_allowedip(struct nlattr *attr, struct veil_peer *peer)
{
	struct nlattr *tb[VEIL_ALLOWEDIP_A_MAX + 1];
	struct veil_allowedip aip = { 0 };

	if (nla_parse_nested(tb, VEIL_ALLOWEDIP_A_MAX, attr, NULL) < 0)
		return -EBADMSG;
	if (!attr_len_is(tb[VEIL_ALLOWEDIP_A_FAMILY], 2) ||
	    !attr_len_is(tb[VEIL_ALLOWEDIP_A_CIDR_MASK], 1) || !tb[VEIL_ALLOWEDIP_A_IPADDR])
		return 0;	/* not something we can show: skip it */
	aip.family = nla_get_u16(tb[VEIL_ALLOWEDIP_A_FAMILY]);
	aip.cidr = nla_get_u8(tb[VEIL_ALLOWEDIP_A_CIDR_MASK]);
	if (aip.family == AF_INET && nla_len(tb[VEIL_ALLOWEDIP_A_IPADDR]) == sizeof(aip.ip4) &&
	    aip.cidr <= 32)
		memcpy(&aip.ip4, nla_data(tb[VEIL_ALLOWEDIP_A_IPADDR]), sizeof(aip.ip4));
	else if (aip.family == AF_INET6 && nla_len(tb[VEIL_ALLOWEDIP_A_IPADDR]) == sizeof(aip.ip6) &&
		 aip.cidr <= 128)
		memcpy(&aip.ip6, nla_data(tb[VEIL_ALLOWEDIP_A_IPADDR]), sizeof(aip.ip6));
	else
		return 0;
	return peer_add_allowedip(peer, &aip) ? 0 : -ENOMEM;
}

static int parse_peer(struct nlattr *attr, struct veil_device *dev)
{
	struct nlattr *tb[VEIL_PEER_A_MAX + 1];
	struct veil_peer *peer;
	struct nlattr *a;
	int rem, ret;

	if (nla_parse_nested(tb, VEIL_PEER_A_MAX, attr, NULL) < 0)
		return -EBADMSG;
	if (!attr_len_is(tb[VEIL_PEER_A_PUBLIC_KEY], VEIL_KEY_LEN))
		return -EBADMSG;

	/* a peer continued from the previous message (or entry) */
	peer = dev->last_peer;
	if (peer && !memcmp(peer->public_key, nla_data(tb[VEIL_PEER_A_PUBLIC_KEY]), VEIL_KEY_LEN))
		goto allowedips;

	peer = device_add_peer(dev);
	if (!peer)
		return -ENOMEM;
	memcpy(peer->public_key, nla_data(tb[VEIL_PEER_A_PUBLIC_KEY]), VEIL_KEY_LEN);
	peer->flags |= PEER_HAS_PUBLIC_KEY;
	if (attr_len_is(tb[VEIL_PEER_A_PRESHARED_KEY], VEIL_KEY_LEN)) {
		memcpy(peer->preshared_key, nla_data(tb[VEIL_PEER_A_PRESHARED_KEY]), VEIL_KEY_LEN);
		if (!key_is_zero(peer->preshared_key))
			peer->flags |= PEER_HAS_PRESHARED_KEY;
	}
	a = tb[VEIL_PEER_A_ENDPOINT];
	if (a && nla_len(a) == sizeof(struct sockaddr_in) &&
	    ((struct sockaddr *)nla_data(a))->sa_family == AF_INET)
		memcpy(&peer->endpoint.addr4, nla_data(a), sizeof(struct sockaddr_in));
	else if (a && nla_len(a) == sizeof(struct sockaddr_in6) &&
		 ((struct sockaddr *)nla_data(a))->sa_family == AF_INET6)
		memcpy(&peer->endpoint.addr6, nla_data(a), sizeof(struct sockaddr_in6));
	if (attr_len_is(tb[VEIL_PEER_A_PERSISTENT_KEEPALIVE_INTERVAL], 2)) {
		peer->persistent_keepalive = nla_get_u16(tb[VEIL_PEER_A_PERSISTENT_KEEPALIVE_INTERVAL]);
		peer->flags |= PEER_HAS_KEEPALIVE;
	}
	a = tb[VEIL_PEER_A_LAST_HANDSHAKE_TIME];
	if (a && nla_len(a) == 16) {
		int64_t ts[2];

		memcpy(ts, nla_data(a), sizeof(ts));
		peer->last_handshake_sec = ts[0];
		peer->last_handshake_nsec = ts[1];
	}
	if (attr_len_is(tb[VEIL_PEER_A_RX_BYTES], 8))
		peer->rx_bytes = nla_get_u64(tb[VEIL_PEER_A_RX_BYTES]);
	if (attr_len_is(tb[VEIL_PEER_A_TX_BYTES], 8))
		peer->tx_bytes = nla_get_u64(tb[VEIL_PEER_A_TX_BYTES]);

allowedips:
	if (tb[VEIL_PEER_A_ALLOWEDIPS]) {
		nla_for_each_nested(a, tb[VEIL_PEER_A_ALLOWEDIPS], rem) {
			ret = parse_allowedip(a, peer);
			if (ret)
				return ret;
		}
	}
	return 0;
}

static int parse_device_msg(struct nlmsghdr *h, void *arg)
{
	struct get_ctx *ctx = arg;
	struct veil_device *dev = ctx->dev;
	struct nlattr *tb[VEIL_DEVICE_A_MAX + 1];
	struct nlattr *a;
	int rem, ret;

	if (genlmsg_parse(h, 0, tb, VEIL_DEVICE_A_MAX, NULL) < 0)
		return -EBADMSG;
	if (attr_len_is(tb[VEIL_DEVICE_A_IFINDEX], 4))
		dev->ifindex = nla_get_u32(tb[VEIL_DEVICE_A_IFINDEX]);
	a = tb[VEIL_DEVICE_A_IFNAME];
	if (a && nla_len(a) > 0) {
		size_t n = strnlen(nla_data(a), (size_t)nla_len(a));

		if (n && n < sizeof(dev->name)) {
			memcpy(dev->name, nla_data(a), n);
			dev->name[n] = '\0';
		}
	}
	if (attr_len_is(tb[VEIL_DEVICE_A_PRIVATE_KEY], VEIL_KEY_LEN)) {
		memcpy(dev->private_key, nla_data(tb[VEIL_DEVICE_A_PRIVATE_KEY]), VEIL_KEY_LEN);
		if (!key_is_zero(dev->private_key))
			dev->flags |= DEV_HAS_PRIVATE_KEY;
	}
	if (attr_len_is(tb[VEIL_DEVICE_A_PUBLIC_KEY], VEIL_KEY_LEN)) {
		memcpy(dev->public_key, nla_data(tb[VEIL_DEVICE_A_PUBLIC_KEY]), VEIL_KEY_LEN);
		if (!key_is_zero(dev->public_key))
			dev->flags |= DEV_HAS_PUBLIC_KEY;
	}
	if (attr_len_is(tb[VEIL_DEVICE_A_LISTEN_PORT], 2)) {
		dev->listen_port = nla_get_u16(tb[VEIL_DEVICE_A_LISTEN_PORT]);
		dev->flags |= DEV_HAS_LISTEN_PORT;
	}
	if (attr_len_is(tb[VEIL_DEVICE_A_FWMARK], 4)) {
		dev->fwmark = nla_get_u32(tb[VEIL_DEVICE_A_FWMARK]);
		dev->flags |= DEV_HAS_FWMARK;
	}
	if (tb[VEIL_DEVICE_A_PEERS]) {
		nla_for_each_nested(a, tb[VEIL_DEVICE_A_PEERS], rem) {
			ret = parse_peer(a, dev);
			if (ret)
				return ret;
		}
	}
	return 0;
}

static int check_ifname(const char *ifname, char **msg)
{
	if (!*ifname || strlen(ifname) >= IFNAMSIZ) {
		set_msg(msg, "%s", strerror(ENODEV));
		return -ENODEV;
	}
	return 0;
}

int ipc_get_device(struct veil_device **devp, const char *ifname, char **msg)
{
	struct nl_sock *sk = NULL;
	int family = -1, ret, attempt;

	*devp = NULL;
	ret = check_ifname(ifname, msg);
	if (ret)
		return ret;
	ret = open_genl(&sk, &family, msg);
	if (ret)
		return ret;

	for (attempt = 0;; ++attempt) {
		struct get_ctx ctx = { 0 };
		struct nl_msg *m = nlmsg_alloc();
		bool interrupted = false;
		uint32_t seq = 0;

		ctx.dev = device_new();
		if (!m || !ctx.dev) {
			nlmsg_free(m);
			device_free(ctx.dev);
			ret = -ENOMEM;
			break;
		}
		if (!genlmsg_put(m, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, NLM_F_REQUEST | NLM_F_DUMP,
				 CMD_GET_DEVICE, VEIL_GENL_VERSION) ||
		    nla_put_string(m, VEIL_DEVICE_A_IFNAME, ifname) < 0) {
			nlmsg_free(m);
			device_free(ctx.dev);
			ret = -ENOMEM;
			break;
		}
		ret = send_msg(sk, m, &seq, msg);
		nlmsg_free(m);
		if (!ret)
			ret = read_replies(sk, seq, parse_device_msg, &ctx, &interrupted, msg);
		if (!ret && interrupted) {
			device_free(ctx.dev);
			if (attempt + 1 < DUMP_RETRIES)
				continue;
			set_msg(msg, "the configuration kept changing while it was being read");
			ret = -EAGAIN;
			break;
		}
		if (ret) {
			device_free(ctx.dev);
			break;
		}
		if (!ctx.dev->name[0])
			snprintf(ctx.dev->name, sizeof(ctx.dev->name), "%s", ifname);
		*devp = ctx.dev;
		break;
	}
	nl_socket_free(sk);
	return ret;
}

/* ---- SET_DEVICE ---- */

enum put_result { PUT_NOTHING, PUT_PARTIAL, PUT_COMPLETE };

static int put_allowedip(struct nl_msg *m, const struct veil_allowedip *aip, int index)
{
	struct nlattr *nest = nla_nest_start(m, index | NLA_F_NESTED);

	if (!nest)
		return -1;
	if (nla_put_u16(m, VEIL_ALLOWEDIP_A_FAMILY, aip->family) < 0 ||
	    (aip->family == AF_INET ?
	     nla_put(m, VEIL_ALLOWEDIP_A_IPADDR, sizeof(aip->ip4), &aip->ip4) :
	     nla_put(m, VEIL_ALLOWEDIP_A_IPADDR, sizeof(aip->ip6), &aip->ip6)) < 0 ||
	    nla_put_u8(m, VEIL_ALLOWEDIP_A_CIDR_MASK, aip->cidr) < 0) {
		nla_nest_cancel(m, nest);
		return -1;
	}
	nla_nest_end(m, nest);
	return 0;
}

/*
 * Adds @peer, from its allowed IP number *aip_idx on, to the peer list being
 * built. @continued: the peer was started in an earlier request, so only its
 * public key and the remaining allowed IPs are sent (no flags, in particular
 * no second REPLACE_ALLOWEDIPS).
 */
static enum put_result put_peer(struct nl_msg *m, const struct veil_peer *peer, int index,
				size_t *aip_idx, bool continued)
{
	struct nlattr *nest = nla_nest_start(m, index | NLA_F_NESTED), *list;
	size_t first = *aip_idx;
	uint32_t flags = 0;
	int n = 0;

	if (!nest)
		return PUT_NOTHING;
	if (nla_put(m, VEIL_PEER_A_PUBLIC_KEY, VEIL_KEY_LEN, peer->public_key) < 0)
		goto nothing;
	if (!continued) {
		if (peer->flags & PEER_REMOVE_ME)
			flags |= VEIL_PEER_F_REMOVE_ME;
		if (peer->flags & PEER_REPLACE_ALLOWEDIPS)
			flags |= VEIL_PEER_F_REPLACE_ALLOWEDIPS;
		if (peer->flags & PEER_UPDATE_ONLY)
			flags |= VEIL_PEER_F_UPDATE_ONLY;
		if (flags && nla_put_u32(m, VEIL_PEER_A_FLAGS, flags) < 0)
			goto nothing;
		if (peer->flags & PEER_REMOVE_ME)
			goto complete;
		if ((peer->flags & PEER_HAS_PRESHARED_KEY) &&
		    nla_put(m, VEIL_PEER_A_PRESHARED_KEY, VEIL_KEY_LEN, peer->preshared_key) < 0)
			goto nothing;
		if (peer->endpoint.addr.sa_family == AF_INET &&
		    nla_put(m, VEIL_PEER_A_ENDPOINT, sizeof(peer->endpoint.addr4), &peer->endpoint.addr4) < 0)
			goto nothing;
		if (peer->endpoint.addr.sa_family == AF_INET6 &&
		    nla_put(m, VEIL_PEER_A_ENDPOINT, sizeof(peer->endpoint.addr6), &peer->endpoint.addr6) < 0)
			goto nothing;
		if ((peer->flags & PEER_HAS_KEEPALIVE) &&
		    nla_put_u16(m, VEIL_PEER_A_PERSISTENT_KEEPALIVE_INTERVAL, peer->persistent_keepalive) < 0)
			goto nothing;
	}
	if (*aip_idx < peer->num_allowedips) {
		list = nla_nest_start(m, VEIL_PEER_A_ALLOWEDIPS | NLA_F_NESTED);
		if (!list)
			goto nothing;
		for (; *aip_idx < peer->num_allowedips; ++*aip_idx, ++n) {
			if (put_allowedip(m, &peer->allowedips[*aip_idx], n) < 0)
				break;
		}
		if (!n) {
			nla_nest_cancel(m, list);
			goto nothing;
		}
		nla_nest_end(m, list);
		if (*aip_idx < peer->num_allowedips) {
			nla_nest_end(m, nest);
			return PUT_PARTIAL;
		}
	}
complete:
	nla_nest_end(m, nest);
	return PUT_COMPLETE;

nothing:
	*aip_idx = first;
	nla_nest_cancel(m, nest);
	return PUT_NOTHING;
}

int ipc_set_device(const struct veil_device *dev, char **msg)
{
	const struct veil_peer *peer = dev->first_peer;
	struct nl_sock *sk = NULL;
	size_t aip_idx = 0;
	bool continued = false, first = true;
	int family = -1, ret;

	ret = check_ifname(dev->name, msg);
	if (ret)
		return ret;
	ret = open_genl(&sk, &family, msg);
	if (ret)
		return ret;

	do {
		struct nl_msg *m = nlmsg_alloc_size(SET_MSG_SIZE);
		struct nlattr *peers;
		uint32_t seq = 0;
		int count = 0;

		ret = -ENOMEM;
		if (!m)
			break;
		if (!genlmsg_put(m, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, NLM_F_REQUEST | NLM_F_ACK,
				 CMD_SET_DEVICE, VEIL_GENL_VERSION) ||
		    nla_put_string(m, VEIL_DEVICE_A_IFNAME, dev->name) < 0)
			goto free_msg;
		if (first) {
			if ((dev->flags & DEV_REPLACE_PEERS) &&
			    nla_put_u32(m, VEIL_DEVICE_A_FLAGS, VEIL_DEVICE_F_REPLACE_PEERS) < 0)
				goto free_msg;
			if ((dev->flags & DEV_HAS_PRIVATE_KEY) &&
			    nla_put(m, VEIL_DEVICE_A_PRIVATE_KEY, VEIL_KEY_LEN, dev->private_key) < 0)
				goto free_msg;
			if ((dev->flags & DEV_HAS_LISTEN_PORT) &&
			    nla_put_u16(m, VEIL_DEVICE_A_LISTEN_PORT, dev->listen_port) < 0)
				goto free_msg;
			if ((dev->flags & DEV_HAS_FWMARK) &&
			    nla_put_u32(m, VEIL_DEVICE_A_FWMARK, dev->fwmark) < 0)
				goto free_msg;
		}
		if (peer) {
			peers = nla_nest_start(m, VEIL_DEVICE_A_PEERS | NLA_F_NESTED);
			if (!peers)
				goto free_msg;
			while (peer) {
				enum put_result r = put_peer(m, peer, count, &aip_idx, continued);

				if (r == PUT_NOTHING)
					break;
				++count;
				if (r == PUT_PARTIAL) {
					continued = true;
					break;
				}
				peer = peer->next;
				aip_idx = 0;
				continued = false;
			}
			if (!count) {
				set_msg(msg, "a peer does not fit in a netlink message");
				ret = -EMSGSIZE;
				goto free_msg;
			}
			nla_nest_end(m, peers);
		}
		ret = send_msg(sk, m, &seq, msg);
		if (!ret)
			ret = read_replies(sk, seq, NULL, NULL, NULL, msg);
free_msg:
		explicit_bzero(nlmsg_data(nlmsg_hdr(m)), (size_t)nlmsg_datalen(nlmsg_hdr(m)));
		nlmsg_free(m);
		first = false;
	} while (!ret && peer);

	nl_socket_free(sk);
	return ret;
}

/* ---- listing veil links ---- */

struct list_ctx {
	char **names;
	size_t count;
};

static int parse_link_msg(struct nlmsghdr *h, void *arg)
{
	struct list_ctx *ctx = arg;
	struct nlattr *tb[IFLA_MAX + 1], *info[IFLA_INFO_MAX + 1];
	const char *name;
	size_t n;
	char **names;

	if (h->nlmsg_type != RTM_NEWLINK)
		return 0;
	if (nlmsg_parse(h, sizeof(struct ifinfomsg), tb, IFLA_MAX, NULL) < 0)
		return 0;
	if (!tb[IFLA_IFNAME] || !tb[IFLA_LINKINFO])
		return 0;
	if (nla_parse_nested(info, IFLA_INFO_MAX, tb[IFLA_LINKINFO], NULL) < 0 || !info[IFLA_INFO_KIND])
		return 0;
	if (nla_strcmp(info[IFLA_INFO_KIND], LINK_KIND))
		return 0;
	name = nla_data(tb[IFLA_IFNAME]);
	n = strnlen(name, (size_t)nla_len(tb[IFLA_IFNAME]));
	if (!n || n >= IFNAMSIZ)
		return 0;
	names = realloc(ctx->names, (ctx->count + 2) * sizeof(*names));
	if (!names)
		return -ENOMEM;
	ctx->names = names;
	names[ctx->count] = strndup(name, n);
	if (!names[ctx->count])
		return -ENOMEM;
	names[++ctx->count] = NULL;
	return 0;
}

void ipc_free_names(char **names)
{
	size_t i;

	if (!names)
		return;
	for (i = 0; names[i]; ++i)
		free(names[i]);
	free(names);
}

int ipc_list_devices(char ***namesp, char **msg)
{
	struct nl_sock *sk;
	int ret, attempt;

	*namesp = NULL;
	sk = open_socket(NETLINK_ROUTE, msg, &ret);
	if (!sk)
		return ret;
	for (attempt = 0;; ++attempt) {
		struct list_ctx ctx = { 0 };
		struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
		struct nl_msg *m = nlmsg_alloc_simple(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP);
		bool interrupted = false;
		uint32_t seq = 0;

		if (!m || nlmsg_append(m, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0) {
			nlmsg_free(m);
			ret = -ENOMEM;
			break;
		}
		ret = send_msg(sk, m, &seq, msg);
		nlmsg_free(m);
		if (!ret)
			ret = read_replies(sk, seq, parse_link_msg, &ctx, &interrupted, msg);
		if (!ret && interrupted && attempt + 1 < DUMP_RETRIES) {
			ipc_free_names(ctx.names);
			continue;
		}
		if (ret) {
			ipc_free_names(ctx.names);
			break;
		}
		if (!ctx.names) {
			ctx.names = calloc(1, sizeof(*ctx.names));
			if (!ctx.names) {
				ret = -ENOMEM;
				break;
			}
		}
		*namesp = ctx.names;
		break;
	}
	nl_socket_free(sk);
	return ret;
}
