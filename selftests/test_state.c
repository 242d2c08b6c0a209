// SPDX-License-Identifier: GPL-2.0
/* The state library and the eviction count, without a network:
 *   - evictions: the real XDP program over BPF_PROG_TEST_RUN with 16-entry
 *     LRU maps and thousands of sources; xg_inserts minus the live entries
 *     is what was evicted, and the rows plus the evicted packets add up to
 *     what was run, exactly (xg_evictions_compute, as stats reads it);
 *   - owner records in a private directory on bpffs (outside XG_PIN_ROOT):
 *     written, read back, read-only to programs, and judged running or not;
 *   - pin paths, interface-name checks and rendering, the JSON writer's
 *     UTF-8 handling, decimal parsing and the memory estimate.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/magic.h>

#include "dataplane.h"
#include "evictions.h"
#include "ifname.h"
#include "json.h"
#include "mem_estimate.h"
#include "owner.h"
#include "percpu_read.h"
#include "pins.h"
#include "sketch_read.h"
#include "util.h"
#include "xg_test.h"
#include "xdpgate_xdp.skel.h"

#define NSRC 3000

static void src_addr(int af, int k, __u8 *a)
{
	memset(a, 0, 16);
	if (af == AF_INET) {
		a[0] = 10, a[1] = 88, a[2] = k >> 8, a[3] = k & 0xff;
	} else {
		a[0] = 0x20, a[1] = 0x01, a[2] = 0x0d, a[3] = 0xb8;
		a[14] = k >> 8, a[15] = k & 0xff;
	}
}

/* The eviction count with the admission stage off (every source an entry,
 * as with attach --exact) and on (one-packet sources held: the held totals
 * join the reconciliation; sources that proved themselves are admitted and
 * still evict one another in 16-entry maps).
 */
static void subtest_evictions(bool exact)
{
	struct xg_counter actions[XG_ACT__MAX], reasons[XG_RSN__MAX];
	struct xg_source_row *rows = NULL;
	const struct xg_case *c4, *c6;
	struct xdpgate_xdp *skel;
	struct xg_evictions ev;
	__u64 ins[XG_FAM__MAX], sent_p = 0, sent_b = 0, rows_p = 0;
	struct xg_admission adm = {};
	struct xg_counter held;
	size_t n = 0;
	long live;
	cpu_set_t saved;
	__u8 a[16];

	xg_subtest_start(exact ? "evictions_exact" : "evictions_admission");
	c4 = xg_dp_frame("ipv4_udp");
	c6 = xg_dp_frame("ipv6_udp");
	if (!ASSERT_TRUE(c4 && c6, "corpus frames"))
		goto out;
	if (!ASSERT_TRUE(xg_dp_pin_cpu(-1, &saved) >= 0, "pin to one CPU"))
		goto out;
	xg_dp_exact = exact;
	skel = xg_dp_load(false, 16, 16);
	xg_dp_exact = false;
	if (!skel)
		goto unpin;
	for (int k = 0; k < NSRC; k++) {
		const struct xg_case *c = k % 3 ? c4 : c6;
		__u32 rep = 1 + k % 3;

		src_addr(k % 3 ? AF_INET : AF_INET6, k, a);
		if (xg_dp_run(skel, c, a, rep) < 0)
			break;
		sent_p += rep;
		sent_b += (__u64)rep * c->len;
	}
	ASSERT_OK(xg_read_percpu_u64(bpf_map__fd(skel->maps.xg_inserts), ins,
				     XG_FAM__MAX), "read xg_inserts");
	live = xg_dp_count_keys(bpf_map__fd(skel->maps.xg_src_v4), 4) +
	       xg_dp_count_keys(bpf_map__fd(skel->maps.xg_src_v6), 16);
	ASSERT_OK(xg_read_counters(bpf_map__fd(skel->maps.xg_actions), actions,
				   XG_ACT__MAX), "read xg_actions");
	ASSERT_OK(xg_read_counters(bpf_map__fd(skel->maps.xg_reasons), reasons,
				   XG_RSN__MAX), "read xg_reasons");
	ASSERT_OK(xg_dp_read_merged(skel, AF_INET, &rows, &n), "rows v4");
	ASSERT_OK(xg_dp_read_merged(skel, AF_INET6, &rows, &n), "rows v6");
	for (size_t i = 0; i < n; i++)
		rows_p += rows[i].packets;
	ASSERT_OK(xg_read_admission(bpf_map__fd(skel->maps.xg_cpu), &adm),
		  "read xg_cpu");
	held.packets = adm.held[0].packets + adm.held[1].packets;
	held.bytes = adm.held[0].bytes + adm.held[1].bytes;
	if (exact)
		ASSERT_EQ(held.packets, 0, "exact: nothing held");
	else
		ASSERT_TRUE(held.packets > 0, "admission: one-packet sources held");
	xg_evictions_compute(actions, reasons, true, ins[0] + ins[1], (__u64)live,
			     rows, n, &held, &ev);
	ASSERT_EQ(actions[XG_ACT_PASS].packets, sent_p, "all passed");
	ASSERT_TRUE(ev.known, "evictions known");
	ASSERT_TRUE(live > 0 && live <= 32, "LRU maps hold at most 16 each");
	if (exact)
		ASSERT_TRUE(ins[0] > 16 && ins[1] > 16, "both families inserted past full");
	else /* IPv6 sources send one packet here: held, but for the budget */
		ASSERT_TRUE(ins[0] > 16 && ins[1] <= adm.budgeted,
			    "proven IPv4 sources inserted past full, IPv6 held");
	ASSERT_EQ(ev.evicted, ins[0] + ins[1] - (__u64)live, "evicted = inserts - live");
	ASSERT_TRUE(ev.evicted > 0, "something was evicted");
	ASSERT_EQ(rows_p + ev.packets + held.packets +
		  reasons[XG_RSN_SRC_UPDATE_FAIL].packets,
		  sent_p, "rows + evicted + held + update failures = packets run");
	ASSERT_TRUE(ev.packets > 0, "evicted sources took packets with them");
	free(rows);
	xdpgate_xdp__destroy(skel);
unpin:
	xg_dp_unpin_cpu(&saved);
out:
	xg_subtest_end();
}

