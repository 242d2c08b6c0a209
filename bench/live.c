// SPDX-License-Identifier: GPL-2.0
/* Scenario 3, live frames. In a private network namespace (xgbench-<pid>):
 *
 *   bench_tx --XDP_TX--> xgb0 ==veth==> xgb1 [program under test, native]
 *                                          | redirect floor: devmap
 *                                          v
 *                                        xgb2 ==veth==> xgb3 [floor-drop]
 *
 * bench_tx runs under BPF_PROG_TEST_RUN with BPF_F_TEST_XDP_LIVE_FRAMES and
 * xgb0 as ingress device, so every frame really crosses the veth and runs
 * the peer's native XDP program in veth's NAPI poll, on this CPU, inside
 * the timed region (test_run flushes and re-enables bottom halves per
 * batch). The reported ns/frame is the whole path; rows are read against
 * the empty program with the same peer verdict. In the redirect group that
 * is a bare bpf_redirect_map program: xdpgate's redirect rule against it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/bpf.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench.h"
#include "packets.h"
#include "programs.h"
#include "runner.h"
#include "log.h"
#include "xdpgate_types.h"
#include "bench_live.skel.h"

#ifndef BPF_F_TEST_XDP_LIVE_FRAMES
#define BPF_F_TEST_XDP_LIVE_FRAMES (1U << 1)
#endif

static char netns[32];
static int home_ns = -1;

/* One row: a table program (or the local redirect floor) on xgb1. */
static const struct live_cell {
	const char *verdict;  /* group: what the peer does with the frame */
	const char *prog;
	const char *floor;
	const char *peer;
} cells[] = {
	{ "drop", "floor-drop", "floor-drop", "xdpfilter-dny-ip" },
	{ "drop", "xdpfilter-dny-ip", "floor-drop", "xdpfilter-dny-ip" },
	{ "pass", "floor-pass", "floor-pass", "xdpfilter-alw-ip" },
	{ "pass", "xdpfilter-alw-ip", "floor-pass", "xdpfilter-alw-ip" },
	{ "pass", "bare-percpu-hash", "floor-pass", "xdpfilter-alw-ip" },
	{ "pass", "xdpgate-count", "floor-pass", "xdpfilter-alw-ip" },
	{ "redirect", "floor-redirect", "floor-redirect", NULL },
	{ "redirect", "xdpgate-redirect", "floor-redirect", NULL },
};
#define NCELLS ((int)(sizeof(cells) / sizeof(cells[0])))

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = system(cmd);
	if (rc)
		xg_err("live frames setup: '%s' failed", cmd);
	return rc ? -1 : 0;
}

void bench_live_cleanup(void)
{
	char cmd[96];

	if (home_ns >= 0) {
		setns(home_ns, CLONE_NEWNET);
		close(home_ns);
		home_ns = -1;
	}
	if (netns[0]) {
		snprintf(cmd, sizeof(cmd), "ip netns del %s 2>/dev/null", netns);
		if (system(cmd))
			xg_warn("could not delete netns %s", netns);
		netns[0] = 0;
	}
}

