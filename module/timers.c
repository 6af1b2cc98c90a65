// SPDX-License-Identifier: GPL-2.0
/*
 * Per-peer timers (protocol.md 8.3) and rekey decisions (protocol.md 8.2).
 *
 * A timer is only armed while the device is up and the peer is not dead,
 * checked under rcu_read_lock_bh(): peer removal sets @dead, waits for a
 * grace period and then stops the timers, so none can be re-armed behind
 * its back. Handlers that need process context (building an initiation,
 * wiping keys) queue the peer's work items.
 */

#include <linux/jiffies.h>
#include <linux/moduleparam.h>
#include <linux/random.h>
#include <linux/ktime.h>
#include <linux/timekeeping.h>

#include "device.h"
#include "peer.h"
#include "send.h"
#include "timers.h"

static unsigned int rekey_after_time = VEIL_REKEY_AFTER_TIME;
module_param(rekey_after_time, uint, 0644);
MODULE_PARM_DESC(rekey_after_time,
		 "seconds before a session is renewed (testing only; default 120, REJECT_AFTER_TIME is 60 s more)");

static unsigned long long rekey_after_messages = VEIL_REKEY_AFTER_MESSAGES;
module_param(rekey_after_messages, ullong, 0644);
MODULE_PARM_DESC(rekey_after_messages,
		 "messages before a session is renewed (testing only; default 2^60)");

u64 veil_rekey_after_time(void)
{
	return max(READ_ONCE(rekey_after_time), 1U);
}

u64 veil_reject_after_time(void)
{
	return veil_rekey_after_time() +
	       (VEIL_REJECT_AFTER_TIME - VEIL_REKEY_AFTER_TIME);
}

u64 veil_rekey_after_messages(void)
{
	return min_t(u64, READ_ONCE(rekey_after_messages),
		     VEIL_REKEY_AFTER_MESSAGES);
}

bool veil_should_rekey_on_send(u64 age_s, u64 counter, bool is_initiator)
{
	if (counter > veil_rekey_after_messages())
		return true;
	/* Only the initiator renews on age: both ends at once would race. */
	return is_initiator && age_s >= veil_rekey_after_time();
}

bool veil_should_rekey_on_receive(u64 age_s, bool is_initiator)
{
	/* An initiator that only receives still renews before expiry. */
	return is_initiator &&
	       age_s >= veil_reject_after_time() - VEIL_KEEPALIVE_TIMEOUT -
			VEIL_REKEY_TIMEOUT;
}

u64 veil_crossed_window_ns(u64 rtt_ns)
{
	return clamp_t(u64, 3 * rtt_ns, 20 * NSEC_PER_MSEC, NSEC_PER_SEC);
}

bool veil_initiation_is_crossed(bool ours_pending, u64 now, u64 crossed_until,
				bool ours_larger, bool same_endpoint)
{
	return (ours_pending || now < crossed_until) && ours_larger &&
	       same_endpoint;
}

static unsigned long veil_jitter(void)
{
	return get_random_u32_below(HZ / 3);
}

static void veil_mod_timer(struct veil_peer *peer, struct timer_list *timer,
			   unsigned long expires)
{
	rcu_read_lock_bh();
	if (likely(netif_running(peer->vdev->dev) && !READ_ONCE(peer->dead)))
		mod_timer(timer, expires);
	rcu_read_unlock_bh();
}

static void veil_timer_retransmit(struct timer_list *t)
{
	struct veil_peer *peer = from_timer(peer, t, timer_retransmit);

	if (peer->handshake_attempts > VEIL_MAX_TIMER_HANDSHAKES) {
		/* Give up: stop trying, drop what waited, wipe keys later. */
		del_timer(&peer->timer_send_keepalive);
		veil_send_purge_staged(peer);
		if (!timer_pending(&peer->timer_zero_keys))
			veil_mod_timer(peer, &peer->timer_zero_keys,
				       jiffies + 3 * veil_reject_after_time() * HZ);
		return;
	}
	peer->handshake_attempts++;
	/* The source address may be why nothing came back. */
	veil_peer_clear_src(peer);
	veil_send_handshake_initiation(peer, true);
}

static void veil_timer_send_keepalive(struct timer_list *t)
{
	struct veil_peer *peer = from_timer(peer, t, timer_send_keepalive);

	veil_send_keepalive(peer);
	if (peer->need_another_keepalive) {
		peer->need_another_keepalive = false;
		veil_mod_timer(peer, &peer->timer_send_keepalive,
			       jiffies + VEIL_KEEPALIVE_TIMEOUT * HZ);
	}
}