/* A directory of ours on bpffs, or NULL (SKIP printed). */
static const char *bpffs_dir(char *buf, size_t len)
{
	struct statfs st;

	if (statfs(XG_BPFFS, &st) || st.f_type != BPF_FS_MAGIC) {
		printf("SKIP state/owner_record: no bpffs on %s to pin into\n", XG_BPFFS);
		return NULL;
	}
	snprintf(buf, len, "%s/xge-ctest-%d", XG_BPFFS, getpid());
	if (mkdir(buf, 0700) && errno != EEXIST)
		return NULL;
	return buf;
}

static void subtest_owner_record(void)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	struct xg_owner o, back;
	struct xg_netns self;
	char dir[128], path[160];
	struct xdpgate_xdp *skel;
	int fd;

	xg_subtest_start("owner_record");
	if (!bpffs_dir(dir, sizeof(dir)))
		goto out;
	ASSERT_OK(xg_netns_self(&self), "netns");
	ASSERT_EQ(xg_owner_read(dir, &back), -ENOENT, "no record yet");
	xg_owner_init(&o, &self, 1, "lo", XG_HOOK_XDP);
	ASSERT_EQ(o.state, XG_OWNER_LOADING, "init is LOADING");
	ASSERT_OK(xg_owner_write(dir, &o), "write LOADING");
	ASSERT_OK(xg_owner_read(dir, &back), "read");
	ASSERT_TRUE(!memcmp(&o, &back, sizeof(o)), "read back what was written");
	snprintf(path, sizeof(path), "%s/%s", dir, XG_MAP_OWNER);
	fd = bpf_obj_get(path);
	ASSERT_TRUE(fd >= 0, "pinned");
	if (fd >= 0) {
		ASSERT_OK(bpf_obj_get_info_by_fd(fd, &info, &len), "map info");
		ASSERT_TRUE(info.map_flags & BPF_F_RDONLY_PROG, "read-only to programs");
		ASSERT_EQ(info.max_entries, 1, "one entry");
		close(fd);
	}
	ASSERT_EQ(xg_owner_running(&o, &self), XG_OWNER_GONE, "LOADING runs nothing");

	skel = xg_dp_load(false, 16, 16);
	if (skel) {
		struct bpf_prog_info pinfo = {};
		__u32 plen = sizeof(pinfo);

		bpf_obj_get_info_by_fd(bpf_program__fd(skel->progs.xdpgate_xdp), &pinfo, &plen);
		o.state = XG_OWNER_ATTACHED;
		o.prog_id = pinfo.id;
		ASSERT_OK(xg_owner_write(dir, &o), "write ATTACHED");
		ASSERT_OK(xg_owner_read(dir, &back), "read again");
		ASSERT_EQ(back.prog_id, pinfo.id, "prog id updated in place");
		/* Loaded but not on lo's XDP hook: cannot be told, not gone. */
		ASSERT_EQ(xg_owner_running(&o, &self), XG_OWNER_UNKNOWN, "loaded elsewhere");
		o.netns_cookie ^= 1;
		ASSERT_EQ(xg_owner_running(&o, &self), XG_OWNER_UNKNOWN, "another netns");
		xdpgate_xdp__destroy(skel);
		o.netns_cookie ^= 1;
		ASSERT_EQ(xg_owner_running(&o, &self), XG_OWNER_GONE, "program unloaded");
	}
	ASSERT_OK(xg_pins_remove(dir), "remove the directory");
	ASSERT_TRUE(access(dir, F_OK) != 0, "directory gone");
