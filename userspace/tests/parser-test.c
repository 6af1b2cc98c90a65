// SPDX-License-Identifier: GPL-2.0
/*
 * Configuration file and `set` argument parser tests: good inputs and the
 * parsed structure, bad inputs and their exact error line. No kernel and no
 * network needed (endpoints are numeric-only here).
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "encoding.h"

#define K1 "IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiI="
#define K2 "e06Qm75//kTEZaIgA31gjuNYl9Me+XLwf3SJLLD3PxM="
#define K3 "D6poTtKIZ7l/Smot7l34zpdOdrcBjj8iocTPJnhXDyA="

static int failures, checks;

#define CHECK(cond) do { \
	++checks; \
	if (!(cond)) { \
		++failures; \
		printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
	} \
} while (0)

static struct config_opts opts_set = { .numeric_only = true };
static struct config_opts opts_add = { .numeric_only = true, .append = true };

static struct veil_device *parse(const char *text, const struct config_opts *o, char **err)
{
	*err = NULL;
	return config_parse_file(text, strlen(text), o, err);
}

/* The file must be refused with exactly this message. */
static void bad_file(const char *text, const char *want)
{
	char *err = NULL;
	struct veil_device *dev = parse(text, &opts_set, &err);

	++checks;
	if (dev || !err || strcmp(err, want)) {
		++failures;
		printf("FAIL bad file\n--- input:\n%s\n--- want: %s\n--- got:  %s\n", text, want,
		       dev ? "(accepted)" : err ? err : "(no message)");
	}
	device_free(dev);
	free(err);
}

static bool aip_is(const struct veil_allowedip *a, const char *addr, unsigned int cidr)
{
	char buf[INET6_ADDRSTRLEN];

	if (!inet_ntop(a->family, a->family == AF_INET ? (const void *)&a->ip4 : (const void *)&a->ip6,
		       buf, sizeof(buf)))
		return false;
	return !strcmp(buf, addr) && a->cidr == cidr;
}

static bool key_is(const uint8_t k[32], const char *b64)
{
	char s[VEIL_KEY_B64_SIZE];

	key_to_base64(s, k);
	return !strcmp(s, b64);
}

