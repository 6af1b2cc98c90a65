#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/demo.sh (make demo): installs what is missing, builds the module and
# the tool, boots the VM and runs scripts/lib/demo-guest in it (two network
# namespaces, a veil device talking to a stock wireguard device).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/deps.sh
make --no-print-directory module userspace
exec scripts/vm-run --out build/demo "$@" scripts/lib/demo-guest
