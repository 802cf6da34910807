/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kinds of connection table the balancer can be loaded with, and their names as the CLIs
 * (--conn-table, --conn-kind), scenarios (conn-table:) and reports write them.
 */
#ifndef DSRLAB_COMMON_CONN_KIND_H
#define DSRLAB_COMMON_CONN_KIND_H

enum conn_kind {
	/*
	 * "sets", the default: dsrlab's set-associative table (struct conn_slot,
	 * common/maps.h). A new flow costs array lookups, not a hash insert; an entry can be
	 * evicted while the table has room (both of its sets full).
	 */
	CONN_KIND_SETS,
	CONN_KIND_LRU, /* "lru": the kernel's LRU hash, LRU lists shared by the CPUs */
	/*
	 * "percpu": the LRU hash with LRU lists per CPU (BPF_F_NO_COMMON_LRU): no lock shared
	 * between CPUs on insert and eviction, but each CPU evicts on its own share of the
	 * entries, and a flow seen on two CPUs (RSS change, skb mode) keeps an entry on each.
	 */
	CONN_KIND_PERCPU,
	CONN_KIND_MAX,
};

extern const char *const conn_kind_names[CONN_KIND_MAX];

const char *conn_kind_name(enum conn_kind k);
/* The kind called name: 0, or -1 when there is none. */
int conn_kind_parse(const char *name, enum conn_kind *k);

#endif
