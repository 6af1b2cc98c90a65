// SPDX-License-Identifier: GPL-2.0
/*
 * wire_tool: forges and injects WireGuard messages (protocol.md §3, §5, §6)
 * at a device under test, from userspace, with plain UDP and AF_PACKET
 * sockets. It is the attacker in selftests/abuse.sh.
 *
 * What it proves by itself: nothing; it is a tool. What it makes provable:
 *  - flood-initiations: handshake initiations whose mac1 is valid for the
 *    responder's public key (so they pass the cheap check and cost the
 *    responder a DH each) at a chosen rate, from several source ports, to
 *    push a responder into its under-load state (cookie replies). With
 *    --burst it sends them in UDP GSO datagrams, one pass through its own
 *    stack for up to 64, so that even on a slow debug kernel it can outrun
 *    the responder's handshake worker. It counts
 *    the cookie replies (type 3, 64 bytes) that come back to its sockets.
 *  - garbage: a seeded mix of malformed and unauthenticated messages in
 *    named categories, each of which a receiver must drop, silently, in a
 *    known way (malformed size/type, bad mac1, unknown receiver index ...).
 *  - replay: captures one real data message on an interface and re-sends
 *    its exact bytes, which the receiver must authenticate and then refuse
 *    as a replay.
 *
 * BLAKE2s (RFC 7693) is implemented here and checked at startup against
 * RFC 7693's "abc" vector, two keyed vectors of the BLAKE2 reference KAT and
 * the mac1 of protocol.md's worked example; the tool aborts if any is wrong.
 *
 * Build: cc -Wall -Wextra -O2 -o wire_tool wire_tool.c (libc only).
 * Run "wire_tool help" for the usage.
 */

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/udp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Message types and sizes (protocol.md §3). */
#define MSG_INITIATION		1
#define MSG_RESPONSE		2
#define MSG_COOKIE		3
#define MSG_DATA		4
#define SIZE_INITIATION		148
#define SIZE_RESPONSE		92
#define SIZE_COOKIE		64
#define SIZE_DATA_MIN		32
#define INIT_MAC1_OFF		116	/* mac1 of an initiation, mac2 at 132 */
#define RESP_MAC1_OFF		60	/* mac1 of a response, mac2 at 76 */

#define MAX_DGRAM		65000
#define MAX_SOURCES		256
/* Most initiations in one UDP GSO datagram: UDP_MAX_SEGMENTS. */
#define FLOOD_BURST		64
#ifndef UDP_SEGMENT
#define UDP_SEGMENT		103	/* linux/udp.h */
#endif

static const char *prog = "wire_tool";

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* ---- BLAKE2s (RFC 7693) ---- */

struct blake2s {
	uint32_t h[8];
	uint32_t t[2];
	uint8_t buf[64];
	size_t buflen;
	size_t outlen;
};

