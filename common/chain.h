/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The XDP chain: a root program (bpf/root.bpf.c) holding a prog array of CHAIN_SLOTS slots
 * that runs its members in slot order by tail calls; the balancer sits in the last slot.
 * The member contract is in bpf/chain.h.
 */
#ifndef DSRLAB_COMMON_CHAIN_H
#define DSRLAB_COMMON_CHAIN_H

#ifndef CHAIN_SLOTS
#define CHAIN_SLOTS 8
#endif
#define CHAIN_SLOT_BALANCER (CHAIN_SLOTS - 1) /* last: the balancer never continues */

#define CHAIN_MAP_NAME "chain" /* the prog array, in the root and in every member */
#define CHAIN_SLOT_VAR "chain_slot" /* a member's own slot, written by the loader */

#endif