static void veil_timer_new_handshake(struct timer_list *t)
{
	struct veil_peer *peer = from_timer(peer, t, timer_new_handshake);

	/* We sent data and heard nothing back: the peer may have moved. */
	veil_peer_clear_src(peer);
	veil_send_handshake_initiation(peer, false);
}

static void veil_timer_zero_keys(struct timer_list *t)
{
	struct veil_peer *peer = from_timer(peer, t, timer_zero_keys);

	rcu_read_lock_bh();
	if (!READ_ONCE(peer->dead)) {
		veil_peer_get(peer);
		if (!queue_work(system_wq, &peer->clear_work))
			veil_peer_put(peer);
	}
	rcu_read_unlock_bh();
}

static void veil_timer_persistent_keepalive(struct timer_list *t)
{
	struct veil_peer *peer = from_timer(peer, t, timer_persistent_keepalive);

	if (READ_ONCE(peer->keepalive_interval))
		veil_send_keepalive(peer);
}

void veil_timers_init(struct veil_peer *peer)
{
	timer_setup(&peer->timer_retransmit, veil_timer_retransmit, 0);
	timer_setup(&peer->timer_send_keepalive, veil_timer_send_keepalive, 0);
	timer_setup(&peer->timer_new_handshake, veil_timer_new_handshake, 0);
	timer_setup(&peer->timer_zero_keys, veil_timer_zero_keys, 0);
	timer_setup(&peer->timer_persistent_keepalive,
		    veil_timer_persistent_keepalive, 0);
	peer->handshake_attempts = 0;
	peer->need_another_keepalive = false;
	peer->sent_lastminute_handshake = false;
}

void veil_timers_stop(struct veil_peer *peer)
{
	del_timer_sync(&peer->timer_retransmit);
	del_timer_sync(&peer->timer_send_keepalive);
	del_timer_sync(&peer->timer_new_handshake);
	del_timer_sync(&peer->timer_zero_keys);
	del_timer_sync(&peer->timer_persistent_keepalive);
}

void veil_timers_data_sent(struct veil_peer *peer)
{
	if (!timer_pending(&peer->timer_new_handshake))
		veil_mod_timer(peer, &peer->timer_new_handshake,
			       jiffies + (VEIL_KEEPALIVE_TIMEOUT +
					  VEIL_REKEY_TIMEOUT) * HZ +
			       veil_jitter());
}

void veil_timers_data_received(struct veil_peer *peer)
{
	if (likely(netif_running(peer->vdev->dev))) {
		if (!timer_pending(&peer->timer_send_keepalive))
			veil_mod_timer(peer, &peer->timer_send_keepalive,
				       jiffies + VEIL_KEEPALIVE_TIMEOUT * HZ);
		else
			peer->need_another_keepalive = true;
	}
}

void veil_timers_any_authenticated_packet_sent(struct veil_peer *peer)
{
	del_timer(&peer->timer_send_keepalive);
}

void veil_timers_any_authenticated_packet_received(struct veil_peer *peer)
{
	del_timer(&peer->timer_new_handshake);
}

void veil_timers_handshake_initiated(struct veil_peer *peer)
{
	veil_mod_timer(peer, &peer->timer_retransmit,
		       jiffies + VEIL_REKEY_TIMEOUT * HZ + veil_jitter());
}

void veil_timers_handshake_complete(struct veil_peer *peer)
{
	del_timer(&peer->timer_retransmit);
	peer->handshake_attempts = 0;
	peer->sent_lastminute_handshake = false;
	write_lock_bh(&peer->lock);
	ktime_get_real_ts64(&peer->last_handshake);
	write_unlock_bh(&peer->lock);
}

void veil_timers_session_derived(struct veil_peer *peer)
{
	veil_mod_timer(peer, &peer->timer_zero_keys,
		       jiffies + 3 * veil_reject_after_time() * HZ);
}

void veil_timers_any_authenticated_packet_traversal(struct veil_peer *peer)
{
	u16 interval = READ_ONCE(peer->keepalive_interval);

	if (interval)
		veil_mod_timer(peer, &peer->timer_persistent_keepalive,
			       jiffies + interval * HZ);
}
