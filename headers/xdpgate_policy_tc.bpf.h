/* SPDX-License-Identifier: GPL-2.0 */
/* The TC side of the policy stage: a redirect is bpf_redirect to the
 * target's egress, once the target is found in xg_pol_tx (the devmap the
 * loader fills with the rules' targets and the kernel empties of devices
 * that go away, xdpgate_policy_maps.bpf.h). A target that is gone is not
 * redirected to nowhere (the kernel would drop the packet uncounted): the
 * packet is passed and counted as redirect_fail, as at XDP.
 */
#ifndef XDPGATE_POLICY_TC_BPF_H
#define XDPGATE_POLICY_TC_BPF_H

#include <linux/pkt_cls.h>

#include "xdpgate_policy.bpf.h"

static __always_inline int xg_hook_redirect(__u32 ifindex)
{
	if (!bpf_map_lookup_elem(&xg_pol_tx, &ifindex))
		return 0;
	return bpf_redirect(ifindex, 0) == TC_ACT_REDIRECT;
}

#endif /* XDPGATE_POLICY_TC_BPF_H */
