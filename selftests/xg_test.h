/* SPDX-License-Identifier: GPL-2.0 */
/* A small harness in the style of the kernel's BPF selftests: one
 * test_<name>() per area, subtests inside it, and ASSERT_* checks that say
 * what failed (expression, expected, actual and the packet it was about).
 * Every check is counted; main() prints "N passed, N failed, N skipped"
 * and exits non-zero when anything failed. What cannot be checked here
 * says so with xg_skip(): a SKIP line with the reason, never "ok".
 */
#ifndef XG_TEST_H
#define XG_TEST_H

#include <stdbool.h>
#include <stdio.h>

struct xg_test_state {
	unsigned long passed;
	unsigned long failed;
	unsigned long skipped;    /* SKIP lines printed */
	unsigned long sub_passed; /* checks of the running subtest */
	unsigned long sub_failed;
	unsigned long sub_skipped;
	unsigned long printed;    /* failure lines shown in this subtest */
	const char *test;
	const char *subtest;
};

extern struct xg_test_state xg_t;

/* One failing corpus bug can fail thousands of truncated packets the same
 * way; show the first lines of each subtest and count the rest.
 */
#define XG_MAX_FAIL_LINES 25

void xg_subtest_start(const char *name);
/* Prints "ok", "FAIL", or "SKIP" when the subtest checked nothing and
 * skipped something.
 */
void xg_subtest_end(void);
/* Part of the running subtest (what) cannot be checked here, and why:
 * prints an indented "SKIP test/subtest: what: why" and counts one skip;
 * the subtest's own line then says how many parts it skipped.
 */
void xg_skip(const char *what, const char *why);
/* A subtest that cannot run here: prints SKIP and the reason, counted
 * apart (never as passed).
 */
void xg_subtest_skip(const char *name, const char *why);
/* --backend NAME: the socket-layer backend to test (NULL: every one). */
extern const char *xg_test_backend;
/* Counts one check; a failure also counts towards the lines shown. */
bool xg_check(bool ok, const char *file, int line);
/* Whether the latest failure is among the lines shown. */
bool xg_fail_shown(void);

/* Kept fast on the pass path: a failure line is formatted only on failure. */
#define ASSERT_EQ(actual, expected, pkt)                                       \
	({                                                                     \
		unsigned long long ___a = (unsigned long long)(actual);        \
		unsigned long long ___e = (unsigned long long)(expected);      \
		bool ___ok = ___a == ___e;                                     \
		if (!xg_check(___ok, __FILE__, __LINE__) && xg_fail_shown())   \
			printf("  FAIL %s/%s: %s: %s: expected %llu (0x%llx), got %llu (0x%llx)  [%s:%d]\n", \
			       xg_t.test, xg_t.subtest, (pkt), #actual, ___e,  \
			       ___e, ___a, ___a, __FILE__, __LINE__);          \
		___ok;                                                         \
	})

#define ASSERT_TRUE(cond, pkt)                                                 \
	({                                                                     \
		bool ___ok = !!(cond);                                         \
		if (!xg_check(___ok, __FILE__, __LINE__) && xg_fail_shown())   \
			printf("  FAIL %s/%s: %s: expected true: %s  [%s:%d]\n", \
			       xg_t.test, xg_t.subtest, (pkt), #cond,          \
			       __FILE__, __LINE__);                            \
		___ok;                                                         \
	})

/* libbpf calls: 0 (or a valid fd/pointer) expected; prints errno text. */
#define ASSERT_OK(err, what)                                                   \
	({                                                                     \
		long ___err = (long)(err);                                     \
		bool ___ok = ___err == 0;                                      \
		if (!xg_check(___ok, __FILE__, __LINE__) && xg_fail_shown())   \
			printf("  FAIL %s/%s: %s: %s returned %ld (%s)  [%s:%d]\n", \
			       xg_t.test, xg_t.subtest, (what), #err, ___err,  \
			       strerror(___err < 0 ? (int)-___err : (int)___err), \
			       __FILE__, __LINE__);                            \
		___ok;                                                         \
	})

#define ASSERT_PTR_OK(ptr, what)                                               \
	({                                                                     \
		const void *___p = (ptr);                                      \
		bool ___ok = ___p != NULL;                                     \
		if (!xg_check(___ok, __FILE__, __LINE__) && xg_fail_shown())   \
			printf("  FAIL %s/%s: %s: %s is NULL (%s)  [%s:%d]\n", \
			       xg_t.test, xg_t.subtest, (what), #ptr,          \
			       strerror(errno), __FILE__, __LINE__);           \
		___ok;                                                         \
	})

#ifdef __CPPCHECK__
/* cppcheck (make lint) follows neither statement expressions nor what
 * xg_check() returns, and would take every early return after a failed
 * ASSERT_* for a leak or an uninitialised read: for its eyes only, each
 * check is the condition it tests.
 */
#undef ASSERT_EQ
#undef ASSERT_TRUE
#undef ASSERT_OK
#undef ASSERT_PTR_OK
#define ASSERT_EQ(a, e, pkt) ((unsigned long long)(a) == (unsigned long long)(e))
#define ASSERT_TRUE(cond, pkt) (!!(cond))
#define ASSERT_OK(err, what) ((long)(err) == 0)
#define ASSERT_PTR_OK(ptr, what) ((ptr) != NULL)
#endif

/* The tests, one per file. */
void test_corpus(void);
void test_parse_host(void);
void test_parse_bpf(void);
void test_xdp_dataplane(void);
void test_tc_dataplane(void);
void test_percpu_read(void);
void test_hot_cache(void);
void test_fuzz_diff(void);
void test_cgroups(void);
void test_policy(void);
void test_rulefile(void);
void test_state(void);
void test_admission(void);
void test_metrics(void);

#endif /* XG_TEST_H */
