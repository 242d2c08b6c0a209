// SPDX-License-Identifier: GPL-2.0
/* Parsing, checking and printing one rule (see rule_spec.h). */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rule_spec.h"
#include "util.h"

static int fail(char *err, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, n, fmt, ap);
	va_end(ap);
	return -1;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* Bits past plen set anywhere in the address? */
static bool host_bits_set(const __u8 *a, int bytes, int plen)
{
	for (int i = 0; i < bytes; i++) {
		int keep = plen - i * 8;
		__u8 mask = keep >= 8 ? 0xff : keep <= 0 ? 0 : (__u8)(0xff << (8 - keep));

		if (a[i] & ~mask)
			return true;
	}
	return false;
}

int xg_parse_cidr(const char *s, struct xg_rule_spec *r, char *err, size_t n)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	int max, plen;

	if (!alen || alen >= INET6_ADDRSTRLEN)
		return fail(err, n, "'%s' is not an IPv4 or IPv6 prefix", s);
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	memset(r->addr, 0, sizeof(r->addr));
	if (inet_pton(AF_INET, buf, r->addr) == 1) {
		r->family = 4;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, r->addr) == 1) {
		r->family = 6;
		max = 128;
	} else {
		return fail(err, n, "'%s' is not a valid IPv4 or IPv6 address", buf);
	}
	plen = max;
	if (slash) {
		if (!all_digits(slash + 1) || strlen(slash + 1) > 3 ||
		    (plen = atoi(slash + 1)) > max)
			return fail(err, n, "'%s': prefix length must be 0 to %d",
				    s, max);
	}
	if (host_bits_set(r->addr, max / 8, plen))
		return fail(err, n, "'%s' has host bits set past /%d", s, plen);
	r->plen = (__u8)plen;
	return 0;
}

int xg_parse_vlan(const char *s, __u16 *vlan, char *err, size_t n)
{
	int v;

	if (!all_digits(s) || strlen(s) > 4 || (v = atoi(s)) < 1 || v > XG_VLAN_MAX)
		return fail(err, n, "VLAN id must be 1 to %d, not '%s'",
			    XG_VLAN_MAX, s);
	*vlan = (__u16)v;
	return 0;
}

/* "1500", "10k", "2M", "1G": decimal, SI multiples. */
static int parse_count(const char *s, size_t len, __u64 *out)
{
	__u64 v = 0, mul = 1;

	if (!len)
		return -1;
	switch (s[len - 1]) {
	case 'k': case 'K': mul = 1000ULL; len--; break;
	case 'M': mul = 1000000ULL; len--; break;
	case 'G': mul = 1000000000ULL; len--; break;
	case 'T': mul = 1000000000000ULL; len--; break;
	}
	if (!len || len > 15)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (__u64)(s[i] - '0');
	}
	if (v > ~0ULL / mul)
		return -1;
	*out = v * mul;
	return 0;
}

static int parse_rate(const char *s, struct xg_rule_spec *r, char *err, size_t n)
{
	size_t len = strlen(s);

	if (len > 3 && !strcmp(s + len - 3, "pps"))
		r->unit = XG_UNIT_PPS;
	else if (len > 3 && !strcmp(s + len - 3, "bps"))
		r->unit = XG_UNIT_BPS;
	else
		return fail(err, n, "rate '%s' needs a unit: e.g. 1000pps, 10kpps, 5Mbps", s);
	if (parse_count(s, len - 3, &r->rate))
		return fail(err, n, "rate '%s' is not a number with an optional k/M/G/T", s);
	return 0;
}

/* Reject rates and bursts the data plane cannot hold exactly (see
 * xdpgate_policy.h): zero, beyond any NIC, or a burst longer than an hour
 * of traffic at the rate.
 */