static void test_good_files(void)
{
	char *err;
	struct veil_device *dev;
	struct veil_peer *p;

	dev = parse("[Interface]\n"
		    "PrivateKey = " K1 "\n"
		    "ListenPort = 51820\n"
		    "\n"
		    "[Peer]\n"
		    "PublicKey = " K2 "\n"
		    "AllowedIPs = 10.0.0.1/32, fd00::1/128\n"
		    "Endpoint = 192.0.2.1:51820\n"
		    "PersistentKeepalive = 25\n", &opts_set, &err);
	CHECK(dev != NULL);
	if (!dev) {
		printf("  error: %s\n", err);
		free(err);
		return;
	}
	CHECK(dev->flags & DEV_REPLACE_PEERS);
	CHECK(dev->flags & DEV_HAS_PRIVATE_KEY);
	CHECK(dev->flags & DEV_HAS_FWMARK);	/* setconf clears an absent fwmark */
	CHECK(dev->fwmark == 0);
	CHECK(dev->flags & DEV_HAS_LISTEN_PORT);
	CHECK(dev->listen_port == 51820);
	CHECK(key_is(dev->private_key, K1));
	p = dev->first_peer;
	CHECK(p && !p->next);
	CHECK(p->flags & PEER_REPLACE_ALLOWEDIPS);
	CHECK(p->flags & PEER_HAS_KEEPALIVE);
	CHECK(!(p->flags & PEER_HAS_PRESHARED_KEY));
	CHECK(p->persistent_keepalive == 25);
	CHECK(key_is(p->public_key, K2));
	CHECK(p->num_allowedips == 2);
	CHECK(aip_is(&p->allowedips[0], "10.0.0.1", 32));
	CHECK(aip_is(&p->allowedips[1], "fd00::1", 128));
	CHECK(p->endpoint.addr.sa_family == AF_INET);
	CHECK(ntohs(p->endpoint.addr4.sin_port) == 51820);
	CHECK(p->endpoint.addr4.sin_addr.s_addr == htonl(0xc0000201));
	device_free(dev);

	/* no private key: setconf still clears it; ListenPort untouched */
	dev = parse("[Interface]\n", &opts_set, &err);
	CHECK(dev && (dev->flags & DEV_HAS_PRIVATE_KEY) && key_is_zero(dev->private_key));
	CHECK(dev && !(dev->flags & DEV_HAS_LISTEN_PORT));
	device_free(dev);

	/* an empty file is valid (removes all peers) */
	dev = parse("", &opts_set, &err);
	CHECK(dev && !dev->first_peer && (dev->flags & DEV_REPLACE_PEERS));
	device_free(dev);

	/* case, whitespace, comments, CRLF, odd spacing, appended AllowedIPs */
	dev = parse("  # leading comment\r\n"
		    "[iNtErFaCe] # c\r\n"
		    "listenport=0\r\n"
		    "FWMARK = 0x1F\n"
		    "[PEER]\n"
		    "publickey=" K2 "#comment\n"
		    "allowedips = 10.0.0.0 / 8 ,\t192.168.1.1\n"
		    "AllowedIPs = ::/0\n"
		    "presharedkey = " K3 "\n"
		    "persistentkeepalive = off\n"
		    "Endpoint = [fd00::2]:123\n"
		    "[Peer]\n"
		    "PublicKey = " K1 "\n"
		    "AllowedIPs = 10.1.0.0/16\n"
		    "AllowedIPs =\n"
		    "AllowedIPs = 10.2.0.0/16\n", &opts_set, &err);
	CHECK(dev != NULL);
	if (dev) {
		CHECK(dev->fwmark == 0x1f && (dev->flags & DEV_HAS_FWMARK));
		CHECK(dev->listen_port == 0 && (dev->flags & DEV_HAS_LISTEN_PORT));
		p = dev->first_peer;
		CHECK(p->num_allowedips == 3);
		CHECK(aip_is(&p->allowedips[0], "10.0.0.0", 8));
		CHECK(aip_is(&p->allowedips[1], "192.168.1.1", 32));
		CHECK(aip_is(&p->allowedips[2], "::", 0));
		CHECK((p->flags & PEER_HAS_PRESHARED_KEY) && key_is(p->preshared_key, K3));
		CHECK((p->flags & PEER_HAS_KEEPALIVE) && p->persistent_keepalive == 0);
		CHECK(p->endpoint.addr.sa_family == AF_INET6 && ntohs(p->endpoint.addr6.sin6_port) == 123);
		p = p->next;
		CHECK(p && p->num_allowedips == 1 && aip_is(&p->allowedips[0], "10.2.0.0", 16));
	} else {
		printf("  error: %s\n", err);
	}
	free(err);
	device_free(dev);

	/* addconf: peers are not replaced and absent keys are untouched, but a
	 * listed peer's allowed IPs are replaced, as wg does */
	dev = parse("[Peer]\nPublicKey = " K2 "\nAllowedIPs = 10.0.0.2\n", &opts_add, &err);
	CHECK(dev && !(dev->flags & (DEV_REPLACE_PEERS | DEV_HAS_PRIVATE_KEY | DEV_HAS_FWMARK)));
	CHECK(dev && dev->first_peer && (dev->first_peer->flags & PEER_REPLACE_ALLOWEDIPS));
	device_free(dev);
	/* an empty AllowedIPs line also asks to replace */
	dev = parse("[Peer]\nPublicKey = " K2 "\nAllowedIPs =\n", &opts_add, &err);
	CHECK(dev && (dev->first_peer->flags & PEER_REPLACE_ALLOWEDIPS) && !dev->first_peer->num_allowedips);
	device_free(dev);

	/* fwmark forms */
	dev = parse("[Interface]\nFwMark = off\n", &opts_set, &err);
	CHECK(dev && dev->fwmark == 0);
	device_free(dev);
	dev = parse("[Interface]\nFwMark = 4294967295\n", &opts_set, &err);
	CHECK(dev && dev->fwmark == 0xffffffffu);
	device_free(dev);
	dev = parse("[Interface]\nFwMark = 0xffffffff\nListenPort = 65535\n", &opts_set, &err);
	CHECK(dev && dev->fwmark == 0xffffffffu && dev->listen_port == 65535);
	device_free(dev);
	/* a byte order mark */
	dev = parse("\xef\xbb\xbf[Interface]\nListenPort = 8\n", &opts_set, &err);
	CHECK(dev && dev->listen_port == 8);
	device_free(dev);
	/* a file without a final newline */
	dev = parse("[Interface]\nListenPort = 7", &opts_set, &err);
	CHECK(dev && dev->listen_port == 7);
	device_free(dev);
	/* 1000 peers */
	{
		size_t cap = 1000 * 120 + 64, off = 0;
		char *big = malloc(cap);
		int i;

		off += (size_t)snprintf(big + off, cap - off, "[Interface]\n");
		for (i = 0; i < 1000; ++i) {
			uint8_t k[32] = { 0 };
			char b64[VEIL_KEY_B64_SIZE];

			k[0] = (uint8_t)i;
			k[1] = (uint8_t)(i >> 8);
			key_to_base64(b64, k);
			off += (size_t)snprintf(big + off, cap - off, "[Peer]\nPublicKey=%s\nAllowedIPs=10.%d.%d.0/24\n",
						b64, i >> 8, i & 255);
		}
		dev = config_parse_file(big, off, &opts_set, &err);
		CHECK(dev != NULL);
		free(big);
		device_free(dev);
	}
}

