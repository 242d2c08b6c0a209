// SPDX-License-Identifier: GPL-2.0
/* Scenario 4, the socket layer: ns added per sendmsg and per recvmsg by
 * each backend the kernel lets attach. The harness moves itself into a
 * cgroup of its own (xgbench-<pid> under the v2 root), then, per round and
 * in a seeded random order, times the same loop with no programs and with
 * each backend attached (a session of the library, unpinned): a batch of
 * small UDP datagrams sent over IPv4 loopback on a connected socket (the
 * receive runs in softirq on the same CPU, inside send), then the batch
 * received. Rows are ns per call; the excess over the "none" row of the
 * same round is the backend's cost. cgroup_skb's egress and ingress both
 * run inside send on loopback, so its recvmsg row shows ~0. The
 * empty-tracepoint row attaches empty tp_btf programs to the tracepoints
 * the tracepoint backend uses: the hook's own price, which bounds from
 * below what any program there can cost.
 *
 * --selftest: the bench cgroup's row must hold exactly the sends and
 * receives made while each backend was attached.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench.h"
#include "cgroups_backend.h"
#include "cgroups_read.h"
#include "cgroups_resolve.h"
#include "runner.h"
#include "log.h"
#include "xdpgate_sock.skel.h"
#include "bench_sock_floor.skel.h"

#define PAYLOAD 16
#define BATCH 2048

/* -1: no programs (the floor); -2: empty programs on the tracepoints the
 * tracepoint backend uses (the price of the hook alone); else an enum
 * xg_cg_backend.
 */
#define CONF_NONE -1
#define CONF_EMPTY_TP -2
static const int configs[] = { CONF_NONE, CONF_EMPTY_TP, XG_CG_BACKEND_FENTRY,
			       XG_CG_BACKEND_KPROBE, XG_CG_BACKEND_TRACEPOINT,
			       XG_CG_BACKEND_CGROUP_SKB };
#define NCONF ((int)(sizeof(configs) / sizeof(configs[0])))

static char cg_path[512], home_cg[1024];

static const char *prog_name(int c, char *buf, size_t len)
{
	if (configs[c] == CONF_NONE)
		snprintf(buf, len, "none");
	else if (configs[c] == CONF_EMPTY_TP)
		snprintf(buf, len, "empty-tracepoint");
	else
		snprintf(buf, len, "xdpgate-sock-%s", xg_cg_backend_name(configs[c]));
	return buf;
}

static int write_procs(const char *dir)
{
	char path[600];
	int fd, err = 0;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "0", 1) != 1)
		err = -errno;
	if (fd >= 0)
		close(fd);
	return err;
}

/* Into xgbench-<pid>; home_cg remembers where we were. */
static int enter_cgroup(__u64 *id)
{
	char root[256], line[700];
	FILE *f;

	if (xg_cg_v2_mount(root, sizeof(root)))
		return -ENOENT;
	snprintf(home_cg, sizeof(home_cg), "%s", root);
	f = fopen("/proc/self/cgroup", "re");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "0::", 3)) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(home_cg, sizeof(home_cg), "%s%s", root,
				 strcmp(line + 3, "/") ? line + 3 : "");
		}
	if (f)
		fclose(f);
	snprintf(cg_path, sizeof(cg_path), "%s/xgbench-%d", root, (int)getpid());
	if (mkdir(cg_path, 0755) || write_procs(cg_path)) {
		xg_err("socket: cannot make and enter cgroup %s: %s", cg_path,
		       strerror(errno));
		rmdir(cg_path);
		cg_path[0] = '\0';
		return -errno;
	}
	*id = xg_cg_id_of_path(cg_path);
	return 0;
}

static void leave_cgroup(void)
{
	if (!cg_path[0])
		return;
	write_procs(home_cg);
	rmdir(cg_path);
	cg_path[0] = '\0';
}

/* A connected pair on 127.0.0.1; the receiver holds a whole batch. */
static int socket_pair(int *tx, int *rx)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int big = 16 << 20;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	*rx = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	*tx = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (*rx < 0 || *tx < 0 ||
	    setsockopt(*rx, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)) ||
	    bind(*rx, (void *)&a, sizeof(a)) || getsockname(*rx, (void *)&a, &len) ||
	    connect(*tx, (void *)&a, sizeof(a)))
		return -errno;
	return 0;
}

