/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `dsrlab bench --micro`: the balancer's and the decap's cost per packet class with
 * BPF_PROG_RUN, beside no-op programs (and, for the decap, a strip-only floor) measured the
 * same way in the same process, each iteration proven by the programs' own counters; and the
 * Maglev ring build times. Not a timed test: it reports.
 */
#ifndef DSRLAB_BENCH_MICRO_H
#define DSRLAB_BENCH_MICRO_H

#include <stdbool.h>
#include <linux/types.h>

#include "common/conn_kind.h"
#include "common/flow.h"

#define MICRO_PKT_MAX 256

/*
 * The packet every iteration of micro_wrap (bpf/micro.bpf.c) restores, written by user space
 * into the wrapper's .bss (micro_tc_wrap, the decap's, uses it too). With del_conn set,
 * conn_key (a struct flow_key) is deleted from the balancer's connection table before each
 * iteration: the SYN class misses it every time. With flows set, each iteration then writes
 * the next of that many TCP source ports (sport_base, sport_base + 1, ..., again from
 * sport_base) at sport_off: a class of many flows in turn. next_flow (micro.bpf.c) is the
 * index of the next one.
 */
struct micro_pkt {
	__u32 len;
	__u32 del_conn;
	__u8 conn_key[sizeof(struct flow_key)];
	__u8 data[MICRO_PKT_MAX];
	__be16 skb_proto; /* TC: the skb->protocol the packet is restored with (its ethertype) */
	__u16 sport_off;
	__u32 flows;
	__u16 sport_base;
	__u16 pad[3];
};
_Static_assert(sizeof(struct micro_pkt) == 8 + 40 + MICRO_PKT_MAX + 16, "micro_pkt layout");

/*
 * micro_tc_strip's settings: strip len bytes after the Ethernet header with adjust_room flags,
 * and write ethertype (network order; 0: leave it) in front of what is left. A run counts in
 * seen every iteration that met a packet of encap_len bytes, the encapsulated one.
 */
struct micro_strip {
	__u32 len;
	__u32 encap_len;
	__u64 flags;
	__be16 ethertype;
	__u16 pad[3];
};
_Static_assert(sizeof(struct micro_strip) == 24, "micro_strip layout");

#define MICRO_RUNS_DEFAULT   5
#define MICRO_REPEAT_DEFAULT 1000000

struct micro_opts {
	int runs; /* runs per program and class; the median is reported */
	__u32 repeat; /* BPF_PROG_RUN iterations per run */
	bool json; /* JSON on stdout instead of the text table */
	__u32 conn_table; /* entries of the balancer's connection table; 0: LB_CONN_TABLE_SIZE */
	enum conn_kind conn_kind; /* --conn-kind: the table dsrlab-lb attach --conn-table loads */
	const char *only; /* --only: comma-separated class names and/or "maglev"; NULL: all */
};

/*
 * Run the micro-benchmark and print its report. Returns an exit code: 0 measured (goals are
 * informational), 1 an iteration did not run as set up (wrapper failure, counters that do not
 * add up), 3 setup error, 4 not root.
 */
int micro_bench(const struct micro_opts *o);

#endif