static int check_limit(struct xg_rule_spec *r, bool burst_set, char *err, size_t n)
{
	bool bps = r->unit == XG_UNIT_BPS;
	__u64 lo = bps ? XG_LIMIT_MIN_BPS : XG_LIMIT_MIN_PPS;
	__u64 hi = bps ? XG_LIMIT_MAX_BPS : XG_LIMIT_MAX_PPS;
	__u64 per_s = bps ? r->rate / 8 : r->rate; /* burst units a second */
	__u64 bmin = bps ? XG_LIMIT_MIN_BURST_BYTES : 1;

	if (r->rate < lo || r->rate > hi)
		return fail(err, n, "rate %llu%s is out of range: %llu to %llu%s",
			    (unsigned long long)r->rate, bps ? "bps" : "pps",
			    (unsigned long long)lo, (unsigned long long)hi,
			    bps ? "bps" : "pps");
	if (!burst_set) {
		/* One second of traffic, at least one full-size frame. */
		r->burst = per_s;
		if (bps && r->burst < 1514)
			r->burst = 1514;
		if (!r->burst)
			r->burst = 1;
		if (r->burst > XG_LIMIT_MAX_BURST)
			r->burst = XG_LIMIT_MAX_BURST;
	}
	if (r->burst < bmin || r->burst > XG_LIMIT_MAX_BURST)
		return fail(err, n, "burst %llu is out of range: %llu to %llu %s",
			    (unsigned long long)r->burst, (unsigned long long)bmin,
			    XG_LIMIT_MAX_BURST, bps ? "bytes" : "packets");
	if (r->burst / XG_LIMIT_MAX_BURST_S > per_s)
		return fail(err, n, "burst %llu %s is more than %llu s of traffic at "
			    "%llu%s", (unsigned long long)r->burst,
			    bps ? "bytes" : "packets", XG_LIMIT_MAX_BURST_S,
			    (unsigned long long)r->rate, bps ? "bps" : "pps");
	return 0;
}

static const char *const action_names[XG_POL__MAX] = {
	[XG_POL_PASS] = "pass", [XG_POL_DROP] = "drop",
	[XG_POL_REDIRECT] = "redirect", [XG_POL_LIMIT] = "limit",
};

const char *xg_pol_action_name(__u8 action)
{
	return action < XG_POL__MAX ? action_names[action] : "?";
}

int xg_parse_action(char *const *tok, int ntok, struct xg_rule_spec *r,
		    char *err, size_t n)
{
	bool burst_set = false;

	r->unit = 0;
	r->rate = r->burst = 0;
	r->target = 0;
	r->dev[0] = '\0';
	if (ntok < 1)
		return fail(err, n, "missing action: pass, drop, redirect DEV or limit RATE");
	if (!strcmp(tok[0], "pass") || !strcmp(tok[0], "drop")) {
		r->action = tok[0][0] == 'p' ? XG_POL_PASS : XG_POL_DROP;
		if (ntok > 1)
			return fail(err, n, "unexpected '%s' after %s", tok[1], tok[0]);
		return 0;
	}
	if (!strcmp(tok[0], "redirect")) {
		r->action = XG_POL_REDIRECT;
		if (ntok < 2)
			return fail(err, n, "redirect needs a device");
		if (ntok > 2)
			return fail(err, n, "unexpected '%s' after redirect %s", tok[2], tok[1]);
		if (!*tok[1] || strlen(tok[1]) >= IF_NAMESIZE || strchr(tok[1], '/'))
			return fail(err, n, "'%s' is not a device name", tok[1]);
		snprintf(r->dev, sizeof(r->dev), "%s", tok[1]);
		return 0;
	}
	if (strcmp(tok[0], "limit"))
		return fail(err, n, "unknown action '%s': pass, drop, redirect DEV or limit RATE",
			    tok[0]);
	r->action = XG_POL_LIMIT;
	if (ntok < 2)
		return fail(err, n, "limit needs a rate, e.g. limit 1000pps");
	if (parse_rate(tok[1], r, err, n))
		return -1;
	if (ntok >= 3) {
		if (strcmp(tok[2], "burst"))
			return fail(err, n, "unexpected '%s' after the rate (burst N?)", tok[2]);
		if (ntok < 4 || parse_count(tok[3], strlen(tok[3]), &r->burst))
			return fail(err, n, "burst needs a number, e.g. burst 100");
		if (ntok > 4)
			return fail(err, n, "unexpected '%s' after burst %s", tok[4], tok[3]);
		burst_set = true;
	}
	return check_limit(r, burst_set, err, n);
}

int xg_parse_default(const char *s, __u8 *action, char *err, size_t n)
{
	if (!strcmp(s, "pass") || !strcmp(s, "drop")) {
		*action = s[0] == 'p' ? XG_POL_PASS : XG_POL_DROP;
		return 0;
	}
	return fail(err, n, "default must be pass or drop, not '%s'", s);
}

