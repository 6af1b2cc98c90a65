// SPDX-License-Identifier: GPL-2.0
/*
 * Self-test of the recycled page fragments (fragcache.c), run at module
 * load with selftest=1, on one CPU (BHs off throughout).
 *
 * One fragment is kept, filled with a pattern, while a stream of others
 * is taken and freed at once, through more than twice the ring's worth of
 * pages. The freed pages must come back (the recycled count grows), the
 * fragments must not overlap within a page and stay within it, and the
 * kept fragment's page, still held, must never be carved again: no later
 * fragment lies in it and its pattern is intact.
 */

#include <linux/bottom_half.h>
#include <linux/mm.h>
#include <linux/string.h>

#include "../fragcache.h"

#define KEPT_LEN	300
#define FRAG_LEN	1000
#define PATTERN		0x5c

bool veil_fragcache_selftest(void)
{
	unsigned long fresh0, recycled0, fresh1, recycled1;
	unsigned int off, kept_off, end = 0, refills = 0, i;
	struct page *page, *kept_page, *cur = NULL;
	bool ok = true;
	u8 *kept, *buf;

	local_bh_disable();
	veil_frag_counts(&fresh0, &recycled0);
	fresh1 = fresh0;
	recycled1 = recycled0;
	kept = veil_frag_alloc(KEPT_LEN, &kept_page, &kept_off);
	if (!kept) {
		ok = false;
		goto out;
	}
	memset(kept, PATTERN, KEPT_LEN);
	cur = kept_page;
	end = kept_off + KEPT_LEN;

	for (i = 0; ok && refills <= 2 * VEIL_FRAG_RING + 2; i++) {
		buf = veil_frag_alloc(FRAG_LEN, &page, &off);
		if (!buf) {
			ok = false;
			break;
		}
		if (buf != page_address(page) + off ||
		    off + FRAG_LEN > page_size(page))
			ok = false;
		if (page == cur) {
			/* Carved front to back, never over a live fragment. */
			if (off < end)
				ok = false;
		} else {
			refills++;
			cur = page;
		}
		end = off + FRAG_LEN;
		/* The kept fragment's page was used up; it is still held. */
		if (page == kept_page && refills)
			ok = false;
		put_page(page);
	}
	veil_frag_counts(&fresh1, &recycled1);
	if (recycled1 <= recycled0)
		ok = false;
	if (memchr_inv(kept, PATTERN, KEPT_LEN))
		ok = false;
	put_page(kept_page);
out:
	local_bh_enable();
	if (ok)
		pr_info("page fragments self-test: passed (%u fragments, %u refills, pages fresh +%lu, recycled +%lu)\n",
			i, refills, fresh1 - fresh0, recycled1 - recycled0);
	else
		pr_err("page fragments self-test: %u fragments, %u refills, pages fresh +%lu, recycled +%lu\n",
		       i, refills, fresh1 - fresh0, recycled1 - recycled0);
	return ok;
}
