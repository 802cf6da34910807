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

static void capture_point_add(struct run *r, const struct sc_point *p)
{
	int i;

	for (i = 0; i < r->n_caps; i++)
		if (!strcmp(r->cap_points[i].node, p->node) &&
		    !strcmp(r->cap_points[i].iface, p->iface))
			return;
	if (r->n_caps == EV_MAX_CAPTURES)
		return;
	r->cap_points[r->n_caps] = *p;
	snprintf(r->cap_files[r->n_caps], PATH_MAX, "%s/%s.%s.pcap", r->env.outdir, p->node,
		 p->iface);
	r->n_caps++;
}

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

/* Every point the scenario captures, and every point a check looks at. */
int observe_captures_up(struct run *r)
{
	struct capture_job j;
	const struct scenario *sc = r->sc;
	const char *filter;
	int i, k, snaplen, node, err;

	for (i = 0; i < sc->n_captures; i++)
		capture_point_add(r, &sc->captures[i].at);
	for (i = 0; i < sc->n_expects; i++)
		if (sc->expects[i].kind == SC_EXPECT_NEVER_SEEN ||
		    sc->expects[i].kind == SC_EXPECT_SEEN ||
		    sc->expects[i].kind == SC_EXPECT_ENCAPSULATED)
			capture_point_add(r, &sc->expects[i].at);
	for (i = 0; i < r->n_caps; i++) {
		filter = "";
		snaplen = 262144;
		for (k = 0; k < sc->n_captures; k++) {
			if (!strcmp(sc->captures[k].at.node, r->cap_points[i].node) &&
			    !strcmp(sc->captures[k].at.iface, r->cap_points[i].iface)) {
				filter = sc->captures[k].filter;
				snaplen = sc->captures[k].snaplen;
			}
		}
		node = env_node_index(&r->env, r->cap_points[i].node);
		j = (struct capture_job){ .cap = &r->caps[i],
					  .iface = r->cap_points[i].iface,
					  .filter = filter,
					  .snaplen = snaplen,
					  .file = r->cap_files[i] };
		err = env_run(&r->env, node, capture_start_here, &j);
		if (err && !j.ran)
			return env_fail(&r->env, err, "enter namespace");
		if (err)
			return j.why[0] ? env_failf(&r->env, err, "%s", j.why) :
					  env_fail(&r->env, err, "start a capture");
	}
	return 0;
}

void observe_captures_down(struct run *r)
{
	int i;

	for (i = 0; i < r->n_caps; i++) {
		if (r->caps[i])
			capture_stop(r->caps[i], &r->cap_stats[i]);
		r->caps[i] = NULL;
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

/* Kernel drops in our namespaces, by node, interface and reason. */
void observe_drops_collect(struct run *r, struct evidence *ev)
{
	struct drop_count dc[EV_MAX_DROPS];
	__u32 inodes[SC_MAX_NODES];
	int i, k, n;

	if (!r->drop_tracer)
		return;
	for (i = 0; i < r->sc->n_nodes; i++)
		inodes[i] = r->env.nodes[i].ns_inode;
	n = drops_read(r->drop_tracer, inodes, r->sc->n_nodes, dc, EV_MAX_DROPS);
	for (k = 0; k < n; k++) {
		struct ev_drop *d = &ev->drops[ev->n_drops++];

		for (i = 0; i < r->sc->n_nodes && inodes[i] != dc[k].netns; i++)
			;
		d->node = i;
		d->count = dc[k].count;
		snprintf(d->reason, sizeof(d->reason), "%s", dc[k].reason);
		if (dc[k].ifindex)
			env_run(&r->env, i, ifname_here,
				&(struct ifname_job){ dc[k].ifindex, d->iface, sizeof(d->iface) });
	}
}

/* Namespace identities, then the tracer; a kernel without it is said, not hidden. */
void observe_drops_up(struct run *r)
{
	struct stat st;
	int i, err;

	for (i = 0; i < r->sc->n_nodes; i++)
		if (!fstat(r->env.nodes[i].ns_fd, &st))
			r->env.nodes[i].ns_inode = st.st_ino;
	err = drops_start(&r->drop_tracer);
	if (err)
		pr_warn("dsrlab: kernel drop reasons will not be reported: %s\n", strerror(-err));
}

void observe_drops_down(struct run *r)
{
	drops_stop(r->drop_tracer);
	r->drop_tracer = NULL;
}
