// SPDX-License-Identifier: GPL-2.0
/*
 * dsrlab-cni: a chained CNI plugin (spec 1.1, 1.0 and 0.4.0). After an interface plugin such as
 * bridge or ptp has created the container's veth, ADD attaches the TC decap on the host end
 * of that veth (egress) and puts the configured VIPs on the container's lo, so the tenant
 * gets DSR without configuration or privilege. The decap's maps are pinned as
 * `dsrlab-backend attach` pins them (decap_pin_dir()), so `dsrlab-backend stats` reads its
 * counters. DEL undoes all of it and succeeds when it is already gone; CHECK verifies the
 * filter and the VIPs; STATUS says whether an ADD could load the decap; GC removes what
 * attachments the runtime no longer knows left behind (cni_state.h). Configuration keys and
 * per-container VIPs: docs/cni.md.
 */
#include <errno.h>
#include <ifaddrs.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <sys/vfs.h>

#include "backend/cni_conf.h"
#include "backend/cni_state.h"
#include "backend/decap.h"
#include "common/cli.h"
#include "common/log.h"
#include "common/netlink.h"
#include "common/netns.h"

#define DECAP_PROG_NAME "decap" /* the TC program's name in bpf/decap.bpf.c */

struct cni_env {
	const char *command, *container_id, *netns, *ifname;
};

struct host_veth {
	int ifindex;
	char name[IF_NAMESIZE];
};

/* Errors go to stdout as the spec's error object; the runtime shows msg and details. */
static int cni_fail(const char *version, const struct cni_err *e)
{
	json_t *o = json_pack("{s:s, s:i, s:s, s:s}", "cniVersion", version, "code", e->code, "msg",
			      e->msg, "details", e->details);

	json_dumpf(o, stdout, JSON_INDENT(2));
	fputc('\n', stdout);
	json_decref(o);
	return 1;
}

__attribute__((format(printf, 4, 5))) static int fail(const char *version, int code,
						      const char *msg, const char *fmt, ...)
{
	struct cni_err e = { .code = code };
	va_list ap;

	snprintf(e.msg, sizeof(e.msg), "%s", msg);
	va_start(ap, fmt);
	vsnprintf(e.details, sizeof(e.details), fmt, ap);
	va_end(ap);
	return cni_fail(version, &e);
}

/* One rtnetlink request in the calling thread's namespace (common/netlink.c). */
static int rtnl_request(struct nlmsghdr *req, nl_reply_fn cb, void *ctx)
{
	struct nl_sock nl;
	int err = nl_open(&nl);

	if (err)
		return err;
	err = nl_request(&nl, req, cb, ctx);
	nl_close(&nl);
	return err;
}

struct link_info {
	int peer; /* IFLA_LINK: for a veth, the peer's ifindex in the peer's namespace */
	bool veth;
};

static int link_kind_attr(const struct nlattr *a, void *ctx)
{
	struct link_info *li = ctx;

	if (mnl_attr_get_type(a) == IFLA_INFO_KIND &&
	    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0 && !strcmp(mnl_attr_get_str(a), "veth"))
		li->veth = true;
	return MNL_CB_OK;
}

