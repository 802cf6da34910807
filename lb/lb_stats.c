// SPDX-License-Identifier: GPL-2.0
/* The balancer library: the data plane's counters (lb/lb.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lb/lb_priv.h"
#include "common/percpu.h"

/* The stats map holds one struct lb_stats per CPU at key 0 (common/maps.h). */
int lb_stats_read(struct lb *lb, struct lb_counter out[LB_STAT_MAX])
{
	int err = percpu_sum_u64(lb->fds[LB_MAP_STATS], 0, (__u64 *)out, LB_STAT_MAX * 2);

	return err == -ENOENT ? 0 : err;
}

int lb_stats_read_cpus(struct lb *lb, struct lb_counter (*out)[LB_STAT_MAX], int ncpu)
{
	int possible = libbpf_num_possible_cpus(), c;
	struct lb_stats *v;
	__u32 zero = 0;

	if (possible < 0)
		return possible;
	if (ncpu < possible)
		return -EINVAL;
	v = calloc(possible, sizeof(*v));
	if (!v)
		return -ENOMEM;
	if (bpf_map_lookup_elem(lb->fds[LB_MAP_STATS], &zero, v))
		memset(v, 0, possible * sizeof(*v));
	for (c = 0; c < possible; c++)
		memcpy(out[c], v[c].c, sizeof(v[c].c));
	free(v);
	return 0;
}
