// SPDX-License-Identifier: GPL-2.0
/* Interface-name checks and rendering, shared by every command. */
#include <net/if.h>
#include <stdbool.h>
#include <string.h>

#include "ifname.h"
#include "log.h"

int xg_ifname_check(const char *cmd, const char *name)
{
	const unsigned char *p = (const unsigned char *)name;

	if (!*name) {
		xg_err("%s: empty interface name", cmd);
		return 2;
	}
	if (strlen(name) >= IF_NAMESIZE) {
		xg_err("%s: interface name '%s' is longer than %d bytes", cmd,
		       name, IF_NAMESIZE - 1);
		return 2;
	}
	/* Unsigned: bytes >= 0x80 are fine, only these are not. */
	for (; *p; p++) {
		if (*p == '/' || *p == ':' || *p == ' ' || (*p >= '\t' && *p <= '\r'))
			break;
	}
	if (*p || !strcmp(name, ".") || !strcmp(name, "..")) {
		xg_err("%s: '%s' is not a valid interface name (no '/', ':', "
		       "white space, '.' or '..')", cmd, name);
		return 2;
	}
	return 0;
}

size_t xg_utf8_seq(const unsigned char *s)
{
	unsigned int c = s[0], cp, n, i;

	if (c < 0x80)
		return c ? 1 : 0;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* No overlong forms, no surrogates, nothing past U+10FFFF. */
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

const char *xg_ifname_display(const char *name, char *buf, size_t len)
{
	const unsigned char *p = (const unsigned char *)name;
	size_t o = 0;

	if (!len)
		return buf;
	while (*p && o + 5 < len) {
		size_t n = xg_utf8_seq(p);
		bool plain = n > 1 || (n == 1 && *p >= 0x20 && *p != 0x7f && *p != '\\');

		if (plain) {
			memcpy(buf + o, p, n);
			o += n;
			p += n;
		} else {
			o += snprintf(buf + o, len - o, "\\x%02x", *p++);
		}
	}
	buf[o] = '\0';
	return buf;
}

int xg_text_width(const char *s)
{
	int w = 0;

	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

void xg_put_padded(FILE *f, const char *s, int width)
{
	int pad = width - xg_text_width(s);

	fputs(s, f);
	if (pad > 0)
		fprintf(f, "%*s", pad, "");
}
