// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "xdpgate_names.h"
#include "expect.h"
#include "xg_test.h"

void xg_assert_meta(const struct xg_case *c, const struct xg_pkt_meta *m)
{
	const struct xg_expect *e = &c->exp;
	const char *p = c->name;
	int addr_len = e->ip_version == 4 ? 4 : 16;

	if (!ASSERT_EQ(m->result, e->result, p) && xg_fail_shown())
		printf("       result is %s, expected %s\n",
		       m->result < XG_RSN__MAX ? xg_reason_names[m->result] : "?",
		       xg_reason_names[e->result]);
	if (e->result != XG_PARSE_OK && e->result != XG_PARSE_NOT_IP &&
	    !XG_RSN_HAS_SOURCE(e->result))
		return;

	ASSERT_EQ(m->eth_proto, e->eth_proto, p);
	ASSERT_EQ(m->vlan_depth, e->vlan_depth, p);
	for (int i = 0; i < VLAN_MAX_DEPTH; i++)
		ASSERT_EQ(m->vlan_id[i], e->vlan_id[i], p);
	ASSERT_EQ(m->l3_off, e->l3_off, p);
	ASSERT_EQ(m->ip_version, e->ip_version, p);
	if (e->result == XG_PARSE_NOT_IP)
		return;
	ASSERT_EQ(m->l3_len, e->l3_len, p);
	ASSERT_EQ(m->l4_off, e->l4_off, p);
	ASSERT_EQ(m->l4_proto, e->l4_proto, p);
	ASSERT_EQ(m->frag, e->frag, p);
	ASSERT_EQ(m->ext_count, e->ext_count, p);
	ASSERT_EQ(m->sport, e->sport, p);
	ASSERT_EQ(m->dport, e->dport, p);
	ASSERT_EQ(m->icmp_type, e->icmp_type, p);
	ASSERT_EQ(m->icmp_code, e->icmp_code, p);
	ASSERT_TRUE(!memcmp(m->saddr, e->saddr, addr_len), p);
	ASSERT_TRUE(!memcmp(m->daddr, e->daddr, addr_len), p);
	/* The meta is zeroed first: IPv4 leaves the address tails zero. */
	if (addr_len == 4) {
		static const __u8 zero[12];

		ASSERT_TRUE(!memcmp(m->saddr + 4, zero, 12), p);
		ASSERT_TRUE(!memcmp(m->daddr + 4, zero, 12), p);
	}
}

static void hex(const char *label, const __u8 *a, int n, const __u8 *b)
{
	printf("       %-10s", label);
	for (int i = 0; i < n; i++)
		printf("%02x", a[i]);
	printf("  |  ");
	for (int i = 0; i < n; i++)
		printf("%02x", b[i]);
	printf("%s\n", memcmp(a, b, n) ? "   <-- differs" : "");
}

#define FIELD(f)                                                            \
	printf("       %-10s %-10llu |  %-10llu%s\n", #f,                       \
	       (unsigned long long)a->f, (unsigned long long)b->f,           \
	       a->f != b->f ? "   <-- differs" : "")

void xg_assert_meta_same(const struct xg_case *c, const char *what_a,
			 const struct xg_pkt_meta *a, const char *what_b,
			 const struct xg_pkt_meta *b)
{
	if (ASSERT_TRUE(!memcmp(a, b, sizeof(*a)), c->name) || !xg_fail_shown())
		return;
	printf("       field      %-10s |  %s\n", what_a, what_b);
	FIELD(result);
	FIELD(eth_proto);
	FIELD(vlan_depth);
	FIELD(ip_version);
	for (int i = 0; i < VLAN_MAX_DEPTH; i++)
		FIELD(vlan_id[i]);
	FIELD(l3_off);
	FIELD(l4_off);
	FIELD(l4_proto);
	FIELD(frag);
	FIELD(ext_count);
	FIELD(icmp_type);
	FIELD(icmp_code);
	FIELD(_pad0[0]);
	FIELD(sport);
	FIELD(dport);
	FIELD(_pad1);
	FIELD(l3_len);
	hex("saddr", a->saddr, 16, b->saddr);
	hex("daddr", a->daddr, 16, b->daddr);
}
