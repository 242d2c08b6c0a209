// SPDX-License-Identifier: GPL-2.0
/* The policy stage through the real XDP program and BPF_PROG_TEST_RUN,
 * with the rules written by the loader's own library (policy.c): verdicts
 * and exact counters (actions, per source, per rule), longest prefix, the
 * default action, VLAN keys, redirect and its failure, the very next
 * packet after a change, a rate limit shared by both CPUs, and a 100k-rule
 * set switched under traffic with every packet checked against the set it
 * was judged by. The test pins itself to one CPU (the hot slots are per
 * CPU and test_run runs on the caller's CPU) except where it moves on
 * purpose.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "dataplane.h"
#include "percpu_rows.h"
#include "policy.h"
#include "rule_spec.h"
#include "xg_test.h"
#include "xdpgate_xdp.skel.h"

static struct xdpgate_xdp *skel;
static struct xg_policy pol;

static bool setup(void)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	struct xg_instance in = { .ifindex = 1 };

	skel = xg_dp_load(false, 0, 0);
	if (!skel)
		return false;
	bpf_obj_get_info_by_fd(bpf_program__fd(skel->progs.xdpgate_xdp), &info, &len);
	in.prog_id = info.id;
	snprintf(in.ifname, sizeof(in.ifname), "test");
	if (!ASSERT_OK(xg_policy_open(&in, &pol), "xg_policy_open")) {
		xdpgate_xdp__destroy(skel);
		skel = NULL;
		return false;
	}
	return true;
}

static void teardown(void)
{
	if (!skel)
		return;
	xg_policy_close(&pol);
	xdpgate_xdp__destroy(skel);
	skel = NULL;
}

/* A rule from its text, as `rules add` parses it. */
static struct xg_rule_spec rule(const char *text)
{
	char buf[256], *tok[16], err[XG_ERR_LEN], *save = NULL;
	struct xg_rule_spec r = {};
	int n = 0, i = 1;

	snprintf(buf, sizeof(buf), "%s", text);
	for (char *t = strtok_r(buf, " ", &save); t && n < 16; t = strtok_r(NULL, " ", &save))
		tok[n++] = t;
	ASSERT_OK(xg_parse_cidr(tok[0], &r, err, sizeof(err)), text);
	if (n > 2 && !strcmp(tok[1], "vlan")) {
		ASSERT_OK(xg_parse_vlan(tok[2], &r.vlan, err, sizeof(err)), text);
		i = 3;
	}
	if (n > i)
		ASSERT_OK(xg_parse_action(tok + i, n - i, &r, err, sizeof(err)), text);
	return r;
}

static void add(const char *text)
{
	struct xg_rule_spec r = rule(text);
	int what;

	if (r.action == XG_POL_REDIRECT)
		r.target = if_nametoindex(r.dev);
	ASSERT_OK(xg_policy_add(&pol, &r, &what), text);
}

/* Send one frame from src (IPv4 or IPv6 text); vlan > 0 sends it tagged. */
static int send_from(const char *src, __u16 vlan, __u32 repeat)
{
	__u8 a[16] = {};
	bool v6 = strchr(src, ':');
	const struct xg_case *c = xg_dp_frame(vlan ? "vlan_ipv4_udp" : v6 ? "ipv6_udp" : "ipv4_udp");
	struct xg_case tagged;

	inet_pton(v6 ? AF_INET6 : AF_INET, src, a);
	if (vlan) {
		tagged = *c;
		tagged.bytes[14] = (__u8)(vlan >> 8);
		tagged.bytes[15] = (__u8)vlan;
		c = &tagged;
	}
	return xg_dp_run(skel, c, a, repeat);
}

static __u64 action_packets(int act)
{
	struct xg_counter out[XG_ACT__MAX];

	if (xg_read_counters(bpf_map__fd(skel->maps.xg_actions), out, XG_ACT__MAX))
		return ~0ULL;
	return out[act].packets;
}

