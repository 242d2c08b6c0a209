// SPDX-License-Identifier: GPL-2.0
/* The rule-file parser of `xdpgate apply` (loader/rulefile.c), host only:
 * every kind of bad line is refused with its own line number, a good file
 * reads back exactly, and a seeded mutation fuzzer feeds it tens of
 * thousands of damaged files: it must never crash, every error must name
 * a line of the file, and whatever it accepts must print and parse back to
 * the same rules (so a rule never changes meaning on its way through).
 * Devices are faked, so the test needs no interfaces.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rulefile.h"
#include "xg_test.h"

static unsigned int fake_ifindex(const char *name)
{
	return !strcmp(name, "eth1") ? 7 : !strcmp(name, "eth2") ? 8 : 0;
}

static const char good[] =
	"# fleet policy\n"
	"interface eth0\n"
	"default drop\n"
	"10.0.0.0/8 pass\n"
	"10.1.0.0/16 vlan 7 drop   # a comment\n"
	"2001:db8::/32 limit 10kpps burst 100\n"
	"192.0.2.0/24 redirect eth1\n"
	"198.51.100.7 limit 5Mbps\n"
	"\n"
	"interface eth1\n"
	"0.0.0.0/0 drop\n";

/* Expected "line N: ..." with this N, and a reason containing what. */
static void bad(const char *text, int line, const char *what)
{
	struct xg_rulefile f;
	char err[XG_ERR_LEN], want[32];
	int r = xg_rulefile_parse(text, strlen(text), &f, err, sizeof(err));

	if (!r) {
		r = xg_rulefile_resolve(&f, fake_ifindex, err, sizeof(err));
		xg_rulefile_free(&f);
	}
	snprintf(want, sizeof(want), "line %d: ", line);
	if (!ASSERT_TRUE(r != 0, text))
		return;
	if (!ASSERT_TRUE(!strncmp(err, want, strlen(want)) && strstr(err, what), text))
		printf("    got: %s (wanted %s...%s)\n", err, want, what);
}

static void test_errors(void)
{
	xg_subtest_start("errors_name_their_line");
	bad("interface e0\n10.300.0.0/16 drop\n", 2, "not a valid");
	bad("interface e0\n\n1.2.3.4/33 drop\n", 3, "prefix length");
	bad("interface e0\n::/129 drop\n", 2, "prefix length");
	bad("interface e0\n10.0.0.1/8 drop\n", 2, "host bits");
	bad("interface e0\n2001:db8::1/32 drop\n", 2, "host bits");
	bad("interface e0\n10.0.0.0/8 limit 0pps\n", 2, "out of range");
	bad("interface e0\n10.0.0.0/8 limit 2000000000pps\n", 2, "out of range");
	bad("interface e0\n10.0.0.0/8 limit 1000bps burst 10\n", 2, "burst");
	bad("interface e0\n10.0.0.0/8 limit 1pps burst 100000\n", 2, "s of traffic");
	bad("interface e0\n10.0.0.0/8 limit 100\n", 2, "unit");
	bad("interface e0\n10.0.0.0/8 redirect nosuch\n", 2, "no such device");
	bad("interface e0\n10.0.0.0/8 drop\n10.0.0.0/8 drop\n", 3, "duplicate of line 2");
	bad("interface e0\n10.0.0.0/8 drop\n# x\n10.0.0.0/8 pass\n", 4, "conflicts with line 2");
	bad("interface e0\n10.0.0.0/8 vlan 5 drop\n10.0.0.0/8 vlan 5 pass\n", 3, "conflicts");
	bad("interface e0\ndefault pass\ndefault drop\n", 3, "already has a default at line 2");
	bad("interface e0\ninterface e1\ninterface e0\n", 3, "section at line 1");
	bad("10.0.0.0/8 drop\n", 1, "before any");
	bad("interface e0\n10.0.0.0/8 vlan 4095 drop\n", 2, "VLAN id");
	bad("interface e0\n10.0.0.0/8 vlan 0 drop\n", 2, "VLAN id");
	bad("interface e0\n10.0.0.0/8 frobnicate\n", 2, "unknown action");
	bad("interface e0\n10.0.0.0/8\n", 2, "missing action");
	bad("interface e0\n10.0.0.0/8 drop now\n", 2, "unexpected");
	bad("interface e0\ndefault limit\n", 2, "default must be");
	bad("interface a/b\n", 1, "not an interface name");
	bad("interface e0\n10.0.0.0/8 drop\n\x01\x02 drop\n", 3, "not a valid");
	{
		char nul[] = "interface e0\n10.0.0.0/8 d\0rop\n";

		struct xg_rulefile f;
		char err[XG_ERR_LEN];

		ASSERT_TRUE(xg_rulefile_parse(nul, sizeof(nul) - 1, &f, err, sizeof(err)) &&
			    !strncmp(err, "line 2: ", 8), "NUL byte");
	}
	xg_subtest_end();
}

/* Print the parsed file in canonical form (the form `rules list` uses). */
static size_t print_file(const struct xg_rulefile *f, char *out, size_t n)
{
	size_t len = 0;
	char text[256];

	out[0] = '\0';
	for (size_t i = 0; i < f->n; i++) {
		len += snprintf(out + len, n - len, "interface %s\ndefault %s\n",
				f->ifs[i].name, xg_pol_action_name(f->ifs[i].set.dflt));
		for (size_t j = 0; j < f->ifs[i].set.n && len < n; j++)
			len += snprintf(out + len, n - len, "%s\n",
					xg_rule_text(&f->ifs[i].set.r[j], text, sizeof(text)));
		if (len >= n)
			return n;
	}
	return len;
}

