/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where a decap is attached, and the names the CLIs, scenarios and reports write: one enum for
 * the backend library, dsrlab-backend, dsrlab-cni and the bench.
 */
#ifndef DSRLAB_COMMON_DECAP_AT_H
#define DSRLAB_COMMON_DECAP_AT_H

enum decap_at {
	DECAP_AT_HOST_VETH_EGRESS, /* host end of the container's veth, egress (the default) */
	DECAP_AT_CONTAINER_INGRESS, /* the container's own interface, ingress */
	DECAP_AT_HOST_NIC, /* the host's uplink, ingress (legacy) */
	DECAP_AT_NONE, /* a scenario's "none": nothing attached (a negative control) */
	DECAP_AT_MAX
};
/* The attach points are the values before DECAP_AT_NONE. */
#define DECAP_AT_POINTS DECAP_AT_NONE

extern const char *const decap_at_names[DECAP_AT_MAX];

/* "?" for a value out of range. */
const char *decap_at_name(enum decap_at at);
/* An attach point by name ("none" is not one): 0, or -EINVAL. */
int decap_at_parse(const char *s, enum decap_at *at);

#endif
