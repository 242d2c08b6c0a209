// SPDX-License-Identifier: GPL-2.0
/* xdpgate's XDP program: parse, account per source, policy, verdict.
 *
 * A parsed IPv4/IPv6 packet is counted under its source and judged by the
 * interface's rules (xdpgate_policy.bpf.h): pass, drop, redirect through
 * the devmap, or rate-limit. What cannot be parsed is passed and counted
 * by reason (or dropped, if the loader sets cfg_drop_unparsed), never
 * silently discarded.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "parse.h"
#include "xdpgate_policy_xdp.bpf.h"

/* Set by the loader between open and load. */
const volatile __u8 cfg_drop_unparsed = 0;

/* Every outcome is counted once in xg_actions. */
static __always_inline int xg_verdict(__u32 outcome, __u64 bytes)
{
	xg_count(&xg_actions, outcome, bytes);
	switch (outcome) {
	case XG_ACT_DROP:
	case XG_ACT_LIMITED:
		return XDP_DROP;
	case XG_ACT_REDIRECT:
		return XDP_REDIRECT;
	default:
		return XDP_PASS;
	}
}

SEC("xdp")
int xdpgate_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u64 bytes = data_end - data;
	struct xg_pkt_meta m;
	__u32 vlan;
	int r;

	r = xg_parse(data, data_end, (__u32)bytes, &m);
	if (r != XG_PARSE_OK) {
		xg_count(&xg_reasons, r, bytes);
		if (cfg_drop_unparsed && r != XG_PARSE_NOT_IP)
			return xg_verdict(XG_ACT_DROP, bytes);
		return xg_verdict(XG_ACT_PASS, bytes);
	}

	/* Rules key on the outer tag (802.1ad S-tag under QinQ). */
	vlan = m.vlan_depth ? m.vlan_id[0] : 0;
	if (m.ip_version == 4) {
		__u32 a4;

		__builtin_memcpy(&a4, m.saddr, 4);
		r = xg_police_v4(a4, vlan, 1, bytes, XG_HOOK_XDP);
	} else {
		r = xg_police_v6((const __u32 *)m.saddr, vlan, 1, bytes,
				 XG_HOOK_XDP);
	}
	return xg_verdict(r, bytes);
}

char LICENSE[] SEC("license") = "GPL";