int xg_rule_resolve(struct xg_rule_spec *r, xg_ifindex_fn fn, char *err, size_t n)
{
	if (r->action != XG_POL_REDIRECT)
		return 0;
	r->target = (fn ? fn : if_nametoindex)(r->dev);
	if (!r->target)
		return fail(err, n, "redirect: no such device '%s'", r->dev);
	return 0;
}

const char *xg_cidr_text(const struct xg_rule_spec *r, char *buf, size_t n)
{
	char a[INET6_ADDRSTRLEN];

	if (!inet_ntop(r->family == 4 ? AF_INET : AF_INET6, r->addr, a, sizeof(a)))
		snprintf(a, sizeof(a), "?");
	snprintf(buf, n, "%s/%u", a, r->plen);
	return buf;
}

/* 1000 -> "1k" only when exact, so the text parses back to the same value. */
static const char *count_text(__u64 v, char *buf, size_t n)
{
	static const char sfx[] = "kMGT";
	int i = -1;

	while (v >= 1000 && v % 1000 == 0 && i < 3) {
		v /= 1000;
		i++;
	}
	if (i >= 0)
		snprintf(buf, n, "%llu%c", (unsigned long long)v, sfx[i]);
	else
		snprintf(buf, n, "%llu", (unsigned long long)v);
	return buf;
}

const char *xg_action_text(const struct xg_rule_spec *r, char *buf, size_t n)
{
	char rate[32], burst[32];

	switch (r->action) {
	case XG_POL_REDIRECT:
		snprintf(buf, n, "redirect %s", r->dev);
		break;
	case XG_POL_LIMIT:
		snprintf(buf, n, "limit %s%s burst %s",
			 count_text(r->rate, rate, sizeof(rate)),
			 r->unit == XG_UNIT_BPS ? "bps" : "pps",
			 count_text(r->burst, burst, sizeof(burst)));
		break;
	default:
		snprintf(buf, n, "%s", xg_pol_action_name(r->action));
	}
	return buf;
}

const char *xg_rule_text(const struct xg_rule_spec *r, char *buf, size_t n)
{
	char cidr[64], act[96], vlan[16] = "";

	if (r->vlan)
		snprintf(vlan, sizeof(vlan), " vlan %u", r->vlan);
	snprintf(buf, n, "%s%s %s", xg_cidr_text(r, cidr, sizeof(cidr)), vlan,
		 xg_action_text(r, act, sizeof(act)));
	return buf;
}

bool xg_rule_same_key(const struct xg_rule_spec *a, const struct xg_rule_spec *b)
{
	return a->family == b->family && a->plen == b->plen &&
	       a->vlan == b->vlan && !memcmp(a->addr, b->addr, 16);
}

bool xg_rule_same(const struct xg_rule_spec *a, const struct xg_rule_spec *b)
{
	if (!xg_rule_same_key(a, b) || a->action != b->action)
		return false;
	if (a->action == XG_POL_REDIRECT)
		return a->target == b->target;
	if (a->action == XG_POL_LIMIT)
		return a->unit == b->unit && a->rate == b->rate &&
		       a->burst == b->burst;
	return true;
}

int xg_rule_cmp(const void *pa, const void *pb)
{
	const struct xg_rule_spec *a = pa, *b = pb;
	int c;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if (a->vlan != b->vlan)
		return a->vlan < b->vlan ? -1 : 1;
	c = memcmp(a->addr, b->addr, 16);
	if (c)
		return c;
	return (a->plen > b->plen) - (a->plen < b->plen);
}

int xg_set_push(struct xg_rule_set *s, const struct xg_rule_spec *r)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct xg_rule_spec *tmp = realloc(s->r, cap * sizeof(*tmp));

		if (!tmp)
			return -ENOMEM;
		s->r = tmp;
		s->cap = cap;
	}
	s->r[s->n++] = *r;
	return 0;
}

void xg_set_sort(struct xg_rule_set *s)
{
	if (s->n > 1)
		xg_qsort(s->r, s->n, sizeof(*s->r), xg_rule_cmp);
}

long xg_set_find(const struct xg_rule_set *s, const struct xg_rule_spec *r)
{
	const struct xg_rule_spec *hit;

	if (!s->n)
		return -1;
	hit = bsearch(r, s->r, s->n, sizeof(*s->r), xg_rule_cmp);
	return hit ? hit - s->r : -1;
}

void xg_set_free(struct xg_rule_set *s)
{
	free(s->r);
	memset(s, 0, sizeof(*s));
}
