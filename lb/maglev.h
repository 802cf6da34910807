/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Maglev consistent hashing (Eisenbud et al., NSDI 2016) with weights: each backend walks
 * its own permutation of the ring and claims the next free slot on its turn. A backend of
 * weight w takes a turn in w of every w_max rounds (credit, not repeated turns), so shares
 * follow weights while each backend's slots stay spread over its own permutation.
 */
#ifndef DSRLAB_LB_MAGLEV_H
#define DSRLAB_LB_MAGLEV_H

#include <stddef.h>
#include <linux/types.h>

struct maglev_backend {
	const void *id; /* stable identity, hashed for the permutation (e.g. the address) */
	size_t id_len;
	__u32 weight; /* 0: takes no slot */
	__u32 value; /* what its slots hold (a real id) */
};

/* Fill ring[0..size) (size prime); slots stay `empty` when no backend has weight. */
int maglev_build(const struct maglev_backend *b, int n, __u32 *ring, __u32 size, __u32 empty);

/* Is n prime (ring sizes must be)? */
int maglev_is_prime(__u32 n);

#endif
