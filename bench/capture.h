/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libpcap capture at a node:iface, written to a pcap file by a thread until capture_stop().
 * The capture is opened inside the node's namespace; it is active when capture_start()
 * returns, so nothing sent afterwards is missed for lack of a socket.
 */
#ifndef DSRLAB_BENCH_CAPTURE_H
#define DSRLAB_BENCH_CAPTURE_H

#include <stdbool.h>
#include <linux/types.h>

struct capture;

struct capture_stats {
	__u64 written; /* packets in the file */
	__u64 kernel_drop; /* pcap_stats ps_drop: lost before we read them */
};

/* Call with the calling thread inside the node's namespace. */
int capture_start(struct capture **out, const char *iface, const char *filter, int snaplen,
		  const char *file, char *err, size_t errlen);
void capture_stop(struct capture *c, struct capture_stats *st);

/* Count packets of a pcap file that match a filter expression ("" matches all). */
int capture_count(const char *file, const char *filter, __u64 *count, char *err, size_t errlen);

#endif
