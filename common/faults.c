// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>

#include "common/faults.h"
#include "common/maps.h"

const struct fault_def fault_defs[] = {
	{ "no-icmp-relay", FAULT_OF_BALANCER, LB_CFG_F_FAULT_NO_ICMP_RELAY,
	  "ICMP too-big about a VIP flow goes to the balancer host's kernel, not to the flow's "
	  "backend" },
	{ "keep-protocol", FAULT_OF_DECAP, DECAP_F_FAULT_KEEP_PROTO,
	  "a 4in6 decap leaves skb->protocol and the EtherType IPv6 over the IPv4 packet" },
	{ "gso-grow", FAULT_OF_DECAP, DECAP_F_FAULT_GSO_GROW,
	  "the outer header is stripped without BPF_F_ADJ_ROOM_FIXED_GSO: an aggregate's "
	  "segment size grows by it" },
};
const size_t n_fault_defs = sizeof(fault_defs) / sizeof(fault_defs[0]);

int fault_parse(enum fault_of of, const char *name, __u32 *flag)
{
	size_t i;

	for (i = 0; i < n_fault_defs; i++)
		if (fault_defs[i].of == of && !strcmp(fault_defs[i].name, name)) {
			*flag = fault_defs[i].flag;
			return 0;
		}
	return -1;
}

const char *fault_names(enum fault_of of)
{
	static char buf[2][128];
	size_t i, used = 0;
	char *b = buf[of == FAULT_OF_DECAP];

	b[0] = '\0';
	for (i = 0; i < n_fault_defs; i++)
		if (fault_defs[i].of == of)
			used += snprintf(b + used, sizeof(buf[0]) - used, "%s%s", used ? ", " : "",
					 fault_defs[i].name);
	return b;
}
