/* SPDX-License-Identifier: GPL-2.0 */
/* The XDP side of the policy stage: redirects go through a devmap keyed
 * by ifindex, which the loader fills with every redirect target of the
 * rules. A device that goes away is removed from it by the kernel, so its
 * redirect fails; bpf_redirect_map then returns XDP_PASS (the flags'
 * fallback) and the packet is passed and counted as redirect_fail.
 */
#ifndef XDPGATE_POLICY_XDP_BPF_H
#define XDPGATE_POLICY_XDP_BPF_H

#include "xdpgate_policy.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, XG_POL_MAX_TARGETS);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xg_pol_tx SEC(".maps");

static __always_inline int xg_hook_redirect(__u32 ifindex)
{
	return bpf_redirect_map(&xg_pol_tx, ifindex, XDP_PASS) == XDP_REDIRECT;
}

#endif /* XDPGATE_POLICY_XDP_BPF_H */
