/* SPDX-License-Identifier: GPL-2.0 */
/* Numbers for people in tables: short counts and byte sizes. JSON output
 * never uses these; it keeps exact integers.
 */
#ifndef XG_HUMANFMT_H
#define XG_HUMANFMT_H

#include <stddef.h>
#include <linux/types.h>

/* Exact below a million, then 3 significant digits: 12.3M, 1.05G. */
const char *xg_fmt_count(__u64 v, char *buf, size_t len);
/* 980 B, 1.2 KiB, 3.4 MiB ... */
const char *xg_fmt_bytes(__u64 v, char *buf, size_t len);

#endif