static int link_attr(const struct nlattr *a, void *ctx)
{
	struct link_info *li = ctx;

	switch (mnl_attr_get_type(a)) {
	case IFLA_LINK:
		if (mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
			li->peer = (int)mnl_attr_get_u32(a);
		break;
	case IFLA_LINKINFO:
		if (mnl_attr_validate(a, MNL_TYPE_NESTED) >= 0)
			mnl_attr_parse_nested(a, link_kind_attr, li);
		break;
	}
	return MNL_CB_OK;
}

static int link_info_cb(const struct nlmsghdr *nh, void *ctx)
{
	if (nh->nlmsg_type != RTM_NEWLINK ||
	    mnl_nlmsg_get_payload_len(nh) < sizeof(struct ifinfomsg))
		return MNL_CB_OK;
	return mnl_attr_parse(nh, sizeof(struct ifinfomsg), link_attr, ctx) < 0 ? MNL_CB_ERROR :
										  MNL_CB_OK;
}

/* The ifindex of ifname's veth peer, here; -ENODEV without ifname, -ENOTSUP if no veth. */
static int link_veth_peer(const char *ifname)
{
	char buf[NL_BUF];
	struct nlmsghdr *nh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;
	struct link_info li = {};
	int err;

	nh->nlmsg_type = RTM_GETLINK;
	nh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	ifi = mnl_nlmsg_put_extra_header(nh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = if_nametoindex(ifname);
	if (!ifi->ifi_index)
		return -ENODEV;
	err = rtnl_request(nh, link_info_cb, &li);
	if (err)
		return err;
	return li.veth && li.peer > 0 ? li.peer : -ENOTSUP;
}

static int count_cb(const struct nlmsghdr *nh, void *ctx)
{
	if (nh->nlmsg_type == RTM_NEWTFILTER)
		(*(int *)ctx)++;
	return MNL_CB_OK;
}

/* Number of TC filters on one side (TC_H_MIN_INGRESS/EGRESS) of ifindex's clsact. */
static int tc_filter_count(int ifindex, __u32 side)
{
	char buf[NL_BUF];
	struct nlmsghdr *nh = mnl_nlmsg_put_header(buf);
	struct tcmsg *tc;
	int n = 0, err;

	nh->nlmsg_type = RTM_GETTFILTER;
	nh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	tc = mnl_nlmsg_put_extra_header(nh, sizeof(*tc));
	tc->tcm_family = AF_UNSPEC;
	tc->tcm_ifindex = ifindex;
	tc->tcm_parent = TC_H_MAKE(TC_H_CLSACT, side);
	err = rtnl_request(nh, count_cb, &n);
	return err ? err : n;
}

/* 0 when our decap program sits at DECAP_TC_HANDLE and _PRIORITY on ifindex's egress; its ID. */
static int decap_filter_query(int ifindex, __u32 *prog_id)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_EGRESS);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, tc, .handle = DECAP_TC_HANDLE,
			    .priority = DECAP_TC_PRIORITY);
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	libbpf_print_fn_t print;
	int fd, err;

	print = libbpf_set_print(NULL); /* "no such qdisc" is an answer here, not a warning */
	err = bpf_tc_query(&hook, &tc);
	libbpf_set_print(print);
	if (err)
		return err;
	fd = bpf_prog_get_fd_by_id(tc.prog_id);
	if (fd < 0)
		return -errno;
	err = bpf_obj_get_info_by_fd(fd, &info, &len) ? -errno : 0;
	close(fd);
	if (!err && strcmp(info.name, DECAP_PROG_NAME))
		err = -ENOENT; /* someone else's filter: not ours to check or remove */
	if (!err && prog_id)
		*prog_id = tc.prog_id;
	return err;
}

/* Remove our filter, then the clsact qdisc if nothing else uses it. Gone already is fine. */
static void decap_filter_remove(int ifindex)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_EGRESS);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, tc, .handle = DECAP_TC_HANDLE,
			    .priority = DECAP_TC_PRIORITY);

	if (decap_filter_query(ifindex, NULL))
		return;
	if (bpf_tc_detach(&hook, &tc))
		return;
	if (tc_filter_count(ifindex, TC_H_MIN_EGRESS) == 0 &&
	    tc_filter_count(ifindex, TC_H_MIN_INGRESS) == 0) {
		hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
		bpf_tc_hook_destroy(&hook);
	}
}

/* Run fn inside the container's namespace (path CNI_NETNS). */
static int in_netns(const char *path, int (*fn)(void *), void *arg)
{
	int saved, err = netns_enter_named(path, &saved);

	if (err)
		return err;
	err = fn(arg);
	netns_leave(saved);
	return err;
}

static int peer_in_netns(void *arg)
{
	return link_veth_peer(arg);
}

static bool listed_on_host(const struct cni_conf *c, const char *name, bool *any)
{
	int i;

	*any = false;
	for (i = 0; i < c->n_ifaces; i++) {
		if (c->ifaces[i].sandbox)
			continue;
		*any = true;
		if (!strcmp(c->ifaces[i].name, name))
			return true;
	}
	return false;
}

/*
 * The host end of the container's veth: the container interface's peer, which must be one
 * of prevResult's host-side (no sandbox) interfaces when prevResult lists any.
 */
static int host_veth_find(const struct cni_env *env, const struct cni_conf *c, struct host_veth *v,
			  struct cni_err *e)
{
	bool any;
	int peer;

