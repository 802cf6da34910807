// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "backend/cni_conf.h"

static const char *const cni_versions[] = { "0.4.0", "1.0.0", "1.1.0" };

bool cni_version_supported(const char *v)
{
	unsigned int i;

	for (i = 0; i < sizeof(cni_versions) / sizeof(cni_versions[0]); i++)
		if (v && !strcmp(v, cni_versions[i]))
			return true;
	return false;
}

__attribute__((format(printf, 3, 4))) static int conf_error(struct cni_err *e, int code,
							    const char *fmt, ...)
{
	va_list ap;

	e->code = code;
	snprintf(e->msg, sizeof(e->msg), "%s",
		 code == CNI_ERR_VERSION ? "incompatible CNI version" : "invalid network config");
	va_start(ap, fmt);
	vsnprintf(e->details, sizeof(e->details), fmt, ap);
	va_end(ap);
	return -1;
}

/* An array of address strings under key; absent is an empty list. */
static int conf_strings(json_t *root, const char *key, json_t **arr, struct cni_err *e)
{
	*arr = json_object_get(root, key);
	if (*arr && !json_is_array(*arr))
		return conf_error(e, CNI_ERR_CONFIG, "\"%s\" must be a list of strings", key);
	return 0;
}

/* The VIPs in arr (a list of address strings), from the source named from. */
static int conf_vip_list(json_t *arr, const char *from, struct cni_conf *c, struct cni_err *e)
{
	json_t *v;
	size_t i;

	if (!json_is_array(arr))
		return conf_error(e, CNI_ERR_CONFIG, "%s must be a list of address strings", from);
	c->vips_from = from;
	json_array_foreach(arr, i, v) {
		if (c->n_vips == CNI_MAX_VIPS)
			return conf_error(e, CNI_ERR_CONFIG, "%s: more than %d VIPs", from,
					  CNI_MAX_VIPS);
		if (!json_is_string(v) || addr_parse(json_string_value(v), &c->vips[c->n_vips]))
			return conf_error(e, CNI_ERR_CONFIG, "%s[%zu]: not an IPv4 or IPv6 address",
					  from, i);
		c->n_vips++;
	}
	return 0;
}

/* DSRLAB_VIPS=A,B in CNI_ARGS ("K=V;K=V"), as a list; NULL when it is not there. */
static json_t *cni_args_vips(const char *cni_args)
{
	const char *p = cni_args, *end, *val;
	size_t klen = strlen(CNI_VIPS_ARG);
	json_t *arr;

	for (; p && *p; p = *end ? end + 1 : end) {
		end = strchrnul(p, ';');
		if ((size_t)(end - p) > klen && !strncmp(p, CNI_VIPS_ARG, klen) && p[klen] == '=')
			break;
	}
	if (!p || !*p)
		return NULL;
	arr = json_array();
	for (val = p + klen + 1; val < end;) {
		const char *comma = memchr(val, ',', end - val);
		const char *stop = comma ? comma : end;

		json_array_append_new(arr, json_stringn(val, stop - val));
		val = stop + 1;
	}
	return arr;
}

/*
 * Per-container VIPs win over the conflist's: runtimeConfig (the runtime fills it when the
 * plugin's "capabilities" lists dsrlabVips), then args.cni (Multus' cni-args), then CNI_ARGS.
 */
static int conf_vips(json_t *root, const char *cni_args, struct cni_conf *c, struct cni_err *e)
{
	json_t *rt = json_object_get(json_object_get(root, "runtimeConfig"), CNI_VIPS_CAP);
	json_t *args = json_object_get(json_object_get(json_object_get(root, "args"), "cni"),
				       CNI_VIPS_CAP);
	json_t *env = cni_args_vips(cni_args);
	int err;

	if (rt)
		err = conf_vip_list(rt, "runtimeConfig." CNI_VIPS_CAP, c, e);
	else if (args)
		err = conf_vip_list(args, "args.cni." CNI_VIPS_CAP, c, e);
	else if (env)
		err = conf_vip_list(env, "CNI_ARGS " CNI_VIPS_ARG, c, e);
	else if (json_object_get(root, "vips"))
		err = conf_vip_list(json_object_get(root, "vips"), "vips", c, e);
	else
		err = 0;
	json_decref(env);
	return err;
}

