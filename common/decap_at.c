// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "common/decap_at.h"

const char *const decap_at_names[DECAP_AT_MAX] = {
	[DECAP_AT_HOST_VETH_EGRESS] = "host-veth-egress",
	[DECAP_AT_CONTAINER_INGRESS] = "container-ingress",
	[DECAP_AT_HOST_NIC] = "host-nic",
	[DECAP_AT_NONE] = "none",
};

const char *decap_at_name(enum decap_at at)
{
	return (unsigned int)at < DECAP_AT_MAX ? decap_at_names[at] : "?";
}

int decap_at_parse(const char *s, enum decap_at *at)
{
	int i;

	for (i = 0; i < DECAP_AT_POINTS; i++) {
		if (!strcmp(s, decap_at_names[i])) {
			*at = i;
			return 0;
		}
	}
	return -EINVAL;
}
