/* SPDX-License-Identifier: GPL-2.0 */
/* The two ways onto a TC hook (ingress or egress of an interface) and
 * what runs there:
 *
 *   tcx (Linux 6.6+): a chain of programs per direction, attached through
 *       a bpf_link (pinned, so it outlives the loader) and listed by
 *       BPF_PROG_QUERY; xdpgate goes first in the chain.
 *   clsact: the qdisc with a cls_bpf filter in direct-action mode, put
 *       there and listed through netlink; xdpgate's filter gets a
 *       priority in front of those already there.
 *
 * Detaching removes xdpgate's own link or filter and nothing else: never
 * the clsact qdisc (libbpf's bpf_tc_hook_destroy would take every other
 * filter with it), never another filter. Errors are returned, not
 * printed: callers name the interface and program.
 */
#ifndef XG_TC_HOOK_H
#define XG_TC_HOOK_H

#include <stdbool.h>
#include <linux/types.h>

#include "instance.h"

/* XG_BPF_TCX_INGRESS / _EGRESS, and libbpf's BPF_TC_INGRESS / _EGRESS. */
__u32 xg_tcx_attach_type(enum xg_hook hook);

/* Everything on the hook: the tcx chain in order, then the cls_bpf
 * filters of clsact. *out malloc'd (free it); returns the count or a
 * negative errno (-ENODEV when the interface is gone). A kernel without
 * tcx, or a hook without clsact, contributes nothing.
 */
int xg_tc_list(int ifindex, enum xg_hook hook, struct xg_tc_prog **out);

/* Does the hook run prog_id? 1, 0, negative errno. */
int xg_tc_runs(int ifindex, enum xg_hook hook, __u32 prog_id);

/* Attach as the first program of the tcx chain through a bpf_link; the
 * link fd is returned (pin it, then close it) and its id in *link_id.
 * -EINVAL from a kernel without tcx.
 */
int xg_tc_attach_tcx(int ifindex, enum xg_hook hook, int prog_fd,
		     __u32 *link_id);

/* Attach as a cls_bpf direct-action filter in front of the others,
 * adding the clsact qdisc if the interface has none (*made_qdisc says so;
 * it stays when xdpgate goes). out gets the filter's handle and priority.
 */
int xg_tc_attach_clsact(int ifindex, enum xg_hook hook, int prog_fd,
			bool *made_qdisc, struct xg_tc_prog *out);

/* Swap p's program for prog_fd in place, atomically: the tcx link's
 * program (only if it still is p's), or the filter with p's handle and
 * priority. A tcx program attached without a link is -EOPNOTSUPP.
 */
int xg_tc_replace(int ifindex, enum xg_hook hook, const struct xg_tc_prog *p,
		  int prog_fd);

/* Take p off the hook: its link detached, its program detached from the
 * tcx chain, or its filter deleted. Nothing else.
 */
int xg_tc_detach(int ifindex, enum xg_hook hook, const struct xg_tc_prog *p);

#endif
