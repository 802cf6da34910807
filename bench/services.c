// SPDX-License-Identifier: GPL-2.0
#include <stddef.h>
#include <stdio.h>

#include "bench/services.h"
#include "bench/command.h"
#include "bench/echo.h"

struct echo_job {
	struct echo_server **out;
	const struct sc_service *s;
};

static int echo_start_here(void *arg)
{
	struct echo_job *j = arg;

	return echo_start(j->out, j->s->node, &j->s->listen, j->s->kind);
}

int services_up(struct services *sv, struct env *e)
{
	int i, node, err;

	sv->env = e;
	for (i = 0; i < e->sc->n_services; i++) {
		const struct sc_service *s = &e->sc->services[i];

		node = s->node_idx;
		if (s->kind == SC_SERVICE_COMMAND) {
			err = command_service_start(&sv->commands[i], e, s);
			if (err)
				return err;
			continue;
		}
		err = env_run(e, node, echo_start_here, &(struct echo_job){ &sv->echo[i], s });
		if (err) {
			char what[SC_NAME_MAX + ADDR_STRLEN + 64], ep[ADDR_STRLEN];

			snprintf(what, sizeof(what), "start the %s service of %s on %s (line %d)",
				 s->kind == SC_SERVICE_SINK ? "sink" : "echo", s->node,
				 endpoint_str(&s->listen, ep, sizeof(ep)), s->mark.line);
			return env_fail(e, err, what);
		}
	}
	return 0;
}

void services_down(struct services *sv)
{
	int i;

	for (i = 0; i < SC_MAX_SERVICES; i++) {
		echo_stop(sv->echo[i]);
		sv->echo[i] = NULL;
		command_stop(sv->commands[i]);
		sv->commands[i] = NULL;
	}
}
