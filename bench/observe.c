// SPDX-License-Identifier: GPL-2.0
/* What a run watches: packet captures at named points and the kernel's drop reasons. */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "bench/observe.h"
#include "bench/checks.h"
#include "common/log.h"
#include "common/netns.h"

static void capture_point_add(struct run *r, const struct sc_point *p)
{
	if (checks_capture_file(r, p) || r->n_caps == SC_MAX_CAPTURES + SC_MAX_EXPECTS)
		return;
	r->cap_points[r->n_caps] = *p;
	snprintf(r->cap_files[r->n_caps], PATH_MAX, "%s/%s.%s.pcap", r->outdir, p->node, p->iface);
	r->n_caps++;
}

/* Every point the scenario captures, and every point a check looks at. */
int observe_captures_up(struct run *r)
{
	const struct scenario *sc = r->sc;
	const char *filter;
	int i, k, snaplen, node, saved, err;

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
		node = run_node_index(r, r->cap_points[i].node);
		err = run_enter(r, node, &saved);
		if (err)
			return run_fail(r, err, "enter namespace");
		err = capture_start(&r->caps[i], r->cap_points[i].iface, filter, snaplen,
				    r->cap_files[i], r->error, sizeof(r->error));
		netns_leave(saved);
		if (err)
			return err;
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

/* Kernel drops in our namespaces, by node, interface and reason. */
void observe_drops_collect(struct run *r)
{
	struct drop_count dc[RUN_MAX_DROPS];
	__u32 inodes[SC_MAX_NODES];
	int i, k, n, saved;

	if (!r->drop_tracer)
		return;
	for (i = 0; i < r->sc->n_nodes; i++)
		inodes[i] = r->nodes[i].ns_inode;
	n = drops_read(r->drop_tracer, inodes, r->sc->n_nodes, dc, RUN_MAX_DROPS);
	for (k = 0; k < n; k++) {
		struct run_drop *d = &r->drops[r->n_drops++];

		for (i = 0; i < r->sc->n_nodes && inodes[i] != dc[k].netns; i++)
			;
		d->node = i;
		d->count = dc[k].count;
		snprintf(d->reason, sizeof(d->reason), "%s", dc[k].reason);
		if (dc[k].ifindex && !run_enter(r, i, &saved)) {
			if (!if_indextoname(dc[k].ifindex, d->iface))
				snprintf(d->iface, sizeof(d->iface), "if%u", dc[k].ifindex);
			netns_leave(saved);
		}
	}
}

/* Namespace identities, then the tracer; a kernel without it is said, not hidden. */
void observe_drops_up(struct run *r)
{
	struct stat st;
	int i, err;

	for (i = 0; i < r->sc->n_nodes; i++)
		if (!fstat(r->nodes[i].ns_fd, &st))
			r->nodes[i].ns_inode = st.st_ino;
	err = drops_start(&r->drop_tracer);
	if (err)
		pr_warn("dsrlab: kernel drop reasons will not be reported: %s\n", strerror(-err));
}

void observe_drops_down(struct run *r)
{
	drops_stop(r->drop_tracer);
	r->drop_tracer = NULL;
}
