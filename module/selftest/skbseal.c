// SPDX-License-Identifier: GPL-2.0
/*
 * Self-test of data message sealing and opening on socket buffers
 * (veil_seal_skb() in send.c, veil_open_skb() in receive.c), run at module
 * load with selftest=1.
 *
 * Each case builds a plaintext skb of an awkward shape: tiny and MTU-sized
 * linear ones, with ample tailroom, none, or one byte short of the trailer;
 * up to MAX_SKB_FRAGS page fragments, some filling a page, some in order-1
 * pages across the page boundary; clones of linear and paged skbs; a
 * frag_list; paged data that with the trailer fills a page exactly or
 * overflows it by one byte. Each is sealed and must take the expected path
 * (in-place tail, tail fragment, out of place, skb_cow_data()); the message,
 * read back with skb_copy_bits(), must carry the right header and open with
 * chacha20poly1305_decrypt() to the plaintext and zero padding; lengths and
 * truesize must add up; no byte of a clone, of a page the skb shared, or of
 * a page fragment next to the one the trailer went to may change. The
 * message must then open in place to the same plaintext, also through a
 * clone, and not at all with any one bit of it flipped or another nonce.
 * Sealing and opening must both clear skb->encapsulation, which a tunnel
 * device above (or the sender's offloads) left set: with it, a NIC's
 * checksum or segmentation offload would use inner headers that are not
 * there.
 */

#include <crypto/chacha20poly1305.h>
#include <linux/gfp.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <net/checksum.h>

#include "../messages.h"
#include "../packet.h"
#include "../receive.h"
#include "../send.h"
#include "crypto.h"

#define HDR_LEN		((unsigned int)sizeof(struct veil_msg_data))
#define TAG_LEN		VEIL_AEAD_TAG_LEN
#define REMOTE_INDEX	0x5eed1d0u
#define GUARD_LEN	SMP_CACHE_BYTES
#define GUARD_BYTE	0xa5
#define MAX_PAGES	MAX_SKB_FRAGS
#define MAX_FLIPS	256

enum shape {
	LINEAR,		/* @len bytes in the head */
	PAGED,		/* @len in the head, @data_len in @nfrags fragments */
	FRAG_LIST,	/* @len in the head, then two skbs on its frag_list */
};

/* Tailroom of a linear case. */
enum room {
	ROOM_AMPLE,	/* more than any trailer */
	ROOM_EXACT,	/* exactly @room bytes */
	ROOM_SHORT,	/* the trailer's length less @room bytes */
};

struct seal_case {
	const char *name;
	enum shape shape;
	unsigned int len;
	unsigned int mtu;
	enum room room_kind;
	unsigned int room;
	bool no_headroom;
	/* PAGED: each fragment in a page of its own, of order @order. */
	unsigned int data_len, nfrags, order, frag_off;
	/* PAGED: pick @data_len so that data_len + trailer == @fill. */
	unsigned int fill;
	bool shared_frags;	/* SKBFL_SHARED_FRAG, as sendfile() does */
	bool clone;
	/* CHECKSUM_PARTIAL from @csum_start (in the head), field at +@csum_off. */
	bool csum;
	unsigned int csum_start, csum_off;
	enum veil_seal_path want;
};

