/* SPDX-License-Identifier: GPL-2.0 */
/* Fuzzing stand-in for <net/dst_cache.h>: see fuzz/shim/kshim.h. */
#include "../../kshim.h"
