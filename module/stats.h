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

/* Name and order of the counters, as `ethtool -S` shows them. */
#define VEIL_STATS(X)							\
	X(RX_DROP_MALFORMED, "rx_drop_malformed")			\
	X(RX_DROP_BAD_MAC1, "rx_drop_bad_mac1")				\
	X(RX_DROP_HANDSHAKE_QUEUE_FULL, "rx_drop_handshake_queue_full")	\
	X(RX_DROP_RATELIMITED, "rx_drop_ratelimited")			\
	X(RX_DROP_HANDSHAKE_INVALID, "rx_drop_handshake_invalid")	\
	X(RX_DROP_COOKIE_INVALID, "rx_drop_cookie_invalid")		\
	X(RX_DROP_UNKNOWN_INDEX, "rx_drop_unknown_index")		\
	X(RX_DROP_KEY_EXPIRED, "rx_drop_key_expired")			\
	X(RX_DROP_BAD_TAG, "rx_drop_bad_tag")				\
	X(RX_DROP_REPLAY, "rx_drop_replay")				\
	X(RX_DROP_BAD_INNER, "rx_drop_bad_inner")			\
	X(RX_DROP_ALLOWEDIPS, "rx_drop_allowedips")			\
	X(RX_DROP_NO_MEMORY, "rx_drop_no_memory")			\
	X(TX_DROP_NO_PEER, "tx_drop_no_peer")				\
	X(TX_DROP_NO_ENDPOINT, "tx_drop_no_endpoint")			\
	X(TX_DROP_STAGED_OVERFLOW, "tx_drop_staged_overflow")		\
	X(TX_DROP_NO_ROUTE, "tx_drop_no_route")				\
	X(TX_DROP_OTHER, "tx_drop_other")				\
	X(HANDSHAKE_INITIATIONS_SENT, "handshake_initiations_sent")	\
	X(HANDSHAKE_INITIATIONS_RECEIVED, "handshake_initiations_received") \
	X(HANDSHAKE_RESPONSES_SENT, "handshake_responses_sent")		\
	X(HANDSHAKE_RESPONSES_RECEIVED, "handshake_responses_received")	\
	X(COOKIE_REPLIES_SENT, "cookie_replies_sent")			\
	X(COOKIE_REPLIES_RECEIVED, "cookie_replies_received")		\
	X(KEEPALIVES_SENT, "keepalives_sent")				\
	X(KEEPALIVES_RECEIVED, "keepalives_received")			\
	X(UNDER_LOAD, "under_load")

#define VEIL_STAT_ENUM(id, name) VEIL_STAT_##id,
enum veil_stat {
	VEIL_STATS(VEIL_STAT_ENUM)
	VEIL_STAT_COUNT
};
#undef VEIL_STAT_ENUM

struct veil_stats {
	unsigned long count[VEIL_STAT_COUNT];
};

#define veil_stat_inc(vdev, id) this_cpu_inc((vdev)->stats->count[VEIL_STAT_##id])

#endif /* _VEIL_STATS_H */
