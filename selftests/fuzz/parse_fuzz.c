// SPDX-License-Identifier: GPL-2.0
/* libFuzzer target for the host build of headers/parse.h, built by
 * `make fuzz` with clang -fsanitize=fuzzer,address,undefined: coverage-
 * guided inputs where the differential fuzzer (test_fuzz.c) has random
 * and mutated ones.
 *
 * Each input is parsed twice, from heap copies of exactly the readable
 * length, so AddressSanitizer catches any read past data_end:
 *   - linear, as XDP sees a frame (everything readable, pkt_len = size);
 *   - non-linear, as TC sees a large skb: only a prefix readable, pkt_len
 *     the whole size (the split point comes from the input's last byte).
 * Then what must hold whatever the bytes: a result the parser may give;
 * offsets inside what was readable; and a non-linear parse that succeeded
 * equal, field for field, to the linear one (it read the same bytes).
 * A broken rule aborts with a message, which libFuzzer reports as a crash
 * and saves the input.
 *
 * Frames start 2 bytes into their buffer (NET_IP_ALIGN, as in a driver's
 * receive buffer), so the IP and L4 header structs are as aligned as the
 * parser may assume and UBSan's alignment check stays meaningful.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

#define NET_IP_ALIGN 2

static void broken(const char *what, size_t size, size_t readable,
		   const struct xg_pkt_meta *m)
{
	fprintf(stderr, "parse_fuzz: %s (size %zu, readable %zu, result %u, l3_off %u, l4_off %u, l3_len %u)\n",
		what, size, readable, m->result, m->l3_off, m->l4_off, m->l3_len);
	abort();
}

static void parse_copy(const uint8_t *data, size_t readable, size_t size,
		       struct xg_pkt_meta *m)
{
	uint8_t *buf = malloc(readable + NET_IP_ALIGN);
	uint8_t *p;
	int r;

	if (!buf)
		abort();
	p = buf + NET_IP_ALIGN;
	memcpy(p, data, readable);
	r = xg_parse(p, p + readable, (__u32)size, m);
	free(buf);
	if (r != (int)m->result)
		broken("return value is not m->result", size, readable, m);
	if (m->result >= XG_RSN_SRC_UPDATE_FAIL)
		broken("result out of the parser's range", size, readable, m);
	if (m->result != XG_PARSE_OK && !XG_RSN_HAS_SOURCE(m->result))
		return;
	if (m->l3_off > readable || m->l4_off > readable ||
	    m->l3_off + m->l3_len > size)
		broken("offsets past what was readable", size, readable, m);
	if (m->ip_version != 4 && m->ip_version != 6)
		broken("a source without an IP version", size, readable, m);
	if (m->vlan_depth > VLAN_MAX_DEPTH || m->ext_count > IPV6_EXT_MAX)
		broken("a bound exceeded", size, readable, m);
	if (m->frag == XG_FRAG_LATER && (m->sport || m->dport))
		broken("ports from a later fragment", size, readable, m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xg_pkt_meta whole, part;
	size_t readable;

	/* Frames are at most 64 KB (l3 offsets are 16 bits). */
	if (size > 65535)
		return -1;
	parse_copy(data, size, size, &whole);
	if (size < 2)
		return 0;
	readable = (size_t)data[size - 1] * size / 256;
	parse_copy(data, readable, size, &part);
	if (part.result == XG_PARSE_OK && memcmp(&part, &whole, sizeof(part)))
		broken("a partial read that succeeded differs from the whole",
		       size, readable, &part);
	return 0;
}
