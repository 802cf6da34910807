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
/* Pin node c's decap maps in the run's pin folder (again after a replace-decap phase). */
int roles_decap_pin(const struct run *r, int c);

__u8 roles_vip_underlay(const struct sc_vip *v);
/* The data plane's enum encap_type of a scenario's encapsulation. */
__u8 roles_vip_encap(enum sc_encap e);

/*
 * Detach node's decap, then (at >= 0, an enum decap_at) attach it at another point: a
 * container at host-veth-egress or container-ingress, a host on its uplink (host-nic, strict).
 * The throughput bench compares the points in one run.
 */
int roles_decap_move(struct run *r, int node, int at);

#endif
