// SPDX-License-Identifier: GPL-2.0
/* The smallest program xdpgate takes for its own: named xdpgate_xdp and
 * using every xdpgate map, but counting only actions. The verifier takes
 * a millisecond over it instead of a quarter second over the real one, so
 * the attach/detach race test can run its 200 rounds in seconds; the state
 * machine it tests (lock, pins, owner record) does not depend on what the
 * program counts.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "xdpgate_maps.bpf.h"
#include "xdpgate_policy_xdp.bpf.h"

static __always_inline void touch(void *map)
{
	__u32 k = 0;

	bpf_map_lookup_elem(map, &k);
}

SEC("xdp")
int xdpgate_xdp(struct xdp_md *ctx)
{
	__u32 k = XG_ACT_PASS;
	struct xg_counter *c = bpf_map_lookup_elem(&xg_actions, &k);
	struct xg_in6_key k6 = {};

	touch(&xg_src_v4);
	bpf_map_lookup_elem(&xg_src_v6, &k6);
	touch(&xg_reasons);
	touch(&xg_hot_v4);
	touch(&xg_hot_v6);
	touch(&xg_inserts);
	touch(&xg_pol_state);
	touch(&xg_pol_v4);
	touch(&xg_pol_v6);
	touch(&xg_pol_hits);
	touch(&xg_pol_bkt);
	if (ctx->rx_queue_index == 0xffffffff) /* never: only references the map */
		return bpf_redirect_map(&xg_pol_tx, 0, XDP_PASS);
	if (c) {
		c->packets++;
		c->bytes += ctx->data_end - ctx->data;
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
