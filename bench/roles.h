/* SPDX-License-Identifier: GPL-2.0 */
/* The balancer, backend and service roles of a run: set up after the topology, torn down before. */
#ifndef DSRLAB_BENCH_ROLES_H
#define DSRLAB_BENCH_ROLES_H

#include "bench/run.h"

/* Each returns 0 or -errno with r->error set; roles_down() undoes whatever was made. */
int roles_balancer_up(struct run *r);
int roles_backends_up(struct run *r);
int roles_services_up(struct run *r);
void roles_down(struct run *r);

__u8 roles_vip_underlay(const struct sc_vip *v);

#endif