static const struct seal_case seal_cases[] = {
	{ "empty, ample tailroom", LINEAR, 0, 1420,
	  .want = VEIL_SEAL_TAIL_INPLACE },
	{ "1 byte, ample tailroom", LINEAR, 1, 1420,
	  .want = VEIL_SEAL_TAIL_INPLACE },
	{ "1420 bytes (MTU), ample tailroom", LINEAR, 1420, 1420,
	  .want = VEIL_SEAL_TAIL_INPLACE },
	{ "1419 bytes, MTU 1420", LINEAR, 1419, 1420,
	  .want = VEIL_SEAL_TAIL_INPLACE },
	{ "1420 bytes, no MTU", LINEAR, 1420, 0,
	  .want = VEIL_SEAL_TAIL_INPLACE },
	{ "empty, no tailroom", LINEAR, 0, 1420, ROOM_EXACT, 0,
	  .want = VEIL_SEAL_TAIL_FRAG },
	{ "1 byte, no tailroom", LINEAR, 1, 1420, ROOM_EXACT, 0,
	  .want = VEIL_SEAL_TAIL_FRAG },
	{ "1420 bytes, no tailroom", LINEAR, 1420, 1420, ROOM_EXACT, 0,
	  .want = VEIL_SEAL_TAIL_FRAG },
	{ "1 byte, tailroom one short of the trailer", LINEAR, 1, 1420,
	  ROOM_SHORT, 1, .want = VEIL_SEAL_TAIL_FRAG },
	{ "1420 bytes no MTU, tailroom one short", LINEAR, 1420, 0,
	  ROOM_SHORT, 1, .want = VEIL_SEAL_TAIL_FRAG },
	{ "9000 bytes, tailroom one short", LINEAR, 9000, 9000,
	  ROOM_SHORT, 1, .want = VEIL_SEAL_TAIL_FRAG },
	{ "1 byte, tailroom exactly the trailer", LINEAR, 1, 1420,
	  ROOM_SHORT, 0, .want = VEIL_SEAL_TAIL_INPLACE },
	{ "100 bytes, short headroom, no tailroom", LINEAR, 100, 1420,
	  ROOM_EXACT, 0, .no_headroom = true,
	  .want = VEIL_SEAL_TAIL_INPLACE },
	{ "cloned linear", LINEAR, 1000, 1420, .clone = true,
	  .want = VEIL_SEAL_TAIL_INPLACE },
	{ "cloned linear, no tailroom", LINEAR, 1001, 1420, ROOM_EXACT, 0,
	  .clone = true, .want = VEIL_SEAL_TAIL_INPLACE },
	{ "MAX_SKB_FRAGS small fragments", PAGED, 20, 1420,
	  .data_len = MAX_SKB_FRAGS * 37, .nfrags = MAX_SKB_FRAGS,
	  .frag_off = 5, .want = VEIL_SEAL_OUT_OF_PLACE },
	{ "MAX_SKB_FRAGS fragments filling a page", PAGED, 20, 0,
	  .data_len = PAGE_SIZE, .nfrags = MAX_SKB_FRAGS,
	  .want = VEIL_SEAL_COW },
	{ "one fragment, empty head", PAGED, 0, 1420, .data_len = 100,
	  .nfrags = 1, .frag_off = PAGE_SIZE - 100,
	  .want = VEIL_SEAL_OUT_OF_PLACE },
	{ "shared fragments (sendfile)", PAGED, 40, 1420, .data_len = 1380,
	  .nfrags = 3, .frag_off = 1, .shared_frags = true,
	  .want = VEIL_SEAL_OUT_OF_PLACE },
	{ "order-1 fragments across the page boundary", PAGED, 20, 1420,
	  .data_len = 600, .nfrags = 2, .order = 1,
	  .frag_off = PAGE_SIZE - 100, .want = VEIL_SEAL_OUT_OF_PLACE },
	{ "order-1 fragment in the second page", PAGED, 20, 0,
	  .data_len = 1000, .nfrags = 1, .order = 1,
	  .frag_off = PAGE_SIZE + 3, .want = VEIL_SEAL_OUT_OF_PLACE },
	{ "MAX_SKB_FRAGS order-1 fragments across the boundary, a page",
	  PAGED, 20, 0, .data_len = PAGE_SIZE, .nfrags = MAX_SKB_FRAGS,
	  .order = 1, .frag_off = PAGE_SIZE - 120, .want = VEIL_SEAL_COW },
	{ "paged data + trailer == PAGE_SIZE", PAGED, 20, 0,
	  .fill = PAGE_SIZE, .nfrags = 3, .frag_off = 7,
	  .want = VEIL_SEAL_OUT_OF_PLACE },
	{ "paged data + trailer == PAGE_SIZE, MTU", PAGED, 20, 4096,
	  .fill = PAGE_SIZE, .nfrags = MAX_SKB_FRAGS,
	  .want = VEIL_SEAL_OUT_OF_PLACE },
	{ "paged data + trailer == PAGE_SIZE + 1", PAGED, 20, 0,
	  .fill = PAGE_SIZE + 1, .nfrags = 3, .frag_off = 7,
	  .want = VEIL_SEAL_COW },
	{ "paged data + trailer == PAGE_SIZE + 1, MTU", PAGED, 20, 4100,
	  .fill = PAGE_SIZE + 1, .nfrags = 2, .order = 1,
	  .frag_off = PAGE_SIZE - 1000, .want = VEIL_SEAL_COW },
	{ "paged data over two pages", PAGED, 60, 9000, .data_len = 8000,
	  .nfrags = 4, .order = 1, .frag_off = 100, .want = VEIL_SEAL_COW },
	{ "cloned paged", PAGED, 40, 1420, .data_len = 1380, .nfrags = 4,
	  .frag_off = PAGE_SIZE - 500, .clone = true,
	  .want = VEIL_SEAL_OUT_OF_PLACE },
	{ "cloned paged, a page of fragments", PAGED, 40, 0,
	  .data_len = PAGE_SIZE, .nfrags = MAX_SKB_FRAGS, .clone = true,
	  .want = VEIL_SEAL_COW },
	{ "checksum, TCP-like segment", PAGED, 52, 1420, .data_len = 1368,
	  .nfrags = 3, .frag_off = 5, .csum = true, .csum_start = 20,
	  .csum_off = 16, .want = VEIL_SEAL_OUT_OF_PLACE },
	{ "checksum from an odd offset, odd fragments", PAGED, 42, 1420,
	  .data_len = 1001, .nfrags = 4, .order = 1,
	  .frag_off = PAGE_SIZE - 301, .csum = true, .csum_start = 7,
	  .csum_off = 6, .want = VEIL_SEAL_OUT_OF_PLACE },
	{ "checksum, MAX_SKB_FRAGS small fragments", PAGED, 8, 1420,
	  .data_len = MAX_SKB_FRAGS * 37, .nfrags = MAX_SKB_FRAGS,
	  .frag_off = 1, .csum = true, .csum_off = 6,
	  .want = VEIL_SEAL_OUT_OF_PLACE },
	{ "checksum, linear", LINEAR, 1000, 1420, .csum = true,
	  .csum_start = 20, .csum_off = 16, .want = VEIL_SEAL_TAIL_INPLACE },
	{ "checksum, paged data over two pages", PAGED, 60, 9000,
	  .data_len = 8000, .nfrags = 4, .order = 1, .frag_off = 100,
	  .csum = true, .csum_start = 20, .csum_off = 16,
	  .want = VEIL_SEAL_COW },
	{ "frag_list", FRAG_LIST, 100, 1420, .want = VEIL_SEAL_COW },
	{ "cloned frag_list", FRAG_LIST, 1, 0, .clone = true,
	  .want = VEIL_SEAL_COW },
};

