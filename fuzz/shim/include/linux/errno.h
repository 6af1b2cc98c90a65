/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fuzzing stand-in for <linux/errno.h>: the real error numbers (glibc's
 * <errno.h> includes this path too), then fuzz/shim/kshim.h.
 */
#include_next <linux/errno.h>
#include "../../kshim.h"
