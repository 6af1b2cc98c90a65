// SPDX-License-Identifier: GPL-2.0
/*
 * veil: a virtual L3 tunnel device that speaks the WireGuard wire protocol.
 *
 * Module entry points: the link type, the namespace hooks and the generic
 * netlink family, plus optional self-tests at load time.
 */

#include <linux/init.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <net/genetlink.h>
#include <net/rtnetlink.h>

#include <linux/veil.h>

#include "allowedips.h"
#include "cookie.h"
#include "crypt.h"
#include "device.h"
#include "fragcache.h"
#include "netlink.h"
#include "noise.h"
#include "packet.h"
#include "parallel.h"
#include "ratelimiter.h"
#include "replay.h"
#include "timers.h"
#include "selftest/crypto.h"

struct workqueue_struct *veil_handshake_wq;

static bool selftest;
module_param(selftest, bool, 0444);
MODULE_PARM_DESC(selftest, "Run the built-in self-tests at load and refuse to load if one fails");

struct veil_selftest {
	const char *name;
	bool (*run)(void);
};

static const struct veil_selftest veil_selftest_table[] __initconst = {
	{ "crypto primitives", veil_crypto_selftest },
	{ "piecewise AEAD", veil_crypt_selftest },
	{ "allowed-IPs", veil_aip_selftest },
	{ "noise", veil_noise_selftest },
	{ "cookie", veil_cookie_selftest },
	{ "rate limiter", veil_ratelimiter_selftest },
	{ "replay window", veil_replay_selftest },
	{ "packet", veil_packet_selftest },
	{ "skb sealing", veil_skbseal_selftest },
	{ "page fragments", veil_fragcache_selftest },
	{ "timers", veil_timers_selftest },
};

static int __init veil_selftests(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(veil_selftest_table); i++) {
		if (!veil_selftest_table[i].run()) {
			pr_err("%s self-test failed\n",
			       veil_selftest_table[i].name);
			return -ENOTRECOVERABLE;
		}
	}
	pr_info("self-tests passed\n");
	return 0;
}

static int __init veil_init(void)
{
	int ret;

	ret = veil_crypt_init();
	if (ret < 0) {
		pr_err("unknown chacha implementation; use auto, lib or portable\n");
		return ret;
	}
	pr_info("ChaCha20: %s\n", veil_crypt_chacha_impl());
	veil_noise_init();
	if (selftest) {
		ret = veil_selftests();
		if (ret < 0)
			goto err_frag;
	}

	veil_handshake_wq = alloc_workqueue("veil-handshake",
					    WQ_UNBOUND | WQ_MEM_RECLAIM, 0);
	if (!veil_handshake_wq) {
		ret = -ENOMEM;
		goto err_frag;
	}

	ret = veil_parallel_init();
	if (ret < 0)
		goto err_wq;

	ret = veil_device_init();
	if (ret < 0)
		goto err_parallel;

	ret = veil_genl_init();
	if (ret < 0)
		goto err_device;

	return 0;

err_device:
	veil_device_uninit();
err_parallel:
	veil_parallel_exit();
err_wq:
	destroy_workqueue(veil_handshake_wq);
err_frag:
	/* The self-tests seal packets too. */
	veil_frag_exit();
	return ret;
}

static void __exit veil_exit(void)
{
	/* No new requests, then no devices, then wait for RCU callbacks. */
	veil_genl_uninit();
	veil_device_uninit();
	veil_parallel_exit();
	rcu_barrier();
	destroy_workqueue(veil_handshake_wq);
	veil_frag_exit();
}

module_init(veil_init);
module_exit(veil_exit);
MODULE_LICENSE("GPL");
MODULE_VERSION(VEIL_VERSION);
MODULE_DESCRIPTION("Virtual L3 tunnel speaking the WireGuard protocol");
MODULE_AUTHOR("The veil authors");
MODULE_ALIAS_RTNL_LINK(KBUILD_MODNAME);
MODULE_ALIAS_GENL_FAMILY(VEIL_GENL_NAME);