/* The empty programs, attached (CONF_EMPTY_TP). */
static int empty_attach(struct bench_sock_floor **out)
{
	struct bench_sock_floor *s = bench_sock_floor__open_and_load();

	if (!s)
		return -errno;
	if (bench_sock_floor__attach(s)) {
		int err = -errno;

		bench_sock_floor__destroy(s);
		errno = -err;
		return err;
	}
	*out = s;
	return 0;
}

struct sock_sample {
	double send_ns, recv_ns; /* per call */
	__u64 sends, recvs;      /* calls that succeeded */
};

static int run_loop(int tx, int rx, int batches, struct sock_sample *s)
{
	char buf[PAYLOAD] = { 0 }, in[64];
	double t0, ts = 0, tr = 0;

	s->sends = s->recvs = 0;
	for (int b = 0; b < batches; b++) {
		t0 = now_ns();
		for (int i = 0; i < BATCH; i++)
			s->sends += send(tx, buf, sizeof(buf), 0) == sizeof(buf);
		ts += now_ns() - t0;
		t0 = now_ns();
		for (int i = 0; i < BATCH; i++)
			s->recvs += recv(rx, in, sizeof(in), MSG_DONTWAIT) == sizeof(buf);
		tr += now_ns() - t0;
	}
	if (s->sends != (__u64)batches * BATCH || s->recvs != s->sends)
		return -EIO;
	s->send_ns = ts / s->sends;
	s->recv_ns = tr / s->recvs;
	return 0;
}

/* The kernel's own run time of the session's programs (BPF_STATS_RUN_TIME)
 * by direction: send/egress programs [0], recv/ingress [1]. It leaves out
 * the hook's dispatch (tracepoint static call, trampoline), which the
 * A/B rows include, but it is precise where the A/B difference is lost in
 * the noise of a shared machine.
 */
static void prog_stats(const struct xg_cg_session *sess, __u64 ns[2], __u64 cnt[2])
{
	struct bpf_program *p;

	ns[0] = ns[1] = cnt[0] = cnt[1] = 0;
	bpf_object__for_each_program(p, sess->skel->obj) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		const char *n = bpf_program__name(p);
		int d = strstr(n, "recv") || strstr(n, "ingress");

		if (bpf_program__fd(p) < 0 ||
		    bpf_obj_get_info_by_fd(bpf_program__fd(p), &info, &len))
			continue;
		ns[d] += info.run_time_ns;
		cnt[d] += info.run_cnt;
	}
}

/* The bench cgroup's udp/ipv4 cells against what the loop did. */
static void check_counts(const struct xg_cg_session *sess, int c, __u64 cgid,
			 __u64 sends, __u64 recvs)
{
	const int tx = XG_CG_CELL(XG_CG_UDP, XG_CG_IPV4, XG_CG_TX);
	const int rx = XG_CG_CELL(XG_CG_UDP, XG_CG_IPV4, XG_CG_RX);
	__u64 per = configs[c] == XG_CG_BACKEND_CGROUP_SKB ? PAYLOAD + 8 + 20 : PAYLOAD;
	struct xg_cg_row *rows = NULL;
	struct xg_cg_stats zero = { 0 };
	const struct xg_cg_stats *got = &zero;
	char name[48];
	size_t n = 0;

	xg_cg_read(xg_cg_stats_fd(sess), &rows, &n);
	for (size_t i = 0; i < n; i++)
		if (rows[i].id == cgid)
			got = &rows[i].sum;
	prog_name(c, name, sizeof(name));
	bench_check(got->c[tx].packets == sends && got->c[tx].bytes == sends * per,
		    name, "sendmsg counted: %llu calls, %llu bytes (sent %llu x %llu B)",
		    (unsigned long long)got->c[tx].packets,
		    (unsigned long long)got->c[tx].bytes, (unsigned long long)sends,
		    (unsigned long long)per);
	bench_check(got->c[rx].packets == recvs && got->c[rx].bytes == recvs * per,
		    name, "recvmsg counted: %llu calls, %llu bytes (received %llu)",
		    (unsigned long long)got->c[rx].packets,
		    (unsigned long long)got->c[rx].bytes, (unsigned long long)recvs);
	xg_cg_rows_free(rows, n);
}

