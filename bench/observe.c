// SPDX-License-Identifier: GPL-2.0
/* What a run watches: packet captures at named points and the kernel's drop reasons. */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "bench/observe.h"
#include "common/log.h"
#include "common/netns.h"

struct capture_job {
	struct capture **cap;
	const char *iface, *filter, *file;
	int snaplen;
	bool ran;
	char why[512];
};

static int capture_start_here(void *arg)
{
	struct capture_job *j = arg;

	j->ran = true;
	return capture_start(j->cap, j->iface, j->filter, j->snaplen, j->file, j->why,
			     sizeof(j->why));
}

/* Every point the scenario captures, and every point a check looks at (sc->cap_points). */
int observe_captures_up(struct observe *o)
{
	struct capture_job j;
	const struct scenario *sc = o->env->sc;
	const struct sc_capture *c;
	int i, err;

	for (i = 0; i < sc->n_cap_points; i++) {
		o->caps[i].at = sc->cap_points[i].at;
		snprintf(o->caps[i].file, sizeof(o->caps[0].file), "%s/%s.%s.pcap", o->env->outdir,
			 o->caps[i].at.node, o->caps[i].at.iface);
	}
	o->n_caps = sc->n_cap_points;
	for (i = 0; i < o->n_caps; i++) {
		const struct sc_point *at = &o->caps[i].at;

		c = sc->cap_points[i].capture < 0 ? NULL : &sc->captures[sc->cap_points[i].capture];
		j = (struct capture_job){ .cap = &o->handles[i],
					  .iface = at->iface,
					  .filter = c ? c->filter : "",
					  .snaplen = c ? c->snaplen : 262144,
					  .file = o->caps[i].file };
		err = env_run(o->env, at->node_idx, capture_start_here, &j);
		if (err && !j.ran)
			return env_fail(o->env, err, "enter namespace");
		if (err)
			return j.why[0] ? env_failf(o->env, err, "%s", j.why) :
					  env_fail(o->env, err, "start a capture");
	}
	return 0;
}

void observe_captures_down(struct observe *o)
{
	int i;

	for (i = 0; i < o->n_caps; i++) {
		if (o->handles[i])
			capture_stop(o->handles[i], &o->caps[i].stats);
		o->handles[i] = NULL;
	}
}

struct ifname_job {
	unsigned int ifindex;
	char *name;
	size_t len;
};

static int ifname_here(void *arg)
{
	struct ifname_job *j = arg;

	if (!if_indextoname(j->ifindex, j->name))
		snprintf(j->name, j->len, "if%u", j->ifindex);
	return 0;
}

/* The captures as they were stopped; kernel drops in our namespaces, by node, interface, reason. */
void observe_collect(const struct observe *o, struct evidence *ev, bool live)
{
	struct drop_count dc[EV_MAX_DROPS];
	__u32 inodes[SC_MAX_NODES];
	int i, k, n;

	memcpy(ev->caps, o->caps, sizeof(ev->caps));
	ev->n_caps = o->n_caps;
	ev->drops_traced = o->tracer;
	if (!o->tracer || !live)
		return;
	for (i = 0; i < o->env->sc->n_nodes; i++)
		inodes[i] = o->env->nodes[i].ns_inode;
	n = drops_read(o->tracer, inodes, o->env->sc->n_nodes, dc, EV_MAX_DROPS);
	for (k = 0; k < n; k++) {
		struct ev_drop *d = &ev->drops[ev->n_drops++];

		for (i = 0; i < o->env->sc->n_nodes && inodes[i] != dc[k].netns; i++)
			;
		d->node = i;
		d->count = dc[k].count;
		snprintf(d->reason, sizeof(d->reason), "%s", dc[k].reason);
		if (dc[k].ifindex)
			env_run(o->env, i, ifname_here,
				&(struct ifname_job){ dc[k].ifindex, d->iface, sizeof(d->iface) });
	}
}

/* Namespace identities, then the tracer; a kernel without it is said, not hidden. */
void observe_drops_up(struct observe *o, struct env *e)
{
	struct stat st;
	int i, err;

	o->env = e;
	for (i = 0; i < o->env->sc->n_nodes; i++)
		if (!fstat(o->env->nodes[i].ns_fd, &st))
			o->env->nodes[i].ns_inode = st.st_ino;
	err = drops_start(&o->tracer);
	if (err)
		pr_warn("dsrlab: kernel drop reasons will not be reported: %s\n", strerror(-err));
}

void observe_drops_down(struct observe *o)
{
	drops_stop(o->tracer);
	o->tracer = NULL;
}
