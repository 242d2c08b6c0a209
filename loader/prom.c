// SPDX-License-Identifier: GPL-2.0
/* Writing the exposition format (prom.h). */
#include <math.h>

#include "ifname.h"
#include "prom.h"

void xp_push(struct xp_labels *l, const char *key, const char *val)
{
	if (l->n >= XP_MAX_LABELS)
		return;
	l->k[l->n] = key;
	l->v[l->n] = val ? val : "";
	l->n++;
}

void xp_pop(struct xp_labels *l, int n)
{
	l->n = n > l->n ? 0 : l->n - n;
}

void xp_family(struct xp_out *o, const char *name, const char *type, const char *help)
{
	o->name = name;
	o->type = type;
	o->help = help;
	o->header_due = true;
}

void xp_label_value(FILE *f, const char *v)
{
	const unsigned char *p = (const unsigned char *)v;

	while (*p) {
		size_t n = xg_utf8_seq(p);

		if (n > 1 || (n == 1 && *p >= 0x20 && *p != 0x7f && *p != '\\')) {
			if (*p == '"')
				fputc('\\', f);
			fwrite(p, 1, n, f);
			p += n;
		} else {
			/* Not printable UTF-8: \xNN, its backslash escaped. */
			fprintf(f, "\\\\x%02x", *p++);
		}
	}
}

static void series(struct xp_out *o, const struct xp_labels *l)
{
	FILE *f = o->f;

	if (o->header_due) {
		/* HELP text escapes only backslash and newline; ours has neither. */
		fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", o->name, o->help,
			o->name, o->type);
		o->header_due = false;
	}
	fputs(o->name, f);
	if (!l || !l->n)
		return;
	fputc('{', f);
	for (int i = 0; i < l->n; i++) {
		fprintf(f, "%s%s=\"", i ? "," : "", l->k[i]);
		xp_label_value(f, l->v[i]);
		fputc('"', f);
	}
	fputc('}', f);
}

void xp_u64(struct xp_out *o, const struct xp_labels *l, __u64 v)
{
	series(o, l);
	fprintf(o->f, " %llu\n", (unsigned long long)v);
}

void xp_f64(struct xp_out *o, const struct xp_labels *l, double v)
{
	series(o, l);
	if (isnan(v))
		fputs(" NaN\n", o->f);
	else
		fprintf(o->f, " %.15g\n", v);
}
