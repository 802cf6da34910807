// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench/env.h"
#include "common/netns.h"

volatile sig_atomic_t env_stop;

void env_init(struct env *e, const struct scenario *sc)
{
	int i;

	memset(e, 0, sizeof(*e));
	e->sc = sc;
	pthread_mutex_init(&e->lock, NULL);
	for (i = 0; i < SC_MAX_NODES; i++)
		e->nodes[i].ns_fd = -1;
	for (i = 0; sc && i < sc->n_nodes; i++)
		e->nodes[i].sc = &sc->nodes[i];
}

__u64 env_clock_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000ull + ts.tv_nsec / 1000;
}

bool env_sleep_until(__u64 when)
{
	__u64 now;

	while ((now = env_clock_usec()) < when) {
		if (env_stop)
			return false;
		usleep(when - now < 10000 ? when - now : 10000);
	}
	return !env_stop;
}

int env_node_index(const struct env *e, const char *name)
{
	return scenario_node_index(e->sc, name);
}

int env_failf(struct env *e, int err, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&e->lock);
	if (!e->error[0]) {
		va_start(ap, fmt);
		vsnprintf(e->error, sizeof(e->error), fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&e->lock);
	return err;
}

int env_fail(struct env *e, int err, const char *what)
{
	return env_failf(e, err, "%s: %s", what, strerror(-err));
}

bool env_failed(struct env *e)
{
	bool failed;

	pthread_mutex_lock(&e->lock);
	failed = e->error[0];
	pthread_mutex_unlock(&e->lock);
	return failed;
}

int env_run(const struct env *e, int node, int (*fn)(void *arg), void *arg)
{
	int saved, err;

	if (node < 0 || node >= SC_MAX_NODES || e->nodes[node].ns_fd < 0)
		return -ENOENT;
	err = netns_enter(e->nodes[node].ns_fd, &saved);
	if (err)
		return err;
	err = fn(arg);
	netns_leave(saved);
	return err;
}