int bench_socket(struct bench_run *r)
{
	struct bench_opts *o = r->opts;
	int row[2][NCONF], prow[2][NCONF], order[NCONF], tx = -1, rx = -1, err = -1;

	bool usable[NCONF];
	__u64 rng = o->seed ^ 0x736f636bULL, cgid = 0;
	int batches = o->quick || o->selftest ? 4 : 32;
	char name[48];

	if (enter_cgroup(&cgid) || socket_pair(&tx, &rx)) {
		xg_err("socket: setup failed: %s", strerror(errno));
		goto out;
	}
	if (o->selftest)
		printf("selftest: socket\n");
	for (int c = 0; c < NCONF; c++) {
		order[c] = c;
		usable[c] = true;
		for (int d = 0; d < 2; d++) {
			row[d][c] = bench_add_row(r, "socket", d ? "recvmsg" : "sendmsg",
						  prog_name(c, name, sizeof(name)),
						  BENCH_NS_PER_PKT);
			if (row[d][c] >= 0)
				r->rows[row[d][c]].floor_row = row[d][0];
			prow[d][c] = -1;
			if (configs[c] >= 0)
				prow[d][c] = bench_add_row(r, "socket", d ? "recvmsg-prog" :
							   "sendmsg-prog",
							   prog_name(c, name, sizeof(name)),
							   BENCH_NS_PER_PKT);
		}
	}
	for (int round = -1; round < o->rounds; round++) {
		bench_shuffle(order, NCONF, &rng);
		for (int i = 0; i < NCONF; i++) {
			int c = order[i];
			struct xg_cg_open_opts oo = { .backend = configs[c], .silent = true };
			struct xg_cg_session sess = { 0 };
			struct sock_sample s;
			struct bench_sample bs = { 0 };
			__u64 ns0[2], cnt0[2], ns1[2], cnt1[2];

			struct bench_sock_floor *empty = NULL;

			if (!usable[c])
				continue;
			if (configs[c] == CONF_EMPTY_TP && empty_attach(&empty)) {
				for (int d = 0; d < 2; d++)
					bench_row_note(&r->rows[row[d][c]], BENCH_FAILED,
						       "empty tp_btf programs: %s",
						       strerror(errno));
				usable[c] = false;
				continue;
			}
			if (configs[c] >= 0 && xg_cg_open(&oo, &sess)) {
				for (int d = 0; d < 2; d++) {
					bench_row_note(&r->rows[row[d][c]], BENCH_FAILED,
						       "backend refused here: %s",
						       sess.info.why[configs[c]]);
					bench_row_note(&r->rows[prow[d][c]], BENCH_NOT_YET,
						       "backend refused here");
				}
				usable[c] = false;
				continue;
			}
			if (run_loop(tx, rx, batches, &s)) {
				bench_row_note(&r->rows[row[0][c]], BENCH_FAILED,
					       "lost datagrams on loopback");
			} else if (round >= 0) {
				bs.ns = bs.wall_ns = s.send_ns;
				bench_record(&r->rows[row[0][c]], &bs, 0);
				bs.ns = bs.wall_ns = s.recv_ns;
				bench_record(&r->rows[row[1][c]], &bs, 0);
				/* Again with run-time stats on (they cost two
				 * clock reads per run, so not in the A/B rows).
				 */
				int stats_fd = sess.skel ? bpf_enable_stats(BPF_STATS_RUN_TIME) : -1;

				if (stats_fd >= 0) {
					prog_stats(&sess, ns0, cnt0);
					run_loop(tx, rx, batches, &s);
					prog_stats(&sess, ns1, cnt1);
					close(stats_fd);
					for (int d = 0; d < 2; d++) {
						if (cnt1[d] == cnt0[d])
							continue;
						bs.ns = bs.wall_ns = (double)(ns1[d] - ns0[d]) /
								     (cnt1[d] - cnt0[d]);
						bench_record(&r->rows[prow[d][c]], &bs, 0);
					}
				}
			}
			if (o->selftest && round == -1 && configs[c] >= 0)
				check_counts(&sess, c, cgid, s.sends, s.recvs);
			xg_cg_close(&sess);
			bench_sock_floor__destroy(empty);
		}
		fprintf(stderr, "\rsocket: round %d/%d", round + 1, o->rounds);
	}
	fprintf(stderr, "\n");
	err = 0;
out:
	if (tx >= 0)
		close(tx);
	if (rx >= 0)
		close(rx);
	leave_cgroup();
	return err;
}

void bench_socket_cleanup(void)
{
	leave_cgroup();
}
