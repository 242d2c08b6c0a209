/* SPDX-License-Identifier: GPL-2.0 */
/* Interface names as arguments and as output. The kernel takes any bytes
 * but '/', ':' and white space (dev_valid_name), so a name may be UTF-8,
 * Latin-1 or neither:
 *   - arguments are checked the same way by every command: an empty, too
 *     long or impossible name is a usage error (exit 2);
 *   - tables and messages show printable UTF-8 as it is and every other
 *     byte as \xNN, and columns are sized by characters;
 *   - JSON (json.c) writes valid UTF-8 as it is and U+FFFD for each byte
 *     that is not, so documents stay valid; ifindex names such an
 *     interface exactly.
 */
#ifndef XG_IFNAME_H
#define XG_IFNAME_H

#include <stddef.h>
#include <stdio.h>

/* 0 when name could name a network device; otherwise prints
 * "<cmd>: ..." and returns 2, the usage-error exit status.
 */
int xg_ifname_check(const char *cmd, const char *name);

/* Length in bytes of the valid UTF-8 sequence at s (1-4), or 0 when the
 * byte at s does not start one.
 */
size_t xg_utf8_seq(const unsigned char *s);

/* name as tables show it (see above) into buf; returns buf. */
const char *xg_ifname_display(const char *name, char *buf, size_t len);

/* Characters (code points) in a valid UTF-8 string, for column widths. */
int xg_text_width(const char *s);

/* s, then spaces up to width characters. */
void xg_put_padded(FILE *f, const char *s, int width);

#endif
