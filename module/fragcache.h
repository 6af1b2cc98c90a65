/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Page fragments for sealed data, from pages that come back.
 *
 * Out-of-place sealing (send.c) writes every message's ciphertext to a new
 * page fragment. netdev_alloc_frag() reuses its page only if every fragment
 * of it is free when the page is used up, which never happens while the
 * messages are still in flight: each page came fresh from the allocator
 * (and was zeroed there, with init_on_alloc). Here a used-up page waits in
 * a ring of VEIL_FRAG_RING pages per CPU; when its turn comes and nobody
 * else holds it any more (the receiver has read the data), it is carved
 * again as it is. A page still in use is left to its holders.
 *
 * Callers may be in any context but hard interrupts; the cache is per CPU,
 * used with BHs off.
 */
#ifndef _VEIL_FRAGCACHE_H
#define _VEIL_FRAGCACHE_H

#include <linux/mm_types.h>
#include <linux/types.h>

/*
 * @len bytes (at most PAGE_SIZE) at *@offset in the (head) page *@page,
 * whose one reference is the caller's; their address, or NULL.
 */
void *veil_frag_alloc(unsigned int len, struct page **page,
		      unsigned int *offset);

/* Pages of every CPU's cache: taken fresh, and carved again. */
void veil_frag_counts(unsigned long *fresh, unsigned long *recycled);

/* Gives every page back; nothing may allocate any more. */
void veil_frag_exit(void);

/* The load-time self-test (selftest/fragcache.c). */
bool veil_fragcache_selftest(void);

/* Pages per CPU that wait for their fragments to be freed. */
#define VEIL_FRAG_RING 16

#endif /* _VEIL_FRAGCACHE_H */