static int setup_netns(void)
{
	char path[64];
	int fd;

	snprintf(netns, sizeof(netns), "xgbench-%d", (int)getpid());
	if (sh("ip netns add %s", netns) ||
	    sh("ip -n %s link add xgb0 type veth peer name xgb1", netns) ||
	    sh("ip -n %s link add xgb2 type veth peer name xgb3", netns) ||
	    /* no IPv6 autoconf chatter: the peer must see only our frames */
	    sh("ip netns exec %s sysctl -qw net.ipv6.conf.all.disable_ipv6=1 "
	       "net.ipv6.conf.default.disable_ipv6=1", netns) ||
	    sh("for d in lo xgb0 xgb1 xgb2 xgb3; do ip -n %s link set dev $d up"
	       " || exit 1; done", netns))
		return -1;
	home_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	snprintf(path, sizeof(path), "/run/netns/%s", netns);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (home_ns < 0 || fd < 0 || setns(fd, CLONE_NEWNET)) {
		xg_err("enter netns %s: %s", netns, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static int mac_of(const char *ifname, __u8 mac[6])
{
	struct ifreq ifr = { 0 };
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int err = 0;

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (s < 0 || ioctl(s, SIOCGIFHWADDR, &ifr))
		err = -errno;
	else
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	if (s >= 0)
		close(s);
	return err;
}

static int attach(int ifindex, int fd, const char *ifname, const char *prog)
{
	int err = bpf_xdp_attach(ifindex, fd, XDP_FLAGS_DRV_MODE, NULL);

	if (err)
		xg_err("interface %s: attach %s in native mode: %s", ifname,
		       prog, xg_strerror(err));
	return err;
}

int bench_live(struct bench_run *r)
{
	struct bench_opts *o = r->opts;
	struct bench_load_cfg cfg = { .bpffs = r->bpffs };
	struct bench_prog *progs[NCELLS] = { 0 };
	int rowid[NCELLS], order[NCELLS], fds[NCELLS];
	__u64 sent[NCELLS] = { 0 }, got;
	struct bench_live *skel = NULL;
	struct bench_pkt pkt;
	struct bench_sample s;
	struct xdp_md ctx = { 0 };
	__u64 rng = o->seed ^ 0x6c6976ULL;
	__u32 repeat = o->quick || o->selftest ? (1U << 15) : (1U << 18);
	int if0, if1, if2, if3, i, round, err = -1;
	double t0;
	__u8 mac[6];

	if (setup_netns())
		goto out;
	if0 = if_nametoindex("xgb0");
	if1 = if_nametoindex("xgb1");
	if2 = if_nametoindex("xgb2");
	if3 = if_nametoindex("xgb3");
	if (!if0 || !if1 || !if2 || !if3 || mac_of("xgb1", mac))
		goto out;
	/* Addressed to xgb1, so XDP_PASS frames go up the stack, where the
	 * netns (no address, no forwarding) drops them.
	 */
	bench_pkt_build(PKT_IPV4_UDP, mac, &pkt);
	ctx.ingress_ifindex = if0;
	ctx.data_end = pkt.len; /* test_run wants the frame length here */

	skel = bench_live__open_and_load();
	if (!skel) {
		xg_err("load bench_live: %s", strerror(errno));
		goto out;
	}
	i = 0;
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.live_out), &i, &if2, 0)) {
		xg_err("devmap: add xgb2: %s", strerror(errno));
		goto out;
	}
	for (i = 0; i < bench_nprograms; i++)
		if (bench_load(&bench_programs[i], &cfg))
			bench_programs[i].fd = -1;
	/* The far end of the redirect pair must run XDP to accept frames. */
	if (attach(if3, bench_prog_by_name("floor-drop")->fd, "xgb3",
		   "floor-drop"))
		goto out;

	if (o->selftest)
		printf("selftest: live\n");
	for (i = 0; i < NCELLS; i++) {
		rowid[i] = bench_add_row(r, "live", cells[i].verdict,
					 cells[i].prog, BENCH_NS_PER_PKT);
		order[i] = i;
		if (!strcmp(cells[i].prog, "floor-redirect")) {
			fds[i] = bpf_program__fd(skel->progs.floor_redirect);
		} else {
			progs[i] = bench_prog_by_name(cells[i].prog);
			fds[i] = progs[i]->fd;
		}
		if (fds[i] < 0)
			bench_row_note(&r->rows[rowid[i]], BENCH_FAILED,
				       "program did not load");
	}
	for (i = 0; i < NCELLS; i++) {
		struct bench_row *row = &r->rows[rowid[i]];

		row->floor_row = bench_find_row(r, "live", cells[i].verdict,
						cells[i].floor);
		if (cells[i].peer)
			row->peer_row = bench_find_row(r, "live", cells[i].verdict,
						       cells[i].peer);
	}

	for (round = -1; round < o->rounds; round++) {
		bench_shuffle(order, NCELLS, &rng);
		for (i = 0; i < NCELLS; i++) {
			int c = order[i];
			struct bench_row *row = &r->rows[rowid[c]];

			if (row->status != BENCH_MEASURED)
				continue;
			if (attach(if1, fds[c], "xgb1", cells[c].prog)) {
				bench_row_note(row, BENCH_FAILED,
					       "native attach on veth failed");
				continue;
			}
			LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = pkt.data,
				    .data_size_in = pkt.len, .ctx_in = &ctx,
				    .ctx_size_in = sizeof(ctx), .repeat = repeat,
				    .flags = BPF_F_TEST_XDP_LIVE_FRAMES);
			t0 = now_ns();
			err = bpf_prog_test_run_opts(
				bpf_program__fd(skel->progs.bench_tx), &t);
			s.wall_ns = (now_ns() - t0) / repeat;
			if (err) {
				bench_row_note(row, BENCH_FAILED,
					       "live test_run: %s",
					       strerror(errno));
				continue;
			}
			sent[c] += repeat;
			s.retval = 0;
			s.ns = t.duration;
			if (round >= 0)
				bench_record(row, &s, 0);
		}
		fprintf(stderr, "\rlive: round %d/%d", round + 1, o->rounds);
	}
	fprintf(stderr, "\n");
	bpf_xdp_detach(if1, XDP_FLAGS_DRV_MODE, NULL);
	bpf_xdp_detach(if3, XDP_FLAGS_DRV_MODE, NULL);

	if (o->selftest) {
		for (i = 0; i < NCELLS; i++) {
			if (!progs[i] || !progs[i]->packets)
				continue;
			if (fds[i] < 0) {
				bench_check(false, cells[i].prog, "did not load");
				continue;
			}
			err = progs[i]->packets(progs[i], &got);
			bench_check(!err && sent[i] && got == sent[i],
				    cells[i].prog,
				    "live frames seen by the peer: %llu of %llu",
				    (unsigned long long)got,
				    (unsigned long long)sent[i]);
			if (progs[i]->verdict != XDP_REDIRECT)
				continue;
			err = bench_xdpgate_action(progs[i], XG_ACT_REDIRECT, &got);
			bench_check(!err && got == sent[i], cells[i].prog,
				    "live frames redirected by the rule: %llu of %llu",
				    (unsigned long long)got,
				    (unsigned long long)sent[i]);
		}
	}
	err = 0;
out:
	for (i = 0; i < bench_nprograms; i++)
		bench_prog_unload(&bench_programs[i]);
	if (skel)
		bench_live__destroy(skel);
	bench_live_cleanup();
	return err;
}
