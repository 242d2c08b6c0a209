// SPDX-License-Identifier: GPL-2.0
/* Choosing, loading and attaching a socket-layer backend. Each backend is
 * a set of programs of sock/xdpgate_sock.bpf.c; all others are switched
 * off with bpf_program__set_autoload, so one object serves every kernel.
 * Probing is trying: a fresh object per attempt, load, attach every
 * program, and on any refusal tear it all down and record why.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "cgroups_backend.h"
#include "cgroups_resolve.h"
#include "log.h"
#include "xdpgate_sock.skel.h"

/* snprintf into a reason buffer; truncation is fine for a message. */
static void say(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void say(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

static const char *const backend_names[XG_CG_BACKEND__MAX] = {
	[XG_CG_BACKEND_FENTRY] = "fentry",
	[XG_CG_BACKEND_KPROBE] = "kprobe",
	[XG_CG_BACKEND_TRACEPOINT] = "tracepoint",
	[XG_CG_BACKEND_CGROUP_SKB] = "cgroup_skb",
};

/* One program of a backend. func: the kernel function (or tracepoint's
 * BTF typedef) it needs; optional ones are left off where it is missing
 * (tcp_sendpage and udp_sendpage are gone since 6.5).
 */
struct cg_prog {
	const char *prog;
	const char *func;
	bool optional;
};

#define CG_PROGS_MAX 16

struct cg_variant {
	int backend;
	const char *variant;
	struct cg_prog progs[CG_PROGS_MAX];
};

/* Best first; a backend with two variants tries them in order. */
static const struct cg_variant variants[] = {
	{ XG_CG_BACKEND_FENTRY, "fexit", {
		{ "xg_fx_tcp_send", "tcp_sendmsg", false },
		{ "xg_fx_tcp_recv", "tcp_recvmsg", false },
		{ "xg_fx_udp_send", "udp_sendmsg", false },
		{ "xg_fx_udp_recv", "udp_recvmsg", false },
		{ "xg_fx_udp6_send", "udpv6_sendmsg", false },
		{ "xg_fx_udp6_recv", "udpv6_recvmsg", false },
		{ "xg_fx_tcp_page", "tcp_sendpage", true },
		{ "xg_fx_udp_page", "udp_sendpage", true },
	} },
	{ XG_CG_BACKEND_KPROBE, "kprobe", {
		{ "xg_kp_tcp_send", "tcp_sendmsg", false },
		{ "xg_kr_tcp_send", "tcp_sendmsg", false },
		{ "xg_kp_tcp_recv", "tcp_recvmsg", false },
		{ "xg_kr_tcp_recv", "tcp_recvmsg", false },
		{ "xg_kp_udp_send", "udp_sendmsg", false },
		{ "xg_kr_udp_send", "udp_sendmsg", false },
		{ "xg_kp_udp_recv", "udp_recvmsg", false },
		{ "xg_kr_udp_recv", "udp_recvmsg", false },
		{ "xg_kp_udp6_send", "udpv6_sendmsg", false },
		{ "xg_kr_udp6_send", "udpv6_sendmsg", false },
		{ "xg_kp_udp6_recv", "udpv6_recvmsg", false },
		{ "xg_kr_udp6_recv", "udpv6_recvmsg", false },
		{ "xg_kp_tcp_page", "tcp_sendpage", true },
		{ "xg_kr_tcp_page", "tcp_sendpage", true },
		{ "xg_kp_udp_page", "udp_sendpage", true },
		{ "xg_kr_udp_page", "udp_sendpage", true },
	} },
	{ XG_CG_BACKEND_TRACEPOINT, "tp_btf", {
		{ "xg_tb_send", "btf_trace_sock_send_length", false },
		{ "xg_tb_recv", "btf_trace_sock_recv_length", false },
	} },
	{ XG_CG_BACKEND_TRACEPOINT, "raw_tp", {
		{ "xg_rt_send", "btf_trace_sock_send_length", false },
		{ "xg_rt_recv", "btf_trace_sock_recv_length", false },
	} },
	{ XG_CG_BACKEND_CGROUP_SKB, "cgroup_skb", {
		{ "xg_cs_egress", NULL, false },
		{ "xg_cs_ingress", NULL, false },
	} },
};
#define NR_VARIANTS (int)(sizeof(variants) / sizeof(variants[0]))

const char *xg_cg_backend_name(int backend)
{
	if (backend == XG_CG_BACKEND_AUTO)
		return "auto";
	if (backend < 0 || backend >= XG_CG_BACKEND__MAX)
		return "?";
	return backend_names[backend];
}

int xg_cg_backend_parse(const char *s)
{
	if (!strcmp(s, "auto"))
		return XG_CG_BACKEND_AUTO;
	for (int b = 0; b < XG_CG_BACKEND__MAX; b++)
		if (!strcmp(s, backend_names[b]))
			return b;
	return -2;
}

/* The running kernel's BTF, loaded once per process. */
static struct btf *kernel_btf(void)
{
	static struct btf *btf;

	if (!btf)
		btf = btf__load_vmlinux_btf();
	return libbpf_get_error(btf) ? NULL : btf;
}

/* A function (or tracepoint typedef) in the kernel's BTF. Without BTF
 * nothing can be said: assume present and let the load decide.
 */
static bool kernel_has(const char *name)
{
	struct btf *btf = kernel_btf();

	if (!btf || !name)
		return true;
	if (!strncmp(name, "btf_trace_", 10))
		return btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF) > 0;
	return btf__find_by_name_kind(btf, name, BTF_KIND_FUNC) > 0;
}

int xg_cg_recv_nargs(const char *func)
{
	struct btf *btf = kernel_btf();
	const struct btf_type *t;
	int id;

	if (!btf)
		return -ENOENT;
	id = btf__find_by_name_kind(btf, func, BTF_KIND_FUNC);
	if (id <= 0)
		return -ENOENT;
	t = btf__type_by_id(btf, btf__type_by_id(btf, id)->type);
	return t ? btf_vlen(t) : -ENOENT;
}

static bool kernel_has_kprobes(void)
{
	return !access("/sys/bus/event_source/devices/kprobe/type", F_OK) ||
	       !access("/sys/kernel/tracing/kprobe_events", F_OK) ||
	       !access("/sys/kernel/debug/tracing/kprobe_events", F_OK);
}

static int variant_precheck(const struct cg_variant *v, char *why, size_t len,
			    bool attach)
{
	if (attach && v->backend == XG_CG_BACKEND_KPROBE && !kernel_has_kprobes()) {
		say(why, len, "the kernel has no kprobes (no kprobe PMU, no "
			 "kprobe_events in tracefs: CONFIG_KPROBES off)");
		return -EOPNOTSUPP;
	}
	for (int i = 0; i < CG_PROGS_MAX && v->progs[i].prog; i++) {
		const struct cg_prog *p = &v->progs[i];

		if (p->optional || kernel_has(p->func))
			continue;
		if (!strncmp(p->func, "btf_trace_", 10))
			say(why, len, "the kernel has no tracepoint sock:%s "
				 "(added in Linux 6.3)", p->func + 10);
		else
			say(why, len, "program %s: the kernel has no function "
				 "%s", p->prog, p->func);
		return -ENOENT;
	}
	return 0;
}

int xg_cg_backend_precheck(int backend, char *why, size_t len)
{
	int err = -EINVAL;

	for (int i = 0; i < NR_VARIANTS; i++) {
		if (variants[i].backend != backend)
			continue;
		err = variant_precheck(&variants[i], why, len, true);
		if (!err)
			return 0;
	}
	return err;
}

void xg_cg_close(struct xg_cg_session *s)
{
	for (int i = 0; i < s->nr_links; i++)
		bpf_link__destroy(s->links[i]);
	s->nr_links = 0;
	if (s->skel)
		xdpgate_sock__destroy(s->skel);
	s->skel = NULL;
}

/* The verifier's last words about a refused program, if it said any. */
static const char *last_log_line(char *log)
{
	char *end = log + strlen(log), *start;

	while (end > log && (end[-1] == '\n' || end[-1] == ' '))
		*--end = '\0';
	start = end;
	while (start > log && start[-1] != '\n')
		start--;
	return start;
}

static void why_program(char *why, size_t len, const char *what,
			const struct bpf_program *p, int err, char *log)
{
	const char *line = log ? last_log_line(log) : "";

	say(why, len, "program %s (%s): %s: %s%s%s", bpf_program__name(p),
		 bpf_program__section_name(p), what, xg_strerror(err),
		 *line ? "; verifier: " : "", line);
}

static int attach_one(struct xg_cg_session *s, struct bpf_program *p,
		      int cgroup_fd)
{
	struct bpf_link *l;

	if (s->nr_links >= XG_CG_LINKS_MAX)
		return -E2BIG;
	l = cgroup_fd >= 0 ? bpf_program__attach_cgroup(p, cgroup_fd) :
			     bpf_program__attach(p);
	if (!l)
		return -errno;
	s->link_prog[s->nr_links] = bpf_program__name(p);
	s->links[s->nr_links++] = l;
	return 0;
}

/* Open the cgroup v2 root for cgroup_skb; why filled on failure. */
static int open_v2_root(char *why, size_t len, __u64 *id)
{
	char root[256];
	int fd, err = xg_cg_v2_mount(root, sizeof(root));

	if (err) {
		say(why, len, "no cgroup v2 hierarchy is mounted");
		return err;
	}
	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		say(why, len, "cannot open cgroup v2 root %s: %s", root,
			 strerror(errno));
		return err;
	}
	*id = xg_cg_id_of_fd(fd);
	return fd;
}