static const uint32_t blake2s_iv[8] = {
	0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
	0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

static const uint8_t blake2s_sigma[10][16] = {
	{ 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 },
	{ 14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3 },
	{ 11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4 },
	{ 7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8 },
	{ 9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13 },
	{ 2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9 },
	{ 12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11 },
	{ 13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10 },
	{ 6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5 },
	{ 10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0 },
};

static inline uint32_t ror32(uint32_t x, unsigned int n)
{
	return (x >> n) | (x << (32 - n));
}

static inline uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 |
	       (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

static inline uint64_t get_le64(const uint8_t *p)
{
	return (uint64_t)get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

static inline void put_le64(uint8_t *p, uint64_t v)
{
	put_le32(p, v);
	put_le32(p + 4, v >> 32);
}

#define G(a, b, c, d, x, y) do {			\
	a += b + (x); d = ror32(d ^ a, 16);		\
	c += d;       b = ror32(b ^ c, 12);		\
	a += b + (y); d = ror32(d ^ a, 8);		\
	c += d;       b = ror32(b ^ c, 7);		\
} while (0)

static void blake2s_compress(struct blake2s *s, const uint8_t block[64],
			     bool last)
{
	uint32_t m[16], v[16];
	int i, r;

	for (i = 0; i < 16; i++)
		m[i] = get_le32(block + 4 * i);
	for (i = 0; i < 8; i++) {
		v[i] = s->h[i];
		v[i + 8] = blake2s_iv[i];
	}
	v[12] ^= s->t[0];
	v[13] ^= s->t[1];
	if (last)
		v[14] = ~v[14];
	for (r = 0; r < 10; r++) {
		const uint8_t *sg = blake2s_sigma[r];

		G(v[0], v[4], v[8], v[12], m[sg[0]], m[sg[1]]);
		G(v[1], v[5], v[9], v[13], m[sg[2]], m[sg[3]]);
		G(v[2], v[6], v[10], v[14], m[sg[4]], m[sg[5]]);
		G(v[3], v[7], v[11], v[15], m[sg[6]], m[sg[7]]);
		G(v[0], v[5], v[10], v[15], m[sg[8]], m[sg[9]]);
		G(v[1], v[6], v[11], v[12], m[sg[10]], m[sg[11]]);
		G(v[2], v[7], v[8], v[13], m[sg[12]], m[sg[13]]);
		G(v[3], v[4], v[9], v[14], m[sg[14]], m[sg[15]]);
	}
	for (i = 0; i < 8; i++)
		s->h[i] ^= v[i] ^ v[i + 8];
}

static void blake2s_add_counter(struct blake2s *s, uint32_t n)
{
	s->t[0] += n;
	if (s->t[0] < n)
		s->t[1]++;
}

static void blake2s_update(struct blake2s *s, const void *data, size_t len)
{
	const uint8_t *in = data;

	while (len > 0) {
		size_t n;

		/* The last block is compressed by final(), with the flag. */
		if (s->buflen == 64) {
			blake2s_add_counter(s, 64);
			blake2s_compress(s, s->buf, false);
			s->buflen = 0;
		}
		n = 64 - s->buflen;
		if (n > len)
			n = len;
		memcpy(s->buf + s->buflen, in, n);
		s->buflen += n;
		in += n;
		len -= n;
	}
}

static void blake2s_init(struct blake2s *s, size_t outlen,
			 const void *key, size_t keylen)
{
	int i;

	if (outlen < 1 || outlen > 32 || keylen > 32)
		die("blake2s: bad parameters");
	memset(s, 0, sizeof(*s));
	for (i = 0; i < 8; i++)
		s->h[i] = blake2s_iv[i];
	s->h[0] ^= 0x01010000 ^ (uint32_t)(keylen << 8) ^ (uint32_t)outlen;
	s->outlen = outlen;
	if (keylen) {
		uint8_t block[64] = { 0 };

		memcpy(block, key, keylen);
		blake2s_update(s, block, sizeof(block));
	}
}

static void blake2s_final(struct blake2s *s, uint8_t *out)
{
	uint8_t full[32];
	int i;

	blake2s_add_counter(s, s->buflen);
	memset(s->buf + s->buflen, 0, 64 - s->buflen);
	blake2s_compress(s, s->buf, true);
	for (i = 0; i < 8; i++)
		put_le32(full + 4 * i, s->h[i]);
	memcpy(out, full, s->outlen);
}

static void blake2s(uint8_t *out, size_t outlen, const void *key,
		    size_t keylen, const void *in, size_t inlen)
{
	struct blake2s s;

	blake2s_init(&s, outlen, key, keylen);
	blake2s_update(&s, in, inlen);
	blake2s_final(&s, out);
}

/* mac1_key(P) = HASH("mac1----" || P) (protocol.md §5.1). */
static void mac1_key(uint8_t key[32], const uint8_t pub[32])
{
	struct blake2s s;

	blake2s_init(&s, 32, NULL, 0);
	blake2s_update(&s, "mac1----", 8);
	blake2s_update(&s, pub, 32);
	blake2s_final(&s, key);
}

/* mac1 = MAC(mac1_key, m[0:off]), written at m + off (§5.2). */
static void put_mac1(uint8_t *msg, size_t off, const uint8_t key[32])
{
	blake2s(msg + off, 16, key, 32, msg, off);
}

static int unhex(uint8_t *out, size_t outlen, const char *hex)
{
	size_t i;

	if (strlen(hex) != 2 * outlen)
		return -1;
	for (i = 0; i < outlen; i++) {
		unsigned int b;

		if (sscanf(hex + 2 * i, "%2x", &b) != 1)
			return -1;
		out[i] = b;
	}
	return 0;
}

static void hexprint(const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		printf("%02x", p[i]);
	putchar('\n');
}

/* protocol.md §13.3: the worked example's initiation and responder key. */
static const char example_init_hex[] =
	"010000004d3c2b1a7b0d47d93427f8311160781c7c733fd89f88970aef490d8a"
	"a0ee19a4cb8a1b1481e498317da959fba46669572516a5e6c021bfa620bb6c56"
	"ca0082e1feae14988c2c64d024c617734a263f76a008df04d0f94bad8e26af48"
	"e1c26955db52afc518ad6421c390ea545c757d35e60ccd85f43bbc33bd010d05"
	"73f3d39e00000000000000000000000000000000";
static const char example_resp_pub_hex[] =
	"0faa684ed28867b97f4a6a2dee5df8ce974e76b7018e3f22a1c4cf2678570f20";

/* Aborts unless BLAKE2s and mac1 reproduce the known answers. */
static void blake2s_selftest(void)
{
	static const struct {
		const char *what, *expect;
		size_t inlen;		/* input: "abc" or bytes 0, 1, 2, ... */
		bool keyed;		/* key: bytes 0..31 */
	} kat[] = {
		{ "BLAKE2s-256(\"abc\")",
		  "508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982",
		  3, false },
		{ "keyed BLAKE2s-256, empty input",
		  "48a8997da407876b3d79c0d92325ad3b89cbb754d86ab71aee047ad345fd2c49",
		  0, true },
		{ "keyed BLAKE2s-256, 255-byte input",
		  "3fb735061abc519dfe979e54c1ee5bfad0a9d858b3315bad34bde999efd724dd",
		  255, true },
	};
	uint8_t in[255], key[32], out[32], expect[32];
	uint8_t msg[SIZE_INITIATION], pub[32], k[32], mac[16];
	size_t i;

	for (i = 0; i < sizeof(in); i++)
		in[i] = i;
	for (i = 0; i < sizeof(key); i++)
		key[i] = i;
	for (i = 0; i < ARRAY_SIZE(kat); i++) {
		if (unhex(expect, 32, kat[i].expect))
			die("selftest: bad vector");
		if (kat[i].keyed)
			blake2s(out, 32, key, 32, in, kat[i].inlen);
		else
			blake2s(out, 32, NULL, 0, "abc", 3);
		if (memcmp(out, expect, 32))
			die("self-test failed: %s is wrong, BLAKE2s is broken",
			    kat[i].what);
	}
	/* Byte-at-a-time updates across block boundaries give the same. */
	{
		struct blake2s s;

		blake2s_init(&s, 32, key, 32);
		for (i = 0; i < 255; i++)
			blake2s_update(&s, in + i, 1);
		blake2s_final(&s, out);
		unhex(expect, 32, kat[2].expect);
		if (memcmp(out, expect, 32))
			die("self-test failed: incremental BLAKE2s is wrong");
	}
	if (unhex(msg, sizeof(msg), example_init_hex) ||
	    unhex(pub, sizeof(pub), example_resp_pub_hex))
		die("selftest: bad example");
	mac1_key(k, pub);
	memcpy(mac, msg + INIT_MAC1_OFF, 16);
	put_mac1(msg, INIT_MAC1_OFF, k);
	if (memcmp(mac, msg + INIT_MAC1_OFF, 16))
		die("self-test failed: mac1 of the worked example is wrong");
}

/* ---- Randomness: a seeded generator (xoshiro256**-like, own) ---- */

struct rng {
	uint64_t s[4];
};

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void rng_seed(struct rng *r, uint64_t seed)
{
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static inline uint64_t rotl64(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t res = rotl64(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl64(s[3], 45);
	return res;
}

/* A uniform-enough number in [lo, hi]. */
static uint64_t rng_range(struct rng *r, uint64_t lo, uint64_t hi)
{
	return lo + rng_next(r) % (hi - lo + 1);
}

static void rng_fill(struct rng *r, uint8_t *p, size_t len)
{
	while (len >= 8) {
		uint64_t v = rng_next(r);

		memcpy(p, &v, 8);
		p += 8;
		len -= 8;
	}
	if (len) {
		uint64_t v = rng_next(r);

		memcpy(p, &v, len);
	}
}

static uint64_t os_random_u64(void)
{
	uint64_t v;

	if (getrandom(&v, sizeof(v), 0) != sizeof(v))
		v = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	return v;
}

/* ---- Helpers ---- */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_s(double s)
{
	struct timespec ts;

	if (s <= 0)
		return;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - ts.tv_sec) * 1e9);
	nanosleep(&ts, NULL);
}

static const char b64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* A 32-byte key in canonical base64 (44 characters, one '='). */
static int key_from_base64(uint8_t key[32], const char *b64)
{
	uint32_t acc = 0;
	int bits = 0;
	size_t i, n = 0;

	if (strlen(b64) != 44 || b64[43] != '=')
		return -1;
	for (i = 0; i < 43; i++) {
		const char *p = strchr(b64_alphabet, b64[i]);

		if (!p || !b64[i])
			return -1;
		acc = acc << 6 | (uint32_t)(p - b64_alphabet);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n < 32)
				key[n++] = acc >> bits;
			acc &= (1u << bits) - 1;
		}
	}
	/* 43 * 6 = 258 bits: 32 bytes and 2 bits that must be zero. */
	if (n != 32 || acc != 0)
		return -1;
	return 0;
}