static void test_bad_files(void)
{
	bad_file("[Interface]\nPrivateKey = abc\n",
		 "Line 2: Key is not the correct length or format: 'abc'");
	bad_file("[Interface]\nListenPort = 70000\n", "Line 2: Listen port out of range: 70000");
	bad_file("[Interface]\nListenPort = -1\n",
		 "Line 2: Listen port is not a number or a known UDP service name: '-1'");
	bad_file("[Interface]\nListenPort = 51820x\n",
		 "Line 2: Listen port is not a number or a known UDP service name: '51820x'");
	bad_file("[Interface]\nListenPort =\n", "Line 2: Listen port is empty");
	bad_file("[Interface]\nFwMark = 0x100000000\n",
		 "Line 2: Fwmark out of range (0 to 0xffffffff): 0x100000000");
	bad_file("[Interface]\nFwMark = 4294967296\n",
		 "Line 2: Fwmark out of range (0 to 0xffffffff): 4294967296");
	bad_file("[Interface]\nFwMark = 0x\n",
		 "Line 2: Fwmark is neither 'off' nor a decimal or 0x-prefixed hexadecimal number: '0x'");
	bad_file("[Interface]\nFwMark = 12abc\n",
		 "Line 2: Fwmark is neither 'off' nor a decimal or 0x-prefixed hexadecimal number: '12abc'");
	bad_file("[Interface]\nFwMark = 99999999999999999999999999\n",
		 "Line 2: Fwmark out of range (0 to 0xffffffff): 99999999999999999999999999");
	bad_file("[Interface]\nAddress = 10.0.0.1/24\n",
		 "Line 2: Unknown key 'Address' in [Interface] section (a wg-quick setting; remove it, e.g. with 'wg-quick strip')");
	bad_file("[Interface]\nFoo = bar\n", "Line 2: Unknown key 'Foo' in [Interface] section");
	bad_file("[Interface]\nPublicKey = " K1 "\n", "Line 2: Unknown key 'PublicKey' in [Interface] section");
	bad_file("[Peer]\nPublicKey = " K1 "\nListenPort = 1\n",
		 "Line 3: Unknown key 'ListenPort' in [Peer] section");
	bad_file("ListenPort = 1\n[Interface]\n",
		 "Line 1: Key 'ListenPort' is outside of an [Interface] or [Peer] section");
	bad_file("[Interface]\n[Interface]\n",
		 "Line 2: Duplicate [Interface] section (the first one is on line 1)");
	bad_file("[Interface]\n[Peer]\nPublicKey = " K1 "\n[Peer]\n# x\nPublicKey = " K2 "\n[Peer]\nPublicKey = " K1 "\n",
		 "Line 8: Duplicate peer: PublicKey " K1 " was already given on line 3");
	bad_file("[Interface]\n[Peer]\nAllowedIPs = 10.0.0.1\n[Peer]\nPublicKey = " K1 "\n",
		 "Line 2: [Peer] section has no PublicKey");
	bad_file("[Peer]\nPublicKey = " K1 "\n[Peer]\n", "Line 3: [Peer] section has no PublicKey");
	bad_file("[Peers]\n", "Line 1: Unknown section '[Peers]' (expected [Interface] or [Peer])");
	bad_file("[Interface]\njunk\n", "Line 2: Line unrecognized (expected Key = Value): 'junk'");
	bad_file("[Interface]\n= 5\n", "Line 2: Missing key name before '='");
	bad_file("[Peer]\nPublicKey = " K1 "\nAllowedIPs = 10.0.0.1/33\n",
		 "Line 3: Allowed IP has an invalid prefix length (0 to 32): '10.0.0.1/33'");
	bad_file("[Peer]\nPublicKey = " K1 "\nAllowedIPs = fd00::/129\n",
		 "Line 3: Allowed IP has an invalid prefix length (0 to 128): 'fd00::/129'");
	bad_file("[Peer]\nPublicKey = " K1 "\nAllowedIPs = 10.0.0.1/\n",
		 "Line 3: Allowed IP has an invalid prefix length (0 to 32): '10.0.0.1/'");
	bad_file("[Peer]\nPublicKey = " K1 "\nAllowedIPs = 10.0.0.1/+8\n",
		 "Line 3: Allowed IP has an invalid prefix length (0 to 32): '10.0.0.1/+8'");
	bad_file("[Peer]\nPublicKey = " K1 "\nAllowedIPs = 10.0.0.1,\n",
		 "Line 3: Allowed IP has no address: ''");
	bad_file("[Peer]\nPublicKey = " K1 "\nAllowedIPs = 10.0.0/8\n",
		 "Line 3: Allowed IP is not an IPv4 or IPv6 address: '10.0.0/8'");
	bad_file("[Peer]\nPublicKey = " K1 "\nAllowedIPs = host.example/8\n",
		 "Line 3: Allowed IP is not an IPv4 or IPv6 address: 'host.example/8'");
	bad_file("[Peer]\nPublicKey = " K1 "\nPersistentKeepalive = 65536\n",
		 "Line 3: Persistent keepalive interval out of range (1 to 65535, or 0/off): 65536");
	bad_file("[Peer]\nPublicKey = " K1 "\nPersistentKeepalive = soon\n",
		 "Line 3: Persistent keepalive interval is neither 0/off nor a number of seconds from 1 to 65535: 'soon'");
	bad_file("[Peer]\nPublicKey = " K1 "\nEndpoint = 192.0.2.1\n",
		 "Line 3: Endpoint has no port (expected host:port or [IPv6]:port): '192.0.2.1'");
	bad_file("[Peer]\nPublicKey = " K1 "\nEndpoint = 192.0.2.1:\n",
		 "Line 3: Endpoint has no port (expected host:port or [IPv6]:port): '192.0.2.1:'");
	bad_file("[Peer]\nPublicKey = " K1 "\nEndpoint = 192.0.2.1:65536\n",
		 "Line 3: Endpoint port is not a number from 0 to 65535: '192.0.2.1:65536'");
	bad_file("[Peer]\nPublicKey = " K1 "\nEndpoint = [fd00::1:51820\n",
		 "Line 3: Endpoint has no closing bracket: '[fd00::1:51820'");
	bad_file("[Peer]\nPublicKey = " K1 "\nEndpoint = [fd00::1]51820\n",
		 "Line 3: Endpoint has no port (expected [address]:port): '[fd00::1]51820'");
	bad_file("[Peer]\nPublicKey = " K1 "\nEndpoint = :51820\n",
		 "Line 3: Endpoint has no host: ':51820'");
	bad_file("[Peer]\nPublicKey = " K1 "\nEndpoint =\n", "Line 3: Endpoint is empty");
	bad_file("[Peer]\nPublicKey = " K1 "\nEndpoint = no.such.host.invalid:1\n",
		 "Line 3: Unable to resolve endpoint 'no.such.host.invalid:1': not a numeric address");
	bad_file("[Peer]\nPublicKey = " K1 "\nPresharedKey = " K1 "x\n",
		 "Line 3: Key is not the correct length or format: '" K1 "x'");
	bad_file("[Peer]\nPublicKey = IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiJ=\n",
		 "Line 2: Key is not the correct length or format: 'IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiJ='");
	{
		static const char nul[] = "[Interface]\nListenPort = 1\0\n";
		char *err = NULL;
		struct veil_device *dev = config_parse_file(nul, sizeof(nul) - 1, &opts_set, &err);

		CHECK(!dev && err && !strcmp(err, "Line 2: Invalid NUL character"));
		free(err);
	}
	/* control characters are shown escaped, long values shortened */
	bad_file("[Interface]\nPrivateKey = \x1b[31m\n",
		 "Line 2: Key is not the correct length or format: '\\x1b[31m'");
	{
		char text[1200], want[400];

		snprintf(text, sizeof(text), "[Interface]\nPrivateKey = %0600d\n", 0);
		snprintf(want, sizeof(want), "Line 2: Key is not the correct length or format: '%0128d...'", 0);
		bad_file(text, want);
	}
}

