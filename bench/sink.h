/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The bench's sink (bpf/sink.bpf.c): per-CPU counts of the generator's frames, good or
 * malformed, and of anything else. Attach it as XDP on an interface (sink_xdp_fd()), or as
 * a socket filter on a UDP socket it opens (sink_socket_open()).
 */
#ifndef DSRLAB_BENCH_SINK_H
#define DSRLAB_BENCH_SINK_H

#include <linux/types.h>

#include "common/addr.h"
#include "common/gen.h"

struct sink_spec {
	__u32 frame_len; /* as generated, without an encapsulation */
	__u32 encap_len; /* an encapsulation the XDP sink also accepts (outer IP [+ UDP]); 0 */
	__u8 outer_family; /* FAM_IPV4 / FAM_IPV6 of that encapsulation */
	bool outer_gue;
	__u16 gue_port;
	__u8 inner_family; /* FAM_IPV4 / FAM_IPV6 */
	__u8 proto; /* IPPROTO_UDP / IPPROTO_TCP */
	__u16 dport; /* host order */
};

struct sink;

int sink_open(struct sink **out, const struct sink_spec *s);
void sink_close(struct sink *s);
int sink_xdp_fd(const struct sink *s);
/*
 * A UDP socket bound to listen in the calling thread's namespace with the socket sink
 * attached (it counts and drops every datagram). Returns the socket or -errno.
 */
int sink_socket_open(struct sink *s, const struct endpoint *listen);
/* Counters summed over CPUs. */
int sink_read(const struct sink *s, struct sink_counter out[SINK_STAT_MAX]);
/* Good frames per CPU into good[ncpu] (libbpf_num_possible_cpus()). */
int sink_read_cpus(const struct sink *s, __u64 *good, int ncpu);

#endif