	e->code = CNI_ERR_NO_VETH;
	snprintf(e->msg, sizeof(e->msg), "no host-side veth for %s", env->ifname);
	peer = in_netns(env->netns, peer_in_netns, (void *)env->ifname);
	if (peer < 0) {
		snprintf(e->details, sizeof(e->details),
			 "%s in %s: %s (dsrlab-cni chains after a veth plugin: bridge, ptp)",
			 env->ifname, env->netns,
			 peer == -ENOTSUP ? "not a veth" : nl_strerror(peer));
		return peer;
	}
	v->ifindex = peer;
	if (!if_indextoname(peer, v->name)) {
		snprintf(e->details, sizeof(e->details),
			 "the peer of %s (ifindex %d) is not in this namespace", env->ifname, peer);
		return -ENODEV;
	}
	if (!listed_on_host(c, v->name, &any) && any) {
		snprintf(e->details, sizeof(e->details),
			 "the peer of %s is %s, which prevResult does not list", env->ifname,
			 v->name);
		return -ENOENT;
	}
	return 0;
}

struct vip_job {
	const struct cni_conf *c;
	int done; /* VIPs handled so far */
	int missing; /* CHECK: index of the first VIP not on lo, or -1 */
};

static int vips_add(void *arg)
{
	struct vip_job *j = arg;
	int err;

	for (j->done = 0; j->done < j->c->n_vips; j->done++) {
		err = backend_vip_add(&j->c->vips[j->done]);
		if (err)
			return err;
	}
	return 0;
}

static int vips_del(void *arg)
{
	struct vip_job *j = arg;
	int i;

	for (i = 0; i < j->done; i++)
		backend_vip_del(&j->c->vips[i]); /* already gone is fine */
	return 0;
}

static bool ifa_is(const struct ifaddrs *ifa, const struct ip_addr *a)
{
	if (!ifa->ifa_addr || strcmp(ifa->ifa_name, "lo"))
		return false;
	if (ifa->ifa_addr->sa_family == AF_INET && a->family == FAM_IPV4)
		return !memcmp(&((struct sockaddr_in *)ifa->ifa_addr)->sin_addr, a->bytes, 4);
	if (ifa->ifa_addr->sa_family == AF_INET6 && a->family == FAM_IPV6)
		return !memcmp(&((struct sockaddr_in6 *)ifa->ifa_addr)->sin6_addr, a->bytes, 16);
	return false;
}

static int vips_check(void *arg)
{
	struct vip_job *j = arg;
	struct ifaddrs *all, *ifa;
	int i;

	if (getifaddrs(&all))
		return -errno;
	j->missing = -1;
	for (i = 0; i < j->c->n_vips && j->missing < 0; i++) {
		for (ifa = all; ifa && !ifa_is(ifa, &j->c->vips[i]); ifa = ifa->ifa_next)
			;
		if (!ifa)
			j->missing = i;
	}
	freeifaddrs(all);
	return 0;
}

/* What GC needs to undo this ADD if its DEL never comes. */
static int attachment_record(const struct cni_env *env, const struct cni_conf *c,
			     const struct host_veth *v, const char *pins)
{
	struct cni_attachment a = {};
	int err;

	snprintf(a.container_id, sizeof(a.container_id), "%s", env->container_id);
	snprintf(a.ifname, sizeof(a.ifname), "%s", env->ifname);
	snprintf(a.host_veth, sizeof(a.host_veth), "%s", v->name);
	snprintf(a.pins, sizeof(a.pins), "%s", pins);
	err = decap_filter_query(v->ifindex, &a.prog_id);
	return err ? err : cni_state_save(c->network, &a);
}

