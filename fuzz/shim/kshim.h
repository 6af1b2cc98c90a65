/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-ins for the kernel APIs used by the sans-IO protocol core
 * in module/ (noise.c, cookie.c, replay.c, packet.c, allowedips.c and their
 * self-tests), so that those files compile unchanged for the fuzzers.
 *
 * Every header under fuzz/shim/include (linux/, asm/, net/, crypto/)
 * includes this one: the module sources only ever see what is
 * defined here. Semantics kept where they matter for finding bugs:
 *  - locks and RCU are no-ops (the fuzzers are single-threaded), and
 *    kfree_rcu() frees at once, so a writer touching a node after queueing
 *    it for freeing is a use-after-free ASan reports;
 *  - WARN_ON() and BUG_ON() abort, so the fuzzer reports them as crashes;
 *  - get_random_bytes() is a PRNG the harness reseeds per input, so every
 *    run of an input is reproducible;
 *  - the crypto library calls are implemented in shim/crypto.c with the
 *    kernel's contracts (curve25519() refuses an all-zero result, etc.).
 */
#ifndef VEIL_FUZZ_KSHIM_H
#define VEIL_FUZZ_KSHIM_H

#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* ---- types ---- */

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;
typedef uint8_t __u8;
typedef uint16_t __u16;
typedef uint32_t __u32;
typedef uint64_t __u64;
typedef int32_t __s32;
typedef int64_t __s64;
typedef uint16_t __le16;
typedef uint32_t __le32;
typedef uint64_t __le64;
typedef uint16_t __be16;
typedef uint32_t __be32;
typedef uint64_t __be64;
typedef unsigned int gfp_t;
typedef s64 time64_t;

#define GFP_KERNEL	0u
#define GFP_ATOMIC	1u
#define __GFP_ZERO	2u

struct timespec64 {
	s64 tv_sec;
	long tv_nsec;
};

/* ---- compiler ---- */

#define __packed		__attribute__((packed))
#define __aligned(x)		__attribute__((aligned(x)))
#ifndef __always_inline
#define __always_inline		inline __attribute__((always_inline))
#endif
#define __must_check		__attribute__((warn_unused_result))
#define __maybe_unused		__attribute__((unused))
#define __ro_after_init
#define __init
#define __exit
#define __rcu
#define __force
#define __user
#define __iomem
#define likely(x)		__builtin_expect(!!(x), 1)
#define unlikely(x)		__builtin_expect(!!(x), 0)
#define READ_ONCE(x)		(*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v)	(*(volatile __typeof__(x) *)&(x) = (v))
#define barrier()		__asm__ __volatile__("" ::: "memory")
#define __static_assert(e, msg, ...) _Static_assert(e, msg)
#define static_assert(e, ...)	__static_assert(e, ##__VA_ARGS__, #e)
#define BUILD_BUG_ON(c)		_Static_assert(!(c), #c)
#define IS_ENABLED(x)		0
#define EXPORT_SYMBOL(x)
#define EXPORT_SYMBOL_GPL(x)

#ifndef container_of
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))
#endif
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define sizeof_field(t, m)	sizeof(((t *)0)->m)

/* ---- numbers and bits ---- */

#define BITS_PER_LONG		64
#define BITS_PER_BYTE		8
#define BIT(n)			(1UL << (n))
#define BIT_ULL(n)		(1ULL << (n))
#define U8_MAX			((u8)~0U)
#define U16_MAX			((u16)~0U)
#define U32_MAX			((u32)~0U)
#define U64_MAX			((u64)~0ULL)
#define S64_MAX			((s64)(U64_MAX >> 1))
#define NSEC_PER_SEC		1000000000L
#define NSEC_PER_MSEC		1000000L
#define USEC_PER_SEC		1000000L
#define MSEC_PER_SEC		1000L
#define HZ			250
#define DIV_ROUND_UP(n, d)	(((n) + (d) - 1) / (d))
#define BITS_TO_LONGS(n)	DIV_ROUND_UP(n, BITS_PER_LONG)

#define min(a, b)		((a) < (b) ? (a) : (b))
#define max(a, b)		((a) > (b) ? (a) : (b))
#define min_t(t, a, b)		((t)(a) < (t)(b) ? (t)(a) : (t)(b))
#define max_t(t, a, b)		((t)(a) > (t)(b) ? (t)(a) : (t)(b))
#define min3(a, b, c)		min(min(a, b), c)
#define max3(a, b, c)		max(max(a, b), c)
#define clamp(v, lo, hi)	min(max(v, lo), hi)
#define clamp_t(t, v, lo, hi)	min_t(t, max_t(t, v, lo), hi)
#define rounddown(x, y)		((x) - ((x) % (y)))
#define roundup(x, y)		((((x) + ((y) - 1)) / (y)) * (y))