static unsigned long parse_ulong(const char *opt, const char *s,
				 unsigned long min, unsigned long max)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end || s[0] == '-' || v < min || v > max)
		die("%s: '%s' is not a number in %lu..%lu", opt, s, min, max);
	return v;
}

static double parse_seconds(const char *opt, const char *s)
{
	double v;
	char *end;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v > 0) || v > 86400)
		die("%s: '%s' is not a duration in seconds (0 < S <= 86400)",
		    opt, s);
	return v;
}

/* ADDR (numeric IPv4 or IPv6, "[v6]" allowed) and PORT into a sockaddr. */
static void parse_dest(struct sockaddr_storage *ss, socklen_t *len,
		       const char *addr, unsigned long port)
{
	struct addrinfo hints = {
		.ai_flags = AI_NUMERICHOST,
		.ai_socktype = SOCK_DGRAM,
	};
	struct addrinfo *ai;
	char buf[INET6_ADDRSTRLEN + 2];
	size_t n = strlen(addr);

	if (n >= sizeof(buf))
		die("--to: '%s' is not an IP address", addr);
	strcpy(buf, addr);
	if (n > 2 && buf[0] == '[' && buf[n - 1] == ']') {
		buf[n - 1] = '\0';
		memmove(buf, buf + 1, n - 1);
	}
	if (getaddrinfo(buf, NULL, &hints, &ai) || !ai)
		die("--to: '%s' is not a numeric IPv4 or IPv6 address", addr);
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*len = ai->ai_addrlen;
	freeaddrinfo(ai);
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
}

static const char *addr_str(const struct sockaddr_storage *ss, char *buf,
			    size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s = (const void *)ss;

		inet_ntop(AF_INET, &s->sin_addr, a, sizeof(a));
		snprintf(buf, len, "%s:%u", a, ntohs(s->sin_port));
	} else {
		const struct sockaddr_in6 *s = (const void *)ss;

		inet_ntop(AF_INET6, &s->sin6_addr, a, sizeof(a));
		snprintf(buf, len, "[%s]:%u", a, ntohs(s->sin6_port));
	}
	return buf;
}

/* A UDP socket of the destination's family, on an ephemeral port. */
static int udp_socket(int family)
{
	int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int sz = 1 << 20;

	if (fd < 0)
		die("socket: %s", strerror(errno));
	/* Best effort: big datagrams and bursts. */
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	return fd;
}

/* Paces a loop at RATE per second (0: as fast as possible). */
struct pacer {
	double start, rate;
};

static void pace(struct pacer *p, unsigned long sent)
{
	double due, ahead;

	if (p->rate <= 0)
		return;
	due = p->start + sent / p->rate;
	ahead = due - now_s();
	if (ahead > 0.0005)
		sleep_s(ahead);
}

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* ---- Command line ---- */

struct opts {
	const char *to, *pubkey, *iface, *only, *dir;
	unsigned long port, count, rate, sources, burst, window;
	double duration, timeout;
	uint64_t seed;
	bool have_port, have_count, have_seed, have_duration;
};

