/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-peer protocol timers (protocol.md 8.3) and the rekey decisions of
 * protocol.md 8.2.
 */
#ifndef _VEIL_TIMERS_H
#define _VEIL_TIMERS_H

#include <linux/types.h>

struct veil_peer;
struct veil_keypair;

/*
 * Session lifetimes in seconds. REKEY_AFTER_TIME comes from the module
 * parameter rekey_after_time (default 120, for tests only), and
 * REJECT_AFTER_TIME is 60 s more; REKEY_AFTER_MESSAGES from
 * rekey_after_messages.
 */
u64 veil_rekey_after_time(void);
u64 veil_reject_after_time(void);
u64 veil_rekey_after_messages(void);

/*
 * Pure decisions, no side effects (tested by the self-tests):
 * should a sender start a handshake for its current keypair, given its age
 * in seconds, the next send counter and who initiated it?
 */
bool veil_should_rekey_on_send(u64 age_s, u64 counter, bool is_initiator);
/* ...and a receiver, once per session? */
bool veil_should_rekey_on_receive(u64 age_s, bool is_initiator);
/*
 * Crossed initiations (receive.c, veil_initiations_crossed()): after our
 * initiation is answered rtt_ns after we sent it, how long a crossed one
 * of the peer's may still arrive...
 */
u64 veil_crossed_window_ns(u64 rtt_ns);
/*
 * ...and is the peer's initiation one to ignore: ours is still pending or
 * was answered less than that window ago (@now before @crossed_until),
 * ours wins the tie (our public key is the larger) and the peer's came
 * from the endpoint ours went to?
 */
bool veil_initiation_is_crossed(bool ours_pending, u64 now, u64 crossed_until,
				bool ours_larger, bool same_endpoint);

void veil_timers_init(struct veil_peer *peer);
/* Stops every timer and waits for running handlers. Process context. */
void veil_timers_stop(struct veil_peer *peer);

/* Events (protocol.md 8.3). Any context; they never sleep. */
void veil_timers_data_sent(struct veil_peer *peer);
void veil_timers_data_received(struct veil_peer *peer);
void veil_timers_any_authenticated_packet_sent(struct veil_peer *peer);
void veil_timers_any_authenticated_packet_received(struct veil_peer *peer);
void veil_timers_handshake_initiated(struct veil_peer *peer);
void veil_timers_handshake_complete(struct veil_peer *peer);
void veil_timers_session_derived(struct veil_peer *peer);
void veil_timers_any_authenticated_packet_traversal(struct veil_peer *peer);

bool veil_timers_selftest(void);

#endif /* _VEIL_TIMERS_H */
