// SPDX-License-Identifier: GPL-2.0
/* The socket layer, every backend the kernel lets load (the others SKIP
 * with the kernel's reason): two cgroups of this test, a process in each,
 * TCP and UDP over IPv4 and IPv6, on loopback and across a veth pair
 * between two network namespaces. A sends to B, then B answers with other
 * amounts, so a count under the wrong cgroup or cell shows.
 *
 * Socket backends must match, cell by cell, the calls and bytes the
 * processes counted themselves (exact for TCP too: the sum of what send
 * and recv returned). cgroup_skb counts IP packets: exact for UDP
 * (payload + 8 + IP header per datagram), and for TCP within the README's
 * bounds: payload <= bytes <= payload + 120 * packets.
 *
 * Sessions are the library's (xg_cg_open), unpinned: nothing under
 * /sys/fs/bpf is touched, and a socket layer attached by someone else on
 * this host changes nothing here (its maps are not ours). `test_xdpgate
 * --backend NAME cgroups` runs one backend, for kernels under qemu.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cgroup_env.h"
#include "cgroups_backend.h"
#include "cgroups_read.h"
#include "xg_test.h"
#include "xdpgate_sock.skel.h"

#define TCP_HDR_MAX 120 /* IPv4 options 40 + 20, TCP options 40 + 20 */

static const struct cg_flow flows[] = {
	{ XG_CG_UDP, XG_CG_IPV4, false, 7, 300, 5, 111 },
	{ XG_CG_UDP, XG_CG_IPV6, false, 6, 420, 4, 97 },
	{ XG_CG_TCP, XG_CG_IPV4, false, 20, 5000, 3, 7777 },
	{ XG_CG_TCP, XG_CG_IPV6, false, 13, 4001, 2, 9999 },
	{ XG_CG_UDP, XG_CG_IPV4, true, 5, 1000, 3, 222 },
	{ XG_CG_UDP, XG_CG_IPV6, true, 4, 1200, 2, 333 },
	{ XG_CG_TCP, XG_CG_IPV4, true, 10, 9000, 2, 5555 },
	{ XG_CG_TCP, XG_CG_IPV6, true, 9, 7000, 4, 4444 },
};
#define NR_FLOWS (sizeof(flows) / sizeof(flows[0]))

/* What the processes of a cgroup counted, per cell. */
struct expect {
	__u64 calls[XG_CG_CELLS];
	__u64 bytes[XG_CG_CELLS];
	__u64 wire[XG_CG_CELLS]; /* UDP: bytes on the IP layer */
};

static void add_side(struct expect *e, const struct cg_flow *f,
		     const struct cg_side *s)
{
	int tx = XG_CG_CELL(f->proto, f->family, XG_CG_TX);
	int rx = XG_CG_CELL(f->proto, f->family, XG_CG_RX);

	e->calls[tx] += s->tx_calls;
	e->bytes[tx] += s->tx_bytes;
	e->wire[tx] += s->tx_datagrams_wire;
	e->calls[rx] += s->rx_calls;
	e->bytes[rx] += s->rx_bytes;
	e->wire[rx] += s->rx_datagrams_wire;
}

static const struct xg_cg_row *row_of(const struct xg_cg_row *rows, size_t n,
				      __u64 id)
{
	for (size_t i = 0; i < n; i++)
		if (rows[i].id == id)
			return &rows[i];
	return NULL;
}

static const char *cell_name(int cell)
{
	static char buf[32];

	snprintf(buf, sizeof(buf), "%s/%s/%s",
		 cell / 4 ? "udp" : "tcp", (cell / 2) % 2 ? "ipv6" : "ipv4",
		 cell % 2 ? "rx" : "tx");
	return buf;
}

/* One cgroup's row against what its processes counted. */
static void check_row(int backend, const char *who, const struct xg_cg_row *r,
		      const struct expect *e)
{
	char what[96];

	for (int c = 0; c < XG_CG_CELLS; c++) {
		const struct xg_counter *got = &r->sum.c[c];
		bool udp = c / 4;

		snprintf(what, sizeof(what), "cgroup %s, %s", who, cell_name(c));
		if (backend != XG_CG_BACKEND_CGROUP_SKB) {
			ASSERT_EQ(got->packets, e->calls[c], what);
			ASSERT_EQ(got->bytes, e->bytes[c], what);
		} else if (udp) {
			ASSERT_EQ(got->packets, e->calls[c], what);
			ASSERT_EQ(got->bytes, e->wire[c], what);
		} else if (!e->bytes[c]) {
			/* no payload this way: pure ACKs/SYN/FIN at most */
			ASSERT_TRUE(got->bytes <= got->packets * TCP_HDR_MAX, what);
		} else {
			ASSERT_TRUE(got->packets >= 1, what);
			ASSERT_TRUE(got->bytes >= e->bytes[c], what);
			ASSERT_TRUE(got->bytes <= e->bytes[c] + got->packets * TCP_HDR_MAX,
				    what);
		}
	}
}

