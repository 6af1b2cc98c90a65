/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pure helpers for the transport data path (protocol.md 6.1 and 6.2), on
 * plain buffers and lengths: no socket buffers, no locking, no allocation.
 */
#ifndef _VEIL_PACKET_H
#define _VEIL_PACKET_H

#include <linux/types.h>

/*
 * Bytes of zero padding to append to a plaintext of @plain_len bytes before
 * encryption (protocol.md 6.1 step 5): up to the next multiple of
 * VEIL_PADDING_MULTIPLE, but never past @mtu. A packet longer than the MTU
 * is padded as if it were @plain_len % @mtu bytes long, as Linux does; an
 * @mtu of 0 means no MTU is known and only the multiple applies. An empty
 * plaintext (a keepalive) gets no padding. The result is below 16.
 */
unsigned int veil_padding_len(unsigned int plain_len, unsigned int mtu);

/*
 * Validates the decrypted, non-empty plaintext @data of @len bytes as an
 * IPv4 or IPv6 packet (protocol.md 6.2 step 7) and returns the packet's own
 * length, to which the plaintext is then trimmed to drop the padding. On
 * success *@proto (if not NULL) is set to htons(ETH_P_IP) or
 * htons(ETH_P_IPV6).
 *
 * Errors, mirroring the two ways Linux counts such drops:
 *   -EPROTO   not an IP header: empty, shorter than the fixed header of its
 *             version, or a version other than 4 or 6 (rx_frame_errors);
 *   -EBADMSG  a header whose lengths do not fit: an IPv4 header length
 *             below 5 words, an IPv4 total length below the header length,
 *             or a total length larger than @len (rx_length_errors).
 */
int veil_inner_ip_len(const u8 *data, unsigned int len, __be16 *proto);

/* Table-driven and randomised checks of the two helpers above. */
bool veil_packet_selftest(void);

#endif /* _VEIL_PACKET_H */
