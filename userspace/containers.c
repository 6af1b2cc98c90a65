// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "containers.h"

struct veil_device *device_new(void)
{
	return calloc(1, sizeof(struct veil_device));
}

struct veil_peer *device_add_peer(struct veil_device *dev)
{
	struct veil_peer *peer = calloc(1, sizeof(*peer));

	if (!peer)
		return NULL;
	if (dev->last_peer)
		dev->last_peer->next = peer;
	else
		dev->first_peer = peer;
	dev->last_peer = peer;
	return peer;
}

bool peer_add_allowedip(struct veil_peer *peer, const struct veil_allowedip *aip)
{
	if (peer->num_allowedips == peer->cap_allowedips) {
		size_t cap = peer->cap_allowedips ? peer->cap_allowedips * 2 : 4;
		struct veil_allowedip *n;

		if (cap > SIZE_MAX / sizeof(*n))
			return false;
		n = realloc(peer->allowedips, cap * sizeof(*n));
		if (!n)
			return false;
		peer->allowedips = n;
		peer->cap_allowedips = cap;
	}
	peer->allowedips[peer->num_allowedips++] = *aip;
	return true;
}

void peer_clear_allowedips(struct veil_peer *peer)
{
	free(peer->allowedips);
	peer->allowedips = NULL;
	peer->num_allowedips = 0;
	peer->cap_allowedips = 0;
}

void device_free(struct veil_device *dev)
{
	struct veil_peer *peer, *next;

	if (!dev)
		return;
	for (peer = dev->first_peer; peer; peer = next) {
		next = peer->next;
		free(peer->allowedips);
		explicit_bzero(peer, sizeof(*peer));
		free(peer);
	}
	explicit_bzero(dev, sizeof(*dev));
	free(dev);
}

void device_set_name(struct veil_device *dev, const char *ifname)
{
	if (strlen(ifname) >= sizeof(dev->name))
		dev->name[0] = '\0';
	else
		snprintf(dev->name, sizeof(dev->name), "%s", ifname);
}
