// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>

#include "bench/evidence.h"

bool evidence_lb_stats(const struct evidence *ev, int k, struct lb_counter out[LB_STAT_MAX])
{
	bool valid = false;
	int i, s;

	memset(out, 0, sizeof(out[0]) * LB_STAT_MAX);
	for (i = 0; i < ev->n_lbs; i++) {
		if ((k >= 0 && i != k) || !ev->lbs[i].stats_valid)
			continue;
		valid = true;
		for (s = 0; s < LB_STAT_MAX; s++) {
			out[s].packets += ev->lbs[i].stats[s].packets;
			out[s].bytes += ev->lbs[i].stats[s].bytes;
		}
	}
	return valid;
}

const struct ev_capture *evidence_capture(const struct evidence *ev, int point)
{
	return point >= 0 && point < ev->n_caps ? &ev->caps[point] : NULL;
}

void evidence_free(struct evidence *ev)
{
	int i;

	for (i = 0; i < SC_MAX_TRAFFIC; i++) {
		free(ev->command_output[i]);
		ev->command_output[i] = NULL;
	}
}
