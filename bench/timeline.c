// SPDX-License-Identifier: GPL-2.0
#include <pthread.h>

#include "bench/timeline.h"

struct entry_job {
	struct traffic *tr;
	int t;
	__u64 t0;
	int err;
	pthread_t th;
};

static void *entry_thread(void *arg)
{
	struct entry_job *j = arg;

	if (env_sleep_until(j->t0 + j->tr->env->sc->traffic[j->t].start_ms * 1000ull))
		j->err = traffic_run(j->tr, j->t);
	return NULL;
}

int timeline_run(struct traffic *tr, struct phases *ph)
{
	struct entry_job jobs[SC_MAX_TRAFFIC];
	__u64 t0 = env_clock_usec();
	int i, n, err;

	err = phases_start(ph, t0);
	for (n = 0; !err && n < tr->env->sc->n_traffic; n++) {
		jobs[n] = (struct entry_job){ .tr = tr, .t = n, .t0 = t0 };
		err = -pthread_create(&jobs[n].th, NULL, entry_thread, &jobs[n]);
		if (err)
			break;
	}
	for (i = 0; i < n; i++) {
		pthread_join(jobs[i].th, NULL);
		if (!err)
			err = jobs[i].err;
	}
	i = phases_wait(ph);
	return err ? err : i;
}