/* The per-source row of src, zeroed when absent. */
static struct xg_source_row source(const char *src)
{
	struct xg_source_row *rows = NULL, r = {};
	const struct xg_source_row *hit;
	bool v6 = strchr(src, ':');
	__u8 a[16] = {};
	size_t n = 0;

	inet_pton(v6 ? AF_INET6 : AF_INET, src, a);
	if (!xg_dp_read_merged(skel, v6 ? AF_INET6 : AF_INET, &rows, &n) &&
	    (hit = xg_dp_find(rows, n, v6 ? AF_INET6 : AF_INET, a)))
		r = *hit;
	free(rows);
	return r;
}

/* Hits of the live rule with text's key (default's when text is NULL). */
static struct xg_rule_hits hits(const char *text)
{
	struct xg_rule_hits h = {}, dflt = {}, *all;
	struct xg_rule_set set;
	struct xg_rule_spec key;
	long i;

	if (xg_policy_read(&pol, &set))
		return (struct xg_rule_hits){ ~0ULL, ~0ULL };
	all = calloc(set.n + 1, sizeof(*all));
	if (all && !xg_policy_hits(&pol, &set, all, &dflt)) {
		if (!text) {
			h = dflt;
		} else {
			key = rule(text);
			i = xg_set_find(&set, &key);
			h = i >= 0 ? all[i] : (struct xg_rule_hits){ ~0ULL, ~0ULL };
		}
	}
	free(all);
	xg_set_free(&set);
	return h;
}

static void verdicts(bool v6)
{
	const char *in = v6 ? "2001:db8:1::5" : "10.1.2.3";
	const char *inner = v6 ? "2001:db8:1:2::7" : "10.1.7.9";
	const char *out = v6 ? "2001:db9::1" : "10.2.0.1";
	const int len = (int)xg_dp_frame(v6 ? "ipv6_udp" : "ipv4_udp")->len;

	add(v6 ? "2001:db8::/32 drop" : "10.1.0.0/16 drop");
	add(v6 ? "2001:db8:1:2::/64 pass" : "10.1.7.0/24 pass");
	ASSERT_EQ(send_from(in, 0, 5), XDP_DROP, in);
	ASSERT_EQ(send_from(inner, 0, 3), XDP_PASS, "longest prefix wins");
	ASSERT_EQ(send_from(out, 0, 2), XDP_PASS, "default pass");
	ASSERT_EQ(action_packets(XG_ACT_DROP), 5, "drop total");
	ASSERT_EQ(action_packets(XG_ACT_PASS), 5, "pass total");
	ASSERT_EQ(source(in).drops, 5, "drops under the source");
	ASSERT_EQ(source(in).packets, 5, "packets under the source");
	ASSERT_EQ(source(inner).drops, 0, "inner source");
	ASSERT_EQ(hits(v6 ? "2001:db8::/32" : "10.1.0.0/16").packets, 5, "rule hits");
	ASSERT_EQ(hits(v6 ? "2001:db8::/32" : "10.1.0.0/16").bytes, 5 * len, "rule bytes");
	ASSERT_EQ(hits(v6 ? "2001:db8:1:2::/64" : "10.1.7.0/24").packets, 3, "inner hits");
	ASSERT_EQ(hits(NULL).packets, 2, "default hits");
}

static void test_verdicts(bool v6)
{
	xg_subtest_start(v6 ? "verdicts_ipv6" : "verdicts_ipv4");
	if (setup())
		verdicts(v6);
	teardown();
	xg_subtest_end();
}

