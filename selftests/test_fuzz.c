// SPDX-License-Identifier: GPL-2.0
/* Differential fuzzing of headers/parse.h: random and mutated frames
 * (fuzz_frames.h) through the BPF build (selftests/progs/parse_probe.bpf.c
 * with BPF_PROG_TEST_RUN) and the host build, compared byte for byte, and
 * the host result checked against what the frame's bytes say (so the two
 * builds cannot agree on a wrong answer unnoticed).
 *
 * XG_FUZZ_FRAMES sets the number of frames (make test runs a short pass,
 * make fuzz at least 10M); XG_FUZZ_SEED replays a run. The seed is printed
 * first, so any failure can be replayed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_ether.h>

#include "parse.h"
#include "xdpgate_names.h"
#include "corpus.h"
#include "expect.h"
#include "fuzz_frames.h"
#include "xg_test.h"
#include "parse_probe.skel.h"

#define DEFAULT_FRAMES 1000000 /* a few seconds: make test's short pass */

struct fuzz_counts {
	unsigned long frames, bpf_runs, host_only, mismatches, wrong;
	unsigned long result[XG_RSN__MAX];
	unsigned long kind[XG_FUZZ__KINDS];
};

static unsigned long long env_u64(const char *name, unsigned long long dflt)
{
	const char *v = getenv(name);
	char *end;
	unsigned long long n;

	if (!v || !*v)
		return dflt;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno || *end || v[0] == '-') {
		fprintf(stderr, "test_xdpgate: %s=%s is not a decimal number\n",
			name, v);
		exit(2);
	}
	return n;
}

static void hexdump(const __u8 *p, __u32 n)
{
	printf("       frame (%u bytes):", n);
	for (__u32 i = 0; i < n && i < 96; i++)
		printf("%s%02x", i % 32 ? "" : "\n         ", p[i]);
	printf("%s\n", n > 96 ? " ..." : "");
}

static int has_l4_ports(const struct xg_pkt_meta *m)
{
	return m->result == XG_PARSE_OK && m->frag != XG_FRAG_LATER &&
	       (m->l4_proto == 6 || m->l4_proto == 17);
}

/* What the bytes themselves say about a result with a source, re-read
 * here rather than trusted from the parser. Returns what is wrong, or NULL.
 */
static const char *contradicts(const struct xg_pkt_meta *m, const __u8 *p,
			       __u32 len)
{
	__u32 end = m->l3_off + m->l3_len;

	if (m->result >= XG_RSN_SRC_UPDATE_FAIL)
		return "result out of the parser's range";
	if (m->result != XG_PARSE_OK && m->result != XG_PARSE_NOT_IP &&
	    !XG_RSN_HAS_SOURCE(m->result))
		return NULL; /* only the result is promised */
	if (m->vlan_depth > VLAN_MAX_DEPTH ||
	    m->l3_off != ETH_HLEN + 4u * m->vlan_depth)
		return "vlan_depth and l3_off disagree";
	if (m->l3_off < 2 || (p[m->l3_off - 2] << 8 | p[m->l3_off - 1]) != m->eth_proto)
		return "eth_proto is not the innermost ethertype";
	if (m->result == XG_PARSE_NOT_IP)
		return m->ip_version ? "ip_version set on a non-IP frame" : NULL;
	if (m->ip_version != (m->eth_proto == 0x0800 ? 4 : 6) ||
	    (m->eth_proto != 0x0800 && m->eth_proto != 0x86dd))
		return "ip_version does not follow the ethertype";
	if (end > len)
		return "l3_len runs past the frame";
	if (m->l4_off < m->l3_off + (m->ip_version == 4 ? 20u : 40u) ||
	    m->l4_off > end)
		return "l4_off outside the IP packet";
	if (m->ip_version == 4 && (m->l4_proto != p[m->l3_off + 9] ||
				   m->l4_off != m->l3_off + (p[m->l3_off] & 0xf) * 4u))
		return "IPv4 protocol or header length misread";
	if (m->ip_version == 6 && !m->ext_count &&
	    (m->l4_proto != p[m->l3_off + 6] || m->l4_off != m->l3_off + 40u))
		return "IPv6 next header misread";
	if (memcmp(m->saddr, p + m->l3_off + (m->ip_version == 4 ? 12 : 8),
		   m->ip_version == 4 ? 4 : 16))
		return "saddr is not the header's source";
	if (m->ext_count > IPV6_EXT_MAX || (m->ip_version == 4 && m->ext_count))
		return "ext_count out of range";
	if (XG_RSN_HAS_SOURCE(m->result) &&
	    (m->frag != XG_FRAG_FIRST || m->sport || m->dport))
		return "frag_l4_trunc without a first fragment, or with ports";
	if (m->frag == XG_FRAG_LATER && (m->sport || m->dport || m->icmp_type))
		return "ports read from a later fragment";
	if (has_l4_ports(m)) {
		const __u8 *l4 = p + m->l4_off;

		if (m->l4_off + (m->l4_proto == 6 ? 20u : 8u) > end)
			return "L4 header runs past the IP packet";
		if (m->sport != (l4[0] << 8 | l4[1]) || m->dport != (l4[2] << 8 | l4[3]))
			return "ports are not the header's";
		if (m->l4_proto == 6 && l4[12] >> 4 < 5)
			return "TCP data offset below 5 accepted";
	}
	return NULL;
}

