#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/debug-kernel.sh [--build] [DEB-DIR]   (make debug-kernel)
#
# Prints a directory holding veil's debug kernel (KASAN, UBSAN, kmemleak,
# lockdep, KUnit, ...; the options are kernel/debug.config) unpacked with
# dpkg -x, for
#   scripts/vm-run --debug-kernel <dir>   and   make KDIR=<dir>/usr/src/linux-headers-<ver>
# The packages are never installed. Where the .debs come from, first match:
#  1. DEB-DIR, else $VEIL_DEBUG_KERNEL_DEBS: a directory of prebuilt
#     linux-image-*.deb and linux-headers-*.deb (optional SHA256SUMS);
#  2. $VEIL_DEBUG_KERNEL_SHARED (default ../shared/debug-kernel next to the
#     repository) when it exists: a cache some machines provide;
#  3. a kernel this script built earlier, kept in the cache under a key made
#     of kernel/debug.config, the linux-source-6.1 version and the recipe;
#  4. otherwise build it there (20-40 minutes on 2 cores; needs root for
#     the packages when some are missing): linux-source-6.1's defconfig +
#     kvm_guest.config + kernel/debug.config, every fragment option checked
#     in the final .config, then make bindeb-pkg.
# --build skips 1 and 2. The cache is $VEIL_CACHE (default ~/.cache/veil);
# the build log is <cache>/debug-kernel-build-<key>/build.log; an
# interrupted build resumes where it stopped. Progress and
# errors go to stderr, only the directory to stdout; exit status 1 (with a
# message) when no kernel could be found or built.
set -Eeuo pipefail
shopt -s inherit_errexit
# An unexpected failure says where, instead of ending the script silently.
trap 'echo "debug-kernel: failed (status $?) at line $LINENO: $BASH_COMMAND" >&2' ERR

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${VEIL_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/veil}
fragment=$repo/kernel/debug.config
# Bump when the build steps below change in a way that changes the result.
recipe=1

die()
{
	echo "debug-kernel: $*" >&2
	exit 1
}

build_only=0
if [ "${1:-}" = --build ]; then
	build_only=1
	shift
fi
case "${1:-}" in
-*) die "usage: $0 [--build] [DEB-DIR]" ;;
esac