static int cmd_add(const struct cni_env *env, const struct cni_conf *c)
{
	struct decap_opts o = { .at = DECAP_AT_HOST_VETH_EGRESS,
				.allow = c->balancers,
				.n_allow = c->n_balancers,
				.gue_port = c->gue_port };
	struct vip_job job = { .c = c };
	struct host_veth v;
	struct cni_err e;
	struct decap *d;
	char buf[ADDR_STRLEN], pins[PATH_MAX];
	int err;

	if (!c->prev_result)
		return fail(c->version, CNI_ERR_CONFIG, "invalid network config",
			    "dsrlab-cni is a chained plugin: it needs prevResult from an "
			    "interface plugin (bridge, ptp) listed before it");
	o.n_serve = cni_conf_serve(c, o.serve);
	if (!o.n_serve)
		return fail(c->version, CNI_ERR_CONFIG, "invalid network config",
			    "prevResult has no address on %s of the balancers' family",
			    env->ifname);
	if (host_veth_find(env, c, &v, &e))
		return cni_fail(c->version, &e);

	o.ifindex = v.ifindex;
	decap_filter_remove(v.ifindex); /* a repeated ADD replaces our filter */
	err = decap_attach(&d, &o);
	if (err)
		return fail(c->version, CNI_ERR_ATTACH, "could not attach the decap",
			    "TC egress on %s (serving %s): %s", v.name,
			    addr_str(&o.serve[0], buf, sizeof(buf)), strerror(-err));
	err = decap_pin_dir(pins, sizeof(pins), NULL, v.name, o.at);
	if (!err)
		err = decap_pin(d, pins);
	if (err) {
		decap_detach(d);
		return fail(c->version, CNI_ERR_ATTACH, "could not pin the decap's maps",
			    "%s (for `dsrlab-backend stats`): %s", pins, strerror(-err));
	}
	decap_release(d);

	err = attachment_record(env, c, &v, pins);
	if (err) {
		decap_filter_remove(v.ifindex);
		decap_unpin(pins);
		return fail(c->version, CNI_ERR_IO, "I/O failure",
			    "record the attachment in " CNI_STATE_DIR "/%s (for GC): %s",
			    c->network, strerror(-err));
	}
	err = in_netns(env->netns, vips_add, &job);
	if (err) {
		char vip[ADDR_STRLEN] = "?", why[NL_ERR_TEXT_MAX + 64];

		if (job.done < c->n_vips)
			addr_str(&c->vips[job.done], vip, sizeof(vip));
		snprintf(why, sizeof(why), "%s", nl_strerror(err)); /* before cleanup's requests */
		in_netns(env->netns, vips_del, &job);
		decap_filter_remove(v.ifindex);
		decap_unpin(pins);
		cni_state_remove(c->network, env->container_id, env->ifname);
		return fail(c->version, CNI_ERR_VIP, "could not make a VIP local",
			    "%s on lo in %s: %s", vip, env->netns, why);
	}
	/* We add no interface or address the runtime should know of: pass prevResult on. */
	json_dumpf(c->prev_result, stdout, JSON_INDENT(2));
	fputc('\n', stdout);
	return 0;
}

/* Remove the pins of the decap on the host-side interface name; gone already is fine. */
static void decap_pins_remove(const char *name)
{
	char dir[PATH_MAX];

	if (!decap_pin_dir(dir, sizeof(dir), NULL, name, DECAP_AT_HOST_VETH_EGRESS))
		decap_unpin(dir);
}

static int cmd_del(const struct cni_env *env, const struct cni_conf *c)
{
	struct vip_job job = { .c = c, .done = c->n_vips };
	struct host_veth v;
	struct cni_err e;
	int i, ifindex;

	cni_state_remove(c->network, env->container_id, env->ifname);
	/* Without the container's namespace its veth is gone too, and with it our filter. */
	if (env->netns && *env->netns) {
		in_netns(env->netns, vips_del, &job);
		if (!host_veth_find(env, c, &v, &e)) {
			decap_filter_remove(v.ifindex);
			decap_pins_remove(v.name);
			return 0;
		}
	}
	/* No peer to follow: look for our filter and pins on every host-side interface listed. */
	for (i = 0; i < c->n_ifaces; i++) {
		if (c->ifaces[i].sandbox)
			continue;
		ifindex = (int)if_nametoindex(c->ifaces[i].name);
		if (ifindex > 0 && env->netns && *env->netns)
			decap_filter_remove(ifindex);
		decap_pins_remove(c->ifaces[i].name);
	}
	return 0;
}

