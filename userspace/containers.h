/* SPDX-License-Identifier: GPL-2.0 */
/*
 * In-memory form of a veil device configuration, shared by the config-file
 * parser, the `set` argument parser, the netlink code and the printers.
 */
#ifndef VEIL_CONTAINERS_H
#define VEIL_CONTAINERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

#define VEIL_KEY_LEN 32

struct veil_allowedip {
	uint16_t family;		/* AF_INET or AF_INET6 */
	uint8_t cidr;
	union {
		struct in_addr ip4;
		struct in6_addr ip6;
	};
};

/* veil_peer.flags: which fields are meaningful / what to do with the peer */
enum {
	PEER_HAS_PUBLIC_KEY = 1U << 0,
	PEER_HAS_PRESHARED_KEY = 1U << 1,
	PEER_HAS_KEEPALIVE = 1U << 2,
	PEER_REMOVE_ME = 1U << 3,
	PEER_REPLACE_ALLOWEDIPS = 1U << 4,
	PEER_UPDATE_ONLY = 1U << 5,
};

union veil_endpoint {
	struct sockaddr addr;		/* sa_family AF_UNSPEC: none */
	struct sockaddr_in addr4;
	struct sockaddr_in6 addr6;
};

struct veil_peer {
	uint32_t flags;
	uint8_t public_key[VEIL_KEY_LEN];
	uint8_t preshared_key[VEIL_KEY_LEN];
	union veil_endpoint endpoint;
	int64_t last_handshake_sec;
	int64_t last_handshake_nsec;
	uint64_t rx_bytes;
	uint64_t tx_bytes;
	uint16_t persistent_keepalive;

	struct veil_allowedip *allowedips;
	size_t num_allowedips;
	size_t cap_allowedips;

	unsigned int line;		/* config file: line of [Peer]; 0 otherwise */
	struct veil_peer *next;
};

/* veil_device.flags */
enum {
	DEV_HAS_PRIVATE_KEY = 1U << 0,
	DEV_HAS_PUBLIC_KEY = 1U << 1,
	DEV_HAS_LISTEN_PORT = 1U << 2,
	DEV_HAS_FWMARK = 1U << 3,
	DEV_REPLACE_PEERS = 1U << 4,
};

struct veil_device {
	char name[IFNAMSIZ];
	uint32_t ifindex;
	uint32_t flags;
	uint8_t private_key[VEIL_KEY_LEN];
	uint8_t public_key[VEIL_KEY_LEN];
	uint16_t listen_port;
	uint32_t fwmark;

	struct veil_peer *first_peer;
	struct veil_peer *last_peer;
};

#define for_each_peer(dev, p) for ((p) = (dev)->first_peer; (p); (p) = (p)->next)

struct veil_device *device_new(void);
/* Appends a zeroed peer; NULL on allocation failure. */
struct veil_peer *device_add_peer(struct veil_device *dev);
/* Appends an allowed IP (copied); false on allocation failure. */
bool peer_add_allowedip(struct veil_peer *peer, const struct veil_allowedip *aip);
void peer_clear_allowedips(struct veil_peer *peer);
/* Frees the device, its peers and their allowed IPs; wipes keys first. */
void device_free(struct veil_device *dev);
/* Names @dev; a name too long for an interface is left empty, which the
 * kernel reports as no such device. */
void device_set_name(struct veil_device *dev, const char *ifname);

#endif