static const char * const path_names[] = {
	[VEIL_SEAL_TAIL_INPLACE] = "tail in place",
	[VEIL_SEAL_TAIL_FRAG] = "tail fragment",
	[VEIL_SEAL_OUT_OF_PLACE] = "out of place",
	[VEIL_SEAL_COW] = "skb_cow_data",
};

/* What a case built, and what it keeps to check afterwards. */
struct seal_state {
	const struct seal_case *c;
	struct sk_buff *skb, *clone, *clone2;
	struct page *pages[MAX_PAGES];	/* our own reference each */
	unsigned int npages;
	u8 seed;
	u8 *plain;		/* plaintext, then room for the padding */
	unsigned int plain_len, padding;
	u8 *msg;		/* the sealed message as read back */
	unsigned int msg_len;
	u8 *buf;		/* scratch, msg_len bytes */
	u8 key[CHACHA20POLY1305_KEY_SIZE];
	u64 nonce;
};

#define fail(st, fmt, ...) ({						\
	pr_err("skb sealing self-test: %s: " fmt "\n", (st)->c->name,	\
	       ##__VA_ARGS__);						\
	false;								\
})

/* Contents of byte @off of source page @i: known without a copy. */
static u8 page_pattern(const struct seal_state *st, unsigned int i,
		       unsigned int off)
{
	return st->seed + i * 131 + off * 7 + (off >> 8) * 13;
}

static bool pages_unchanged(const struct seal_state *st)
{
	unsigned int i, off, size = PAGE_SIZE << st->c->order;
	const u8 *p;

	for (i = 0; i < st->npages; i++) {
		p = page_address(st->pages[i]);
		for (off = 0; off < size; off++)
			if (p[off] != page_pattern(st, i, off))
				return fail(st, "source page %u written at %u",
					    i, off);
	}
	return true;
}

