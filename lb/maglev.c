// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lb/maglev.h"
#include "common/flow.h"

#define MAGLEV_SEED_OFFSET 0x6d61676cu /* "magl" */
#define MAGLEV_SEED_SKIP   0x65763031u /* "ev01" */

int maglev_is_prime(__u32 n)
{
	__u32 d;

	if (n < 2)
		return 0;
	for (d = 2; (__u64)d * d <= n; d++)
		if (n % d == 0)
			return 0;
	return 1;
}

struct maglev_state {
	__u64 offset;
	__u64 skip;
	__u64 next;
	__u64 credit;
};

int maglev_build(const struct maglev_backend *b, int n, __u32 *ring, __u32 size, __u32 empty)
{
	struct maglev_state *st;
	unsigned char *taken;
	__u32 max_w = 0, filled = 0;
	__u64 slot;
	int i;

	if (!maglev_is_prime(size) || n < 0)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (b[i].weight > max_w)
			max_w = b[i].weight;
	for (slot = 0; slot < size; slot++)
		ring[slot] = empty;
	if (!max_w)
		return 0;

	st = calloc(n, sizeof(*st));
	taken = calloc(size, 1);
	if (!st || !taken) {
		free(st);
		free(taken);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		st[i].offset = hash_bytes(b[i].id, b[i].id_len, MAGLEV_SEED_OFFSET) % size;
		st[i].skip = hash_bytes(b[i].id, b[i].id_len, MAGLEV_SEED_SKIP) % (size - 1) + 1;
	}
	while (filled < size) {
		for (i = 0; i < n && filled < size; i++) {
			if (!b[i].weight)
				continue;
			st[i].credit += b[i].weight;
			if (st[i].credit < max_w)
				continue;
			st[i].credit -= max_w;
			do {
				slot = (st[i].offset + st[i].next * st[i].skip) % size;
				st[i].next++;
			} while (taken[slot]);
			taken[slot] = 1;
			ring[slot] = b[i].value;
			filled++;
		}
	}
	free(st);
	free(taken);
	return 0;
}
