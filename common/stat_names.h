/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The names of the balancer's and the decap's counters, as `stats` prints them and scenario
 * checks name them. Pure: the scenario loader uses them without linking any BPF object.
 */
#ifndef DSRLAB_COMMON_STAT_NAMES_H
#define DSRLAB_COMMON_STAT_NAMES_H

#include "common/maps.h"

extern const char *const lb_stat_names[LB_STAT_MAX];
extern const char *const decap_stat_names[DECAP_STAT_MAX];

const char *lb_stat_name(enum lb_stat s);
const char *decap_stat_name(enum decap_stat s);
/* The counter called name, or -ENOENT. */
int lb_stat_parse(const char *name);
int decap_stat_parse(const char *name);

#endif
