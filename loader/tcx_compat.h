/* SPDX-License-Identifier: GPL-2.0 */
/* What the tcx interface (Linux 6.6) needs and this build's headers lack:
 * Debian bookworm's UAPI headers are 6.1 and libbpf is 1.1.2, which know
 * neither the tcx attach types, nor the tcx link type, nor the fields of
 * BPF_PROG_QUERY that list links. Defined here once, with the kernel's
 * values and layouts (include/uapi/linux/bpf.h of 6.6+), so the rest of
 * the loader uses them as if the headers had them.
 *
 * Nothing here is trusted to exist at run time: the loader probes by
 * trying (a tcx attach refused with EINVAL is a kernel without tcx) and
 * falls back to clsact.
 */
#ifndef XG_TCX_COMPAT_H
#define XG_TCX_COMPAT_H

#include <linux/bpf.h>
#include <linux/types.h>

/* enum bpf_attach_type (values are ABI). */
#define XG_BPF_TCX_INGRESS 46
#define XG_BPF_TCX_EGRESS 47

/* enum bpf_link_type. */
#define XG_LINK_TYPE_TCX 11
#define XG_LINK_TYPE_NETKIT 13

/* Attach flags of the multi-program (mprog) API: BPF_F_BEFORE with no
 * relative program puts the new one first in the chain.
 */
#define XG_BPF_F_BEFORE (1U << 3)
#define XG_BPF_F_AFTER (1U << 4)

/* A tcx program's return value meaning "go on with the next program"
 * (TCX_NEXT); TC_ACT_UNSPEC has the same value.
 */
#define XG_TCX_NEXT (-1)

/* struct bpf_link_info's tcx member: the same place in the union as
 * xdp.ifindex, which is how link info of both is read here.
 */
struct xg_link_info_tcx {
	__u32 ifindex;
	__u32 attach_type;
};

/* The BPF_PROG_QUERY part of union bpf_attr as of 6.6, link ids included.
 * Passed to the bpf() syscall directly (libbpf 1.1's bpf_prog_query_opts
 * has no link_ids). Padded to the size of union bpf_attr of 6.1 so the
 * kernel's tail-zero check passes on any kernel.
 */
union xg_query_attr {
	struct {
		__u32 target_ifindex;
		__u32 attach_type;
		__u32 query_flags;
		__u32 attach_flags;
		__aligned_u64 prog_ids;
		__u32 count;
		__u32 : 32;
		__aligned_u64 prog_attach_flags;
		__aligned_u64 link_ids;
		__aligned_u64 link_attach_flags;
		__u64 revision;
	} query;
	__u8 size[sizeof(union bpf_attr)];
};

#endif