/* The length of the paged data for a case that fills to @c->fill. */
static bool fill_lengths(const struct seal_case *c, unsigned int *head,
			 unsigned int *data_len)
{
	unsigned int h, d, pad;

	for (h = c->len; h < c->len + VEIL_PADDING_MULTIPLE; h++) {
		for (d = c->fill - 2 * VEIL_PADDING_MULTIPLE; d <= c->fill;
		     d++) {
			pad = veil_padding_len(h + d, c->mtu);
			if (d + pad + TAG_LEN == c->fill) {
				*head = h;
				*data_len = d;
				return true;
			}
		}
	}
	return false;
}

static struct sk_buff *alloc_linear(unsigned int len, unsigned int room)
{
	struct sk_buff *skb;

	skb = alloc_skb(VEIL_SEND_HEADROOM + len + room, GFP_KERNEL);
	if (!skb)
		return NULL;
	skb_reserve(skb, VEIL_SEND_HEADROOM);
	get_random_bytes(skb_put(skb, len), len);
	return skb;
}

static bool build_linear(struct seal_state *st)
{
	const struct seal_case *c = st->c;
	unsigned int tail = veil_padding_len(c->len, c->mtu) + TAG_LEN;
	unsigned int head = c->no_headroom ? 0 : VEIL_SEND_HEADROOM;
	unsigned int room, avail;
	struct sk_buff *skb;

	if (c->room_kind == ROOM_AMPLE) {
		st->skb = alloc_linear(c->len, 64 + tail);
		return st->skb;
	}

	room = c->room_kind == ROOM_EXACT ? c->room : tail - c->room;
	skb = alloc_skb(head + c->len + room, GFP_KERNEL);
	if (!skb)
		return false;
	st->skb = skb;
	/* Headroom takes what the allocator gave beyond the request. */
	avail = skb_tailroom(skb);
	skb_reserve(skb, avail - c->len - room);
	get_random_bytes(skb_put(skb, c->len), c->len);
	if (skb_tailroom(skb) != room || skb_headroom(skb) < head)
		return fail(st, "built with tailroom %d, headroom %u",
			    skb_tailroom(skb), skb_headroom(skb));
	return true;
}

static bool build_paged(struct seal_state *st)
{
	const struct seal_case *c = st->c;
	unsigned int head = c->len, data_len = c->data_len;
	unsigned int i, off, size, each;
	struct sk_buff *skb;
	struct page *page;
	u8 *p;

	if (c->fill && !fill_lengths(c, &head, &data_len))
		return fail(st, "no lengths fill %u", c->fill);
	st->skb = alloc_linear(head, 0);
	if (!st->skb)
		return false;
	skb = st->skb;
	each = data_len / c->nfrags;
	for (i = 0; i < c->nfrags; i++) {
		size = i + 1 < c->nfrags ? each : data_len - i * each;
		if (c->frag_off + size > PAGE_SIZE << c->order)
			return fail(st, "fragment %u does not fit", i);
		page = alloc_pages(GFP_KERNEL | (c->order ? __GFP_COMP : 0),
				   c->order);
		if (!page)
			return false;
		p = page_address(page);
		for (off = 0; off < PAGE_SIZE << c->order; off++)
			p[off] = page_pattern(st, i, off);
		/* One reference is the skb's, the other ours. */
		get_page(page);
		st->pages[st->npages++] = page;
		skb_fill_page_desc(skb, i, page, c->frag_off, size);
		skb->len += size;
		skb->data_len += size;
		skb->truesize += PAGE_SIZE << c->order;
	}
	if (c->shared_frags)
		skb_shinfo(skb)->flags |= SKBFL_SHARED_FRAG;
	return true;
}

static bool build_frag_list(struct seal_state *st)
{
	static const unsigned int lens[] = { 200, 333 };
	struct sk_buff *skb, *prev = NULL, *part;
	unsigned int i;

	st->skb = alloc_linear(st->c->len, 0);
	if (!st->skb)
		return false;
	skb = st->skb;
	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		part = alloc_linear(lens[i], 0);
		if (!part)
			return false;
		if (prev)
			prev->next = part;
		else
			skb_shinfo(skb)->frag_list = part;
		prev = part;
		skb->len += part->len;
		skb->data_len += part->len;
		skb->truesize += part->truesize;
	}
	return true;
}

/* Lengths and truesize of a sealed skb, @truesize being the one before. */
static bool check_geometry(struct seal_state *st, unsigned int truesize,
			   enum veil_seal_path path)
{
	const struct skb_shared_info *shinfo = skb_shinfo(st->skb);
	const struct sk_buff *skb = st->skb, *iter;
	unsigned int i, sum = skb_headlen(skb), tail = st->padding + TAG_LEN;