static int cmd_check(const struct cni_env *env, const struct cni_conf *c)
{
	struct vip_job job = { .c = c };
	struct host_veth v;
	struct cni_err e;
	char buf[ADDR_STRLEN];
	int err;

	if (!c->prev_result)
		return fail(c->version, CNI_ERR_CONFIG, "invalid network config",
			    "CHECK needs prevResult");
	if (host_veth_find(env, c, &v, &e))
		return cni_fail(c->version, &e);
	err = decap_filter_query(v.ifindex, NULL);
	if (err)
		return fail(c->version, CNI_ERR_NO_FILTER, "the decap filter is missing",
			    "no %s program at TC egress handle %d priority %d on %s: %s",
			    DECAP_PROG_NAME, DECAP_TC_HANDLE, DECAP_TC_PRIORITY, v.name,
			    strerror(-err));
	err = in_netns(env->netns, vips_check, &job);
	if (err)
		return fail(c->version, CNI_ERR_IO, "I/O failure", "list addresses in %s: %s",
			    env->netns, strerror(-err));
	if (job.missing >= 0)
		return fail(c->version, CNI_ERR_NO_VIP, "a VIP is not local",
			    "%s is not on lo in %s",
			    addr_str(&c->vips[job.missing], buf, sizeof(buf)), env->netns);
	return 0;
}

static int cmd_version(json_t *root)
{
	const char *v = json_string_value(json_object_get(root, "cniVersion"));
	json_t *o =
		json_pack("{s:s, s:[s,s,s]}", "cniVersion", cni_version_supported(v) ? v : "1.1.0",
			  "supportedVersions", "0.4.0", "1.0.0", "1.1.0");

	json_dumpf(o, stdout, JSON_INDENT(2));
	fputc('\n', stdout);
	json_decref(o);
	return 0;
}

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif

/* STATUS (CNI 1.1): could an ADD attach the decap now? Loads it once to find out. */
static int cmd_status(const struct cni_conf *c)
{
	struct statfs fs;
	int err;

	if (statfs("/sys/fs/bpf", &fs) || fs.f_type != BPF_FS_MAGIC)
		return fail(c->version, CNI_ERR_UNAVAILABLE, "the plugin is not available",
			    "no bpffs on /sys/fs/bpf: ADD pins each decap's counters there "
			    "(mount -t bpf bpf /sys/fs/bpf)");
	err = decap_probe();
	if (err)
		return fail(c->version, CNI_ERR_UNAVAILABLE, "the plugin is not available",
			    "the decap program does not load: %s (libbpf's reason is on stderr)",
			    strerror(-err));
	return 0;
}

struct gc_job {
	const char *network;
	json_t *valid; /* cni.dev/valid-attachments */
	int removed;
};

static bool attachment_valid(json_t *valid, const char *cid, const char *ifname)
{
	json_t *v;
	size_t i;

	json_array_foreach(valid, i, v) {
		const char *vc = json_string_value(json_object_get(v, "containerID"));
		const char *vi = json_string_value(json_object_get(v, "ifname"));

		if (vc && vi && !strcmp(vc, cid) && !strcmp(vi, ifname))
			return true;
	}
	return false;
}

/*
 * A stale attachment: its veth is gone (the pins are all that is left) or still carries the
 * very program its ADD attached (remove both). A veth of that name with another program
 * belongs to someone else now: only the record goes.
 */
static int gc_one(const struct cni_attachment *a, void *ctx)
{
	struct gc_job *j = ctx;
	int ifindex = (int)if_nametoindex(a->host_veth);
	__u32 id = 0;

	if (attachment_valid(j->valid, a->container_id, a->ifname))
		return 0;
	if (!ifindex) {
		decap_unpin(a->pins);
	} else if (!decap_filter_query(ifindex, &id) && id == a->prog_id) {
		decap_filter_remove(ifindex);
		decap_unpin(a->pins);
	}
	cni_state_remove(j->network, a->container_id, a->ifname);
	j->removed++;
	return 0;
}

/* GC (CNI 1.1): undo every attachment of this network that the runtime does not list. */
static int cmd_gc(json_t *root, const struct cni_conf *c)
{
	struct gc_job j = { .network = c->network,
			    .valid = json_object_get(root, "cni.dev/valid-attachments") };
	int err;

	if (!json_is_array(j.valid))
		return fail(c->version, CNI_ERR_CONFIG, "invalid network config",
			    "GC needs \"cni.dev/valid-attachments\", a list (empty: none is "
			    "valid)");
	if (!*c->network)
		return fail(c->version, CNI_ERR_CONFIG, "invalid network config",
			    "GC needs the network's \"name\"");
	err = cni_state_foreach(c->network, gc_one, &j);
	if (err)
		return fail(c->version, CNI_ERR_IO, "I/O failure", "read " CNI_STATE_DIR "/%s: %s",
			    c->network, strerror(-err));
	return 0;
}

