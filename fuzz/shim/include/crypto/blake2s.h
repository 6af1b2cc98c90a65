/* SPDX-License-Identifier: GPL-2.0 */
/* Fuzzing stand-in for <crypto/blake2s.h>: see fuzz/shim/kshim.h. */
#include "../../kshim.h"