static int read_rows(const struct xg_cg_session *s, struct xg_cg_row **rows,
		     size_t *n)
{
	int err = xg_cg_read(xg_cg_stats_fd(s), rows, n);

	if (!err)
		xg_cg_rows_resolve(*rows, *n);
	return err;
}

/* Every flow, A in cgroup a, B in cgroup b; then the rows. */
static void check_flows(const struct xg_cg_session *s, const struct cg_dir *a,
			const struct cg_dir *b, bool veth)
{
	struct expect ea = { 0 }, eb = { 0 };
	struct xg_cg_row *rows = NULL;
	const struct xg_cg_row *ra, *rb;
	char why[160], what[96];
	size_t n = 0;

	for (size_t i = 0; i < NR_FLOWS; i++) {
		const struct cg_flow *f = &flows[i];
		struct cg_side sa, sb;

		if (f->veth && !veth)
			continue;
		snprintf(what, sizeof(what), "flow %zu (%s, %s)", i,
			 cell_name(XG_CG_CELL(f->proto, f->family, 0)),
			 f->veth ? "veth" : "loopback");
		if (!ASSERT_OK(cg_env_run_flow(f, a, b, &sa, &sb, why, sizeof(why)),
			       what)) {
			printf("       %s: %s\n", what, why);
			continue;
		}
		/* The processes did what the flow says. */
		ASSERT_EQ(sa.tx_bytes, (__u64)f->a_count * f->a_size, what);
		ASSERT_EQ(sb.rx_bytes, (__u64)f->a_count * f->a_size, what);
		ASSERT_EQ(sb.tx_bytes, (__u64)f->b_count * f->b_size, what);
		ASSERT_EQ(sa.rx_bytes, (__u64)f->b_count * f->b_size, what);
		add_side(&ea, f, &sa);
		add_side(&eb, f, &sb);
	}
	if (!ASSERT_OK(read_rows(s, &rows, &n), "read xg_cg_stats"))
		return;
	ra = row_of(rows, n, a->id);
	rb = row_of(rows, n, b->id);
	if (ASSERT_PTR_OK(ra, "row of cgroup a") && ASSERT_PTR_OK(rb, "row of cgroup b")) {
		ASSERT_EQ(ra->state, XG_CG_LIVE, "cgroup a resolves");
		ASSERT_TRUE(strstr(a->path, ra->path) && *ra->path == '/',
			    "cgroup a's path is its path under the v2 mount");
		check_row(s->backend, "a", ra, &ea);
		check_row(s->backend, "b", rb, &eb);
	}
	xg_cg_rows_free(rows, n);
}

/* A cgroup removed after its traffic: reported once (as removed, with its
 * counts), then dropped; the live cgroup's row stays.
 */
static void check_removed(const struct xg_cg_session *s, const struct cg_dir *parent,
			  const struct cg_dir *b)
{
	const struct cg_flow f = { XG_CG_UDP, XG_CG_IPV4, false, 3, 64, 1, 32 };
	struct xg_cg_row *rows = NULL;
	const struct xg_cg_row *r;
	struct cg_side sa, sb;
	struct cg_dir c;
	char why[160];
	size_t n = 0;

	if (!ASSERT_OK(cg_env_child(parent, 'r', 1, &c), "mkdir cgroup r01"))
		return;
	if (!ASSERT_OK(cg_env_run_flow(&f, &c, b, &sa, &sb, why, sizeof(why)),
		       "flow from cgroup r01")) {
		printf("       %s\n", why);
		cg_env_remove(&c);
		return;
	}
	if (!ASSERT_OK(cg_env_remove(&c), "rmdir cgroup r01"))
		return;
	if (!ASSERT_OK(read_rows(s, &rows, &n), "read after rmdir"))
		return;
	r = row_of(rows, n, c.id);
	if (ASSERT_PTR_OK(r, "removed cgroup's row, first read")) {
		ASSERT_EQ(r->state, XG_CG_REMOVED, "state of removed cgroup");
		ASSERT_EQ(r->sum.c[XG_CG_CELL(XG_CG_UDP, XG_CG_IPV4, XG_CG_TX)].packets,
			  3, "removed cgroup's udp/ipv4/tx");
		ASSERT_EQ(r->sum.c[XG_CG_CELL(XG_CG_UDP, XG_CG_IPV4, XG_CG_RX)].packets,
			  1, "removed cgroup's udp/ipv4/rx");
	}
	ASSERT_EQ(xg_cg_drop_removed(xg_cg_stats_fd(s), rows, n), 1,
		  "rows dropped after the first read");
	xg_cg_rows_free(rows, n);
	if (!ASSERT_OK(read_rows(s, &rows, &n), "second read"))
		return;
	ASSERT_TRUE(!row_of(rows, n, c.id), "removed cgroup gone on the second read");
	ASSERT_TRUE(row_of(rows, n, b->id) != NULL, "live cgroup b still there");
	ASSERT_EQ(xg_cg_drop_removed(xg_cg_stats_fd(s), rows, n), 0,
		  "nothing else dropped");
	xg_cg_rows_free(rows, n);
}