/* A cached verdict never outlives a change: the next packet obeys. */
static void test_next_packet(void)
{
	struct xg_rule_spec r;

	xg_subtest_start("next_packet");
	if (!setup())
		goto out;
	ASSERT_EQ(send_from("192.0.2.9", 0, 10), XDP_PASS, "cached pass");
	add("192.0.2.0/24 drop");
	ASSERT_EQ(send_from("192.0.2.9", 0, 1), XDP_DROP, "after add");
	r = rule("192.0.2.0/24");
	ASSERT_OK(xg_policy_del(&pol, &r), "del");
	ASSERT_EQ(send_from("192.0.2.9", 0, 1), XDP_PASS, "after del");
	ASSERT_EQ(xg_policy_del(&pol, &r), -ENOENT, "del twice");
	/* Allow-list mode: the default drops what no rule passes. */
	xg_policy_set_default(&pol, XG_POL_DROP);
	add("198.51.100.0/24 pass");
	ASSERT_EQ(send_from("192.0.2.9", 0, 1), XDP_DROP, "allow-list: unknown");
	ASSERT_EQ(send_from("198.51.100.4", 0, 1), XDP_PASS, "allow-list: allowed");
	ASSERT_EQ(send_from("2001:db8::1", 0, 1), XDP_DROP, "allow-list: IPv6");
	ASSERT_EQ(source("192.0.2.9").packets, 13, "source packets");
	ASSERT_EQ(source("192.0.2.9").drops, 2, "source drops");
out:
	teardown();
	xg_subtest_end();
}

static void test_vlan(void)
{
	xg_subtest_start("vlan");
	if (!setup())
		goto out;
	add("203.0.113.0/24 vlan 7 drop");
	add("203.0.113.0/24 pass");
	add("203.0.113.128/25 vlan 9 drop");
	add("203.0.113.192/26 pass");
	ASSERT_EQ(send_from("203.0.113.5", 7, 1), XDP_DROP, "own VLAN rule");
	ASSERT_EQ(send_from("203.0.113.5", 8, 1), XDP_PASS, "other VLAN");
	ASSERT_EQ(send_from("203.0.113.5", 0, 1), XDP_PASS, "untagged");
	/* Same source, VLAN changes: the cache holds for one VLAN only. */
	ASSERT_EQ(send_from("203.0.113.5", 7, 1), XDP_DROP, "back on VLAN 7");
	ASSERT_EQ(send_from("203.0.113.130", 9, 1), XDP_DROP, "VLAN /25");
	ASSERT_EQ(send_from("203.0.113.200", 9, 1), XDP_PASS,
		  "a longer any-VLAN prefix beats a VLAN's shorter one");
	ASSERT_EQ(hits("203.0.113.0/24 vlan 7").packets, 2, "VLAN rule hits");
	ASSERT_EQ(hits("203.0.113.0/24").packets, 2, "any-VLAN rule hits");
out:
	teardown();
	xg_subtest_end();
}

