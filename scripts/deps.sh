#!/bin/sh
# Install the Debian packages xdpgate needs to build, test and benchmark.
# Idempotent and quick when everything is present: only missing packages
# trigger apt-get. `deps.sh kmatrix` adds what the kernel matrix needs
# (qemu and the guest's initramfs tools); the matrix asks for them itself
# when it runs, so a plain build does not pull in qemu.
set -eu

PKGS="clang-19 llvm-19 libbpf-dev libxdp-dev xdp-tools bpftool libelf-dev
zlib1g-dev pkg-config make gcc libc6-dev linux-libc-dev iproute2
python3-scapy python3-pytest python3-pytest-xdist ethtool libmicrohttpd-dev libncurses-dev
prometheus tmux"
# Hardening: libFuzzer and clang's sanitizer runtimes (make fuzz), the leak
# check of the loader (valgrind), the linter (make lint, part of make test).
PKGS="$PKGS libclang-rt-19-dev valgrind cppcheck"
if [ "${1:-}" = kmatrix ]; then
	PKGS="$PKGS qemu-system-x86 busybox-static cpio xz-utils"
fi

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "xdpgate: missing packages:$missing (run 'make deps' as root)" >&2
	exit 1
fi
echo "xdpgate: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
# The tests start their own Prometheus on loopback; the package's service
# (scraping this host on :9090) is not wanted where we installed it.
case " $missing " in
*" prometheus "*)
	if [ -d /run/systemd/system ]; then
		systemctl disable --now prometheus.service >/dev/null 2>&1 || true
	fi ;;
esac
