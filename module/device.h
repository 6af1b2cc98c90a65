/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The veil network device: a point-to-point L3 interface whose traffic will
 * be carried over UDP.
 */
#ifndef _VEIL_DEVICE_H
#define _VEIL_DEVICE_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/rwsem.h>
#include <linux/siphash.h>
#include <linux/types.h>
#include <net/net_namespace.h>
#include <net/sock.h>

#include <linux/veil.h>

#include "allowedips.h"
#include "cookie.h"
#include "keypair.h"
#include "noise.h"
#include "parallel.h"
#include "ratelimiter.h"
#include "receive.h"
#include "stats.h"

struct veil_peer_table;

#define VEIL_VERSION "0.1.0"

/*
 * 1420 = 1500 - 80: a 32 byte message header and tag, 8 bytes of UDP and 40
 * bytes of IPv6 on the outside.
 */
#define VEIL_OVERHEAD		80
#define VEIL_DEFAULT_MTU	(ETH_DATA_LEN - VEIL_OVERHEAD)
#define VEIL_MAX_MTU		(IP_MAX_MTU - VEIL_OVERHEAD)

/*
 * struct veil_device - private part of a veil net_device.
 *
 * Locking:
 * - RTNL protects @device_list and serialises ndo_open/ndo_stop.
 * - @update_lock serialises configuration (generic netlink SET and dump
 *   steps, ndo_open, ndo_stop, teardown). It protects the peer list, the
 *   peer hashtable, the allowed-IPs writer side, the keys, @listen_port,
 *   @fwmark, @generation and the socket pointers on the writer side.
 *   Lock order: RTNL, then @update_lock.
 * - @identity_lock (a rw_semaphore) additionally guards the device keys, so
 *   that the handshake code can read them without @update_lock.
 * - The data path reads @sock4/@sock6, @aip and the peers under
 *   rcu_read_lock_bh().
 */
struct veil_device {
	struct net_device *dev;

	/* On the global list of veil devices (RTNL). */
	struct list_head device_list;

	/*
	 * Namespace the device was created in; its sockets live there. No
	 * reference is held: the pernet pre_exit hook deletes the device
	 * before that namespace goes away, so the pointer stays valid for as
	 * long as the device is registered.
	 */
	struct net *birth_net;

	struct mutex update_lock;	/* see "Locking" above */
	struct rw_semaphore identity_lock;

	/* The device's static key pair (@identity_lock). */
	struct veil_noise_static_identity identity;
	struct veil_cookie_checker cookie_checker;
	struct veil_ratelimiter ratelimiter;
	struct veil_index_table index_table;

	struct veil_allowedips aip;

	struct list_head peer_list;
	struct veil_peer_table __rcu *peer_table;
	siphash_key_t hash_key;
	unsigned int num_peers;

	struct sock __rcu *sock4;
	struct sock __rcu *sock6;
	/* Configured port; while the device is up, the bound port. */
	u16 listen_port;
	u32 fwmark;

	/* Bumped on every change, never 0; lets a dump detect changes. */
	unsigned int generation;

	/*
	 * Received handshake messages wait here for veil_handshake_wq
	 * (receive.c). @last_under_load is in jiffies: when the device was
	 * last seen under load, by the worker or where a stale handshake
	 * message is dropped; written and read locklessly (WRITE_ONCE,
	 * READ_ONCE), any writer stores the current time.
	 */
	struct sk_buff_head handshake_queue;
	struct work_struct handshake_work;
	unsigned long last_under_load;

	/*
	 * Encryption and decryption jobs (parallel.h): ordered per queue,
	 * drained when the device goes down and freed with it.
	 */
	struct veil_pqueue tx_queue;
	struct veil_pqueue rx_queue;

	/*
	 * Per CPU: what the UDP hook received, batched by NAPI, and what the
	 * receive jobs decrypted, fed to GRO (receive.c).
	 */
	struct veil_rx_cell __percpu *rx_cells;
	bool rx_cells_listed;	/* their NAPI contexts are on the device */
	struct veil_stats __percpu *stats;
};

/* Unbound, for the handshake workers of every device. */
extern struct workqueue_struct *veil_handshake_wq;

bool veil_is_veil_dev(const struct net_device *dev);
void veil_device_changed(struct veil_device *vdev);

int veil_device_init(void);
void veil_device_uninit(void);

#endif /* _VEIL_DEVICE_H */
