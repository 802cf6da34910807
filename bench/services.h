/* SPDX-License-Identifier: GPL-2.0 */
/* The scenario's services: echo, sink and discard servers, and commands, each in its node. */
#ifndef DSRLAB_BENCH_SERVICES_H
#define DSRLAB_BENCH_SERVICES_H

#include "bench/env.h"

struct echo_server;
struct command;

struct services {
	struct env *env;
	struct echo_server *echo[SC_MAX_SERVICES];
	struct command *commands[SC_MAX_SERVICES]; /* command services */
};

/* Start every service and wait until each is ready; env's error says which one was not. */
int services_up(struct services *s, struct env *e);
/* Stop whatever services_up() started. */
void services_down(struct services *s);

#endif
