/* SPDX-License-Identifier: GPL-2.0 */
/* Names of the shared enums as the loader prints them (table, JSON and
 * Prometheus labels). Indexed by the enum, so the order must follow
 * xdpgate_types.h; the static asserts catch a missing entry.
 */
#ifndef XDPGATE_NAMES_H
#define XDPGATE_NAMES_H

#include "xdpgate_types.h"

static const char *const xg_action_names[XG_ACT__MAX] = {
	[XG_ACT_PASS] = "pass",
	[XG_ACT_DROP] = "drop",
	[XG_ACT_REDIRECT] = "redirect",
	[XG_ACT_ABORTED] = "aborted",
	[XG_ACT_LIMITED] = "limited",
	[XG_ACT_REDIRECT_FAIL] = "redirect_fail",
};

static const char *const xg_reason_names[XG_RSN__MAX] = {
	[XG_PARSE_OK] = "ok",
	[XG_PARSE_NOT_IP] = "not_ip",
	[XG_PARSE_ETH_TRUNC] = "eth_trunc",
	[XG_PARSE_VLAN_TRUNC] = "vlan_trunc",
	[XG_PARSE_VLAN_TOO_DEEP] = "vlan_too_deep",
	[XG_PARSE_IPV4_TRUNC] = "ipv4_trunc",
	[XG_PARSE_IPV4_BAD_VER] = "ipv4_bad_version",
	[XG_PARSE_IPV4_BAD_IHL] = "ipv4_bad_ihl",
	[XG_PARSE_IPV4_BAD_LEN] = "ipv4_bad_len",
	[XG_PARSE_IPV6_TRUNC] = "ipv6_trunc",
	[XG_PARSE_IPV6_BAD_VER] = "ipv6_bad_version",
	[XG_PARSE_IPV6_EXT_TRUNC] = "ipv6_ext_trunc",
	[XG_PARSE_IPV6_EXT_TOO_MANY] = "ipv6_ext_too_many",
	[XG_PARSE_IPV6_HBH_NOT_FIRST] = "ipv6_hbh_not_first",
	[XG_PARSE_L4_TRUNC] = "l4_trunc",
	[XG_PARSE_TCP_BAD_DOFF] = "tcp_bad_doff",
	[XG_PARSE_FRAG_L4_TRUNC] = "frag_l4_trunc",
	[XG_RSN_SRC_UPDATE_FAIL] = "src_update_fail",
};

_Static_assert(sizeof(xg_action_names) / sizeof(xg_action_names[0]) == XG_ACT__MAX,
	       "xg_action_names");
_Static_assert(sizeof(xg_reason_names) / sizeof(xg_reason_names[0]) == XG_RSN__MAX,
	       "xg_reason_names");

#endif /* XDPGATE_NAMES_H */
