// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "common/stat_names.h"

const char *const lb_stat_names[LB_STAT_MAX] = {
	[LB_STAT_RX] = "rx",
	[LB_STAT_TX_ENCAP] = "tx_encap",
	[LB_STAT_PASS_NOT_IP] = "pass_not_ip",
	[LB_STAT_PASS_NOT_VIP] = "pass_not_vip",
	[LB_STAT_PASS_PARSE] = "pass_parse_error",
	[LB_STAT_CONN_HIT] = "conn_hit",
	[LB_STAT_CONN_NEW] = "conn_new",
	[LB_STAT_DROP_NO_REAL] = "drop_no_backend",
	[LB_STAT_DROP_ENCAP] = "drop_encap",
	[LB_STAT_DROP_UNSUPP] = "drop_unsupported_encap",
	[LB_STAT_ICMP_TO_REAL] = "icmp_to_backend",
	[LB_STAT_PASS_ICMP] = "pass_icmp_not_vip",
	[LB_STAT_TX_TOO_BIG] = "tx_too_big",
	[LB_STAT_DROP_TOO_BIG] = "drop_too_big",
	[LB_STAT_DROP_FRAG] = "drop_fragment",
	[LB_STAT_PASS_NO_NEIGH] = "pass_no_neighbour",
	[LB_STAT_DROP_NO_ROUTE] = "drop_no_route",
	[LB_STAT_DROP_ICMP_SRC] = "drop_icmp_martian_source",
	[LB_STAT_DROP_ICMP_LEN] = "drop_icmp_oversized",
	[LB_STAT_DROP_ICMP_QUOTE] = "drop_icmp_short_quote",
	[LB_STAT_DROP_ICMP_MTU] = "drop_icmp_over_mtu",
	[LB_STAT_DROP_ANSWER_SRC] = "drop_too_big_martian",
	[LB_STAT_TRIMMED] = "trimmed_trailer",
	[LB_STAT_PASS_VLANS] = "pass_vlan_stack",
	[LB_STAT_FRAG_SHORT] = "frag_short_first",
	[LB_STAT_CONN_EVICT] = "conn_evicted",
};

const char *const decap_stat_names[DECAP_STAT_MAX] = {
	[DECAP_STAT_RX] = "rx",
	[DECAP_STAT_DECAP] = "decap",
	[DECAP_STAT_PASS_PLAIN] = "pass_plain",
	[DECAP_STAT_PASS_OTHER_DST] = "pass_other_dst",
	[DECAP_STAT_DROP_OTHER_DST] = "drop_other_dst",
	[DECAP_STAT_DROP_SPOOF] = "drop_spoofed_source",
	[DECAP_STAT_DROP_NESTED] = "drop_nested",
	[DECAP_STAT_DROP_PARSE] = "drop_parse_error",
	[DECAP_STAT_DROP_ADJUST] = "drop_adjust_room",
	[DECAP_STAT_ECN_CE] = "ecn_ce_copied",
	[DECAP_STAT_DROP_ECN] = "drop_ecn_not_capable",
	[DECAP_STAT_DROP_OUTER_OPTIONS] = "drop_outer_options",
	[DECAP_STAT_DROP_OUTER_CSUM] = "drop_outer_checksum",
	[DECAP_STAT_DROP_OUTER_LEN] = "drop_outer_length",
};

const char *lb_stat_name(enum lb_stat s)
{
	return s < LB_STAT_MAX && lb_stat_names[s] ? lb_stat_names[s] : "?";
}

const char *decap_stat_name(enum decap_stat s)
{
	return s < DECAP_STAT_MAX && decap_stat_names[s] ? decap_stat_names[s] : "?";
}

static int stat_parse(const char *name, const char *const *names, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (names[i] && !strcmp(name, names[i]))
			return i;
	return -ENOENT;
}

int lb_stat_parse(const char *name)
{
	return stat_parse(name, lb_stat_names, LB_STAT_MAX);
}

int decap_stat_parse(const char *name)
{
	return stat_parse(name, decap_stat_names, DECAP_STAT_MAX);
}