static bool same_files(const struct xg_rulefile *a, const struct xg_rulefile *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++) {
		const struct xg_rule_set *x = &a->ifs[i].set, *y = &b->ifs[i].set;

		if (strcmp(a->ifs[i].name, b->ifs[i].name) || x->n != y->n ||
		    x->dflt != y->dflt)
			return false;
		for (size_t j = 0; j < x->n; j++)
			if (!xg_rule_same(&x->r[j], &y->r[j]))
				return false;
	}
	return true;
}

/* Parse, and when accepted print, parse again and compare. */
static bool round_trip(const char *text, size_t len, int *lines_out)
{
	static char printed[1 << 16];
	struct xg_rulefile f, g;
	char err[XG_ERR_LEN];
	int lines = 1, at;
	bool ok = true;

	for (size_t i = 0; i < len; i++)
		lines += text[i] == '\n';
	*lines_out = lines;
	if (xg_rulefile_parse(text, len, &f, err, sizeof(err)) ||
	    xg_rulefile_resolve(&f, fake_ifindex, err, sizeof(err))) {
		if (f.ifs)
			xg_rulefile_free(&f);
		/* Errors name a line that exists. */
		return sscanf(err, "line %d: ", &at) == 1 && at >= 1 && at <= lines;
	}
	for (size_t i = 0; i < f.n; i++)
		xg_set_sort(&f.ifs[i].set);
	len = print_file(&f, printed, sizeof(printed));
	if (len >= sizeof(printed) ||
	    xg_rulefile_parse(printed, len, &g, err, sizeof(err)) ||
	    xg_rulefile_resolve(&g, fake_ifindex, err, sizeof(err))) {
		xg_rulefile_free(&f);
		return len >= sizeof(printed); /* too big to print here: skip */
	}
	for (size_t i = 0; i < g.n; i++)
		xg_set_sort(&g.ifs[i].set);
	ok = same_files(&f, &g);
	xg_rulefile_free(&f);
	xg_rulefile_free(&g);
	return ok;
}

static __u64 rng = 0x9e3779b97f4a7c15ULL;

static __u64 next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static const char *const words[] = {
	"interface", "default", "pass", "drop", "redirect", "limit", "burst",
	"vlan", "eth1", "eth9", "10.0.0.0/8", "::/0", "0.0.0.0/0", "1pps",
	"4294967295", "99999999999999999999", "10kpps", "1Gbps", "/", "#",
	"\n", " ", "\t", "\r", "2001:db8::/33", "1.2.3.4/32", "4094", "0",
};

/* One mutation: flip, insert, delete, duplicate a span, or splice a word. */
static size_t mutate(char *buf, size_t len, size_t cap)
{
	size_t at = len ? next_rand() % len : 0, n;
	const char *w;

	switch (next_rand() % 5) {
	case 0:
		if (len)
			buf[at] ^= (char)(1u << (next_rand() % 8));
		return len;
	case 1:
		if (len + 1 >= cap)
			return len;
		memmove(buf + at + 1, buf + at, len - at);
		buf[at] = (char)(next_rand() & 0xff);
		return len + 1;
	case 2:
		n = len - at ? next_rand() % (len - at) % 16 + 1 : 0;
		memmove(buf + at, buf + at + n, len - at - n);
		return len - n;
	case 3:
		n = len - at ? next_rand() % (len - at) % 64 + 1 : 0;
		if (len + n >= cap)
			return len;
		memmove(buf + at + n, buf + at, len - at);
		memcpy(buf + at + n, buf + at, n > len - at ? len - at : n);
		return len + n;
	default:
		w = words[next_rand() % (sizeof(words) / sizeof(words[0]))];
		n = strlen(w);
		if (len + n >= cap)
			return len;
		memmove(buf + at + n, buf + at, len - at);
		memcpy(buf + at, w, n);
		return len + n;
	}
}

static void test_fuzz(void)
{
	static char buf[8192];
	const int iters = 40000;
	int lines, fails = 0, accepted = 0;

	xg_subtest_start("fuzz_mutations");
	ASSERT_TRUE(round_trip(good, strlen(good), &lines), "the good file round-trips");
	for (int i = 0; i < iters; i++) {
		size_t len = strlen(good);
		int rounds = 1 + (int)(next_rand() % 8);
		struct xg_rulefile f;
		char err[XG_ERR_LEN];

		memcpy(buf, good, len);
		for (int r = 0; r < rounds; r++)
			len = mutate(buf, len, sizeof(buf));
		if (!round_trip(buf, len, &lines)) {
			if (fails++ < 3)
				printf("  fuzz case %d (seeded) broke the parser\n", i);
		}
		if (!xg_rulefile_parse(buf, len, &f, err, sizeof(err))) {
			accepted++;
			xg_rulefile_free(&f);
		}
	}
	ASSERT_EQ(fails, 0, "mutated files: errors name a line, accepted ones round-trip");
	ASSERT_TRUE(accepted > 0 && accepted < iters, "the fuzzer reaches both outcomes");
	printf("  %d mutated files, %d accepted\n", iters, accepted);
	xg_subtest_end();
}

void test_rulefile(void)
{
	test_errors();
	test_fuzz();
}