/* ---- set arguments ---- */

static bool fake_reader(const char *path, uint8_t key[VEIL_KEY_LEN], char **err, void *ctx)
{
	(void)ctx;
	if (!strcmp(path, "empty")) {
		memset(key, 0, VEIL_KEY_LEN);
		return true;
	}
	if (!strcmp(path, "k1"))
		return parse_key(K1, key, err);
	return set_error(err, "Unable to open key file '%s': No such file or directory", path);
}

static struct veil_device *args(char **err, const char *first, ...)
{
	const char *argv[64];
	int argc = 0;
	va_list ap;

	va_start(ap, first);
	for (const char *a = first; a && argc < 64; a = va_arg(ap, const char *))
		argv[argc++] = a;
	va_end(ap);
	*err = NULL;
	return config_parse_args(argc, argv, &opts_set, fake_reader, NULL, err);
}

#define BAD_ARGS(want, ...) do { \
	char *e_; \
	struct veil_device *d_ = args(&e_, __VA_ARGS__, NULL); \
	++checks; \
	if (d_ || !e_ || strcmp(e_, want)) { \
		++failures; \
		printf("FAIL %s:%d: want '%s', got '%s'\n", __FILE__, __LINE__, want, \
		       d_ ? "(accepted)" : e_ ? e_ : "(none)"); \
	} \
	device_free(d_); \
	free(e_); \
} while (0)

