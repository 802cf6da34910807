/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The faults the failure library can put back into our own programs (docs/bugs.md): each is
 * a known bug of a balancer or a decap, switched on by one flag of the program's config map,
 * so a scenario shows what the bug breaks and the doctor learns to name it. One table of
 * names for the scenario language, dsrlab-lb, dsrlab-backend and a bundle's rebuild.sh.
 */
#ifndef DSRLAB_COMMON_FAULTS_H
#define DSRLAB_COMMON_FAULTS_H

#include <stddef.h>
#include <linux/types.h>

enum fault_of {
	FAULT_OF_BALANCER, /* flags of lb_config (LB_CFG_F_FAULT_*) */
	FAULT_OF_DECAP, /* flags of decap_config (DECAP_F_FAULT_*) */
};

struct fault_def {
	const char *name;
	enum fault_of of;
	__u32 flag;
	const char *what; /* one line: the bug it puts back */
};

extern const struct fault_def fault_defs[];
extern const size_t n_fault_defs;

/* The flag of fault NAME of that program; -1 when there is none of that name. */
int fault_parse(enum fault_of of, const char *name, __u32 *flag);
/* "keep-protocol, gso-grow": the names of that program's faults, for messages. */
const char *fault_names(enum fault_of of);

#endif
