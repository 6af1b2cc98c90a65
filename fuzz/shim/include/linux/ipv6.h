/* SPDX-License-Identifier: GPL-2.0 */
/* Fuzzing stand-in for <linux/ipv6.h>: see fuzz/shim/kshim.h. */
#include "../../kshim.h"