/* Load and attach one variant into s; on failure s is closed, why says
 * which program and why.
 */
static int try_variant(const struct cg_variant *v, const struct xg_cg_open_opts *o,
		       struct xg_cg_session *s, char *why, size_t len, bool attach)
{
	static char log[16384];
	struct bpf_program *p;
	int err, cgroup_fd = -1;
	__u64 root_id = 0;

	err = variant_precheck(v, why, len, attach);
	if (err)
		return err;
	s->skel = xdpgate_sock__open();
	if (!s->skel) {
		err = -errno;
		say(why, len, "cannot open the embedded object: %s",
			 xg_strerror(err));
		return err;
	}
	bpf_object__for_each_program(p, s->skel->obj)
		bpf_program__set_autoload(p, false);
	for (int i = 0; i < CG_PROGS_MAX && v->progs[i].prog; i++) {
		p = bpf_object__find_program_by_name(s->skel->obj, v->progs[i].prog);
		if (!p || !kernel_has(v->progs[i].func))
			continue; /* an optional one the kernel lacks */
		bpf_program__set_autoload(p, true);
		bpf_program__set_log_buf(p, log, sizeof(log));
	}
	/* kprobes find recvmsg's flags by its shape (see the program). */
	s->skel->rodata->xg_recv_nargs = xg_cg_recv_nargs("tcp_recvmsg") > 0 ?
					 xg_cg_recv_nargs("tcp_recvmsg") : 0;
	if (o->max_cgroups)
		bpf_map__set_max_entries(s->skel->maps.xg_cg_stats, o->max_cgroups);
	log[0] = '\0';
	err = xdpgate_sock__load(s->skel);
	if (err) {
		/* libbpf stops at the first refusal: the first autoloaded
		 * program without an fd is the one.
		 */
		bpf_object__for_each_program(p, s->skel->obj)
			if (bpf_program__autoload(p) && bpf_program__fd(p) < 0)
				break;
		if (p)
			why_program(why, len, "load refused", p, err, log);
		else
			say(why, len, "load refused: %s", xg_strerror(err));
		goto fail;
	}
	if (!attach)
		goto loaded;
	if (v->backend == XG_CG_BACKEND_CGROUP_SKB) {
		cgroup_fd = open_v2_root(why, len, &root_id);
		if (cgroup_fd < 0) {
			err = cgroup_fd;
			goto fail;
		}
	}
	bpf_object__for_each_program(p, s->skel->obj) {
		if (!bpf_program__autoload(p))
			continue;
		err = attach_one(s, p, cgroup_fd);
		if (err) {
			why_program(why, len, "attach refused", p, err, NULL);
			goto fail;
		}
	}
	if (cgroup_fd >= 0)
		close(cgroup_fd);
loaded:
	s->backend = v->backend;
	s->info.backend = v->backend;
	s->info.nr_links = s->nr_links;
	s->info.root_cgroup_id = root_id;
	snprintf(s->info.variant, sizeof(s->info.variant), "%s", v->variant);
	return 0;
fail:
	if (cgroup_fd >= 0)
		close(cgroup_fd);
	xg_cg_close(s);
	return err ? err : -EINVAL;
}

