// SPDX-License-Identifier: GPL-2.0
/*
 * Pure helpers for the transport data path: the padding of outgoing
 * plaintexts and the validation of incoming inner packets.
 */

#include <linux/errno.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/minmax.h>
#include <linux/stddef.h>
#include <asm/unaligned.h>

#include "messages.h"
#include "packet.h"

static_assert((VEIL_PADDING_MULTIPLE & (VEIL_PADDING_MULTIPLE - 1)) == 0);

unsigned int veil_padding_len(unsigned int plain_len, unsigned int mtu)
{
	unsigned int last = plain_len, pad;

	/*
	 * A plaintext longer than the MTU (which the stack should not hand
	 * us) is padded like its last MTU-sized piece, so that the bound
	 * below never goes negative.
	 */
	if (mtu && unlikely(last > mtu))
		last %= mtu;

	/* Distance to the next multiple, computed without overflow. */
	pad = -last & (VEIL_PADDING_MULTIPLE - 1);
	if (!mtu)
		return pad;
	return min(pad, mtu - last);
}

int veil_inner_ip_len(const u8 *data, unsigned int len, __be16 *proto)
{
	unsigned int hdr_len, pkt_len;
	__be16 p;

	if (unlikely(!len))
		return -EPROTO;

	switch (data[0] >> 4) {
	case 4:
		if (unlikely(len < sizeof(struct iphdr)))
			return -EPROTO;
		/* The IHL nibble counts 32-bit words. */
		hdr_len = (data[0] & 0x0f) * 4;
		pkt_len = get_unaligned_be16(data +
					     offsetof(struct iphdr, tot_len));
		if (unlikely(hdr_len < sizeof(struct iphdr) ||
			     pkt_len < hdr_len))
			return -EBADMSG;
		p = htons(ETH_P_IP);
		break;
	case 6:
		if (unlikely(len < sizeof(struct ipv6hdr)))
			return -EPROTO;
		/* A payload length of 0 (jumbogram) keeps just the header. */
		pkt_len = sizeof(struct ipv6hdr) +
			  get_unaligned_be16(data +
					     offsetof(struct ipv6hdr, payload_len));
		p = htons(ETH_P_IPV6);
		break;
	default:
		return -EPROTO;
	}

	if (unlikely(pkt_len > len))
		return -EBADMSG;
	if (proto)
		*proto = p;
	return pkt_len;
}