static void usage(FILE *f)
{
	fprintf(f,
"usage: wire_tool COMMAND [OPTIONS]\n"
"\n"
"  flood-initiations --to ADDR --port P --pubkey BASE64\n"
"                    [--count N] [--duration S] [--rate PPS] [--sources K]\n"
"                    [--burst B] [--window W]\n"
"      handshake initiations (148 bytes) with a random body and a mac1 that\n"
"      is valid for the responder's public key, mac2 zero; from K source\n"
"      ports (default 1), at PPS per second (default: as fast as possible),\n"
"      B at a time in one UDP GSO datagram (1-64, default 1: one\n"
"      sendto() each; falls back to that where GSO is refused),\n"
"      with --window, at most W sent and not yet answered by a cookie\n"
"      reply (W forgiven after 0.5 s without any reply), which bounds the\n"
"      responder's queue and so the wait of a message in it;\n"
"      until N are sent or S seconds passed (default N = 1000), or until\n"
"      SIGINT/SIGTERM. Prints \"sent N\", \"send_errors N\" and\n"
"      \"cookie_replies N\" (type-3 messages that came back to the sources);\n"
"      progress once a second on stderr.\n"
"\n"
"  garbage --to ADDR --port P [--count N] [--seed S] [--rate PPS]\n"
"          [--pubkey BASE64] [--only CAT[,CAT...]]\n"
"      a seeded mix (default N = 1000) of the categories:\n"
"        random     random bytes, 0..1500 long, no valid type word\n"
"        jumbo      random bytes, 1501..65000 long (a few)\n"
"        truncated  types 1..4, one byte short of their (minimum) size\n"
"        extended   types 1..3, one byte longer than their size\n"
"        badtype    type words 0, 5 and 255\n"
"        reserved   types 1..4 at a valid size, a reserved byte non-zero\n"
"        data       type 4, random receiver index and counter, 33..1500 bytes\n"
"        data_min   type 4, random index and counter, exactly 32 bytes\n"
"        cookie     type 3 (64 bytes), random receiver index\n"
"        badmac1    types 1 and 2 at their size with a wrong mac1\n"
"        init_mac1  type 1 with a valid mac1 (only with --pubkey)\n"
"      Prints \"seed S\", one \"CATEGORY N\" line per category, \"total N\"\n"
"      and \"send_errors N\".\n"
"\n"
"  replay --iface IF --port P [--count N] [--timeout S] [--dir to|from|any]\n"
"      captures (AF_PACKET) the first UDP datagram on IF to or from port P\n"
"      (--dir: only to it, only from it; default any) that carries a data\n"
"      message (type 4, >= 32 bytes), then sends its exact payload N times\n"
"      (default 5) to the datagram's destination address and port. Prints\n"
"      \"captured ...\" and \"resent N\"; exits 2 when nothing was captured\n"
"      within S seconds (default 10).\n"
"\n"
"  keys mac1-key BASE64     prints mac1_key(BASE64) in hex\n"
"  keys mac1 BASE64         reads a 148-byte initiation or 92-byte response\n"
"                           on stdin, prints its correct mac1 in hex\n"
"  selftest                 checks BLAKE2s and mac1 (also done at startup)\n");
}

static void bad_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void bad_usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(\"%s help\" for the usage)\n", prog);
	exit(1);
}

/* Parses "--name value" pairs; ALLOWED lists the names this command takes. */
static void parse_opts(struct opts *o, int argc, char **argv,
		       const char *const *allowed)
{
	int i;

	memset(o, 0, sizeof(*o));
	for (i = 0; i < argc; i++) {
		const char *name = argv[i], *val;
		const char *const *a;

		for (a = allowed; *a; a++)
			if (!strcmp(name, *a))
				break;
		if (!*a)
			bad_usage("unknown option '%s'", name);
		if (i + 1 >= argc)
			bad_usage("%s needs a value", name);
		val = argv[++i];
		if (!strcmp(name, "--to")) {
			o->to = val;
		} else if (!strcmp(name, "--port")) {
			o->port = parse_ulong(name, val, 1, 65535);
			o->have_port = true;
		} else if (!strcmp(name, "--pubkey")) {
			o->pubkey = val;
		} else if (!strcmp(name, "--count")) {
			o->count = parse_ulong(name, val, 1, ULONG_MAX / 2);
			o->have_count = true;
		} else if (!strcmp(name, "--duration")) {
			o->duration = parse_seconds(name, val);
			o->have_duration = true;
		} else if (!strcmp(name, "--timeout")) {
			o->timeout = parse_seconds(name, val);
		} else if (!strcmp(name, "--rate")) {
			o->rate = parse_ulong(name, val, 1, 100000000);
		} else if (!strcmp(name, "--sources")) {
			o->sources = parse_ulong(name, val, 1, MAX_SOURCES);
		} else if (!strcmp(name, "--window")) {
			o->window = parse_ulong(name, val, 1, 1000000);
		} else if (!strcmp(name, "--burst")) {
			o->burst = parse_ulong(name, val, 1, FLOOD_BURST);
		} else if (!strcmp(name, "--seed")) {
			o->seed = parse_ulong(name, val, 0, ULONG_MAX);
			o->have_seed = true;
		} else if (!strcmp(name, "--iface")) {
			o->iface = val;
		} else if (!strcmp(name, "--only")) {
			o->only = val;
		} else if (!strcmp(name, "--dir")) {
			o->dir = val;
		}
	}
}

/* ---- flood-initiations ---- */

/* Counts the cookie replies waiting on FD, 64 per call; never blocks. */
static unsigned long drain_cookie_replies(int fd)
{
	static uint8_t bufs[FLOOD_BURST][128];
	struct mmsghdr mm[FLOOD_BURST];
	struct iovec iov[FLOOD_BURST];
	unsigned long n = 0;
	int got, i;

	for (;;) {
		memset(mm, 0, sizeof(mm));
		for (i = 0; i < FLOOD_BURST; i++) {
			iov[i].iov_base = bufs[i];
			iov[i].iov_len = sizeof(bufs[i]);
			mm[i].msg_hdr.msg_iov = &iov[i];
			mm[i].msg_hdr.msg_iovlen = 1;
		}
		got = recvmmsg(fd, mm, FLOOD_BURST, MSG_DONTWAIT, NULL);
		if (got <= 0)
			return n;
		for (i = 0; i < got; i++)
			if (mm[i].msg_len == SIZE_COOKIE &&
			    get_le32(bufs[i]) == MSG_COOKIE)
				n++;
	}
}

/* Counts the cookie replies waiting on all K sockets; never blocks. */
static unsigned long drain_sources(const int *fds, unsigned long k)
{
	unsigned long i, n = 0;

	for (i = 0; i < k; i++)
		n += drain_cookie_replies(fds[i]);
	return n;
}

/* Progress on stderr, once a second, for a caller to wait on. */
static void flood_progress(double t, double *next_report, double start,
			   unsigned long sent, unsigned long cookies)
{
	if (t < *next_report)
		return;
	fprintf(stderr, "%s: flood: %.1f s, sent %lu, cookie replies %lu\n",
		prog, t - start, sent, cookies);
	*next_report = t + 1;
}

