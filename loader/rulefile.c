// SPDX-License-Identifier: GPL-2.0
/* Parsing the rule file of `xdpgate apply` (see rulefile.h). */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rulefile.h"
#include "util.h"

#define MAX_TOKENS 16

static int fail_line(char *err, size_t n, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail_line(char *err, size_t n, int line, const char *fmt, ...)
{
	char what[XG_ERR_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(err, n, "line %d: %s", line, what);
	return -1;
}

/* Split at blanks; a '#' starts a comment. Returns the token count or -1
 * when there are too many.
 */
static int tokenize(char *s, char **tok)
{
	int n = 0;

	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == '\r')
			s++;
		if (!*s || *s == '#')
			return n;
		if (n == MAX_TOKENS)
			return -1;
		tok[n++] = s;
		while (*s && *s != ' ' && *s != '\t' && *s != '\r' && *s != '#')
			s++;
		if (*s == '#') {
			*s = '\0';
			return n;
		}
		if (*s)
			*s++ = '\0';
	}
}

static bool valid_ifname(const char *s)
{
	if (!*s || strlen(s) >= IF_NAMESIZE || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (; *s; s++)
		if (*s == '/' || *s == ':' || !isgraph((unsigned char)*s))
			return false;
	return true;
}

static int add_iface(struct xg_rulefile *f, const char *name, int line,
		     char *err, size_t n)
{
	struct xg_rf_iface *tmp;

	if (!valid_ifname(name))
		return fail_line(err, n, line, "'%s' is not an interface name", name);
	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->ifs[i].name, name))
			return fail_line(err, n, line, "interface %s already has a "
					 "section at line %d", name, f->ifs[i].line);
	tmp = realloc(f->ifs, (f->n + 1) * sizeof(*tmp));
	if (!tmp)
		return fail_line(err, n, line, "out of memory");
	f->ifs = tmp;
	memset(&f->ifs[f->n], 0, sizeof(f->ifs[f->n]));
	snprintf(f->ifs[f->n].name, IF_NAMESIZE, "%s", name);
	f->ifs[f->n].line = line;
	f->n++;
	return 0;
}

static int parse_line(struct xg_rulefile *f, char **tok, int ntok, int line,
		      char *err, size_t n)
{
	struct xg_rf_iface *cur = f->n ? &f->ifs[f->n - 1] : NULL;
	struct xg_rule_spec r;
	char why[XG_ERR_LEN];
	int i = 1;

	if (!strcmp(tok[0], "interface")) {
		if (ntok != 2)
			return fail_line(err, n, line, "expected 'interface NAME'");
		return add_iface(f, tok[1], line, err, n);
	}
	if (!cur)
		return fail_line(err, n, line, "'%s' before any 'interface NAME' line",
				 tok[0]);
	if (!strcmp(tok[0], "default")) {
		if (ntok != 2)
			return fail_line(err, n, line, "expected 'default pass|drop'");
		if (cur->dflt_line)
			return fail_line(err, n, line, "interface %s already has a "
					 "default at line %d", cur->name, cur->dflt_line);
		if (xg_parse_default(tok[1], &cur->set.dflt, why, sizeof(why)))
			return fail_line(err, n, line, "%s", why);
		cur->set.has_dflt = true;
		cur->dflt_line = line;
		return 0;
	}
	memset(&r, 0, sizeof(r));
	r.line = line;
	if (xg_parse_cidr(tok[0], &r, why, sizeof(why)))
		return fail_line(err, n, line, "%s", why);
	if (ntok > 1 && !strcmp(tok[1], "vlan")) {
		if (ntok < 3 || xg_parse_vlan(tok[2], &r.vlan, why, sizeof(why)))
			return fail_line(err, n, line, "%s", ntok < 3 ?
					 "vlan needs an id" : why);
		i = 3;
	}
	if (xg_parse_action(tok + i, ntok - i, &r, why, sizeof(why)))
		return fail_line(err, n, line, "%s", why);
	if (xg_set_push(&cur->set, &r))
		return fail_line(err, n, line, "out of memory");
	return 0;
}

static int by_key_then_line(const void *a, const void *b)
{
	int c = xg_rule_cmp(a, b);

	if (c)
		return c;
	return ((const struct xg_rule_spec *)a)->line -
	       ((const struct xg_rule_spec *)b)->line;
}

/* Two lines for one prefix and VLAN: the same rule twice or two actions.
 * Reports the pair whose second line comes first in the file.
 */
static int check_dups(struct xg_rf_iface *ifc, char *err, size_t n)
{
	struct xg_rule_set *s = &ifc->set;
	const struct xg_rule_spec *a = NULL, *b = NULL;
	char cidr[64], vlan[16] = "";

	if (s->n < 2)
		return 0;
	xg_qsort(s->r, s->n, sizeof(*s->r), by_key_then_line);
	for (size_t i = 1; i < s->n; i++) {
		if (!xg_rule_same_key(&s->r[i - 1], &s->r[i]))
			continue;
		if (!b || s->r[i].line < b->line) {
			a = &s->r[i - 1];
			b = &s->r[i];
		}
	}
	if (!b)
		return 0;
	xg_cidr_text(b, cidr, sizeof(cidr));
	if (b->vlan)
		snprintf(vlan, sizeof(vlan), " vlan %u", b->vlan);
	return fail_line(err, n, b->line, "%s%s: %s line %d", cidr, vlan,
			 xg_rule_same(a, b) ? "duplicate of" : "conflicts with",
			 a->line);
}

int xg_rulefile_parse(const char *text, size_t len, struct xg_rulefile *out,
		      char *err, size_t n)
{
	char buf[XG_RULEFILE_LINE_MAX + 2], *tok[MAX_TOKENS];
	size_t pos = 0;
	int line = 0, ntok;

	memset(out, 0, sizeof(*out));
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t l = nl ? (size_t)(nl - (text + pos)) : len - pos;

		line++;
		if (l > XG_RULEFILE_LINE_MAX) {
			fail_line(err, n, line, "longer than %d characters",
				  XG_RULEFILE_LINE_MAX);
			goto fail;
		}
		memcpy(buf, text + pos, l);
		buf[l] = '\0';
		pos += l + 1;
		if (strlen(buf) != l) {
			fail_line(err, n, line, "contains a NUL byte");
			goto fail;
		}
		ntok = tokenize(buf, tok);
		if (ntok < 0) {
			fail_line(err, n, line, "more than %d words", MAX_TOKENS);
			goto fail;
		}
		if (ntok && parse_line(out, tok, ntok, line, err, n))
			goto fail;
	}
	for (size_t i = 0; i < out->n; i++)
		if (check_dups(&out->ifs[i], err, n))
			goto fail;
	return 0;
fail:
	xg_rulefile_free(out);
	return -1;
}

int xg_rulefile_resolve(struct xg_rulefile *f, xg_ifindex_fn fn, char *err,
			size_t n)
{
	char why[XG_ERR_LEN];

	for (size_t i = 0; i < f->n; i++)
		for (size_t j = 0; j < f->ifs[i].set.n; j++) {
			struct xg_rule_spec *r = &f->ifs[i].set.r[j];

			if (xg_rule_resolve(r, fn, why, sizeof(why)))
				return fail_line(err, n, r->line, "%s", why);
		}
	return 0;
}

void xg_rulefile_free(struct xg_rulefile *f)
{
	for (size_t i = 0; i < f->n; i++)
		xg_set_free(&f->ifs[i].set);
	free(f->ifs);
	memset(f, 0, sizeof(*f));
}