static inline int fls(unsigned int x)
{
	return x ? 32 - __builtin_clz(x) : 0;
}

static inline int fls64(u64 x)
{
	return x ? 64 - __builtin_clzll(x) : 0;
}

#define ilog2(n)		((n) ? 63 - __builtin_clzll((u64)(n)) : -1)
#define is_power_of_2(n)	((n) != 0 && (((n) & ((n) - 1)) == 0))
#define rounddown_pow_of_two(n)	(1ULL << ilog2(n))
#define roundup_pow_of_two(n)	((n) <= 1 ? 1ULL : 1ULL << (ilog2((n) - 1) + 1))

static inline bool __test_and_set_bit(unsigned long nr, volatile unsigned long *addr)
{
	unsigned long mask = 1UL << (nr % BITS_PER_LONG);
	volatile unsigned long *p = addr + nr / BITS_PER_LONG;
	bool old = *p & mask;

	*p |= mask;
	return old;
}

static inline bool test_bit(unsigned long nr, const volatile unsigned long *addr)
{
	return addr[nr / BITS_PER_LONG] & (1UL << (nr % BITS_PER_LONG));
}

static inline void __set_bit(unsigned long nr, volatile unsigned long *addr)
{
	addr[nr / BITS_PER_LONG] |= 1UL << (nr % BITS_PER_LONG);
}

static inline void __clear_bit(unsigned long nr, volatile unsigned long *addr)
{
	addr[nr / BITS_PER_LONG] &= ~(1UL << (nr % BITS_PER_LONG));
}

#define set_bit(nr, addr)	__set_bit(nr, addr)
#define clear_bit(nr, addr)	__clear_bit(nr, addr)

static inline void bitmap_zero(unsigned long *dst, unsigned int nbits)
{
	memset(dst, 0, BITS_TO_LONGS(nbits) * sizeof(unsigned long));
}

#define DECLARE_BITMAP(name, bits) unsigned long name[BITS_TO_LONGS(bits)]

/* ---- byte order (x86-64: little endian) ---- */

#define cpu_to_le16(x)		((__le16)htole16(x))
#define cpu_to_le32(x)		((__le32)htole32(x))
#define cpu_to_le64(x)		((__le64)htole64(x))
#define le16_to_cpu(x)		((u16)le16toh(x))
#define le32_to_cpu(x)		((u32)le32toh(x))
#define le64_to_cpu(x)		((u64)le64toh(x))
#define cpu_to_be16(x)		((__be16)htobe16(x))
#define cpu_to_be32(x)		((__be32)htobe32(x))
#define cpu_to_be64(x)		((__be64)htobe64(x))
#define be16_to_cpu(x)		((u16)be16toh(x))
#define be32_to_cpu(x)		((u32)be32toh(x))
#define be64_to_cpu(x)		((u64)be64toh(x))

static inline u16 get_unaligned_be16(const void *p)
{
	u16 v;

	memcpy(&v, p, sizeof(v));
	return be16toh(v);
}

static inline u32 get_unaligned_be32(const void *p)
{
	u32 v;

	memcpy(&v, p, sizeof(v));
	return be32toh(v);
}

static inline u64 get_unaligned_be64(const void *p)
{
	u64 v;

	memcpy(&v, p, sizeof(v));
	return be64toh(v);
}

static inline u32 get_unaligned_le32(const void *p)
{
	u32 v;

	memcpy(&v, p, sizeof(v));
	return le32toh(v);
}

static inline u64 get_unaligned_le64(const void *p)
{
	u64 v;

	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}

static inline void put_unaligned_be16(u16 v, void *p)
{
	v = htobe16(v);
	memcpy(p, &v, sizeof(v));
}

static inline void put_unaligned_be32(u32 v, void *p)
{
	v = htobe32(v);
	memcpy(p, &v, sizeof(v));
}

static inline void put_unaligned_le32(u32 v, void *p)
{
	v = htole32(v);
	memcpy(p, &v, sizeof(v));
}

static inline void put_unaligned_le64(u64 v, void *p)
{
	v = htole64(v);
	memcpy(p, &v, sizeof(v));
}

/* ---- diagnostics: a kernel warning is a fuzzer crash ---- */