/* Waits up to MS milliseconds for a datagram on any of the K sockets. */
static void poll_sockets(const int *fds, unsigned long k, int ms)
{
	struct pollfd pfd[MAX_SOURCES];
	unsigned long i;

	for (i = 0; i < k; i++) {
		pfd[i].fd = fds[i];
		pfd[i].events = POLLIN;
		pfd[i].revents = 0;
	}
	poll(pfd, k, ms);
}

/*
 * Sends N messages of LEN bytes, back to back in BUF, as one UDP GSO
 * datagram: one pass through the sender's stack for all of them, and the
 * receiving UDP cuts them apart again. Returns false when it failed (errno
 * set); EIO or EINVAL mean this path cannot do UDP GSO at all.
 */
static bool send_gso_burst(int fd, const uint8_t *buf, size_t len, int n,
			   const struct sockaddr_storage *dst, socklen_t dstlen)
{
	union {
		char buf[CMSG_SPACE(sizeof(uint16_t))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len * n };
	struct msghdr mh = {
		.msg_name = (void *)dst, .msg_namelen = dstlen,
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	uint16_t seg = len;

	memset(&ctl, 0, sizeof(ctl));
	c->cmsg_level = IPPROTO_UDP;
	c->cmsg_type = UDP_SEGMENT;
	c->cmsg_len = CMSG_LEN(sizeof(seg));
	memcpy(CMSG_DATA(c), &seg, sizeof(seg));
	return sendmsg(fd, &mh, 0) == (ssize_t)(len * n);
}

/* One forged initiation at MSG: random body, valid mac1, mac2 zero. */
static void forge_initiation(uint8_t *msg, struct rng *r, const uint8_t *key)
{
	/*
	 * Type 1, reserved zero, a random sender index, ephemeral, encrypted
	 * static and timestamp; a valid mac1; mac2 zero.
	 */
	rng_fill(r, msg, INIT_MAC1_OFF);
	put_le32(msg, MSG_INITIATION);
	put_mac1(msg, INIT_MAC1_OFF, key);
	memset(msg + INIT_MAC1_OFF + 16, 0, 16);
}

static int cmd_flood(int argc, char **argv)
{
	static const char *const allowed[] = {
		"--to", "--port", "--pubkey", "--count", "--duration",
		"--rate", "--sources", "--burst", "--window", NULL
	};
	struct sockaddr_storage dst;
	socklen_t dstlen;
	struct opts o;
	static uint8_t bmsg[FLOOD_BURST][SIZE_INITIATION];
	uint8_t pub[32], key[32], msg[SIZE_INITIATION];
	int fds[MAX_SOURCES];
	unsigned long sent = 0, errors = 0, cookies = 0, i, j, k;
	struct pacer p;
	struct rng r;
	double end, next_report;
	unsigned long burst, since_drain = 0, forgiven = 0;
	double last_reply;
	bool gso;

	parse_opts(&o, argc, argv, allowed);
	if (!o.to || !o.have_port || !o.pubkey)
		bad_usage("flood-initiations needs --to, --port and --pubkey");
	if (key_from_base64(pub, o.pubkey))
		bad_usage("--pubkey: '%s' is not a base64 32-byte key", o.pubkey);
	if (!o.have_count && !o.have_duration)
		o.count = 1000;
	k = o.sources ? o.sources : 1;
	parse_dest(&dst, &dstlen, o.to, o.port);
	mac1_key(key, pub);
	rng_seed(&r, os_random_u64());
	for (i = 0; i < k; i++)
		fds[i] = udp_socket(dst.ss_family);
	catch_signals();

	p.start = now_s();
	p.rate = o.rate;
	burst = o.burst ? o.burst : 1;
	gso = burst > 1;
	end = o.have_duration ? p.start + o.duration : 0;
	next_report = p.start + 1;
	last_reply = p.start;
	while (!stop_requested) {
		unsigned long n = 1;

		if (o.count && sent + errors >= o.count)
			break;
		if (end && now_s() >= end)
			break;
		/* Signed: replies to forgiven messages may still come. */
		if (o.window &&
		    (long)(sent - cookies) - (long)forgiven >= (long)o.window) {
			/*
			 * The window is full: wait for replies. A responder
			 * that stopped answering (no longer under load, or
			 * its queue overflowed) gets a new window after a
			 * quiet 0.5 s.
			 */
			unsigned long got;
			double t;

			poll_sockets(fds, k, 10);
			got = drain_sources(fds, k);
			cookies += got;
			t = now_s();
			if (got) {
				last_reply = t;
			} else if (t - last_reply >= 0.5) {
				forgiven = sent - cookies;
				last_reply = t;
			}
			flood_progress(t, &next_report, p.start, sent, cookies);
			continue;
		}
		pace(&p, sent + errors);
		if (gso) {
			/* A burst from each socket in turn. */
			i = (sent + errors) / burst % k;
			n = burst;
			if (o.count && o.count - (sent + errors) < n)
				n = o.count - (sent + errors);
			for (j = 0; j < n; j++)
				forge_initiation(bmsg[j], &r, key);
			if (send_gso_burst(fds[i], bmsg[0], SIZE_INITIATION, n,
					   &dst, dstlen)) {
				sent += n;
			} else if (!sent && (errno == EIO || errno == EINVAL)) {
				/* No UDP GSO on this path: one at a time. */
				gso = false;
				continue;
			} else {
				errors += n;
			}
		} else {
			forge_initiation(msg, &r, key);
			i = (sent + errors) % k;
			if (sendto(fds[i], msg, sizeof(msg), 0,
				   (struct sockaddr *)&dst, dstlen) ==
			    sizeof(msg))
				sent++;
			else
				errors++;
		}
		since_drain += n;
		if (since_drain >= 64) {
			unsigned long got = drain_sources(fds, k);
			double t = now_s();

			since_drain = 0;
			cookies += got;
			if (got)
				last_reply = t;
			flood_progress(t, &next_report, p.start, sent, cookies);
		}
	}
	/* Replies still in flight: a short wait. */
	sleep_s(0.3);
	cookies += drain_sources(fds, k);
	for (i = 0; i < k; i++)
		close(fds[i]);
	printf("sent %lu\nsend_errors %lu\ncookie_replies %lu\nseconds %.2f\n",
	       sent, errors, cookies, now_s() - p.start);
	return sent ? 0 : 1;
}

/* ---- garbage ---- */

enum {
	G_RANDOM, G_JUMBO, G_TRUNCATED, G_EXTENDED, G_BADTYPE, G_RESERVED,
	G_DATA, G_DATA_MIN, G_COOKIE, G_BADMAC1, G_INIT_MAC1, G_NR
};

static const struct {
	const char *name;
	unsigned int weight;
} garbage_cat[G_NR] = {
	[G_RANDOM]	= { "random", 20 },
	[G_JUMBO]	= { "jumbo", 1 },
	[G_TRUNCATED]	= { "truncated", 10 },
	[G_EXTENDED]	= { "extended", 10 },
	[G_BADTYPE]	= { "badtype", 10 },
	[G_RESERVED]	= { "reserved", 10 },
	[G_DATA]	= { "data", 12 },
	[G_DATA_MIN]	= { "data_min", 8 },
	[G_COOKIE]	= { "cookie", 10 },
	[G_BADMAC1]	= { "badmac1", 10 },
	[G_INIT_MAC1]	= { "init_mac1", 5 },
};

static const uint32_t msg_size[5] = {
	0, SIZE_INITIATION, SIZE_RESPONSE, SIZE_COOKIE, SIZE_DATA_MIN
};

/*
 * Builds one message of category CAT into BUF; returns its length.
 * Every message is one a receiver must drop.
 */
static size_t garbage_make(int cat, uint8_t *buf, struct rng *r,
			   const uint8_t *mac1key)
{
	static const uint32_t bad_types[] = { 0, 5, 255 };
	uint32_t type, w;
	size_t len;

	switch (cat) {
	case G_RANDOM:
	case G_JUMBO:
		if (cat == G_RANDOM)
			len = rng_range(r, 0, 1500);
		else
			len = rng_range(r, 1501, MAX_DGRAM);
		rng_fill(r, buf, len);
		/* Never a valid type word (1..4 with zero reserved bytes). */
		w = len >= 4 ? get_le32(buf) : 0;
		if (w >= 1 && w <= 4)
			buf[1] = 0xff;
		return len;
	case G_TRUNCATED:
		type = rng_range(r, 1, 4);
		len = msg_size[type] - 1;
		rng_fill(r, buf, len);
		put_le32(buf, type);
		return len;
	case G_EXTENDED:
		type = rng_range(r, 1, 3);
		len = msg_size[type] + 1;
		rng_fill(r, buf, len);
		put_le32(buf, type);
		return len;
	case G_BADTYPE:
		/* The size of a type 1..4 message, or any. */
		w = rng_range(r, 1, 5);
		len = w <= 4 ? msg_size[w] : rng_range(r, 4, 1500);
		rng_fill(r, buf, len);
		put_le32(buf, bad_types[rng_range(r, 0, 2)]);
		return len;
	case G_RESERVED:
		type = rng_range(r, 1, 4);
		len = type == MSG_DATA ? rng_range(r, 32, 1500) : msg_size[type];
		rng_fill(r, buf, len);
		put_le32(buf, type);
		buf[rng_range(r, 1, 3)] = rng_range(r, 1, 255);
		return len;
	case G_DATA:
	case G_DATA_MIN:
		len = cat == G_DATA_MIN ? SIZE_DATA_MIN : rng_range(r, 33, 1500);
		rng_fill(r, buf, len);
		put_le32(buf, MSG_DATA);
		return len;
	case G_COOKIE:
		rng_fill(r, buf, SIZE_COOKIE);
		put_le32(buf, MSG_COOKIE);
		return SIZE_COOKIE;
	case G_BADMAC1:
		if (rng_next(r) & 1) {
			rng_fill(r, buf, SIZE_INITIATION);
			put_le32(buf, MSG_INITIATION);
			return SIZE_INITIATION;
		}
		rng_fill(r, buf, SIZE_RESPONSE);
		put_le32(buf, MSG_RESPONSE);
		return SIZE_RESPONSE;
	case G_INIT_MAC1:
		rng_fill(r, buf, SIZE_INITIATION);
		put_le32(buf, MSG_INITIATION);
		put_mac1(buf, INIT_MAC1_OFF, mac1key);
		memset(buf + INIT_MAC1_OFF + 16, 0, 16);
		return SIZE_INITIATION;
	}
	die("garbage: bad category %d", cat);
}

static int cmd_garbage(int argc, char **argv)
{
	static const char *const allowed[] = {
		"--to", "--port", "--count", "--seed", "--rate", "--pubkey",
		"--only", NULL
	};
	struct sockaddr_storage dst;
	socklen_t dstlen;
	struct opts o;
	bool enabled[G_NR];
	unsigned long sent[G_NR] = { 0 }, errors = 0, total = 0, n;
	unsigned int wsum = 0;
	uint8_t pub[32], key[32];
	uint8_t *buf;
	struct pacer p;
	struct rng r;
	int fd, c;

	parse_opts(&o, argc, argv, allowed);
	if (!o.to || !o.have_port)
		bad_usage("garbage needs --to and --port");
	if (o.pubkey && key_from_base64(pub, o.pubkey))
		bad_usage("--pubkey: '%s' is not a base64 32-byte key", o.pubkey);
	if (!o.have_count)
		o.count = 1000;
	if (!o.have_seed)
		o.seed = os_random_u64() & 0xffffffff;
	for (c = 0; c < G_NR; c++)
		enabled[c] = !o.only;
	if (o.only) {
		char *list = strdup(o.only), *save = NULL, *tok;

		for (tok = strtok_r(list, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save)) {
			for (c = 0; c < G_NR; c++)
				if (!strcmp(tok, garbage_cat[c].name))
					break;
			if (c == G_NR)
				bad_usage("--only: unknown category '%s'", tok);
			enabled[c] = true;
		}
		free(list);
	}
	if (enabled[G_INIT_MAC1] && !o.pubkey) {
		if (o.only && strstr(o.only, "init_mac1"))
			bad_usage("category init_mac1 needs --pubkey");
		enabled[G_INIT_MAC1] = false;
	}
	if (o.pubkey)
		mac1_key(key, pub);
	for (c = 0; c < G_NR; c++)
		wsum += enabled[c] ? garbage_cat[c].weight : 0;
	if (!wsum)
		bad_usage("--only: no category left");

	parse_dest(&dst, &dstlen, o.to, o.port);
	fd = udp_socket(dst.ss_family);
	buf = malloc(MAX_DGRAM);
	if (!buf)
		die("out of memory");
	rng_seed(&r, o.seed);
	catch_signals();
	p.start = now_s();
	p.rate = o.rate;
	for (n = 0; n < o.count && !stop_requested; n++) {
		unsigned int pick = rng_range(&r, 0, wsum - 1);
		size_t len;

		for (c = 0; c < G_NR; c++) {
			if (!enabled[c])
				continue;
			if (pick < garbage_cat[c].weight)
				break;
			pick -= garbage_cat[c].weight;
		}
		len = garbage_make(c, buf, &r, key);
		pace(&p, n);
		if (sendto(fd, buf, len, 0, (struct sockaddr *)&dst,
			   dstlen) == (ssize_t)len) {
			sent[c]++;
			total++;
		} else {
			errors++;
		}
	}
	printf("seed %" PRIu64 "\n", o.seed);
	for (c = 0; c < G_NR; c++)
		if (enabled[c])
			printf("%s %lu\n", garbage_cat[c].name, sent[c]);
	printf("total %lu\nsend_errors %lu\n", total, errors);
	free(buf);
	close(fd);
	return total ? 0 : 1;
}

/* ---- replay ---- */

/*
 * From a network-layer packet (IPv4 or IPv6), the UDP ports, addresses and payload. Fragments and IPv6 extension
 * headers are not followed (data messages from a tunnel are neither).
 */
static bool parse_udp(const uint8_t *pkt, size_t len,
		      struct sockaddr_storage *src, struct sockaddr_storage *dst,
		      const uint8_t **payload, size_t *plen)
{
	const struct udphdr *uh;
	size_t off;

	memset(src, 0, sizeof(*src));
	memset(dst, 0, sizeof(*dst));
	if (len >= sizeof(struct iphdr) && (pkt[0] >> 4) == 4) {
		const struct iphdr *ip = (const void *)pkt;
		struct sockaddr_in *s = (void *)src, *d = (void *)dst;

		off = ip->ihl * 4u;
		if (ip->protocol != IPPROTO_UDP || off < 20 || off > len ||
		    (ntohs(ip->frag_off) & 0x3fff))
			return false;
		s->sin_family = d->sin_family = AF_INET;
		memcpy(&s->sin_addr, &ip->saddr, 4);
		memcpy(&d->sin_addr, &ip->daddr, 4);
	} else if (len >= sizeof(struct ip6_hdr) && (pkt[0] >> 4) == 6) {
		const struct ip6_hdr *ip6 = (const void *)pkt;
		struct sockaddr_in6 *s = (void *)src, *d = (void *)dst;

		if (ip6->ip6_nxt != IPPROTO_UDP)
			return false;
		off = sizeof(*ip6);
		s->sin6_family = d->sin6_family = AF_INET6;
		s->sin6_addr = ip6->ip6_src;
		d->sin6_addr = ip6->ip6_dst;
	} else {
		return false;
	}
	if (len < off + sizeof(*uh))
		return false;
	uh = (const void *)(pkt + off);
	if (src->ss_family == AF_INET) {
		((struct sockaddr_in *)src)->sin_port = uh->source;
		((struct sockaddr_in *)dst)->sin_port = uh->dest;
	} else {
		((struct sockaddr_in6 *)src)->sin6_port = uh->source;
		((struct sockaddr_in6 *)dst)->sin6_port = uh->dest;
	}
	*payload = pkt + off + sizeof(*uh);
	*plen = len - off - sizeof(*uh);
	/* A datagram shorter than the frame (Ethernet padding): trust uh. */
	if (ntohs(uh->len) >= sizeof(*uh) &&
	    ntohs(uh->len) - sizeof(*uh) < *plen)
		*plen = ntohs(uh->len) - sizeof(*uh);
	return true;
}

static uint16_t ss_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
}

static int cmd_replay(int argc, char **argv)
{
	static const char *const allowed[] = {
		"--iface", "--port", "--count", "--timeout", "--dir", NULL
	};
	struct sockaddr_storage src, dst;
	struct sockaddr_ll sll = { 0 };
	struct opts o;
	bool want_to = true, want_from = true, found = false;
	uint8_t *pkt, *copy = NULL;
	const uint8_t *payload;
	size_t plen = 0, copylen = 0;
	unsigned long resent = 0, errors = 0, seen = 0, i;
	unsigned int ifindex;
	size_t vnet, l2;
	int fd, one = 1;
	double deadline;
	char a[80], b[80];

	parse_opts(&o, argc, argv, allowed);
	if (!o.iface || !o.have_port)
		bad_usage("replay needs --iface and --port");
	if (!o.have_count)
		o.count = 5;
	if (!o.timeout)
		o.timeout = 10;
	if (o.dir) {
		if (!strcmp(o.dir, "to"))
			want_from = false;
		else if (!strcmp(o.dir, "from"))
			want_to = false;
		else if (strcmp(o.dir, "any"))
			bad_usage("--dir: '%s' is not to, from or any", o.dir);
	}
	ifindex = if_nametoindex(o.iface);
	if (!ifindex)
		die("--iface: no interface '%s' here", o.iface);

	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (fd < 0)
		die("AF_PACKET socket: %s", strerror(errno));
	/*
	 * With a virtio_net_hdr in front of each packet, a GSO packet (several
	 * data messages in one skb) shows its segment size: the first message
	 * is then gso_size bytes of the UDP payload. Without it (refused),
	 * GSO packets are not recognised.
	 */
	vnet = setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR, &one,
			  sizeof(one)) == 0 ? sizeof(struct virtio_net_hdr) : 0;
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = ifindex;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)))
		die("bind to %s: %s", o.iface, strerror(errno));
	pkt = malloc(sizeof(struct virtio_net_hdr) + 65536 + 64);
	if (!pkt)
		die("out of memory");
	catch_signals();

	/* Ready: the caller may start the traffic now. */
	fprintf(stderr, "%s: capturing on %s, port %lu\n", prog, o.iface,
		o.port);
	deadline = now_s() + o.timeout;
	while (!found && !stop_requested) {
		struct virtio_net_hdr vh = { 0 };
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		struct sockaddr_ll from;
		socklen_t fromlen = sizeof(from);
		double left = deadline - now_s();
		ssize_t n;

		if (left <= 0)
			break;
		if (poll(&pfd, 1, (int)(left * 1000) + 1) <= 0)
			continue;
		n = recvfrom(fd, pkt, vnet + 65536 + 64, MSG_DONTWAIT,
			     (struct sockaddr *)&from, &fromlen);
		if (n < (ssize_t)vnet)
			continue;
		seen++;
		memcpy(&vh, pkt, vnet);
		/* The link-layer header: Ethernet (with VLAN tags) or none. */
		l2 = 0;
		if (from.sll_hatype == ARPHRD_ETHER) {
			l2 = ETH_HLEN;
			while (n >= (ssize_t)(vnet + l2 + 4) &&
			       (pkt[vnet + l2 - 2] << 8 | pkt[vnet + l2 - 1]) ==
			       ETH_P_8021Q)
				l2 += 4;
		}
		if (ntohs(from.sll_protocol) != ETH_P_IP &&
		    ntohs(from.sll_protocol) != ETH_P_IPV6)
			continue;
		if (n < (ssize_t)(vnet + l2) ||
		    !parse_udp(pkt + vnet + l2, n - vnet - l2, &src, &dst,
			       &payload, &plen))
			continue;
		if (!((want_to && ss_port(&dst) == o.port) ||
		      (want_from && ss_port(&src) == o.port)))
			continue;
		if (vh.gso_type != VIRTIO_NET_HDR_GSO_NONE && vh.gso_size &&
		    vh.gso_size < plen)
			plen = vh.gso_size;
		if (plen < SIZE_DATA_MIN || get_le32(payload) != MSG_DATA)
			continue;
		copy = malloc(plen);
		if (!copy)
			die("out of memory");
		memcpy(copy, payload, plen);
		copylen = plen;
		found = true;
	}
	close(fd);
	free(pkt);
	if (!found) {
		fprintf(stderr,
			"%s: no data message to or from port %lu on %s within %.1f s (%lu packets seen)\n",
			prog, o.port, o.iface, o.timeout, seen);
		return 2;
	}
	printf("captured receiver_index 0x%08x counter %" PRIu64
	       " length %zu from %s to %s\n", get_le32(copy + 4),
	       get_le64(copy + 8), copylen, addr_str(&src, a, sizeof(a)),
	       addr_str(&dst, b, sizeof(b)));
	fflush(stdout);

	fd = udp_socket(dst.ss_family);
	for (i = 0; i < o.count; i++) {
		if (sendto(fd, copy, copylen, 0, (struct sockaddr *)&dst,
			   dst.ss_family == AF_INET ?
			   sizeof(struct sockaddr_in) :
			   sizeof(struct sockaddr_in6)) == (ssize_t)copylen)
			resent++;
		else
			errors++;
		sleep_s(0.01);
	}
	close(fd);
	free(copy);
	printf("resent %lu\nsend_errors %lu\n", resent, errors);
	return resent == o.count ? 0 : 1;
}

