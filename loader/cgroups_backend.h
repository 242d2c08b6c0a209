/* SPDX-License-Identifier: GPL-2.0 */
/* The socket layer's backends: probe what the running kernel allows, best
 * first, load and attach one. A session holds the loaded object and its
 * links; pinning them (so they outlive the loader) is cgroups_pins.c's job,
 * so the tests and the benchmark use sessions that vanish with them.
 */
#ifndef XG_CGROUPS_BACKEND_H
#define XG_CGROUPS_BACKEND_H

#include <stdbool.h>
#include <linux/types.h>

#include "xdpgate_cgroup.h"

#define XG_CG_BACKEND_AUTO (-1)
#define XG_CG_LINKS_MAX 16

struct xdpgate_sock;
struct bpf_link;

struct xg_cg_session {
	struct xdpgate_sock *skel;
	enum xg_cg_backend backend;
	struct xg_cg_info info;   /* backend, variant, why better ones failed */
	int nr_links;
	struct bpf_link *links[XG_CG_LINKS_MAX];
	const char *link_prog[XG_CG_LINKS_MAX]; /* program behind each link */
};

struct xg_cg_open_opts {
	int backend;             /* enum xg_cg_backend or XG_CG_BACKEND_AUTO */
	__u32 max_cgroups;       /* rows of xg_cg_stats; 0: XG_CG_MAP_DEFAULT */
	bool quiet;              /* refusals in auto mode only with -v */
	bool silent;             /* no messages at all (tests, benchmark) */
};

/* "fentry", "kprobe", "tracepoint", "cgroup_skb". */
const char *xg_cg_backend_name(int backend);
/* The name as --backend takes it ("auto" too); -2 when unknown. */
int xg_cg_backend_parse(const char *s);

/* Why the kernel cannot run a backend at all (missing functions or
 * tracepoints, no kprobes), without loading anything: 0 when it may, or
 * -errno with why filled.
 */
int xg_cg_backend_precheck(int backend, char *why, size_t len);

/* Parameters of a kernel function in its BTF (recvmsg's shape), or
 * -ENOENT.
 */
int xg_cg_recv_nargs(const char *func);

/* Load and attach one backend (or, with XG_CG_BACKEND_AUTO, the best the
 * kernel accepts), recording in s->info why each better one was refused.
 * A forced backend that fails is an error naming the backend, the program
 * and the kernel's reason. Returns 0 or -errno; on error s holds nothing.
 */
int xg_cg_open(const struct xg_cg_open_opts *o, struct xg_cg_session *s);

/* Load a backend's programs (the verifier's verdict) without attaching
 * them: where the kernel refuses to attach (no kprobes), this still says
 * whether the programs themselves are sound. 0 or -errno with why.
 */
int xg_cg_verify(int backend, char *why, size_t len);

/* Destroy the links (which detaches whatever is not pinned) and the
 * object. Safe on a zeroed or already closed session.
 */
void xg_cg_close(struct xg_cg_session *s);

/* fd of the session's per-cgroup stats map and misc counters. */
int xg_cg_stats_fd(const struct xg_cg_session *s);
int xg_cg_misc_fd(const struct xg_cg_session *s);
int xg_cg_info_fd(const struct xg_cg_session *s);

#endif