static void test_redirect(void)
{
	__u32 lo = if_nametoindex("lo");

	xg_subtest_start("redirect");
	if (!setup())
		goto out;
	add("192.0.2.0/24 redirect lo");
	ASSERT_EQ(send_from("192.0.2.1", 0, 4), XDP_REDIRECT, "redirect");
	ASSERT_EQ(action_packets(XG_ACT_REDIRECT), 4, "redirect total");
	ASSERT_EQ(source("192.0.2.1").redirects, 4, "source redirects");
	/* The target went away: the kernel takes it out of the devmap. */
	ASSERT_OK(bpf_map_delete_elem(bpf_map__fd(skel->maps.xg_pol_tx), &lo), "devmap");
	ASSERT_EQ(send_from("192.0.2.1", 0, 3), XDP_PASS, "fallback pass");
	ASSERT_EQ(action_packets(XG_ACT_REDIRECT_FAIL), 3, "redirect_fail total");
	ASSERT_EQ(action_packets(XG_ACT_PASS), 0, "not in pass");
	ASSERT_EQ(source("192.0.2.1").redirects, 4, "no more redirects");
	ASSERT_EQ(source("192.0.2.1").packets, 7, "source packets");
out:
	teardown();
	xg_subtest_end();
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One bucket for every CPU: the passes over both CPUs together stay
 * within burst + rate * elapsed, elapsed measured around the runs.
 */
static void test_ratelimit(void)
{
	const __u64 rate = 2000, burst = 40, per_run = 3000;
	cpu_set_t saved;
	double t0, t1;
	__u64 passed, limited, total = 0;

	xg_subtest_start("ratelimit_two_cpus");
	if (!setup())
		goto out;
	add("198.18.0.0/15 limit 2000pps burst 40");
	t0 = now_s();
	for (int round = 0; round < 6; round++) {
		if (xg_dp_pin_cpu(round % 2 ? 1 : 0, &saved) < 0 && round == 1)
			printf("  SKIP part: second CPU unavailable, both halves on one\n");
		ASSERT_EQ(send_from("198.18.3.4", 0, per_run) >= 0, 1, "run");
		total += per_run;
		xg_dp_unpin_cpu(&saved);
	}
	t1 = now_s();
	passed = action_packets(XG_ACT_PASS);
	limited = action_packets(XG_ACT_LIMITED);
	ASSERT_EQ(passed + limited, total, "every packet passed or limited");
	ASSERT_TRUE(passed <= burst + (__u64)(rate * (t1 - t0)) + 1, "passes within burst + rate * elapsed");
	ASSERT_TRUE(passed >= burst, "the burst passes");
	ASSERT_EQ(source("198.18.3.4").limited, limited, "limited under the source");
	printf("  %llu passed, %llu limited in %.3f s (bound %.0f)\n",
	       (unsigned long long)passed, (unsigned long long)limited, t1 - t0,
	       burst + rate * (t1 - t0));
out:
	teardown();
	xg_subtest_end();
}

/* ---- a 100k-rule swap under traffic ---- */

#define SWAP_RULES 100000
#define SWAP_ROUNDS 4

struct swapper {
	struct xg_rule_set set[2];
	volatile int done;
	int swaps;
};

/* Rule i of a set: (10 + i / 65536).(i / 256 % 256).(i % 256).0/24. */
static void swap_addr(__u32 i, __u8 *a)
{
	a[0] = (__u8)(10 + (i >> 16));
	a[1] = (__u8)(i >> 8);
	a[2] = (__u8)i;
}

/* Set k holds SWAP_RULES /24s, each drop in set 0 and pass in set 1, and
 * the opposite default (pass in set 0, drop in set 1). Set k always lands
 * in slot k (the sets alternate, starting with set 0 at an even
 * generation), so the generation a packet's verdict was cached under
 * names the set that must have judged it: a rule or a default of the
 * other set, or a verdict that is neither, is a packet judged by a mix.
 */
static void make_set(struct xg_rule_set *s, int k)
{
	memset(s, 0, sizeof(*s));
	s->dflt = k ? XG_POL_DROP : XG_POL_PASS;
	for (__u32 i = 0; i < SWAP_RULES; i++) {
		struct xg_rule_spec r = { .family = 4, .plen = 24 };

		swap_addr(i, r.addr);
		r.action = k ? XG_POL_PASS : XG_POL_DROP;
		xg_set_push(s, &r);
	}
}

static void *swap_thread(void *arg)
{
	struct swapper *w = arg;

	for (int i = 0; i < SWAP_ROUNDS; i++) {
		struct xg_rule_set s = w->set[(i + 1) % 2];

		/* swap sorts and numbers its copy; keep ours intact */
		s.r = malloc(s.n * sizeof(*s.r));
		if (!s.r)
			break;
		memcpy(s.r, w->set[(i + 1) % 2].r, s.n * sizeof(*s.r));
		s.cap = s.n;
		if (xg_policy_swap(&pol, &s)) {
			xg_set_free(&s);
			break;
		}
		xg_set_free(&s);
		w->swaps++;
	}
	w->done = 1;
	return NULL;
}

static void test_swap_no_mix(void)
{
	struct swapper w = {};
	pthread_t th;
	unsigned long checks = 0, bad = 0, seen[2] = {};
	__u32 probe = 0;
	int cpu, ncpu = xg_nr_cpus();
	cpu_set_t saved;

	xg_subtest_start("swap_100k_under_traffic");
	if (!setup())
		goto out;
	make_set(&w.set[0], 0);
	make_set(&w.set[1], 1);
	ASSERT_OK(xg_policy_swap(&pol, &(struct xg_rule_set){ .dflt = XG_POL_PASS }), "start");
	{
		struct xg_rule_set s = w.set[0];

		s.r = malloc(s.n * sizeof(*s.r));
		memcpy(s.r, w.set[0].r, s.n * sizeof(*s.r));
		s.cap = s.n;
		ASSERT_OK(xg_policy_swap(&pol, &s), "set 0");
		xg_set_free(&s);
	}
	cpu = xg_dp_pin_cpu(-1, &saved);
	ASSERT_OK(pthread_create(&th, NULL, swap_thread, &w), "thread");
	while (!w.done || checks < 1000) {
		/* A new source each time, so every packet walks the tries:
		 * covered /24s and addresses outside every rule, alternately.
		 */
		__u8 a[4] = { 100, 0, 0, 0 };
		__u32 i = probe % SWAP_RULES, slot;
		unsigned char vals[XG_PERCPU_STRIDE(sizeof(struct xg_hot_v4)) * 64];
		const struct xg_hot_v4 *h;
		bool covered = probe & 1;
		int ret, set, drop;

		if (covered)
			swap_addr(i, a);
		else
			a[1] = (__u8)(i >> 8), a[2] = (__u8)i;
		a[3] = (__u8)(1 + (probe / SWAP_RULES) % 250);
		probe++;
		ret = xg_dp_run(skel, xg_dp_frame("ipv4_udp"), a, 1);
		slot = xg_dp_slot_v4(a);
		if (ncpu > 64 || bpf_map_lookup_elem(bpf_map__fd(skel->maps.xg_hot_v4), &slot, vals))
			break;
		h = (const void *)(vals + cpu * XG_PERCPU_STRIDE(sizeof(struct xg_hot_v4)));
		set = h->s.epoch & 1;
		/* Set 0 drops what its rules cover, set 1 what they do not. */
		drop = covered ? set == 0 : set == 1;
		if ((covered ? !h->s.rule : h->s.rule != XG_RULE_DEFAULT) ||
		    h->s.verdict != (drop ? XG_POL_DROP : XG_POL_PASS) ||
		    ret != (drop ? XDP_DROP : XDP_PASS)) {
			if (!bad)
				printf("  mix: %u.%u.%u.%u generation %u rule %u verdict %u ret %d\n",
				       a[0], a[1], a[2], a[3], h->s.epoch, h->s.rule,
				       h->s.verdict, ret);
			bad++;
		}
		if (w.swaps < SWAP_ROUNDS)
			seen[set]++;
		checks++;
		if (checks > 2000000)
			break;
	}
	pthread_join(th, NULL);
	xg_dp_unpin_cpu(&saved);
	ASSERT_EQ(w.swaps, SWAP_ROUNDS, "swaps done");
	ASSERT_EQ(bad, 0, "packets judged by no single set");
	ASSERT_TRUE(seen[0] && seen[1], "both sets judged packets under traffic");
	printf("  %lu packets checked across %d swaps of %d rules (%lu by set 0, %lu by set 1)\n",
	       checks, w.swaps, SWAP_RULES, seen[0], seen[1]);
out:
	xg_set_free(&w.set[0]);
	xg_set_free(&w.set[1]);
	teardown();
	xg_subtest_end();
}

void test_policy(void)
{
	cpu_set_t saved;

	if (xg_dp_pin_cpu(-1, &saved) < 0)
		return;
	test_verdicts(false);
	test_verdicts(true);
	test_next_packet();
	test_vlan();
	test_redirect();
	xg_dp_unpin_cpu(&saved);
	test_ratelimit();
	test_swap_no_mix();
}