/* ---- keys ---- */

static int cmd_keys(int argc, char **argv)
{
	uint8_t pub[32], key[32], msg[SIZE_INITIATION + 1];
	size_t len, off;

	if (argc != 2 || (strcmp(argv[0], "mac1-key") && strcmp(argv[0], "mac1")))
		bad_usage("keys takes: mac1-key BASE64 | mac1 BASE64");
	if (key_from_base64(pub, argv[1]))
		bad_usage("'%s' is not a base64 32-byte key", argv[1]);
	mac1_key(key, pub);
	if (!strcmp(argv[0], "mac1-key")) {
		hexprint(key, 32);
		return 0;
	}
	len = fread(msg, 1, sizeof(msg), stdin);
	if (len == SIZE_INITIATION)
		off = INIT_MAC1_OFF;
	else if (len == SIZE_RESPONSE)
		off = RESP_MAC1_OFF;
	else
		die("mac1: stdin holds %zu bytes, not 148 (initiation) or 92 (response)",
		    len);
	put_mac1(msg, off, key);
	hexprint(msg + off, 16);
	return 0;
}

int main(int argc, char **argv)
{
	const char *cmd;

	blake2s_selftest();
	if (argc < 2)
		bad_usage("a command is needed");
	cmd = argv[1];
	/* Line-buffered even into a pipe: a caller may read as it runs. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(cmd, "flood-initiations"))
		return cmd_flood(argc - 2, argv + 2);
	if (!strcmp(cmd, "garbage"))
		return cmd_garbage(argc - 2, argv + 2);
	if (!strcmp(cmd, "replay"))
		return cmd_replay(argc - 2, argv + 2);
	if (!strcmp(cmd, "keys"))
		return cmd_keys(argc - 2, argv + 2);
	if (!strcmp(cmd, "selftest")) {
		printf("BLAKE2s and mac1 known answers: ok\n");
		return 0;
	}
	bad_usage("unknown command '%s'", cmd);
}