static void one_frame(struct parse_probe *skel, int prog_fd, const __u8 *frame,
		      __u32 len, unsigned long idx, unsigned long long seed,
		      struct fuzz_counts *n)
{
	struct xg_pkt_meta host;
	struct xg_case named; /* only its name is used, for messages */
	const char *why;
	int r;

	memset(&host, 0xee, sizeof(host));
	r = xg_parse((void *)frame, (void *)(frame + len), len, &host);
	n->result[r < XG_RSN__MAX && r >= 0 ? r : 0]++;
	why = r == (int)host.result ? contradicts(&host, frame, len) :
				      "return value is not m->result";
	if (why) {
		n->wrong++;
		snprintf(named.name, sizeof(named.name), "seed %llu frame %lu", seed, idx);
		ASSERT_TRUE(!why, named.name);
		if (xg_fail_shown()) {
			printf("       %s (result %s)\n", why,
			       host.result < XG_RSN__MAX ? xg_reason_names[host.result] : "?");
			hexdump(frame, len);
		}
	}
	if (len < ETH_HLEN) {
		/* test_run refuses frames without an Ethernet header. */
		n->host_only++;
		return;
	}

	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame,
		    .data_size_in = len, .repeat = 1);
	skel->bss->probe_ret = -1;
	memset(&skel->bss->probe_meta, 0xee, sizeof(skel->bss->probe_meta));
	/* One check per frame: the comparison (or the run failing). */
	if (bpf_prog_test_run_opts(prog_fd, &opts)) {
		ASSERT_OK(-errno, "bpf_prog_test_run_opts");
		n->mismatches++;
		return;
	}
	n->bpf_runs++;
	if (skel->bss->probe_ret == r &&
	    !memcmp(&skel->bss->probe_meta, &host, sizeof(host))) {
		xg_check(true, __FILE__, __LINE__);
		return;
	}
	n->mismatches++;
	snprintf(named.name, sizeof(named.name), "seed %llu frame %lu", seed, idx);
	ASSERT_EQ(skel->bss->probe_ret, r, named.name);
	xg_assert_meta_same(&named, "bpf", &skel->bss->probe_meta, "host", &host);
	if (xg_fail_shown())
		hexdump(frame, len);
}

static void print_counts(const struct fuzz_counts *n, double secs)
{
	printf("     fuzz: %lu frames in %.1f s: %lu through BPF and host, %lu host-only (< %d bytes), %lu mismatches, %lu contradicted by their bytes\n",
	       n->frames, secs, n->bpf_runs, n->host_only, ETH_HLEN,
	       n->mismatches, n->wrong);
	printf("     fuzz: made");
	for (int k = 0; k < XG_FUZZ__KINDS; k++)
		printf(" %s %lu", xg_fuzz_kind_names[k], n->kind[k]);
	printf("\n     fuzz: results");
	for (int i = 0; i < XG_RSN__MAX; i++)
		if (n->result[i])
			printf(" %s %lu", xg_reason_names[i], n->result[i]);
	printf("\n");
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void test_fuzz_diff(void)
{
	unsigned long long seed = env_u64("XG_FUZZ_SEED",
					  (unsigned long long)time(NULL) ^ getpid());
	unsigned long frames = env_u64("XG_FUZZ_FRAMES", DEFAULT_FRAMES);
	const struct xg_corpus *cp = xg_corpus_get();
	static struct fuzz_counts n;
	/* NET_IP_ALIGN, as the corpus (corpus.h) */
	static __u8 frame_buf[XG_FRAME_MAX + 2] __attribute__((aligned(4)));
	__u8 *frame = frame_buf + 2;
	struct parse_probe *skel;
	struct xg_rng rng;
	double t0;
	int prog_fd;

	printf("     fuzz: seed %llu (XG_FUZZ_SEED=%llu XG_FUZZ_FRAMES=%lu %s fuzz_diff replays it)\n",
	       seed, seed, frames, "build/test_xdpgate");
	xg_subtest_start("bpf_vs_host");
	skel = parse_probe__open_and_load();
	if (!ASSERT_PTR_OK(skel, "parse_probe__open_and_load")) {
		xg_subtest_end();
		return;
	}
	prog_fd = bpf_program__fd(skel->progs.parse_probe);
	xg_rng_seed(&rng, seed);
	t0 = now_s();
	for (n.frames = 0; n.frames < frames; n.frames++) {
		enum xg_fuzz_kind kind;
		__u32 len = xg_fuzz_frame(&rng, cp, frame, &kind);

		n.kind[kind]++;
		one_frame(skel, prog_fd, frame, len, n.frames, seed, &n);
	}
	print_counts(&n, now_s() - t0);
	if (n.host_only) {
		char what[96];

		snprintf(what, sizeof(what), "%lu frames shorter than %d bytes on the BPF side",
			 n.host_only, ETH_HLEN);
		xg_skip(what, "test_run refuses XDP frames without an Ethernet header (-EINVAL); checked on the host build");
	}
	/* Every reason the parser has must come up, or the generator has a
	 * blind spot (src_update_fail is the data plane's, not the parser's).
	 */
	if (frames >= DEFAULT_FRAMES)
		for (int r = 0; r < XG_RSN_SRC_UPDATE_FAIL; r++)
			ASSERT_TRUE(n.result[r] > 0, xg_reason_names[r]);
	parse_probe__destroy(skel);
	xg_subtest_end();
}
