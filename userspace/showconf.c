// SPDX-License-Identifier: GPL-2.0
/* veil showconf: the current configuration in the setconf file format. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "containers.h"
#include "encoding.h"
#include "ipc.h"
#include "subcommands.h"

int showconf_main(int argc, const char *argv[])
{
	char b64[VEIL_KEY_B64_SIZE], addr[INET6_ADDRSTRLEN];
	char ep[NI_MAXHOST + NI_MAXSERV + 4];
	struct veil_device *dev = NULL;
	struct veil_peer *peer;
	char *msg = NULL;
	size_t i;
	int r;
	int done = subcommand_args(argc, argv, 2, 2);

	if (done >= 0)
		return done;
	r = ipc_get_device(&dev, argv[1], &msg);
	if (r) {
		print_error("Unable to access interface %s: %s", argv[1], msg ? msg : strerror(-r));
		free(msg);
		return 1;
	}

	printf("[Interface]\n");
	if (dev->listen_port)
		printf("ListenPort = %u\n", dev->listen_port);
	if (dev->fwmark)
		printf("FwMark = 0x%x\n", dev->fwmark);
	if (dev->flags & DEV_HAS_PRIVATE_KEY) {
		key_to_base64(b64, dev->private_key);
		printf("PrivateKey = %s\n", b64);
	}
	printf("\n");
	for_each_peer(dev, peer) {
		key_to_base64(b64, peer->public_key);
		printf("[Peer]\nPublicKey = %s\n", b64);
		if (peer->flags & PEER_HAS_PRESHARED_KEY) {
			key_to_base64(b64, peer->preshared_key);
			printf("PresharedKey = %s\n", b64);
		}
		if (peer->num_allowedips) {
			printf("AllowedIPs = ");
			for (i = 0; i < peer->num_allowedips; ++i) {
				const struct veil_allowedip *aip = &peer->allowedips[i];

				if (!inet_ntop(aip->family, aip->family == AF_INET ? (const void *)&aip->ip4 : (const void *)&aip->ip6,
					       addr, sizeof(addr)))
					continue;
				printf("%s/%u%s", addr, aip->cidr, i + 1 < peer->num_allowedips ? ", " : "\n");
			}
		}
		if ((peer->endpoint.addr.sa_family == AF_INET || peer->endpoint.addr.sa_family == AF_INET6) &&
		    format_endpoint(&peer->endpoint, ep, sizeof(ep)))
			printf("Endpoint = %s\n", ep);
		if (peer->persistent_keepalive)
			printf("PersistentKeepalive = %u\n", peer->persistent_keepalive);
		if (peer->next)
			printf("\n");
	}
	explicit_bzero(b64, sizeof(b64));
	device_free(dev);
	if (fflush(stdout) || ferror(stdout)) {
		print_error("Unable to write output: %s", strerror(errno));
		return 1;
	}
	return 0;
}