void shim_warn(const char *file, int line, const char *cond) __attribute__((noreturn));
void shim_printk(const char *fmt, ...);
/* Set by the fuzzers: no self-test chatter. */
extern bool shim_quiet;

#define WARN_ON(c) ({							\
	bool __w = !!(c);						\
	if (unlikely(__w))						\
		shim_warn(__FILE__, __LINE__, #c);			\
	__w;								\
})
#define WARN_ON_ONCE(c)		WARN_ON(c)
#define BUG_ON(c)		((void)WARN_ON(c))
#define BUG()			shim_warn(__FILE__, __LINE__, "BUG()")
#define pr_err(...)		shim_printk(__VA_ARGS__)
#define pr_warn(...)		shim_printk(__VA_ARGS__)
#define pr_info(...)		shim_printk(__VA_ARGS__)
#define pr_debug(...)		do { } while (0)
#define might_sleep()		do { } while (0)
#define cond_resched()		do { } while (0)

/* ---- memory ---- */

static inline void *kmalloc(size_t n, gfp_t gfp)
{
	return (gfp & __GFP_ZERO) ? calloc(1, n ? n : 1) : malloc(n ? n : 1);
}

#define kzalloc(n, gfp)		kmalloc(n, (gfp) | __GFP_ZERO)
#define kcalloc(n, s, gfp)	kzalloc((n) * (s), gfp)
#define kmalloc_array(n, s, gfp) kmalloc((n) * (s), gfp)
#define kvcalloc(n, s, gfp)	kzalloc((n) * (s), gfp)
#define kvmalloc(n, gfp)	kmalloc(n, gfp)
#define kvzalloc(n, gfp)	kzalloc(n, gfp)
#define vmalloc(n)		malloc(n)
#define vzalloc(n)		calloc(1, n)
#define kfree(p)		free((void *)(p))
#define kvfree(p)		free((void *)(p))
#define vfree(p)		free((void *)(p))
/* No readers can still hold the object in a single-threaded harness. */
#define kfree_rcu(p, field)	free(p)
void kfree_sensitive(const void *p);

static inline void memzero_explicit(void *p, size_t n)
{
	explicit_bzero(p, n);
}

static inline void *memchr_inv(const void *p, int c, size_t n)
{
	const u8 *s = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != (u8)c)
			return (void *)(s + i);
	return NULL;
}

/* Constant time in the kernel; here only the result matters. */
static inline unsigned long crypto_memneq(const void *a, const void *b, size_t n)
{
	const u8 *x = a, *y = b;
	u8 d = 0;
	size_t i;

	for (i = 0; i < n; i++)
		d |= x[i] ^ y[i];
	return d != 0;
}

