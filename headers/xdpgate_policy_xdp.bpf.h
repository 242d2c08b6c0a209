/* SPDX-License-Identifier: GPL-2.0 */
/* The XDP side of the policy stage: redirects go through the devmap
 * xg_pol_tx (xdpgate_policy_maps.bpf.h), keyed by ifindex, which the
 * loader fills with every redirect target of the rules. A device that
 * goes away is removed from it by the kernel, so its redirect fails;
 * bpf_redirect_map then returns XDP_PASS (the flags' fallback) and the
 * packet is passed and counted as redirect_fail.
 */
#ifndef XDPGATE_POLICY_XDP_BPF_H
#define XDPGATE_POLICY_XDP_BPF_H

#include "xdpgate_policy.bpf.h"

static __always_inline int xg_hook_redirect(__u32 ifindex)
{
	return bpf_redirect_map(&xg_pol_tx, ifindex, XDP_PASS) == XDP_REDIRECT;
}

#endif /* XDPGATE_POLICY_XDP_BPF_H */
