/* SPDX-License-Identifier: GPL-2.0 */
/* The metrics model written as Prometheus text: what `stats --prom`
 * prints and `serve` answers on /metrics.
 */
#ifndef XG_PROM_METRICS_H
#define XG_PROM_METRICS_H

#include <stdio.h>
#include <linux/types.h>

#include "metrics.h"

/* The exporter's own figures (serve only). */
struct xg_prom_self {
	__u64 scrapes;
	__u64 collections;
	long open_fds;
	double start_time;
};

/* Every family of s. */
void xg_prom_write(FILE *f, const struct xg_scrape *s);

/* The exporter's own families (xdpgate_exporter_*). */
void xg_prom_write_self(FILE *f, const struct xg_prom_self *self);

#endif