out:
	xg_subtest_end();
}

static void subtest_paths(void)
{
	struct xg_netns ns = { .cookie = 4097, .ino = 4026531840ULL }, self;
	char buf[XG_PATH_MAX];

	xg_subtest_start("paths");
	ASSERT_OK(xg_inst_path(&ns, 7, XG_HOOK_XDP, buf, sizeof(buf)), "xdp");
	ASSERT_TRUE(!strcmp(buf, XG_PIN_ROOT "/ns4097/if7/xdp"), buf);
	ASSERT_OK(xg_inst_path(&ns, 7, XG_HOOK_TC_EGRESS, buf, sizeof(buf)), "tc");
	ASSERT_TRUE(!strcmp(buf, XG_PIN_ROOT "/ns4097/if7/tc-egress"), buf);
	ASSERT_OK(xg_if_path(&ns, 7, "policy", buf, sizeof(buf)), "policy");
	ASSERT_TRUE(!strcmp(buf, XG_PIN_ROOT "/ns4097/if7/policy"), buf);
	ASSERT_OK(xg_inst_path(&ns, 0, XG_HOOK_CGROUP, buf, sizeof(buf)), "cgroup");
	ASSERT_TRUE(!strcmp(buf, XG_PIN_ROOT "/cgroup"), buf);
	ns.cookie = 0; /* a kernel without SO_NETNS_COOKIE */
	ASSERT_OK(xg_netns_dirname(&ns, buf, sizeof(buf)), "inode name");
	ASSERT_TRUE(!strcmp(buf, "nsino4026531840"), buf);
	ASSERT_OK(xg_netns_self(&self), "self");
	ASSERT_TRUE(self.cookie != 0 && self.ino != 0, "this kernel has cookies");
	ASSERT_TRUE(xg_netns_eq(&self, &self), "equal to itself");
	ns = self;
	ns.ino ^= 1;
	ASSERT_TRUE(xg_netns_eq(&self, &ns), "cookie decides when both have one");
	xg_subtest_end();
}

static void check_json(const char *in, const char *want)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct xg_json j;

	xj_init(&j, f);
	xj_obj_open(&j, NULL);
	xj_str(&j, "s", in);
	xj_obj_close(&j);
	fclose(f);
	ASSERT_TRUE(buf && !strcmp(buf, want), want);
	free(buf);
}