static void test_args(void)
{
	struct veil_device *dev;
	struct veil_peer *p;
	char *err;

	dev = args(&err, "listen-port", "51820", "fwmark", "0x10", "private-key", "k1",
		   "peer", K2, "allowed-ips", "10.0.0.1/32, fd00::/64", "endpoint", "[::1]:5",
		   "persistent-keepalive", "25", "preshared-key", "empty",
		   "peer", K3, "remove", NULL);
	CHECK(dev != NULL);
	if (dev) {
		CHECK(!(dev->flags & DEV_REPLACE_PEERS));
		CHECK(dev->listen_port == 51820 && dev->fwmark == 0x10);
		CHECK((dev->flags & DEV_HAS_PRIVATE_KEY) && key_is(dev->private_key, K1));
		p = dev->first_peer;
		CHECK(p->flags & PEER_REPLACE_ALLOWEDIPS);
		CHECK(p->num_allowedips == 2 && aip_is(&p->allowedips[1], "fd00::", 64));
		CHECK((p->flags & PEER_HAS_PRESHARED_KEY) && key_is_zero(p->preshared_key));
		CHECK(p->persistent_keepalive == 25);
		CHECK(p->next && (p->next->flags & PEER_REMOVE_ME));
	} else {
		printf("  error: %s\n", err);
	}
	free(err);
	device_free(dev);

	/* allowed-ips "" clears (replace with nothing) */
	dev = args(&err, "peer", K2, "allowed-ips", "", NULL);
	CHECK(dev && (dev->first_peer->flags & PEER_REPLACE_ALLOWEDIPS) && !dev->first_peer->num_allowedips);
	device_free(dev);
	/* a peer without allowed-ips leaves them alone */
	dev = args(&err, "peer", K2, "endpoint", "1.2.3.4:5", NULL);
	CHECK(dev && !(dev->first_peer->flags & PEER_REPLACE_ALLOWEDIPS));
	device_free(dev);

	BAD_ARGS("Invalid argument: 'bogus'", "bogus");
	BAD_ARGS("Listen port out of range: 70000", "listen-port", "70000");
	BAD_ARGS("'listen-port' needs a value", "listen-port");
	BAD_ARGS("'peer' needs a value", "peer");
	BAD_ARGS("'listen-port' must come before the first 'peer'", "peer", K1, "listen-port", "1");
	BAD_ARGS("'endpoint' must follow 'peer <base64 public key>'", "endpoint", "1.2.3.4:5");
	BAD_ARGS("'remove' must follow 'peer <base64 public key>'", "remove");
	BAD_ARGS("Key is not the correct length or format: 'abc'", "peer", "abc");
	BAD_ARGS("Peer '" K1 "' is given more than once", "peer", K1, "peer", K1);
	BAD_ARGS("Unable to open key file 'nope': No such file or directory",
		 "private-key", "nope");
	BAD_ARGS("Fwmark out of range (0 to 0xffffffff): 0x1ffffffff", "fwmark", "0x1ffffffff");
	BAD_ARGS("Persistent keepalive interval out of range (1 to 65535, or 0/off): 99999",
		 "peer", K1, "persistent-keepalive", "99999");
	BAD_ARGS("Allowed IP has an invalid prefix length (0 to 128): '::/200'",
		 "peer", K1, "allowed-ips", "::/200");
	BAD_ARGS("Endpoint has no port (expected host:port or [IPv6]:port): 'x'",
		 "peer", K1, "endpoint", "x");
}

int main(void)
{
	test_good_files();
	test_bad_files();
	test_args();
	printf("parser-test: %d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
