/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Talking to the kernel: the "veil" generic netlink family and the list of
 * veil links (rtnetlink). All functions return 0 or a negative errno; on
 * failure *msg may be set to a one-line explanation (the kernel's extended
 * ack message when there is one) that the caller frees.
 */
#ifndef VEIL_IPC_H
#define VEIL_IPC_H

#include "containers.h"

/* Reads the configuration of @ifname (merging multi-part peers). */
int ipc_get_device(struct veil_device **dev, const char *ifname, char **msg);
/*
 * Applies @dev to the device named dev->name, in several requests when it
 * does not fit in one.
 */
int ipc_set_device(const struct veil_device *dev, char **msg);
/* A NULL-terminated array of the names of all veil links, in ifindex order. */
int ipc_list_devices(char ***names, char **msg);
void ipc_free_names(char **names);

#endif
