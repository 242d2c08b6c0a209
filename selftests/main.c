// SPDX-License-Identifier: GPL-2.0
/* test_xdpgate: runs every C test and prints one summary line. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "xg_test.h"

struct xg_test_state xg_t;

static bool verbose;
const char *xg_test_backend;

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list args)
{
	/* Warnings always (a failed load says why); the rest with -v. */
	if (level != LIBBPF_WARN && !verbose)
		return 0;
	return vfprintf(stderr, fmt, args);
}

bool xg_check(bool ok, const char *file, int line)
{
	if (ok) {
		xg_t.sub_passed++;
		return true;
	}
	xg_t.sub_failed++;
	xg_t.printed++;
	return false;
}

bool xg_fail_shown(void)
{
	return xg_t.printed <= XG_MAX_FAIL_LINES;
}

void xg_subtest_start(const char *name)
{
	xg_t.subtest = name;
	xg_t.sub_passed = 0;
	xg_t.sub_failed = 0;
	xg_t.sub_skipped = 0;
	xg_t.printed = 0;
}

/* The first part skipped in the running subtest, for its closing line. */
static char first_skip[256];

/* Indented like the other detail lines: one result line per subtest, which
 * the kernel matrix's guest (selftests/kmatrix/guest/lib.sh) relies on.
 */
void xg_skip(const char *what, const char *why)
{
	printf("     SKIP %s/%s: %s: %s\n", xg_t.test, xg_t.subtest, what, why);
	if (!xg_t.sub_skipped)
		snprintf(first_skip, sizeof(first_skip), "%s: %s", what, why);
	xg_t.sub_skipped++;
}

/* One line per subtest: "ok" or "FAIL" with its counts, or, when it
 * checked nothing and skipped something, "SKIP test/subtest: reason" (the
 * same form as xg_subtest_skip()).
 */
void xg_subtest_end(void)
{
	unsigned long checks = xg_t.sub_passed + xg_t.sub_failed;

	if (xg_t.printed > XG_MAX_FAIL_LINES)
		printf("  ... %lu more failures not shown\n",
		       xg_t.printed - XG_MAX_FAIL_LINES);
	if (!checks && xg_t.sub_skipped)
		printf("SKIP %s/%s: %s\n", xg_t.test, xg_t.subtest, first_skip);
	else if (xg_t.sub_skipped)
		printf("%-4s %s/%s (%lu checks, %lu skipped)\n",
		       xg_t.sub_failed ? "FAIL" : "ok", xg_t.test, xg_t.subtest,
		       checks, xg_t.sub_skipped);
	else
		printf("%-4s %s/%s (%lu checks)\n", xg_t.sub_failed ? "FAIL" : "ok",
		       xg_t.test, xg_t.subtest, checks);
	xg_t.passed += xg_t.sub_passed;
	xg_t.failed += xg_t.sub_failed;
	xg_t.skipped += xg_t.sub_skipped;
}

void xg_subtest_skip(const char *name, const char *why)
{
	printf("SKIP %s/%s: %s\n", xg_t.test, name, why && *why ? why : "?");
	xg_t.skipped++;
}

static const struct {
	const char *name;
	void (*fn)(void);
} tests[] = {
	{ "corpus", test_corpus },
	{ "parse_host", test_parse_host },
	{ "parse_bpf", test_parse_bpf },
	{ "fuzz_diff", test_fuzz_diff },
	{ "xdp_dataplane", test_xdp_dataplane },
	{ "tc_dataplane", test_tc_dataplane },
	{ "percpu_read", test_percpu_read },
	{ "hot_cache", test_hot_cache },
	{ "cgroups", test_cgroups },
	{ "policy", test_policy },
	{ "rulefile", test_rulefile },
	{ "state", test_state },
	{ "admission", test_admission },
	{ "metrics", test_metrics },
};

static void usage(const char *prog)
{
	fprintf(stderr, "usage: %s [-v] [--backend NAME] [TEST...]\n  tests:", prog);
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		fprintf(stderr, " %s", tests[i].name);
	fprintf(stderr, "\n");
}

static bool selected(const char *name, int argc, char **argv, int first)
{
	if (first >= argc)
		return true;
	for (int i = first; i < argc; i++)
		if (!strcmp(argv[i], name))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	int first = 1;

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		usage(argv[0]);
		return 0;
	}
	if (argc > first && !strcmp(argv[first], "-v")) {
		verbose = true;
		first++;
	}
	/* The socket-layer backend to test (cgroups), e.g. under qemu. */
	if (argc > first + 1 && !strcmp(argv[first], "--backend")) {
		xg_test_backend = argv[first + 1];
		first += 2;
	}
	for (int i = first; i < argc; i++) {
		size_t k = 0;

		while (k < sizeof(tests) / sizeof(tests[0]) &&
		       strcmp(tests[k].name, argv[i]))
			k++;
		if (k == sizeof(tests) / sizeof(tests[0])) {
			fprintf(stderr, "test_xdpgate: no test named '%s'\n", argv[i]);
			usage(argv[0]);
			return 2;
		}
	}
	libbpf_set_print(libbpf_print);
	/* Test output and libbpf's messages interleave in order. */
	setvbuf(stdout, NULL, _IOLBF, 0);

	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		if (!selected(tests[i].name, argc, argv, first))
			continue;
		xg_t.test = tests[i].name;
		tests[i].fn();
	}
	printf("%lu passed, %lu failed, %lu skipped\n", xg_t.passed, xg_t.failed,
	       xg_t.skipped);
	return xg_t.failed ? 1 : 0;
}
