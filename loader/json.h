/* SPDX-License-Identifier: GPL-2.0 */
/* A minimal streaming JSON writer: it tracks nesting and commas so callers
 * only say what to write. Output is one compact document plus a newline.
 */
#ifndef XG_JSON_H
#define XG_JSON_H

#include <stdbool.h>
#include <stdio.h>

#define XG_JSON_DEPTH 16

struct xg_json {
	FILE *f;
	int depth;
	bool need_comma[XG_JSON_DEPTH];
};

void xj_init(struct xg_json *j, FILE *f);
void xj_obj_open(struct xg_json *j, const char *key);   /* key NULL in arrays/top */
void xj_obj_close(struct xg_json *j);
void xj_arr_open(struct xg_json *j, const char *key);
void xj_arr_close(struct xg_json *j);
void xj_str(struct xg_json *j, const char *key, const char *val);
void xj_u64(struct xg_json *j, const char *key, unsigned long long val);
void xj_i64(struct xg_json *j, const char *key, long long val);
void xj_double(struct xg_json *j, const char *key, double val, int decimals);
void xj_bool(struct xg_json *j, const char *key, bool val);
void xj_null(struct xg_json *j, const char *key);
/* Ends the document with a newline. */
void xj_end(struct xg_json *j);

#endif
