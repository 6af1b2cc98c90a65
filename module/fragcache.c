// SPDX-License-Identifier: GPL-2.0
/*
 * Recycled page fragments (see fragcache.h).
 *
 * A page is carved front to back. Like the kernel's page_frag_cache, the
 * cache takes many references at once (@bias) and hands one to each
 * fragment, so carving costs no atomic operation. When the page is used
 * up, the references not handed out are dropped: the cache keeps one, the
 * fragments keep theirs, and the page goes to the ring. The ring is a FIFO:
 * the page that comes out is the one used up VEIL_FRAG_RING refills ago.
 * If its count is 1, only the cache holds it, and nobody can take a new
 * reference (that needs one already): it is carved again. Otherwise the
 * cache drops its reference, the last fragment's owner frees the page, and
 * a fresh one is allocated.
 */
#include <linux/bottom_half.h>
#include <linux/cache.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/sizes.h>
#include <linux/skbuff.h>

#include "fragcache.h"

/* As netdev_alloc_frag()'s pages, with a fallback to one page. */
#define VEIL_FRAG_ORDER get_order(SZ_32K)

struct veil_frag_cache {
	struct page *page;	/* being carved, or NULL */
	unsigned int offset;	/* its first free byte */
	unsigned int size;	/* its size in bytes */
	unsigned int bias;	/* its references the cache holds */
	unsigned int next;	/* the ring's slot to take the next page from */
	struct page *ring[VEIL_FRAG_RING];	/* used up, one reference each */
	unsigned long fresh;	/* pages taken from the allocator */
	unsigned long recycled;	/* pages carved again */
};

static DEFINE_PER_CPU(struct veil_frag_cache, veil_frag_caches);

static struct page *veil_frag_new_page(void)
{
	struct page *page = NULL;

	if (VEIL_FRAG_ORDER)
		page = alloc_pages(GFP_ATOMIC | __GFP_COMP | __GFP_NOWARN |
				   __GFP_NORETRY | __GFP_NOMEMALLOC,
				   VEIL_FRAG_ORDER);
	if (!page)
		page = alloc_page(GFP_ATOMIC | __GFP_NOWARN);
	return page;
}

/* Retires the page being carved (if any) and takes the next one. */
static bool veil_frag_refill(struct veil_frag_cache *c)
{
	struct page *old = c->page, *page;

	if (old) {
		/* Keep one reference; the fragments hold theirs. */
		page_ref_sub(old, c->bias - 1);
		c->page = NULL;
		/* An emergency reserve page goes back as soon as it can. */
		if (page_is_pfmemalloc(old)) {
			put_page(old);
			old = NULL;
		}
	}
	page = c->ring[c->next];
	c->ring[c->next] = old;
	c->next = (c->next + 1) % VEIL_FRAG_RING;

	if (page && page_ref_count(page) == 1) {
		c->recycled++;
	} else {
		if (page)
			put_page(page);
		page = veil_frag_new_page();
		if (!page)
			return false;
		c->fresh++;
	}
	c->size = page_size(page);
	/* At most one fragment per byte: the bias never runs out. */
	page_ref_add(page, c->size);
	c->bias = c->size + 1;
	c->offset = 0;
	c->page = page;
	return true;
}

void *veil_frag_alloc(unsigned int len, struct page **page,
		      unsigned int *offset)
{
	struct veil_frag_cache *c;
	void *buf = NULL;

	len = SKB_DATA_ALIGN(len);
	if (WARN_ON_ONCE(!len || len > PAGE_SIZE))
		return NULL;
	local_bh_disable();
	c = this_cpu_ptr(&veil_frag_caches);
	if (!c->page || c->size - c->offset < len) {
		if (!veil_frag_refill(c))
			goto out;
	}
	*page = c->page;
	*offset = c->offset;
	buf = page_address(c->page) + c->offset;
	c->offset += len;
	c->bias--;
out:
	local_bh_enable();
	return buf;
}

void veil_frag_counts(unsigned long *fresh, unsigned long *recycled)
{
	int cpu;

	*fresh = 0;
	*recycled = 0;
	for_each_possible_cpu(cpu) {
		const struct veil_frag_cache *c = per_cpu_ptr(&veil_frag_caches,
							      cpu);

		*fresh += READ_ONCE(c->fresh);
		*recycled += READ_ONCE(c->recycled);
	}
}

void veil_frag_exit(void)
{
	struct veil_frag_cache *c;
	unsigned int i;
	int cpu;

	for_each_possible_cpu(cpu) {
		c = per_cpu_ptr(&veil_frag_caches, cpu);
		if (c->page) {
			page_ref_sub(c->page, c->bias - 1);
			put_page(c->page);
			c->page = NULL;
		}
		for (i = 0; i < VEIL_FRAG_RING; i++) {
			if (c->ring[i])
				put_page(c->ring[i]);
			c->ring[i] = NULL;
		}
	}
}