/* What CO-RE decided in the programs agrees with the kernel's BTF. */
static void test_core_probe(void)
{
	struct xdpgate_sock *skel;
	struct bpf_program *p;
	LIBBPF_OPTS(bpf_test_run_opts, t);

	xg_subtest_start("core_probe");
	skel = xdpgate_sock__open();
	if (!ASSERT_PTR_OK(skel, "open xdpgate_sock"))
		goto out;
	bpf_object__for_each_program(p, skel->obj)
		bpf_program__set_autoload(p, p == skel->progs.xg_core_probe);
	if (ASSERT_OK(xdpgate_sock__load(skel), "load xg_core_probe") &&
	    ASSERT_OK(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.xg_core_probe), &t),
		      "run xg_core_probe")) {
		int n = xg_cg_recv_nargs("tcp_recvmsg");

		/* The three recvmsg share one shape, which kprobes rely on. */
		ASSERT_TRUE(n >= 4 && n <= 6, "tcp_recvmsg has 4 to 6 parameters");
		ASSERT_EQ(xg_cg_recv_nargs("udp_recvmsg"), n, "udp_recvmsg's shape");
		ASSERT_EQ(xg_cg_recv_nargs("udpv6_recvmsg"), n, "udpv6_recvmsg's shape");
		ASSERT_EQ(skel->bss->xg_core_func_args, 1,
			  "fexit reads recvmsg's arguments through helpers (5.17+)");
		ASSERT_EQ(skel->bss->xg_core_cgroup_ptr, 1,
			  "sock_cgroup_data holds a cgroup pointer (5.15+)");
	}
	xdpgate_sock__destroy(skel);
out:
	xg_subtest_end();
}

static void test_backend(int b, const struct cg_dir *parent, const struct cg_dir *a,
			 const struct cg_dir *bb, bool veth)
{
	struct xg_cg_open_opts o = { .backend = b, .silent = true };
	struct xg_cg_session s;
	char name[48];
	int err;

	err = xg_cg_open(&o, &s);
	if (err) {
		char why[XG_CG_WHY_LEN];

		xg_subtest_skip(xg_cg_backend_name(b), s.info.why[b]);
		/* Refused to attach, but do the programs pass the verifier? */
		snprintf(name, sizeof(name), "%s_verifier", xg_cg_backend_name(b));
		err = xg_cg_verify(b, why, sizeof(why));
		if (err == -EPERM || err == -ENOENT) { /* not allowed, or no such function */
			xg_subtest_skip(name, why);
			return;
		}
		xg_subtest_start(name);
		if (!ASSERT_OK(err, "load every program of the backend"))
			printf("       %s\n", why);
		xg_subtest_end();
		return;
	}
	snprintf(name, sizeof(name), "%s_flows", xg_cg_backend_name(b));
	xg_subtest_start(name);
	ASSERT_EQ(s.backend, b, "backend in use");
	check_flows(&s, a, bb, veth);
	xg_subtest_end();
	snprintf(name, sizeof(name), "%s_removed", xg_cg_backend_name(b));
	xg_subtest_start(name);
	check_removed(&s, parent, bb);
	xg_subtest_end();
	xg_cg_close(&s);
}

void test_cgroups(void)
{
	struct cg_dir parent, a, b;
	bool veth;
	int only = XG_CG_BACKEND_AUTO;

	if (xg_test_backend) {
		only = xg_cg_backend_parse(xg_test_backend);
		if (only < 0) {
			printf("FAIL cgroups: --backend %s: not a backend\n", xg_test_backend);
			xg_t.failed++;
			return;
		}
	}
	test_core_probe();
	if (cg_env_parent(&parent)) {
		xg_subtest_skip("flows", "no cgroup v2 hierarchy to make cgroups in");
		return;
	}
	if (cg_env_child(&parent, 'a', 1, &a) || cg_env_child(&parent, 'b', 1, &b)) {
		printf("FAIL cgroups: cannot make cgroups under %s: %s\n", parent.path,
		       strerror(errno));
		xg_t.failed++;
		goto out;
	}
	veth = !cg_env_veth_up();
	if (!veth)
		xg_subtest_skip("veth", "cannot make namespaces and a veth pair "
				"(no `ip`?): loopback flows only");
	for (int k = 0; k < XG_CG_BACKEND__MAX; k++)
		if (only == XG_CG_BACKEND_AUTO || only == k)
			test_backend(k, &parent, &a, &b, veth);
	if (veth)
		cg_env_veth_down();
out:
	cg_env_remove(&a);
	cg_env_remove(&b);
	cg_env_remove(&parent);
}
