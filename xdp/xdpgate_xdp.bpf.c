// SPDX-License-Identifier: GPL-2.0
/* xdpgate's XDP program: parse, account per source, verdict.
 *
 * Under the foundation every packet is passed; the policy stage slots in
 * between accounting and the verdict. What cannot be parsed is passed and
 * counted by reason (or dropped, if the loader sets cfg_drop_unparsed),
 * never silently discarded. not_ip is never dropped, and frag_l4_trunc is
 * counted under its source as well as by reason.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "parse.h"
#include "xdpgate_account.bpf.h"

/* Set by the loader between open and load. */
const volatile __u8 cfg_drop_unparsed = 0;

static __always_inline int xg_verdict(__u32 action, __u64 bytes)
{
	xg_count(&xg_actions, action, bytes);
	return action == XG_ACT_DROP ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int xdpgate_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u64 bytes = data_end - data;
	struct xg_pkt_meta m;
	int r;

	r = xg_parse(data, data_end, (__u32)bytes, &m);
	if (r != XG_PARSE_OK) {
		xg_count(&xg_reasons, r, bytes);
		/* A first fragment cut in its headers still has its source:
		 * counted there too (XG_RSN_HAS_SOURCE_MASK), and decided
		 * like any other packet from that source, not as unparsed.
		 */
		if (r != XG_PARSE_FRAG_L4_TRUNC) {
			if (cfg_drop_unparsed && r != XG_PARSE_NOT_IP)
				return xg_verdict(XG_ACT_DROP, bytes);
			return xg_verdict(XG_ACT_PASS, bytes);
		}
	}

	if (m.ip_version == 4) {
		__u32 a4;

		__builtin_memcpy(&a4, m.saddr, 4);
		xg_account_v4(a4, bytes);
	} else {
		xg_account_v6((const __u32 *)m.saddr, bytes);
	}

	return xg_verdict(XG_ACT_PASS, bytes);
}

char LICENSE[] SEC("license") = "GPL";
