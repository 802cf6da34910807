/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The failure bundle: what a bug report needs, collected into <outdir>/bundle/ after a
 * failed check and before teardown (docs/doctor.md): the scenario, `ip -j` addresses,
 * routes, links and neighbours of every node, the sysctls that matter, nftables rulesets,
 * the BPF programs attached in each node with a JSON dump of their maps, and rebuild.sh,
 * the commands that make the topology again by hand. nodes.json is what the doctor reads.
 * Nothing here changes the run; a piece that cannot be collected is noted in errors.log.
 */
#ifndef DSRLAB_BENCH_BUNDLE_H
#define DSRLAB_BENCH_BUNDLE_H

#include "bench/env.h"
#include "bench/roles.h"
#include "bench/topology.h"

/* What the bundle reads: the run's namespaces, links and attached programs. */
struct bundle_in {
	const struct env *env;
	const struct topology *topo;
	const struct roles *roles;
};

/* 0, or -errno when the bundle folder could not be made (pieces failing are only noted). */
int bundle_collect(const struct bundle_in *in);
/* bundle/rebuild.sh in dir (bundle_script.c). */
int bundle_rebuild_script(const struct bundle_in *in, const char *dir);

#endif