int xg_cg_open(const struct xg_cg_open_opts *o, struct xg_cg_session *s)
{
	char why[XG_CG_WHY_LEN];
	int err = -ENOENT, first = o->backend == XG_CG_BACKEND_AUTO ? 0 : o->backend;

	memset(s, 0, sizeof(*s));
	s->info.version = XG_CG_INFO_VERSION;
	for (int i = 0; i < NR_VARIANTS; i++) {
		const struct cg_variant *v = &variants[i];
		int b = v->backend;

		if (b < first || (o->backend != XG_CG_BACKEND_AUTO && b != o->backend))
			continue;
		why[0] = '\0';
		err = try_variant(v, o, s, why, sizeof(why), true);
		if (!err) {
			s->info.refused_err[b] = 0; /* a variant note at most */
			return 0;
		}
		/* A variant's refusal stays unless a later variant of the
		 * same backend works (then it is the note on the variant).
		 */
		s->info.refused_err[b] = err;
		say(s->info.why[b], sizeof(s->info.why[b]), "%s%s%s",
			 i + 1 < NR_VARIANTS && variants[i + 1].backend == b ?
				 v->variant : "",
			 i + 1 < NR_VARIANTS && variants[i + 1].backend == b ?
				 " refused: " : "",
			 why);
		if (o->silent)
			continue;
		if (o->backend != XG_CG_BACKEND_AUTO && (i + 1 >= NR_VARIANTS ||
						   variants[i + 1].backend != b))
			xg_err("cgroups: backend %s: %s", backend_names[b], why);
		else if (!o->quiet || xg_verbose)
			xg_info("cgroups: backend %s (%s) refused: %s",
				backend_names[b], v->variant, why);
	}
	if (o->backend == XG_CG_BACKEND_AUTO && !o->silent)
		xg_err("cgroups: no backend could be attached");
	return err;
}

int xg_cg_stats_fd(const struct xg_cg_session *s)
{
	return s->skel ? bpf_map__fd(s->skel->maps.xg_cg_stats) : -EBADF;
}

int xg_cg_misc_fd(const struct xg_cg_session *s)
{
	return s->skel ? bpf_map__fd(s->skel->maps.xg_cg_misc) : -EBADF;
}

int xg_cg_info_fd(const struct xg_cg_session *s)
{
	return s->skel ? bpf_map__fd(s->skel->maps.xg_cg_info) : -EBADF;
}

int xg_cg_verify(int backend, char *why, size_t len)
{
	struct xg_cg_open_opts o = { .backend = backend, .quiet = true };
	struct xg_cg_session s = { 0 };
	int err = -EINVAL;

	for (int i = 0; i < NR_VARIANTS; i++) {
		if (variants[i].backend != backend)
			continue;
		err = try_variant(&variants[i], &o, &s, why, len, false);
		xg_cg_close(&s);
		if (!err)
			break;
	}
	return err;
}
