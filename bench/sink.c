// SPDX-License-Identifier: GPL-2.0
/* The bench's sink: loading bpf/sink.bpf.c, its socket, its counters (bench/sink.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench/sink.h"
#include "common/flow.h"
#include "common/log.h"
#include "sink.skel.h"

struct sink {
	struct sink_bpf *skel;
	int ncpu;
};

int sink_open(struct sink **out, const struct sink_spec *sp)
{
	struct sink *s = calloc(1, sizeof(*s));
	int err;

	if (!s)
		return -ENOMEM;
	s->ncpu = libbpf_num_possible_cpus();
	s->skel = sink_bpf__open();
	if (!s->skel) {
		err = -errno;
		goto fail;
	}
	s->skel->rodata->frame_len = sp->frame_len;
	s->skel->rodata->encap_len = sp->encap_len;
	s->skel->rodata->outer_family = sp->outer_family;
	s->skel->rodata->outer_gue = sp->outer_gue;
	s->skel->rodata->gue_port = sp->gue_port;
	s->skel->rodata->inner_family = sp->inner_family;
	s->skel->rodata->l4_proto = sp->proto;
	s->skel->rodata->dport = sp->dport;
	err = sink_bpf__load(s->skel);
	if (err) {
		pr_warn("sink: load bpf/sink.bpf.c: %s\n", strerror(-err));
		goto fail;
	}
	*out = s;
	return 0;
fail:
	sink_close(s);
	return err;
}

void sink_close(struct sink *s)
{
	if (!s)
		return;
	sink_bpf__destroy(s->skel);
	free(s);
}

int sink_xdp_fd(const struct sink *s)
{
	return bpf_program__fd(s->skel->progs.sink_xdp);
}

int sink_socket_open(struct sink *s, const struct endpoint *listen)
{
	struct sockaddr_storage ss;
	socklen_t len = endpoint_sockaddr(listen, &ss);
	int fd, prog = bpf_program__fd(s->skel->progs.sink_sock), one = 1;

	fd = socket(addr_af(&listen->addr), SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* The VIP is on lo, so the socket needs no IP_FREEBIND; a wildcard listen takes both. */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_SOCKET, SO_ATTACH_BPF, &prog, sizeof(prog)) ||
	    bind(fd, (struct sockaddr *)&ss, len)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

int sink_read(const struct sink *s, struct sink_counter out[SINK_STAT_MAX])
{
	struct sink_counter *v = calloc(s->ncpu, sizeof(*v));
	int fd = bpf_map__fd(s->skel->maps.sink_stats), cpu, err = 0;
	__u32 key;

	memset(out, 0, sizeof(out[0]) * SINK_STAT_MAX);
	if (!v)
		return -ENOMEM;
	for (key = 0; !err && key < SINK_STAT_MAX; key++) {
		if (bpf_map_lookup_elem(fd, &key, v)) {
			err = -errno;
			break;
		}
		for (cpu = 0; cpu < s->ncpu; cpu++) {
			out[key].packets += v[cpu].packets;
			out[key].bytes += v[cpu].bytes;
		}
	}
	free(v);
	return err;
}

int sink_read_cpus(const struct sink *s, __u64 *good, int ncpu)
{
	struct sink_counter *v = calloc(s->ncpu, sizeof(*v));
	__u32 key = SINK_STAT_GOOD;
	int cpu, err = 0;

	if (!v)
		return -ENOMEM;
	if (bpf_map_lookup_elem(bpf_map__fd(s->skel->maps.sink_stats), &key, v))
		err = -errno;
	for (cpu = 0; cpu < ncpu; cpu++)
		good[cpu] = !err && cpu < s->ncpu ? v[cpu].packets : 0;
	free(v);
	return err;
}