	for (i = 0; i < shinfo->nr_frags; i++) {
		if (!skb_frag_size(&shinfo->frags[i]))
			return fail(st, "empty fragment %u", i);
		sum += skb_frag_size(&shinfo->frags[i]);
	}
	skb_walk_frags(skb, iter)
		sum += iter->len;
	if (skb->len != HDR_LEN + st->plain_len + tail || sum != skb->len ||
	    skb->data_len != skb->len - skb_headlen(skb))
		return fail(st, "len %u, data_len %u, headlen %u, parts %u, want len %u",
			    skb->len, skb->data_len, skb_headlen(skb), sum,
			    HDR_LEN + st->plain_len + tail);
	/* The trailer of the fragment paths is new memory of a non-socket skb. */
	if (path == VEIL_SEAL_TAIL_FRAG || path == VEIL_SEAL_OUT_OF_PLACE)
		truesize += tail;
	if (skb->truesize < truesize ||
	    skb->truesize < skb_end_offset(skb) + skb->data_len)
		return fail(st, "truesize %u, want at least %u and %u",
			    skb->truesize, truesize,
			    skb_end_offset(skb) + skb->data_len);
	if (skb_headroom(skb) < VEIL_SEND_HEADROOM - HDR_LEN)
		return fail(st, "headroom %u left", skb_headroom(skb));
	return true;
}

/* The message as read back: header, then the plaintext's AEAD. */
static bool check_message(struct seal_state *st)
{
	const struct veil_msg_data *hdr = (const void *)st->msg;
	unsigned int i;

	if (skb_copy_bits(st->skb, 0, st->msg, st->msg_len))
		return fail(st, "cannot read the message back");
	if (le32_to_cpu(hdr->header.type) != VEIL_MSG_DATA ||
	    le32_to_cpu(hdr->key_idx) != REMOTE_INDEX ||
	    le64_to_cpu(hdr->counter) != st->nonce)
		return fail(st, "bad header %*ph", (int)HDR_LEN, st->msg);
	if (!chacha20poly1305_decrypt(st->buf, st->msg + HDR_LEN,
				      st->msg_len - HDR_LEN, NULL, 0,
				      st->nonce, st->key))
		return fail(st, "chacha20poly1305_decrypt() refuses it");
	if (memcmp(st->buf, st->plain, st->plain_len))
		return fail(st, "decrypts to another plaintext");
	for (i = 0; i < st->padding; i++)
		if (st->buf[st->plain_len + i])
			return fail(st, "padding byte %u not zero", i);
	return true;
}

/* @skb (or a clone) read back equals @want. */
static bool same_bytes(struct seal_state *st, const struct sk_buff *skb,
		       const u8 *want, unsigned int len, const char *what)
{
	if (skb->len != len)
		return fail(st, "%s: length %u, want %u", what, skb->len, len);
	if (skb_copy_bits(skb, 0, st->buf, len))
		return fail(st, "%s: cannot read back", what);
	if (memcmp(st->buf, want, len))
		return fail(st, "%s: bytes changed", what);
	return true;
}

/* Opens @skb and checks the plaintext; @cow is the path it must take. */
static bool open_ok(struct seal_state *st, struct sk_buff *skb, bool want_cow,
		    const char *what)
{
	unsigned int len = st->plain_len + st->padding;
	bool cow;

	/* As a sender's tunnel offloads may have left it. */
	skb->encapsulation = 1;
	if (!veil_open_skb(skb, st->key, st->nonce, &cow))
		return fail(st, "%s: does not open", what);
	if (skb->encapsulation)
		return fail(st, "%s: opened, still marked encapsulated", what);
	if (cow != want_cow)
		return fail(st, "%s: opened %s", what,
			    cow ? "after a copy" : "in place");
	/* st->plain has room for the padding, which is zero. */
	return same_bytes(st, skb, st->plain, len, what);
}

