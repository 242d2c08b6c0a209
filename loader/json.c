// SPDX-License-Identifier: GPL-2.0
/* The JSON writer. Strings are written as valid UTF-8 whatever bytes they
 * hold (interface names may be any bytes): a byte that does not start a
 * valid UTF-8 sequence is written as U+FFFD.
 */
#include "ifname.h"
#include "json.h"

void xj_init(struct xg_json *j, FILE *f)
{
	j->f = f;
	j->depth = 0;
	j->need_comma[0] = false;
}

static void put_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	while (*p) {
		size_t n = xg_utf8_seq(p);

		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else if (n)
			fwrite(p, 1, n, f);
		else
			fputs("\\ufffd", f);
		p += n ? n : 1;
	}
	fputc('"', f);
}

/* Comma and key before any value. */
static void prefix(struct xg_json *j, const char *key)
{
	if (j->need_comma[j->depth])
		fputc(',', j->f);
	j->need_comma[j->depth] = true;
	if (key) {
		put_string(j->f, key);
		fputc(':', j->f);
	}
}

static void open(struct xg_json *j, const char *key, char c)
{
	prefix(j, key);
	fputc(c, j->f);
	if (j->depth < XG_JSON_DEPTH - 1)
		j->depth++;
	j->need_comma[j->depth] = false;
}

static void close_(struct xg_json *j, char c)
{
	fputc(c, j->f);
	if (j->depth > 0)
		j->depth--;
}

void xj_obj_open(struct xg_json *j, const char *key) { open(j, key, '{'); }
void xj_obj_close(struct xg_json *j) { close_(j, '}'); }
void xj_arr_open(struct xg_json *j, const char *key) { open(j, key, '['); }
void xj_arr_close(struct xg_json *j) { close_(j, ']'); }

void xj_str(struct xg_json *j, const char *key, const char *val)
{
	prefix(j, key);
	put_string(j->f, val ? val : "");
}

void xj_u64(struct xg_json *j, const char *key, unsigned long long val)
{
	prefix(j, key);
	fprintf(j->f, "%llu", val);
}

void xj_i64(struct xg_json *j, const char *key, long long val)
{
	prefix(j, key);
	fprintf(j->f, "%lld", val);
}

void xj_double(struct xg_json *j, const char *key, double val, int decimals)
{
	prefix(j, key);
	fprintf(j->f, "%.*f", decimals, val);
}

void xj_bool(struct xg_json *j, const char *key, bool val)
{
	prefix(j, key);
	fputs(val ? "true" : "false", j->f);
}

void xj_null(struct xg_json *j, const char *key)
{
	prefix(j, key);
	fputs("null", j->f);
}

void xj_end(struct xg_json *j)
{
	fputc('\n', j->f);
	fflush(j->f);
}