/* lib/hexdump.c: a hex digit's value, or -1. */
static inline int hex_to_bin(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* lib/hexdump.c: 0, or -EINVAL on a non-hex digit. */
static inline int hex2bin(u8 *dst, const char *src, size_t count)
{
	while (count--) {
		int hi = hex_to_bin(*src++), lo;

		if (hi < 0)
			return -EINVAL;
		lo = hex_to_bin(*src++);
		if (lo < 0)
			return -EINVAL;
		*dst++ = (u8)(hi << 4 | lo);
	}
	return 0;
}

/* lib/net/utils.c, for whole NUL-terminated strings only (@len -1). */
static inline int in4_pton(const char *src, int len, u8 *dst, int delim,
			   const char **end)
{
	return len == -1 && inet_pton(AF_INET, src, dst) == 1;
}

static inline int in6_pton(const char *src, int len, u8 *dst, int delim,
			   const char **end)
{
	return len == -1 && inet_pton(AF_INET6, src, dst) == 1;
}

/* ---- randomness: reproducible per input ---- */

void shim_random_seed(u64 seed);
void get_random_bytes(void *buf, size_t len);
u32 get_random_u32(void);
u64 get_random_u64(void);
#define prandom_u32()		get_random_u32()

struct rnd_state {
	u64 s;
};

void prandom_seed_state(struct rnd_state *st, u64 seed);
u32 prandom_u32_state(struct rnd_state *st);
void prandom_bytes_state(struct rnd_state *st, void *buf, size_t len);

/* ---- time ---- */

void ktime_get_real_ts64(struct timespec64 *ts);
u64 ktime_get_coarse_boottime_ns(void);
#define ktime_get_boottime_ns()	ktime_get_coarse_boottime_ns()

/* ---- locks and RCU: single-threaded no-ops ---- */

typedef struct {
	int unused;
} spinlock_t;
typedef struct {
	int unused;
} rwlock_t;
struct mutex {
	int unused;
};
struct rw_semaphore {
	int unused;
};
struct lock_class_key {
	int unused;
};

#define spin_lock_init(l)	((void)(l))
#define spin_lock(l)		((void)(l))
#define spin_unlock(l)		((void)(l))
#define spin_lock_bh(l)		((void)(l))
#define spin_unlock_bh(l)	((void)(l))
#define rwlock_init(l)		((void)(l))
#define mutex_init(m)		((void)(m))
#define mutex_lock(m)		((void)(m))
#define mutex_unlock(m)		((void)(m))
#define mutex_destroy(m)	((void)(m))
#define DEFINE_MUTEX(m)		struct mutex m = { 0 }
#define lockdep_assert_held(l)	((void)(l))
#define lockdep_is_held(l)	((void)(l), 1)

struct rcu_head {
	struct rcu_head *next;
	void (*func)(struct rcu_head *head);
};

#define rcu_read_lock()			do { } while (0)
#define rcu_read_unlock()		do { } while (0)
#define rcu_read_lock_bh()		do { } while (0)
#define rcu_read_unlock_bh()		do { } while (0)
#define synchronize_rcu()		do { } while (0)
#define rcu_barrier()			do { } while (0)
#define rcu_dereference(p)		(p)
#define rcu_dereference_bh(p)		(p)
#define rcu_dereference_protected(p, c)	((void)(c), (p))
#define rcu_access_pointer(p)		(p)
#define rcu_assign_pointer(p, v)	((p) = (v))
#define RCU_INIT_POINTER(p, v)		((p) = (v))

/* ---- atomics and reference counts (plain, single-threaded) ---- */

typedef struct {
	int counter;
} atomic_t;
typedef struct {
	s64 counter;
} atomic64_t;
struct kref {
	atomic_t refcount;
};

/* ---- lists ---- */

struct list_head {
	struct list_head *next, *prev;
};

struct hlist_head {
	struct hlist_node *first;
};

struct hlist_node {
	struct hlist_node *next, **pprev;
};

#define LIST_HEAD_INIT(name)	{ &(name), &(name) }
#define LIST_HEAD(name)		struct list_head name = LIST_HEAD_INIT(name)

static inline void INIT_LIST_HEAD(struct list_head *l)
{
	l->next = l;
	l->prev = l;
}

static inline void __list_add(struct list_head *n, struct list_head *prev,
			      struct list_head *next)
{
	next->prev = n;
	n->next = next;
	n->prev = prev;
	prev->next = n;
}

static inline void list_add(struct list_head *n, struct list_head *head)
{
	__list_add(n, head, head->next);
}

static inline void list_add_tail(struct list_head *n, struct list_head *head)
{
	__list_add(n, head->prev, head);
}

static inline void __list_del_entry(struct list_head *e)
{
	e->next->prev = e->prev;
	e->prev->next = e->next;
}

/* Poisoned like the kernel's, so a use after list_del() faults. */
#define LIST_POISON1		((struct list_head *)0x100)
#define LIST_POISON2		((struct list_head *)0x122)

static inline void list_del(struct list_head *e)
{
	__list_del_entry(e);
	e->next = LIST_POISON1;
	e->prev = LIST_POISON2;
}

static inline void list_del_init(struct list_head *e)
{
	__list_del_entry(e);
	INIT_LIST_HEAD(e);
}

static inline void list_move_tail(struct list_head *e, struct list_head *head)
{
	__list_del_entry(e);
	list_add_tail(e, head);
}

static inline bool list_empty(const struct list_head *head)
{
	return head->next == head;
}

#define list_entry(ptr, type, member)	container_of(ptr, type, member)
#define list_first_entry(ptr, type, member) \
	list_entry((ptr)->next, type, member)
#define list_last_entry(ptr, type, member) \
	list_entry((ptr)->prev, type, member)
#define list_next_entry(pos, member) \
	list_entry((pos)->member.next, __typeof__(*(pos)), member)
#define list_for_each_entry(pos, head, member)				\
	for (pos = list_first_entry(head, __typeof__(*pos), member);	\
	     &pos->member != (head);					\
	     pos = list_next_entry(pos, member))
#define list_for_each_entry_safe(pos, n, head, member)			\
	for (pos = list_first_entry(head, __typeof__(*pos), member),	\
	     n = list_next_entry(pos, member);				\
	     &pos->member != (head);					\
	     pos = n, n = list_next_entry(n, member))

/* ---- opaque kernel objects that headers embed but the core never uses ---- */

struct work_struct {
	void *unused;
};
struct delayed_work {
	struct work_struct work;
};
struct timer_list {
	void *unused;
};
struct sk_buff;
struct sk_buff_head {
	void *next, *prev;
	u32 qlen;
};
struct dst_cache {
	void *unused;
};
typedef struct {
	u64 key[2];
} siphash_key_t;

/* ---- network headers (only what the core reads) ---- */

#define ETH_P_IP	0x0800
#define ETH_P_IPV6	0x86DD

struct iphdr {
	u8 ihl_version;
	u8 tos;
	__be16 tot_len;
	__be16 id;
	__be16 frag_off;
	u8 ttl;
	u8 protocol;
	__be16 check;
	__be32 saddr;
	__be32 daddr;
};

struct ipv6hdr {
	u8 priority_version;
	u8 flow_lbl[3];
	__be16 payload_len;
	u8 nexthdr;
	u8 hop_limit;
	struct in6_addr saddr;
	struct in6_addr daddr;
};

static_assert(sizeof(struct iphdr) == 20);
static_assert(sizeof(struct ipv6hdr) == 40);

/* ---- lib/crypto (implemented in shim/crypto.c) ---- */

#define CURVE25519_KEY_SIZE		32
#define BLAKE2S_BLOCK_SIZE		64
#define BLAKE2S_HASH_SIZE		32
#define BLAKE2S_KEY_SIZE		32
#define CHACHA20POLY1305_KEY_SIZE	32
#define CHACHA20POLY1305_AUTHTAG_SIZE	16
#define XCHACHA20POLY1305_NONCE_SIZE	24

struct blake2s_state {
	u32 h[8];
	u32 t[2];
	u32 f[2];
	u8 buf[BLAKE2S_BLOCK_SIZE];
	unsigned int buflen;
	unsigned int outlen;
};

void blake2s_init(struct blake2s_state *st, size_t outlen);
void blake2s_init_key(struct blake2s_state *st, size_t outlen,
		      const void *key, size_t keylen);
void blake2s_update(struct blake2s_state *st, const u8 *in, size_t inlen);
void blake2s_final(struct blake2s_state *st, u8 *out);
void blake2s(u8 *out, const u8 *in, const u8 *key, size_t outlen,
	     size_t inlen, size_t keylen);

void chacha20poly1305_encrypt(u8 *dst, const u8 *src, size_t src_len,
			      const u8 *ad, size_t ad_len, u64 nonce,
			      const u8 key[CHACHA20POLY1305_KEY_SIZE]);
bool __must_check
chacha20poly1305_decrypt(u8 *dst, const u8 *src, size_t src_len,
			 const u8 *ad, size_t ad_len, u64 nonce,
			 const u8 key[CHACHA20POLY1305_KEY_SIZE]);
void xchacha20poly1305_encrypt(u8 *dst, const u8 *src, size_t src_len,
			       const u8 *ad, size_t ad_len,
			       const u8 nonce[XCHACHA20POLY1305_NONCE_SIZE],
			       const u8 key[CHACHA20POLY1305_KEY_SIZE]);
bool __must_check
xchacha20poly1305_decrypt(u8 *dst, const u8 *src, size_t src_len,
			  const u8 *ad, size_t ad_len,
			  const u8 nonce[XCHACHA20POLY1305_NONCE_SIZE],
			  const u8 key[CHACHA20POLY1305_KEY_SIZE]);

/* False when the result is all zero (a small-order point). */
bool __must_check curve25519(u8 out[CURVE25519_KEY_SIZE],
			     const u8 secret[CURVE25519_KEY_SIZE],
			     const u8 basepoint[CURVE25519_KEY_SIZE]);
/* False for an all-zero secret or result. */
bool __must_check curve25519_generate_public(u8 pub[CURVE25519_KEY_SIZE],
					     const u8 secret[CURVE25519_KEY_SIZE]);

static inline void curve25519_clamp_secret(u8 secret[CURVE25519_KEY_SIZE])
{
	secret[0] &= 248;
	secret[31] = (secret[31] & 127) | 64;
}

static inline void curve25519_generate_secret(u8 secret[CURVE25519_KEY_SIZE])
{
	get_random_bytes(secret, CURVE25519_KEY_SIZE);
	curve25519_clamp_secret(secret);
}

#endif /* VEIL_FUZZ_KSHIM_H */