static unsigned int flip_positions(const struct seal_state *st, u32 *pos)
{
	const struct sk_buff *skb = st->skb;
	unsigned int n = 0, i, off, len = st->msg_len;

	if (len - HDR_LEN <= MAX_FLIPS / 2) {
		for (off = HDR_LEN; off < len; off++)
			pos[n++] = off;
		return n;
	}
	/* Both ends (the tag), every seam between buffers, random bytes. */
	for (i = 0; i < 32; i++) {
		pos[n++] = HDR_LEN + i;
		pos[n++] = len - 1 - i;
	}
	off = skb_headlen(skb);
	for (i = 0; i < skb_shinfo(skb)->nr_frags; i++) {
		pos[n++] = off - 1;
		pos[n++] = off;
		off += skb_frag_size(&skb_shinfo(skb)->frags[i]);
	}
	while (n < MAX_FLIPS - 8)
		pos[n++] = HDR_LEN + get_random_u32_below(len - HDR_LEN);
	return n;
}

/*
 * Every flipped bit is refused, and the message stays whole. The first
 * attempt must take the path @want_cow; each one writes the skb (a failed
 * in-place decryption leaves it garbled), so the message is put back first.
 */
static bool check_flips(struct seal_state *st, bool want_cow)
{
	unsigned int n, i, len = st->msg_len;
	u32 *pos;
	bool cow;
	u8 b;

	pos = kmalloc_array(MAX_FLIPS, sizeof(*pos), GFP_KERNEL);
	if (!pos)
		return fail(st, "out of memory");
	n = flip_positions(st, pos);
	for (i = 0; i <= n; i++) {
		if (skb_store_bits(st->skb, 0, st->msg, len))
			goto err_store;
		if (i < n) {
			if (pos[i] < HDR_LEN || pos[i] >= len)
				continue;
			b = st->msg[pos[i]] ^ BIT(get_random_u32_below(8));
			if (skb_store_bits(st->skb, pos[i], &b, 1))
				goto err_store;
		}
		/* The last attempt: the whole message, another nonce. */
		if (veil_open_skb(st->skb, st->key,
				  i < n ? st->nonce : st->nonce + 1, &cow)) {
			kfree(pos);
			if (i == n)
				return fail(st, "opens under another nonce");
			return fail(st, "opens with byte %u flipped", pos[i]);
		}
		if (!i && cow != want_cow) {
			kfree(pos);
			return fail(st, "first open %s",
				    cow ? "copied" : "in place");
		}
		if (st->skb->len != len) {
			kfree(pos);
			return fail(st, "refused message now %u bytes",
				    st->skb->len);
		}
	}
	kfree(pos);
	if (skb_store_bits(st->skb, 0, st->msg, len))
		return fail(st, "cannot restore the message");
	return true;

err_store:
	kfree(pos);
	return fail(st, "cannot write the message back");
}

static bool check_open(struct seal_state *st)
{
	bool list = st->c->shape == FRAG_LIST;

	if (!check_flips(st, list))
		return false;
	/* A clone is opened after a copy and keeps the message. */
	st->clone2 = skb_clone(st->skb, GFP_KERNEL);
	if (!st->clone2)
		return fail(st, "out of memory");
	if (!open_ok(st, st->skb, true, "opening a cloned skb") ||
	    !same_bytes(st, st->clone2, st->msg, st->msg_len,
			"the clone of an opened skb"))
		return false;
	/* Now the clone alone owns its buffer. */
	return open_ok(st, st->clone2, list, "opening the leftover clone");
}

/*
 * A page fragment allocated just before sealing: the trailer's fragment
 * comes from the same per-CPU cache, next to it (below it, in 6.1), so a
 * write past the end of the trailer lands here.
 */
static u8 *guard_alloc(void)
{
	u8 *guard = netdev_alloc_frag(GUARD_LEN);

	if (guard)
		memset(guard, GUARD_BYTE, GUARD_LEN);
	return guard;
}

static bool guard_intact(struct seal_state *st, const u8 *guard)
{
	unsigned int i;

	for (i = 0; i < GUARD_LEN; i++)
		if (guard[i] != GUARD_BYTE)
			return fail(st, "neighbouring page fragment written at %u",
				    i);
	return true;
}

