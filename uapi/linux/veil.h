/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * veil: an in-kernel tunnel that speaks the WireGuard wire protocol.
 *
 * Userspace API: the "veil" generic netlink family.
 *
 * Two commands operate on one veil device, named in the request by
 * VEIL_DEVICE_A_IFINDEX or VEIL_DEVICE_A_IFNAME (exactly one of them):
 *
 * VEIL_CMD_GET_DEVICE (dump only, NLM_F_DUMP)
 *	Returns the device configuration. A large configuration is split
 *	over several messages; every message repeats the device-level
 *	attributes, and carries the next part of the peer list. A peer whose
 *	allowed IPs do not fit is continued, with the same public key, in the
 *	next message. Userspace merges consecutive peers with an equal public
 *	key. VEIL_DEVICE_A_PRIVATE_KEY and VEIL_PEER_A_PRESHARED_KEY are only
 *	returned to callers with CAP_NET_ADMIN in the user namespace that owns
 *	the device's network namespace.
 *
 * VEIL_CMD_SET_DEVICE (requires CAP_NET_ADMIN in that user namespace)
 *	Changes the attributes that are present and leaves the others alone.
 *	A peer named by public key is created unless it exists (or the request
 *	says VEIL_PEER_F_UPDATE_ONLY); a prefix given to a peer is taken away
 *	from the peer that had it.
 *	The request is validated completely before anything is applied: a
 *	request that is refused, for any reason, leaves the device exactly as
 *	it was, and the refusal carries an extended ack message.
 *	A configuration too large for one message may be sent as several
 *	requests; only the first should carry VEIL_DEVICE_F_REPLACE_PEERS.
 *
 * Nested lists (VEIL_DEVICE_A_PEERS, VEIL_PEER_A_ALLOWEDIPS) hold one nested
 * attribute per element; the element's attribute type is ignored on input
 * and is the element's index (starting at 0) on output.
 */

#ifndef _UAPI_LINUX_VEIL_H
#define _UAPI_LINUX_VEIL_H

#define VEIL_GENL_NAME "veil"
#define VEIL_GENL_VERSION 1

#define VEIL_KEY_LEN 32

enum veil_cmd {
	VEIL_CMD_UNSPEC,
	VEIL_CMD_GET_DEVICE,
	VEIL_CMD_SET_DEVICE,
	__VEIL_CMD_MAX
};

#define VEIL_CMD_MAX (__VEIL_CMD_MAX - 1)

enum veil_device_flag {
	/* Remove every existing peer before applying this request's peers. */
	VEIL_DEVICE_F_REPLACE_PEERS = 1U << 0,
	__VEIL_DEVICE_F_ALL = VEIL_DEVICE_F_REPLACE_PEERS
};

enum veil_device_attr {
	VEIL_DEVICE_A_UNSPEC,
	VEIL_DEVICE_A_IFINDEX,		/* u32 */
	VEIL_DEVICE_A_IFNAME,		/* NUL-terminated string, < IFNAMSIZ */
	VEIL_DEVICE_A_PRIVATE_KEY,	/* binary, VEIL_KEY_LEN; all zero clears */
	VEIL_DEVICE_A_PUBLIC_KEY,	/* binary, VEIL_KEY_LEN; read-only */
	VEIL_DEVICE_A_FLAGS,		/* u32, enum veil_device_flag; write-only */
	VEIL_DEVICE_A_LISTEN_PORT,	/* u16, host order; 0 picks a port */
	VEIL_DEVICE_A_FWMARK,		/* u32; 0 clears */
	VEIL_DEVICE_A_PEERS,		/* nested list of nested veil_peer_attr */
	__VEIL_DEVICE_A_LAST
};

#define VEIL_DEVICE_A_MAX (__VEIL_DEVICE_A_LAST - 1)

enum veil_peer_flag {
	/* Remove this peer (only VEIL_PEER_A_PUBLIC_KEY is looked at). */
	VEIL_PEER_F_REMOVE_ME = 1U << 0,
	/* Replace the peer's allowed IPs instead of adding to them. */
	VEIL_PEER_F_REPLACE_ALLOWEDIPS = 1U << 1,
	/* Only update an existing peer; never create one. */
	VEIL_PEER_F_UPDATE_ONLY = 1U << 2,
	__VEIL_PEER_F_ALL = VEIL_PEER_F_REMOVE_ME |
			    VEIL_PEER_F_REPLACE_ALLOWEDIPS |
			    VEIL_PEER_F_UPDATE_ONLY
};

enum veil_peer_attr {
	VEIL_PEER_A_UNSPEC,
	VEIL_PEER_A_PUBLIC_KEY,		/* binary, VEIL_KEY_LEN; required */
	VEIL_PEER_A_PRESHARED_KEY,	/* binary, VEIL_KEY_LEN; all zero clears */
	VEIL_PEER_A_FLAGS,		/* u32, enum veil_peer_flag; write-only */
	VEIL_PEER_A_ENDPOINT,		/* struct sockaddr_in or sockaddr_in6 */
	VEIL_PEER_A_PERSISTENT_KEEPALIVE_INTERVAL, /* u16 seconds; 0 is off */
	VEIL_PEER_A_LAST_HANDSHAKE_TIME, /* struct __kernel_timespec; read-only */
	VEIL_PEER_A_RX_BYTES,		/* u64; read-only */
	VEIL_PEER_A_TX_BYTES,		/* u64; read-only */
	VEIL_PEER_A_ALLOWEDIPS,		/* nested list of nested veil_allowedip_attr */
	VEIL_PEER_A_PROTOCOL_VERSION,	/* u32; 1 is the only version */
	VEIL_PEER_A_PAD,		/* padding for 64-bit attributes */
	__VEIL_PEER_A_LAST
};

#define VEIL_PEER_A_MAX (__VEIL_PEER_A_LAST - 1)

enum veil_allowedip_attr {
	VEIL_ALLOWEDIP_A_UNSPEC,
	VEIL_ALLOWEDIP_A_FAMILY,	/* u16, AF_INET or AF_INET6 */
	VEIL_ALLOWEDIP_A_IPADDR,	/* binary, struct in_addr or in6_addr */
	VEIL_ALLOWEDIP_A_CIDR_MASK,	/* u8, at most 32 or 128 */
	__VEIL_ALLOWEDIP_A_LAST
};

#define VEIL_ALLOWEDIP_A_MAX (__VEIL_ALLOWEDIP_A_LAST - 1)

#endif /* _UAPI_LINUX_VEIL_H */