# has_debs DIR: exactly one image and one headers package in DIR.
has_debs()
{
	local img hdr

	shopt -s nullglob
	img=("$1"/linux-image-*.deb)
	hdr=("$1"/linux-headers-*.deb)
	shopt -u nullglob
	[ ${#img[@]} -eq 1 ] && [ ${#hdr[@]} -eq 1 ]
}

# ---- building ---------------------------------------------------------------

install_build_deps()
{
	"$repo/scripts/deps.sh" --check kernel 2>/dev/null && return 0
	[ "$(id -u)" -eq 0 ] ||
		die "building the debug kernel needs packages: scripts/deps.sh kernel (as root)"
	"$repo/scripts/deps.sh" kernel >&2
}

# check_config CONFIG FRAGMENT: every CONFIG_X=v line of FRAGMENT has the
# same value in CONFIG ("=n": unset). Lists all mismatches, then fails.
check_config()
{
	local bad=0 line name want got

	while IFS= read -r line; do
		[[ "$line" =~ ^(CONFIG_[A-Za-z0-9_]+)=(.*)$ ]] || continue
		name=${BASH_REMATCH[1]}
		want=${BASH_REMATCH[2]}
		got=$(sed -n "s/^$name=//p" "$1")
		[ "$want" = n ] && want=
		if [ "$got" != "$want" ]; then
			echo "debug-kernel: $name: fragment wants '${want:-n}', .config has '${got:-n}'" >&2
			bad=1
		fi
	done <"$2"
	[ "$bad" = 0 ] || die "the final .config lacks options of $2 (dependencies? see above)"
}

build_kernel()
{
	local work=$1 tarball=/usr/src/linux-source-6.1.tar.xz src jobs

	jobs=$(nproc 2>/dev/null || echo 2)
	rm -rf "$work/debs.tmp"
	mkdir -p "$work/debs.tmp"
	echo "debug-kernel: building in $work (log: $work/build.log)" >&2
	touch "$work/build.log"
	step() {
		echo "debug-kernel: $(date +%T) $*" >&2
		"$@" >>"$work/build.log" 2>&1 || {
			tail -n 40 "$work/build.log" >&2
			die "failed: $* (in $PWD; full log: $work/build.log)"
		}
	}
	# No tree yet on a fresh cache: find fails, and that is no error.
	src=$(find "$work/src" -mindepth 1 -maxdepth 1 -type d -name 'linux-source-*' 2>/dev/null | head -n 1 || true)
	if [ -e "$work/src/.configured" ] && [ -n "$src" ]; then
		# An interrupted build of the same key: make carries on.
		echo "debug-kernel: resuming the build in $src" >&2
		cd "$src"
	else
		rm -rf "$work/src"
		mkdir -p "$work/src"
		cp "$fragment" "$work/debug.config"
		: >"$work/build.log"
		[ -r "$tarball" ] || die "no $tarball (linux-source-6.1)"
		step tar -C "$work/src" -xf "$tarball"
		src=$(find "$work/src" -mindepth 1 -maxdepth 1 -type d -name 'linux-source-*' | head -n 1)
		[ -n "$src" ] || die "$tarball did not unpack to linux-source-*"
		cd "$src"
		step make defconfig
		step make kvm_guest.config
		step scripts/kconfig/merge_config.sh -m .config "$work/debug.config"
		step make olddefconfig
		check_config .config "$work/debug.config"
		echo "debug-kernel: all $(grep -c '^CONFIG_' "$work/debug.config") fragment options are in .config" >&2
		touch "$work/src/.configured"
	fi
	step make -j"$jobs" all
	step make -j"$jobs" bindeb-pkg
	cd "$work"
	mv "$work"/src/linux-image-*.deb "$work"/src/linux-headers-*.deb "$work/debs.tmp/"
	cp "$src/.config" "$work/debs.tmp/config"
	cp "$work/debug.config" "$work/debs.tmp/config.fragment"
	(cd "$work/debs.tmp" && sha256sum -- *.deb >SHA256SUMS)
	rm -rf "$work/debs"
	mv "$work/debs.tmp" "$work/debs"
	[ -n "${VEIL_KEEP_BUILD:-}" ] || rm -rf "$work/src"
	echo "debug-kernel: $(date +%T) built $(cd "$work/debs" && echo *.deb)" >&2
}

# cached_or_built_debs: prints the cache directory of the debs for the
# current fragment, building them first when needed.
cached_or_built_debs()
{
	local ver key work

	[ -r "$fragment" ] || die "no $fragment"
	install_build_deps
	ver=$(dpkg-query -W -f='${Version}' linux-source-6.1)
	key=$({ echo "recipe $recipe linux-source-6.1 $ver"; cat "$fragment"; } |
		sha256sum | cut -c1-16)
	work=$cache/debug-kernel-build-$key
	mkdir -p "$work"
	# One build per key at a time; a second caller waits, then reuses it.
	exec 8>"$work/.lock"
	flock 8
	if ! has_debs "$work/debs"; then
		(build_kernel "$work")
	fi
	exec 8>&-
	echo "$work/debs"
}

# ---- choosing the packages -------------------------------------------------

debs=
if [ "$build_only" = 0 ]; then
	debs=${1:-${VEIL_DEBUG_KERNEL_DEBS:-}}
	if [ -n "$debs" ]; then
		has_debs "$debs" ||
			die "no (single) linux-image-*.deb and linux-headers-*.deb in $debs"
	else
		shared=${VEIL_DEBUG_KERNEL_SHARED-$repo/../shared/debug-kernel}
		if [ -n "$shared" ] && has_debs "$shared"; then
			debs=$shared
		fi
	fi
fi
if [ -z "$debs" ]; then
	debs=$(cached_or_built_debs)
fi

img=$(echo "$debs"/linux-image-*.deb)
hdr=$(echo "$debs"/linux-headers-*.deb)
if [ -r "$debs/SHA256SUMS" ]; then
	(cd "$debs" && sha256sum --quiet -c SHA256SUMS) >&2 ||
		die "checksum mismatch in $debs"
fi

# ---- unpacking ---------------------------------------------------------------

sum=$(cat "$img" "$hdr" | sha256sum | cut -c1-16)
dir=$cache/debug-kernel-$sum
if [ ! -e "$dir/.complete" ]; then
	mkdir -p "$cache"
	tmp=$(mktemp -d "$cache/.debug-kernel.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	echo "debug-kernel: unpacking $(basename "$img") and $(basename "$hdr")" >&2
	dpkg -x "$img" "$tmp"
	dpkg -x "$hdr" "$tmp"
	touch "$tmp/.complete"
	rm -rf "$dir"
	mv "$tmp" "$dir"
	trap - EXIT
fi
echo "$dir"
