/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The backend as a library: attach the TC decap at one of three points, configure what it
 * serves and whom it trusts, make a VIP local in a container. Everything acts on the calling
 * thread's network namespace.
 */
#ifndef DSRLAB_BACKEND_DECAP_H
#define DSRLAB_BACKEND_DECAP_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "common/addr.h"
#include "common/decap_at.h"
#include "common/path.h"
#include "common/maps.h"
#include "common/stat_names.h"

/* Where `dsrlab-backend attach` and dsrlab-cni pin each decap's maps. */
#define DECAP_PIN_ROOT DSRLAB_PIN_ROOT "/backend"
/* Where decap sits in its TC hook: every attach, detach, replace and lookup uses these. */
#define DECAP_TC_HANDLE	  1
#define DECAP_TC_PRIORITY 1

struct decap_opts {
	int ifindex;
	enum decap_at at;
	/*
	 * Outer destinations decapsulated, at most one per family (a dual-stack container).
	 * host-nic: the host's addresses (strict), or any (none given).
	 */
	struct ip_addr serve[2];
	int n_serve;
	bool strict; /* host-nic: only `serve`, others route on untouched */
	const struct ip_prefix *allow; /* balancer prefixes (outer source) */
	int n_allow;
	__u16 gue_port; /* 0: no GUE */
	/*
	 * Replace a decap already attached at this point in one step (same handle and
	 * priority, BPF_TC_F_REPLACE): each packet meets the old program or the new one.
	 * Without it an existing filter is an error (-EEXIST).
	 */
	bool replace;
	__u32 faults; /* DECAP_F_FAULT_*: known bugs put back, for the failure library only */
};

struct decap;

int decap_attach(struct decap **out, const struct decap_opts *opts);
/*
 * Load and configure the program as decap_attach() does, attached nowhere (opts->ifindex
 * unused): for BPF_PROG_RUN on its program, decap_prog_fd(). Free with decap_release().
 */
int decap_load(struct decap **out, const struct decap_opts *opts);
int decap_prog_fd(struct decap *d);
/* Detach and free; removes the clsact qdisc only if decap_attach() created it. */
void decap_detach(struct decap *d);
/* Free our handle but leave the filter attached (the kernel keeps the program). */
void decap_release(struct decap *d);
/* Load the decap program and free it again: 0 when decap_attach() could load it here. */
int decap_probe(void);
/*
 * Swap in a freshly loaded decap program with the same configuration (serve address and
 * allow-list copied from the running one), atomically: the TC filter is replaced in place
 * (same handle and priority, BPF_TC_F_REPLACE), so each packet meets the old program or the
 * new one and none meets neither. Counters carry over. Call in the namespace d is in.
 */
int decap_replace(struct decap *d);
int decap_stats_read(struct decap *d, __u64 out[DECAP_STAT_MAX]);
/*
 * The per-CPU array of counters (key enum decap_stat, one __u64 per possible CPU) of the
 * program attached now; decap_replace() swaps it with the program.
 */
int decap_stats_fd(struct decap *d);
/*
 * The config (struct decap_config, key 0: with the allow-list's first single addresses of
 * each family inline), the allow-list's LPM trie (every entry) and its exact-match map of the
 * single addresses that did not fit inline (tests read them).
 */
int decap_config_fd(struct decap *d);
int decap_allow_fd(struct decap *d);
int decap_allow_host_fd(struct decap *d);
/*
 * The pin directory of the decap on iface at `at` in the calling thread's namespace, named
 * netns when the caller knows a name (NULL otherwise, as a CNI plugin given a path):
 * - a namespace a dsrlab run made, DSRLAB_RUN_NS_PREFIX<id>-<node> while the run's pin folder
 *   DSRLAB_PIN_ROOT/<id> exists: DSRLAB_PIN_ROOT/<id>/decap/<node>-<iface>-<at>, so
 *   the run's teardown (and `dsrlab down`, `dsrlab clean`) removes it with the run;
 * - any other: DECAP_PIN_ROOT/<inode>-<iface>-<at>, <inode> being the namespace's inode
 *   number (what `ls -L /proc/PID/ns/net` shows), the one name a CNI plugin and a later
 *   `dsrlab-backend stats --netns NAME` both know the namespace by. The kernel reuses
 *   inodes: decap_pins_current() tells pins of the filter attached now from stale ones.
 */
int decap_pin_dir(char *buf, size_t size, const char *netns, const char *iface, enum decap_at at);
/*
 * Whether the maps pinned in dir are those of the decap attached at `at` on ifindex in the
 * calling thread's namespace: 1 yes, 0 they belong to no program attached there (an earlier
 * decap's, left behind), or -errno (-ENOENT: no filter there).
 */
int decap_pins_current(const char *dir, int ifindex, enum decap_at at);
/*
 * Pin d's maps (config, allow, stats) in dir, created as needed; what an earlier decap left
 * there is replaced. The pins outlive the process, so counters stay readable after exit.
 * Not carried over by decap_replace().
 */
int decap_pin(struct decap *d, const char *dir);
/* Remove the pins and dir; 0 when they are gone already. */
int decap_unpin(const char *dir);
/* The counters of the decap pinned in dir; -ENOENT when nothing is pinned there. */
int decap_stats_read_pinned(const char *dir, __u64 out[DECAP_STAT_MAX]);
/* The DECAP_F_FAULT_* set in the pinned config: a known bug put back (docs/bugs.md). */
int decap_faults_read_pinned(const char *dir, __u32 *faults);

/*
 * Make vip local here: on lo, with the ARP settings that keep this namespace from answering
 * for it on its interfaces, and source validation that accepts the decapsulated packets.
 */
int backend_vip_add(const struct ip_addr *vip);
int backend_vip_del(const struct ip_addr *vip);

#endif