static bool run_case(const struct seal_case *c, unsigned int *counts)
{
	struct seal_state st = { .c = c };
	enum veil_seal_path path;
	unsigned int truesize;
	bool ok = false, sealed;
	u8 *guard;

	get_random_bytes(st.key, sizeof(st.key));
	st.nonce = get_random_u64() >> get_random_u32_below(64);
	st.seed = get_random_u32();

	switch (c->shape) {
	case LINEAR:
		ok = build_linear(&st);
		break;
	case PAGED:
		ok = build_paged(&st);
		break;
	case FRAG_LIST:
		ok = build_frag_list(&st);
		break;
	}
	if (!ok || !st.skb) {
		ok = fail(&st, "cannot build the skb");
		goto out;
	}
	ok = false;

	st.plain_len = st.skb->len;
	st.padding = veil_padding_len(st.plain_len, c->mtu);
	st.msg_len = HDR_LEN + st.plain_len + st.padding + TAG_LEN;
	st.plain = kzalloc(st.plain_len + st.padding, GFP_KERNEL);
	st.msg = kmalloc(st.msg_len, GFP_KERNEL);
	st.buf = kmalloc(st.msg_len, GFP_KERNEL);
	if (!st.plain || !st.msg || !st.buf) {
		fail(&st, "out of memory");
		goto out;
	}
	if (skb_copy_bits(st.skb, 0, st.plain, st.plain_len)) {
		fail(&st, "cannot read the plaintext");
		goto out;
	}
	if (c->csum) {
		/* What skb_checksum_help() would write, with the seed summed. */
		unsigned int cs = c->csum_start;
		__sum16 check;

		st.skb->ip_summed = CHECKSUM_PARTIAL;
		st.skb->csum_start = skb_headroom(st.skb) + cs;
		st.skb->csum_offset = c->csum_off;
		check = csum_fold(csum_partial(st.plain + cs, st.plain_len - cs,
					       0)) ?: CSUM_MANGLED_0;
		memcpy(st.plain + cs + c->csum_off, &check, sizeof(check));
	}
	if (c->clone) {
		st.clone = skb_clone(st.skb, GFP_KERNEL);
		if (!st.clone) {
			fail(&st, "out of memory");
			goto out;
		}
	}

	/* As VXLAN or GRE above the device leaves it. */
	st.skb->encapsulation = 1;
	truesize = st.skb->truesize;
	local_bh_disable();
	guard = guard_alloc();
	sealed = veil_seal_skb(st.skb, st.key, st.nonce, c->mtu, REMOTE_INDEX,
			       &path);
	local_bh_enable();
	if (guard) {
		ok = guard_intact(&st, guard);
		skb_free_frag(guard);
		if (!ok)
			goto out;
		ok = false;
	}
	if (!sealed) {
		fail(&st, "not sealed");
		goto out;
	}
	if (path != c->want) {
		fail(&st, "sealed by %s, want %s", path_names[path],
		     path_names[c->want]);
		goto out;
	}
	counts[path]++;
	if (st.skb->encapsulation) {
		fail(&st, "sealed, still marked encapsulated");
		goto out;
	}
	if (!check_geometry(&st, truesize, path) || !check_message(&st))
		goto out;
	if (st.clone && !same_bytes(&st, st.clone, st.plain, st.plain_len,
				    "the clone of a sealed skb"))
		goto out;
	if (!pages_unchanged(&st) || !check_open(&st))
		goto out;
	ok = true;
out:
	kfree_skb(st.skb);
	kfree_skb(st.clone);
	kfree_skb(st.clone2);
	/* Now that nothing else holds them, once more and ours go. */
	if (ok)
		ok = pages_unchanged(&st);
	while (st.npages)
		put_page(st.pages[--st.npages]);
	kfree(st.plain);
	kfree(st.msg);
	kfree(st.buf);
	memzero_explicit(st.key, sizeof(st.key));
	return ok;
}

bool veil_skbseal_selftest(void)
{
	unsigned int counts[ARRAY_SIZE(path_names)] = {};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(seal_cases); i++)
		if (!run_case(&seal_cases[i], counts))
			return false;
	pr_info("skb sealing self-test: %zu shapes: %u %s, %u %s, %u %s, %u %s\n",
		ARRAY_SIZE(seal_cases),
		counts[VEIL_SEAL_TAIL_INPLACE],
		path_names[VEIL_SEAL_TAIL_INPLACE],
		counts[VEIL_SEAL_TAIL_FRAG], path_names[VEIL_SEAL_TAIL_FRAG],
		counts[VEIL_SEAL_OUT_OF_PLACE],
		path_names[VEIL_SEAL_OUT_OF_PLACE],
		counts[VEIL_SEAL_COW], path_names[VEIL_SEAL_COW]);
	return true;
}
