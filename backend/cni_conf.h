/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The network configuration dsrlab-cni reads on stdin (CNI spec 1.1, 1.0, 0.4.0): our keys
 * (vips, balancers, gue_port), the per-container VIPs a runtime passes (runtimeConfig,
 * args.cni, CNI_ARGS), and what a chained plugin needs from prevResult (the container's
 * interface and addresses, the host-side interfaces). See docs/cni.md.
 */
#ifndef DSRLAB_BACKEND_CNI_CONF_H
#define DSRLAB_BACKEND_CNI_CONF_H

#include <stdbool.h>
#include <net/if.h>
#include <jansson.h>
#include <linux/types.h>

#include "common/addr.h"
#include "common/maps.h"

#define CNI_MAX_VIPS   64
#define CNI_MAX_IFACES 16
#define CNI_MAX_IPS    16

/* The per-container VIP key: capability and args.cni name, and the CNI_ARGS name. */
#define CNI_VIPS_CAP "dsrlabVips"
#define CNI_VIPS_ARG "DSRLAB_VIPS"

/* Error codes of the CNI spec; ours start at 100. */
enum cni_code {
	CNI_ERR_VERSION = 1, /* incompatible CNI version */
	CNI_ERR_ENV = 4, /* invalid environment variables */
	CNI_ERR_IO = 5, /* I/O failure */
	CNI_ERR_DECODE = 6, /* failed to decode content */
	CNI_ERR_CONFIG = 7, /* invalid network config */
	CNI_ERR_UNAVAILABLE = 50, /* STATUS: the plugin cannot serve ADD */
	CNI_ERR_ATTACH = 100, /* could not attach the decap */
	CNI_ERR_VIP = 101, /* could not make a VIP local */
	CNI_ERR_NO_FILTER = 102, /* CHECK: the decap filter is missing */
	CNI_ERR_NO_VIP = 103, /* CHECK: a VIP is missing from lo */
	CNI_ERR_NO_VETH = 104, /* the container interface has no host-side veth here */
};

struct cni_err {
	int code;
	char msg[128];
	char details[512];
};

struct cni_iface {
	char name[IF_NAMESIZE];
	bool sandbox; /* inside a container (has a "sandbox" path) */
};

struct cni_conf {
	char version[16]; /* cniVersion, echoed in errors */
	char network[128]; /* name: the network GC and the attachment records are kept by */
	struct ip_addr vips[CNI_MAX_VIPS];
	int n_vips;
	const char *vips_from; /* where the VIPs came from: "vips" or a per-container source */
	struct ip_prefix balancers[DECAP_MAX_ALLOW];
	int n_balancers;
	__u16 gue_port;
	json_t *prev_result; /* borrowed from the parsed document; NULL when absent */
	struct cni_iface ifaces[CNI_MAX_IFACES]; /* prevResult.interfaces */
	int n_ifaces;
	struct ip_addr ips[CNI_MAX_IPS]; /* prevResult.ips on the container interface */
	int n_ips;
};

/* The spec versions we speak; true when v is one of them. */
bool cni_version_supported(const char *v);
/*
 * Fill c from the configuration root for container interface ifname; cni_args is the
 * CNI_ARGS variable (NULL when unset). The VIPs are the first of runtimeConfig.dsrlabVips,
 * args.cni.dsrlabVips, CNI_ARGS DSRLAB_VIPS=A,B and the conflist's "vips" that is present.
 * Checks our keys' types and values; prevResult is optional here (DEL may lack it), the
 * caller decides. Returns 0 or -1 with e filled.
 */
int cni_conf_parse(json_t *root, const char *ifname, const char *cni_args, struct cni_conf *c,
		   struct cni_err *e);
/*
 * The addresses the decap serves: the first container IP of each family some balancer has
 * (at most two, IPv4 and IPv6, into out); their number.
 */
int cni_conf_serve(const struct cni_conf *c, struct ip_addr out[2]);

#endif
