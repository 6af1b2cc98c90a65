/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-device protocol counters: why packets were dropped, and how many
 * handshake messages went each way. Read with `ethtool -S DEV`.
 *
 * The counters are per CPU and only ever incremented; a reader sums them.
 */
#ifndef _VEIL_STATS_H
#define _VEIL_STATS_H

#include <linux/percpu.h>

/* The counters, in the order `ethtool -S` shows them (names: device.c). */
enum veil_stat {
	VEIL_STAT_RX_DROP_MALFORMED,
	VEIL_STAT_RX_DROP_BAD_MAC1,
	VEIL_STAT_RX_DROP_HANDSHAKE_QUEUE_FULL,
	VEIL_STAT_RX_DROP_HANDSHAKE_STALE,
	VEIL_STAT_RX_DROP_RATELIMITED,
	VEIL_STAT_RX_DROP_HANDSHAKE_INVALID,
	VEIL_STAT_RX_DROP_COOKIE_INVALID,
	VEIL_STAT_RX_DROP_UNKNOWN_INDEX,
	VEIL_STAT_RX_DROP_KEY_EXPIRED,
	VEIL_STAT_RX_DROP_BAD_TAG,
	VEIL_STAT_RX_DROP_REPLAY,
	VEIL_STAT_RX_DROP_BAD_INNER,
	VEIL_STAT_RX_DROP_ALLOWEDIPS,
	VEIL_STAT_RX_DROP_NO_MEMORY,
	VEIL_STAT_RX_DROP_BACKLOG,
	VEIL_STAT_TX_DROP_NO_PEER,
	VEIL_STAT_TX_DROP_NO_ENDPOINT,
	VEIL_STAT_TX_DROP_STAGED_OVERFLOW,
	VEIL_STAT_TX_DROP_NO_ROUTE,
	VEIL_STAT_TX_DROP_OTHER,
	VEIL_STAT_HANDSHAKE_INITIATIONS_SENT,
	VEIL_STAT_HANDSHAKE_INITIATIONS_RECEIVED,
	VEIL_STAT_HANDSHAKE_RESPONSES_SENT,
	VEIL_STAT_HANDSHAKE_RESPONSES_RECEIVED,
	VEIL_STAT_COOKIE_REPLIES_SENT,
	VEIL_STAT_COOKIE_REPLIES_RECEIVED,
	VEIL_STAT_KEEPALIVES_SENT,
	VEIL_STAT_KEEPALIVES_RECEIVED,
	VEIL_STAT_UNDER_LOAD,
	VEIL_STAT_HANDSHAKE_COLLISIONS,	/* crossed initiations, ours kept */
	/*
	 * The fast data path at work (docs/design.md, "Data path"): which
	 * mechanism each packet went through. Tests read these to prove that
	 * a path is really taken.
	 */
	VEIL_STAT_TX_GSO_SPLIT,		/* GSO packets segmented by a job */
	VEIL_STAT_TX_GSO_BATCHES,	/* UDP GSO datagrams sent */
	VEIL_STAT_TX_GSO_SEGMENTS,	/* data messages carried in them */
	VEIL_STAT_TX_SINGLE,		/* data messages sent one per skb */
	VEIL_STAT_TX_TAIL_INPLACE,	/* padding and tag in the tailroom */
	VEIL_STAT_TX_TAIL_FRAG,		/* ... in an appended page fragment */
	VEIL_STAT_TX_OUT_OF_PLACE,	/* paged data encrypted into a new page */
	VEIL_STAT_TX_COW,		/* skb_cow_data() copies */
	VEIL_STAT_TX_DEFERRED,		/* submitting left to the peer's tx_work */
	VEIL_STAT_TX_GATHERED,		/* few staged, left for a job in flight */
	VEIL_STAT_RX_GRO_MERGED,	/* merged by the socket's gro_receive */
	VEIL_STAT_RX_GSO_BATCHES,	/* aggregated datagrams received */
	VEIL_STAT_RX_GSO_SEGMENTS,	/* data messages in them */
	VEIL_STAT_RX_INPLACE,		/* decrypted where they arrived */
	VEIL_STAT_RX_COW,		/* skb_cow_data() copies */
	/* Filled in from the device's job queues when read. */
	VEIL_STAT_TX_JOBS_PARALLEL,
	VEIL_STAT_TX_JOBS_INLINE,
	VEIL_STAT_RX_JOBS_PARALLEL,
	VEIL_STAT_RX_JOBS_INLINE,
	VEIL_STAT_TX_JOBS_SYNC,		/* padata jobs run in the submitter */
	VEIL_STAT_RX_JOBS_SYNC,
	/* Module-wide (fragcache.h): the pages sealed data was written to. */
	VEIL_STAT_TX_PAGES_FRESH,	/* taken from the page allocator */
	VEIL_STAT_TX_PAGES_RECYCLED,	/* carved again once free */
	VEIL_STAT_COUNT
};

struct veil_stats {
	unsigned long count[VEIL_STAT_COUNT];
};

#define veil_stat_inc(vdev, id) this_cpu_inc((vdev)->stats->count[VEIL_STAT_##id])
#define veil_stat_add(vdev, id, n) \
	this_cpu_add((vdev)->stats->count[VEIL_STAT_##id], n)

#endif /* _VEIL_STATS_H */
