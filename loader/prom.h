/* SPDX-License-Identifier: GPL-2.0 */
/* The Prometheus text exposition format (version 0.0.4): family headers
 * (HELP, TYPE) and samples with labels. Label values are written so that
 * every distinct value stays distinct and valid UTF-8: printable UTF-8 as
 * it is, every other byte (and the backslash) as \xNN, exactly as tables
 * show interface names (ifname.h); then the format's own escapes (\\, \",
 * \n) on top. JSON writes U+FFFD for such bytes instead, which could make
 * two interfaces one series; ifindex tells them apart there.
 */
#ifndef XG_PROM_H
#define XG_PROM_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>

#define XP_MAX_LABELS 10

struct xp_labels {
	int n;
	const char *k[XP_MAX_LABELS];
	const char *v[XP_MAX_LABELS];
};

/* Where samples go. A family's HELP and TYPE are written with its first
 * sample, so a family without samples leaves nothing behind.
 */
struct xp_out {
	FILE *f;
	const char *name, *type, *help; /* the family being written */
	bool header_due;
};

static inline void xp_init(struct xp_out *o, FILE *f)
{
	o->f = f;
	o->header_due = false;
}

/* Append a label (ignored past XP_MAX_LABELS); pop removes the last n. */
void xp_push(struct xp_labels *l, const char *key, const char *val);
void xp_pop(struct xp_labels *l, int n);

/* Start a family: "# HELP name help", "# TYPE name type" (counter,
 * gauge) go out with its first sample.
 */
void xp_family(struct xp_out *o, const char *name, const char *type, const char *help);

/* One sample of the current family: name{labels} value. */
void xp_u64(struct xp_out *o, const struct xp_labels *l, __u64 v);
void xp_f64(struct xp_out *o, const struct xp_labels *l, double v);

/* A label value as described above, without the quotes. */
void xp_label_value(FILE *f, const char *v);

/* The content type of what xp_* write. */
#define XP_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

#endif
