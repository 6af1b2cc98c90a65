/* SPDX-License-Identifier: GPL-2.0 */
/* Fuzzing stand-in for <crypto/chacha20poly1305.h>: see fuzz/shim/kshim.h. */
#include "../../kshim.h"