static int conf_balancers(json_t *root, struct cni_conf *c, struct cni_err *e)
{
	json_t *arr, *v;
	size_t i;

	if (conf_strings(root, "balancers", &arr, e))
		return -1;
	json_array_foreach(arr, i, v) {
		if (c->n_balancers == DECAP_MAX_ALLOW)
			return conf_error(e, CNI_ERR_CONFIG, "more than %d balancers",
					  DECAP_MAX_ALLOW);
		if (!json_is_string(v) ||
		    prefix_parse(json_string_value(v), &c->balancers[c->n_balancers], false))
			return conf_error(e, CNI_ERR_CONFIG,
					  "balancers[%zu]: not an address or prefix", i);
		c->n_balancers++;
	}
	if (!c->n_balancers)
		return conf_error(e, CNI_ERR_CONFIG,
				  "\"balancers\" must list the balancers' outer source "
				  "addresses or prefixes (the decap trusts no one else)");
	return 0;
}

static int conf_gue_port(json_t *root, struct cni_conf *c, struct cni_err *e)
{
	json_t *v = json_object_get(root, "gue_port");

	if (!v)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 65535)
		return conf_error(e, CNI_ERR_CONFIG, "\"gue_port\" must be a port, 1 to 65535");
	c->gue_port = json_integer_value(v);
	return 0;
}

/* prevResult.interfaces; returns the index of the container's interface or -1. */
static int conf_ifaces(json_t *prev, const char *ifname, struct cni_conf *c)
{
	json_t *arr = json_object_get(prev, "interfaces"), *v;
	int container = -1;
	size_t i;

	json_array_foreach(arr, i, v) {
		const char *name = json_string_value(json_object_get(v, "name"));
		const char *sandbox = json_string_value(json_object_get(v, "sandbox"));
		struct cni_iface *f;

		if (!name || c->n_ifaces == CNI_MAX_IFACES)
			continue;
		f = &c->ifaces[c->n_ifaces++];
		snprintf(f->name, sizeof(f->name), "%s", name);
		f->sandbox = sandbox && *sandbox;
		if (f->sandbox && !strcmp(name, ifname) && container < 0)
			container = i;
	}
	return container;
}

/* prevResult.ips on the container interface (or on no interface in particular). */
static int conf_ips(json_t *prev, int container, struct cni_conf *c, struct cni_err *e)
{
	json_t *arr = json_object_get(prev, "ips"), *v;
	size_t i;

	json_array_foreach(arr, i, v) {
		json_t *iface = json_object_get(v, "interface");
		const char *a = json_string_value(json_object_get(v, "address"));
		struct ip_prefix p;

		if (iface && (!json_is_integer(iface) || json_integer_value(iface) != container))
			continue;
		if (!a || prefix_parse(a, &p, false))
			return conf_error(e, CNI_ERR_CONFIG, "prevResult.ips[%zu]: bad address", i);
		if (c->n_ips < CNI_MAX_IPS)
			c->ips[c->n_ips++] = p.addr;
	}
	return 0;
}

int cni_conf_parse(json_t *root, const char *ifname, const char *cni_args, struct cni_conf *c,
		   struct cni_err *e)
{
	const char *version = json_string_value(json_object_get(root, "cniVersion"));
	const char *name = json_string_value(json_object_get(root, "name"));

	memset(c, 0, sizeof(*c));
	if (!json_is_object(root))
		return conf_error(e, CNI_ERR_CONFIG, "the configuration must be a JSON object");
	snprintf(c->version, sizeof(c->version), "%s", version ? version : "1.0.0");
	if (!cni_version_supported(version))
		return conf_error(e, CNI_ERR_VERSION,
				  "cniVersion %s; supported: 0.4.0, 1.0.0, 1.1.0",
				  version ? version : "(missing)");
	snprintf(c->network, sizeof(c->network), "%s", name ? name : "");
	if (conf_vips(root, cni_args, c, e) || conf_balancers(root, c, e) ||
	    conf_gue_port(root, c, e))
		return -1;
	c->prev_result = json_object_get(root, "prevResult");
	if (!c->prev_result)
		return 0;
	if (!json_is_object(c->prev_result))
		return conf_error(e, CNI_ERR_CONFIG, "prevResult must be an object");
	return conf_ips(c->prev_result, conf_ifaces(c->prev_result, ifname, c), c, e);
}

int cni_conf_serve(const struct cni_conf *c, struct ip_addr out[2])
{
	int i, j, n = 0;

	for (i = 0; i < c->n_ips; i++) {
		bool dup = n && out[0].family == c->ips[i].family;

		for (j = 0; !dup && n < 2 && j < c->n_balancers; j++) {
			if (c->ips[i].family == c->balancers[j].addr.family) {
				out[n++] = c->ips[i];
				break;
			}
		}
	}
	return n;
}
