/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What dsrlab-cni remembers of each attachment (container ID + interface) between ADD and
 * DEL, so that GC (CNI 1.1) can find and remove what a lost DEL left behind: the host veth,
 * the decap program's ID and its pin folder. One small JSON file per attachment in
 * CNI_STATE_DIR/<network>/; /run is emptied at boot, like the pins in bpffs.
 */
#ifndef DSRLAB_BACKEND_CNI_STATE_H
#define DSRLAB_BACKEND_CNI_STATE_H

#include <limits.h>
#include <net/if.h>
#include <linux/types.h>

#define CNI_STATE_DIR "/run/dsrlab-cni"

struct cni_attachment {
	char container_id[256];
	char ifname[IF_NAMESIZE];
	char host_veth[IF_NAMESIZE];
	__u32 prog_id; /* the decap ADD attached: GC removes a filter only if it is this one */
	char pins[PATH_MAX];
};

/* Record a (replacing what an earlier ADD of the same attachment recorded). */
int cni_state_save(const char *network, const struct cni_attachment *a);
/* Forget one attachment; 0 when it was not recorded. */
int cni_state_remove(const char *network, const char *container_id, const char *ifname);
/* Call fn for every attachment recorded for network; stops at fn's first non-zero return. */
int cni_state_foreach(const char *network, int (*fn)(const struct cni_attachment *, void *),
		      void *ctx);

#endif
