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
#include "device.h"
#include "netlink.h"

static bool selftest;
module_param(selftest, bool, 0444);
MODULE_PARM_DESC(selftest, "Run the built-in self-tests at load and refuse to load if one fails");

static int __init veil_selftests(void)
{
	if (!veil_aip_selftest()) {
		pr_err("allowed-IPs self-test failed\n");
		return -ENOTRECOVERABLE;
	}
	pr_info("self-tests passed\n");
	return 0;
}

static int __init veil_init(void)
{
	int ret;

	if (selftest) {
		ret = veil_selftests();
		if (ret < 0)
			return ret;
	}

	ret = veil_device_init();
	if (ret < 0)
		return ret;

	ret = veil_genl_init();
	if (ret < 0)
		goto err_device;

	return 0;

err_device:
	veil_device_uninit();
	return ret;
}

static void __exit veil_exit(void)
{
	/* No new requests, then no devices, then wait for RCU callbacks. */
	veil_genl_uninit();
	veil_device_uninit();
	rcu_barrier();
}

module_init(veil_init);
module_exit(veil_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Virtual L3 tunnel speaking the WireGuard protocol");
MODULE_AUTHOR("The veil authors");
MODULE_ALIAS_RTNL_LINK(KBUILD_MODNAME);
MODULE_ALIAS_GENL_FAMILY(VEIL_GENL_NAME);