/* The variable a command needs that is unset or empty, or NULL (STATUS and GC need none). */
static const char *env_missing(const struct cni_env *env, bool *empty)
{
	bool del = !strcmp(env->command, "DEL");
	const char *name = NULL, *value = NULL;

	if (!strcmp(env->command, "STATUS") || !strcmp(env->command, "GC"))
		return NULL;
	if (!env->container_id || !*env->container_id)
		name = "CNI_CONTAINERID", value = env->container_id;
	else if (!env->ifname || !*env->ifname)
		name = "CNI_IFNAME", value = env->ifname;
	else if (!del && (!env->netns || !*env->netns))
		name = "CNI_NETNS", value = env->netns;
	*empty = value != NULL;
	return name;
}

int main(int argc, char **argv)
{
	struct cni_env env = {
		.command = getenv("CNI_COMMAND"),
		.container_id = getenv("CNI_CONTAINERID"),
		.netns = getenv("CNI_NETNS"),
		.ifname = getenv("CNI_IFNAME"),
	};
	struct cni_conf c;
	struct cni_err e;
	json_error_t jerr;
	const char *name;
	json_t *root;
	bool empty;
	int ret;

	if (argc > 1 && (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V"))) {
		cli_version("dsrlab-cni", stdout);
		return 0;
	}
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs("Usage: CNI_COMMAND=ADD|DEL|CHECK|STATUS|GC|VERSION dsrlab-cni <CONFIG.json\n"
		      "       dsrlab-cni --version\n"
		      "A chained CNI plugin (spec 1.1.0, 1.0.0, 0.4.0) run by a container runtime\n"
		      "after bridge or ptp: it attaches the DSR decap on the host end of the\n"
		      "container's veth and puts its VIPs on its lo. See dsrlab-cni(8), docs/cni.md.\n",
		      stdout);
		return 0;
	}
	log_set_level(LOG_WARN); /* stderr: the runtime logs it; stdout is JSON only */
	log_setup_libbpf();
	if (!env.command)
		return fail("1.0.0", CNI_ERR_ENV, "invalid environment variables",
			    "CNI_COMMAND is not set (dsrlab-cni is run by a container runtime; "
			    "see docs/cni.md)");
	root = json_loadf(stdin, 0, &jerr);
	if (!strcmp(env.command, "VERSION")) {
		ret = cmd_version(root); /* no or bad input still gets an answer */
		goto out;
	}
	if (!root)
		return fail("1.0.0", CNI_ERR_DECODE, "failed to decode content",
			    "stdin, line %d: %s", jerr.line, jerr.text);
	if (cni_conf_parse(root, env.ifname ? env.ifname : "", getenv("CNI_ARGS"), &c, &e)) {
		ret = cni_fail(c.version, &e);
		goto out;
	}
	name = env_missing(&env, &empty);
	if (name) {
		ret = fail(c.version, CNI_ERR_ENV, "invalid environment variables",
			   empty ? "%s is set but empty: the runtime must name %s" :
				   "%s is not set: the runtime must name %s",
			   name,
			   !strcmp(name, "CNI_IFNAME") ? "the container's interface (eth0)" :
			   !strcmp(name, "CNI_NETNS")  ? "the container's network namespace" :
							 "the container");
		goto out;
	}
	if (!strcmp(env.command, "ADD"))
		ret = cmd_add(&env, &c);
	else if (!strcmp(env.command, "DEL"))
		ret = cmd_del(&env, &c);
	else if (!strcmp(env.command, "CHECK"))
		ret = cmd_check(&env, &c);
	else if (!strcmp(env.command, "STATUS"))
		ret = cmd_status(&c);
	else if (!strcmp(env.command, "GC"))
		ret = cmd_gc(root, &c);
	else
		ret = fail(c.version, CNI_ERR_ENV, "invalid environment variables",
			   "CNI_COMMAND %s: expected ADD, DEL, CHECK, STATUS, GC or VERSION",
			   env.command);
out:
	json_decref(root);
	return ret;
}