/* The checks print their usage errors; keep them out of the test output. */
static int quiet(void)
{
	int saved = dup(STDERR_FILENO), null = open("/dev/null", O_WRONLY);

	fflush(stderr);
	if (null >= 0) {
		dup2(null, STDERR_FILENO);
		close(null);
	}
	return saved;
}

static void loud(int saved)
{
	fflush(stderr);
	if (saved >= 0) {
		dup2(saved, STDERR_FILENO);
		close(saved);
	}
}

static void subtest_names(void)
{
	char buf[64];
	int saved;

	xg_subtest_start("names");
	saved = quiet();
	ASSERT_EQ(xg_ifname_check("t", "b\xc3\xa9" "0"), 0, "UTF-8 name");
	ASSERT_EQ(xg_ifname_check("t", "x\xff\xa0"), 0, "bytes >= 0x80 (unsigned)");
	ASSERT_EQ(xg_ifname_check("t", ""), 2, "empty");
	ASSERT_EQ(xg_ifname_check("t", "0123456789abcdef"), 2, "16 bytes");
	ASSERT_EQ(xg_ifname_check("t", "0123456789abcde"), 0, "15 bytes");
	ASSERT_EQ(xg_ifname_check("t", "a/b"), 2, "slash");
	ASSERT_EQ(xg_ifname_check("t", "a b"), 2, "space");
	ASSERT_EQ(xg_ifname_check("t", ".."), 2, "dot dot");
	loud(saved);
	ASSERT_EQ(xg_utf8_seq((const unsigned char *)"\xc3\xa9"), 2, "2-byte");
	ASSERT_EQ(xg_utf8_seq((const unsigned char *)"\xc0\xaf"), 0, "overlong");
	ASSERT_EQ(xg_utf8_seq((const unsigned char *)"\xed\xa0\x80"), 0, "surrogate");
	ASSERT_EQ(xg_utf8_seq((const unsigned char *)"\xf4\x90\x80\x80"), 0, "> U+10FFFF");
	xg_ifname_display("b\xc3\xa9\xff\x01\\", buf, sizeof(buf));
	ASSERT_TRUE(!strcmp(buf, "b\xc3\xa9\\xff\\x01\\x5c"), buf);
	ASSERT_EQ(xg_text_width(buf), 14, "width in characters");
	check_json("b\xc3\xa9\xff\"\n", "{\"s\":\"b\xc3\xa9\\ufffd\\\"\\u000a\"}");
	xg_subtest_end();
}

static void subtest_numbers(void)
{
	unsigned long long v = 0;

	xg_subtest_start("numbers");
	ASSERT_OK(xg_parse_decimal("64", 100, &v), "64");
	ASSERT_EQ(v, 64, "64");
	ASSERT_OK(xg_parse_decimal("0", 100, &v), "0");
	ASSERT_EQ(xg_parse_decimal("0100", 1000, &v), -EINVAL, "octal");
	ASSERT_EQ(xg_parse_decimal("0x20", 1000, &v), -EINVAL, "hex");
	ASSERT_EQ(xg_parse_decimal("+64", 1000, &v), -EINVAL, "sign");
	ASSERT_EQ(xg_parse_decimal("", 1000, &v), -EINVAL, "empty");
	ASSERT_EQ(xg_parse_decimal("101", 100, &v), -ERANGE, "range");
	/* 2 maps of 2^24 entries x 48-byte values x 2 CPUs: >= 3 GiB. */
	ASSERT_TRUE(xg_map_mem_bytes(BPF_MAP_TYPE_LRU_PERCPU_HASH, 4, 48, 1U << 24, 2)
		    >= (1ULL << 24) * 48 * 2, "per-CPU hash values");
	ASSERT_EQ(xg_map_mem_bytes(BPF_MAP_TYPE_PERCPU_ARRAY, 4, 12, 10, 4),
		  10 * (16 * 4 + 8), "values rounded to 8 bytes per CPU");
	xg_subtest_end();
}

void test_state(void)
{
	subtest_paths();
	subtest_names();
	subtest_numbers();
	subtest_owner_record();
	subtest_evictions(true);
	subtest_evictions(false);
}
