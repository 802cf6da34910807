/* SPDX-License-Identifier: GPL-2.0 */
/* Per-CPU counter maps from user space: one value per possible CPU, summed or cleared. */
#ifndef DSRLAB_COMMON_PERCPU_H
#define DSRLAB_COMMON_PERCPU_H

#include <stddef.h>
#include <linux/types.h>

/*
 * Sum key's value over CPUs into sums[0..fields), the value being `fields` __u64 counters
 * (struct lb_counter: 2, a plain counter: 1). 0 or -errno; sums are 0 on error.
 */
int percpu_sum_u64(int fd, __u32 key, __u64 *sums, unsigned int fields);
/* Zero key's value on every CPU. */
int percpu_clear(int fd, __u32 key, size_t value_size);

#endif
