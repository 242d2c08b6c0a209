/* SPDX-License-Identifier: GPL-2.0 */
/* The one way CO-RE programs (sock/) get the kernel's types: vmlinux.h,
 * generated from /sys/kernel/btf/vmlinux into build/ by the Makefile and
 * never committed. It already holds every UAPI type, so the shared
 * headers' <linux/types.h> is marked as included here: including it again
 * would redefine __kernel_fd_set and friends.
 */
#ifndef XDPGATE_VMLINUX_BPF_H
#define XDPGATE_VMLINUX_BPF_H

#include "vmlinux.h"
#define _LINUX_TYPES_H

#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#endif /* XDPGATE_VMLINUX_BPF_H */
