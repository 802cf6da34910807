// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "common/percpu.h"

int percpu_sum_u64(int fd, __u32 key, __u64 *sums, unsigned int fields)
{
	int ncpu = libbpf_num_possible_cpus(), c, err = 0;
	unsigned int f;
	__u64 *v;

	memset(sums, 0, fields * sizeof(*sums));
	if (ncpu < 0)
		return ncpu;
	v = calloc((size_t)ncpu * fields, sizeof(*v));
	if (!v)
		return -ENOMEM;
	if (bpf_map_lookup_elem(fd, &key, v))
		err = -errno;
	for (c = 0; !err && c < ncpu; c++)
		for (f = 0; f < fields; f++)
			sums[f] += v[c * fields + f];
	free(v);
	return err;
}

int percpu_clear(int fd, __u32 key, size_t value_size)
{
	int ncpu = libbpf_num_possible_cpus(), err = 0;
	void *v;

	if (ncpu < 0)
		return ncpu;
	/* The kernel rounds each CPU's value up to 8 bytes. */
	v = calloc(ncpu, (value_size + 7) & ~(size_t)7);
	if (!v)
		return -ENOMEM;
	if (bpf_map_update_elem(fd, &key, v, BPF_ANY))
		err = -errno;
	free(v);
	return err;
}
