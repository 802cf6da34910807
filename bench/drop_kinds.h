/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Two kinds of kernel drop reason that no check counts unless it names them (docs/scenarios.md,
 * "drops"): NOT_SPECIFIED, which routine frees report on every run, and queue overflow, where
 * the kernel refused nothing but had no room: a per-CPU backlog, a qdisc, a ring, a socket's
 * buffer full because the CPU that empties it was busy. On a loaded CI machine a bulk flow
 * overflows the 1000-packet backlog of the CPU that receive packet steering picked
 * (net.core.netdev_max_backlog is global, not per namespace, so the bench leaves it); TCP
 * resends and every byte still arrives. That is capacity, which `dsrlab bench` measures,
 * not the data path refusing packets, which is what "no drops" asserts.
 */
#ifndef DSRLAB_BENCH_DROP_KINDS_H
#define DSRLAB_BENCH_DROP_KINDS_H

#include <stdbool.h>
#include <string.h>

static inline bool drop_reason_routine(const char *reason)
{
	return !strcmp(reason, "NOT_SPECIFIED");
}

static inline bool drop_reason_overflow(const char *reason)
{
	static const char *const full[] = { "CPU_BACKLOG", "QDISC_DROP", "FULL_RING",
					    "SOCKET_RCVBUFF", "SOCKET_BACKLOG" };
	unsigned int i;

	for (i = 0; i < sizeof(full) / sizeof(full[0]); i++)
		if (!strcmp(reason, full[i]))
			return true;
	return false;
}

#endif
