/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VEIL_KEYFILE_H
#define VEIL_KEYFILE_H

#include <stdbool.h>
#include <stdint.h>

#include "containers.h"

/* The keyfile_reader_fn used by `veil set` (see config.h). */
bool read_keyfile(const char *path, uint8_t key[VEIL_KEY_LEN], char **err, void *ctx);

#endif
