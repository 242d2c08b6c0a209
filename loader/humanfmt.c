// SPDX-License-Identifier: GPL-2.0
/* Short numbers for tables (stats, cgroups). */
#include <stdio.h>

#include "humanfmt.h"

/* Exact below a million, then 3 significant digits: 12.3M, 1.05G. */
const char *xg_fmt_count(__u64 v, char *buf, size_t len)
{
	static const char sfx[] = "KMGTPE";
	double d = (double)v;
	int i = -1;

	if (v < 1000000) {
		snprintf(buf, len, "%llu", (unsigned long long)v);
		return buf;
	}
	while (d >= 1000 && i < 5) {
		d /= 1000;
		i++;
	}
	snprintf(buf, len, d < 10 ? "%.2f%c" : d < 100 ? "%.1f%c" : "%.0f%c",
		 d, sfx[i]);
	return buf;
}

/* 980 B, 1.2 KiB, 3.4 MiB ... */
const char *xg_fmt_bytes(__u64 v, char *buf, size_t len)
{
	static const char *const unit[] = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	double d = (double)v;
	int i = -1;

	if (v < 1024) {
		snprintf(buf, len, "%llu B", (unsigned long long)v);
		return buf;
	}
	while (d >= 1024 && i < 5) {
		d /= 1024;
		i++;
	}
	snprintf(buf, len, "%.1f %s", d, unit[i]);
	return buf;
}
