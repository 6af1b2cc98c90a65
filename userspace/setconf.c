// SPDX-License-Identifier: GPL-2.0
/*
 * veil setconf / addconf / syncconf: apply a configuration file.
 *
 * The file is read and parsed completely before anything is sent, so a
 * file with an error changes nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "encoding.h"
#include "ipc.h"
#include "subcommands.h"

/* Refuse absurd inputs such as /dev/zero instead of reading forever. */
#define CONFIG_MAX_SIZE (256UL * 1024 * 1024)

static void retry_notice(const char *endpoint, const char *why, double seconds)
{
	print_error("%s: '%s'; trying again in %.2f seconds...", why, endpoint, seconds);
}

static char *read_file(const char *path, size_t *lenp)
{
	size_t len = 0, cap = 0;
	char *buf = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		print_error("Unable to open configuration file '%s': %s", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		ssize_t r;

		if (len == cap) {
			char *n;

			if (cap >= CONFIG_MAX_SIZE) {
				print_error("Configuration file '%s' is too large", path);
				goto fail;
			}
			cap = cap ? cap * 2 : 65536;
			n = realloc(buf, cap);
			if (!n) {
				print_error("Out of memory reading '%s'", path);
				goto fail;
			}
			buf = n;
		}
		r = read(fd, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			print_error("Unable to read configuration file '%s': %s", path, strerror(errno));
			goto fail;
		}
		if (!r)
			break;
		len += (size_t)r;
	}
	close(fd);
	*lenp = len;
	return buf ? buf : calloc(1, 1);

fail:
	close(fd);
	if (buf)
		explicit_bzero(buf, cap);
	free(buf);
	return NULL;
}

static int key_cmp(const void *a, const void *b)
{
	const struct veil_peer *p = *(const struct veil_peer *const *)a;
	const struct veil_peer *q = *(const struct veil_peer *const *)b;

	return memcmp(p->public_key, q->public_key, VEIL_KEY_LEN);
}

/* Sorted array of @dev's peers, for lookups by public key. */
static struct veil_peer **peer_index(struct veil_device *dev, size_t *n)
{
	struct veil_peer *p, **arr;
	size_t i = 0;

	*n = 0;
	for_each_peer(dev, p)
		++*n;
	arr = calloc(*n ? *n : 1, sizeof(*arr));
	if (!arr)
		return NULL;
	for_each_peer(dev, p)
		arr[i++] = p;
	qsort(arr, *n, sizeof(*arr), key_cmp);
	return arr;
}

static struct veil_peer *lookup(struct veil_peer **arr, size_t n, const struct veil_peer *key)
{
	struct veil_peer **hit = bsearch(&key, arr, n, sizeof(*arr), key_cmp);

	return hit ? *hit : NULL;
}

/*
 * Turns the parsed file into the smallest change that makes the device match
 * it: peers not in the file are removed, the others are updated in place
 * (their sessions survive), and unchanged device settings are not resent.
 */
static int sync_conf(struct veil_device *file)
{
	struct veil_device *runtime = NULL;
	struct veil_peer *peer, *rt, **file_idx = NULL, **rt_idx = NULL, *removals = NULL, **tail = &removals;
	size_t n_file, n_rt;
	char *msg = NULL;
	int r;

	r = ipc_get_device(&runtime, file->name, &msg);
	if (r) {
		print_error("Unable to access interface %s: %s", file->name, msg ? msg : strerror(-r));
		free(msg);
		return -1;
	}
	file_idx = peer_index(file, &n_file);
	rt_idx = peer_index(runtime, &n_rt);
	if (!file_idx || !rt_idx) {
		print_error("Out of memory");
		r = -1;
		goto out;
	}
	file->flags &= ~DEV_REPLACE_PEERS;

	/* device settings that already have the wanted value are left alone */
	if ((file->flags & DEV_HAS_PRIVATE_KEY) &&
	    key_equal(file->private_key, runtime->private_key))
		file->flags &= ~DEV_HAS_PRIVATE_KEY;
	if ((file->flags & DEV_HAS_FWMARK) && file->fwmark == runtime->fwmark)
		file->flags &= ~DEV_HAS_FWMARK;
	if ((file->flags & DEV_HAS_LISTEN_PORT) && file->listen_port == runtime->listen_port)
		file->flags &= ~DEV_HAS_LISTEN_PORT;

	for_each_peer(file, peer) {
		rt = lookup(rt_idx, n_rt, peer);
		if (!rt)
			continue;
		/* settings the file no longer has are turned off explicitly */
		if (!(peer->flags & PEER_HAS_PRESHARED_KEY) && (rt->flags & PEER_HAS_PRESHARED_KEY)) {
			memset(peer->preshared_key, 0, VEIL_KEY_LEN);
			peer->flags |= PEER_HAS_PRESHARED_KEY;
		}
		if (!(peer->flags & PEER_HAS_KEEPALIVE) && rt->persistent_keepalive) {
			peer->persistent_keepalive = 0;
			peer->flags |= PEER_HAS_KEEPALIVE;
		}
	}

	/* removals go first, so that their allowed IPs are free */
	for_each_peer(runtime, rt) {
		if (lookup(file_idx, n_file, rt))
			continue;
		peer = calloc(1, sizeof(*peer));
		if (!peer) {
			while (removals) {
				peer = removals->next;
				free(removals);
				removals = peer;
			}
			print_error("Out of memory");
			r = -1;
			goto out;
		}
		memcpy(peer->public_key, rt->public_key, VEIL_KEY_LEN);
		peer->flags = PEER_HAS_PUBLIC_KEY | PEER_REMOVE_ME;
		*tail = peer;
		tail = &peer->next;
	}
	if (removals) {
		*tail = file->first_peer;
		file->first_peer = removals;
		for_each_peer(file, peer)
			file->last_peer = peer;
	}
	r = 0;
out:
	free(file_idx);
	free(rt_idx);
	device_free(runtime);
	return r;
}

int setconf_main(int argc, const char *argv[])
{
	bool append = !strcmp(argv[0], "addconf"), sync = !strcmp(argv[0], "syncconf");
	struct config_opts opts;
	struct veil_device *dev;
	char *buf, *err = NULL;
	size_t len;
	int done = subcommand_args(argc, argv, 3, 3);

	if (done >= 0)
		return done;
	if (!config_opts_init(&opts, &err)) {
		print_error("%s", err);
		free(err);
		return 1;
	}
	opts.append = append;
	opts.retry_notice = retry_notice;

	buf = read_file(argv[2], &len);
	if (!buf)
		return 1;
	dev = config_parse_file(buf, len, &opts, &err);
	explicit_bzero(buf, len);
	free(buf);
	if (!dev) {
		print_error("%s", err ? err : "Invalid configuration");
		free(err);
		return 1;
	}
	device_set_name(dev, argv[1]);
	if (sync && sync_conf(dev)) {
		device_free(dev);
		return 1;
	}
	return apply_device(dev, argv[1]);
}
