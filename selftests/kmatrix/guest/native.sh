#!/bin/sh
# The kernel matrix on a kernel that cannot be booted under qemu (no image
# file): the host runs this under `unshare --net --mount`, so it starts in
# an empty network namespace with a private mount table. It mounts a
# sysfs for that namespace, its own bpffs, tracefs, /tmp and /run (so the
# pins, the loader's lock and the temporary files are this run's alone,
# and vanish with it), then runs the same groups as a guest's /init.
# Usage: native.sh STAGE (the tree an initramfs would hold).
STAGE=${1:?usage: native.sh STAGE}
set -e
mount --make-rprivate /
mount -t sysfs sysfs /sys
mount -t bpf bpf /sys/fs/bpf
mount -t cgroup2 cgroup2 /sys/fs/cgroup
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null || :
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
set +e
ip link set lo up
echo "KMX BOOT $(uname -r) native cpus=$(grep -c ^processor /proc/cpuinfo)"
KMX_ROOT=$STAGE/kmx PATH="$STAGE/kmx/bin:$STAGE/bin:$PATH" \
	"$STAGE/bin/sh" "$STAGE/kmx/run.sh"
echo "KMX END native"
