// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "bench/drops.h"
#include "common/log.h"
#include "common/maps.h"
#include "droptrace.skel.h"

struct drop_tracer {
	struct droptrace_bpf *skel;
	struct btf *vmlinux;
	const struct btf_type *reasons; /* enum skb_drop_reason, NULL if the kernel lacks it */
};

int drops_start(struct drop_tracer **out)
{
	struct drop_tracer *t = calloc(1, sizeof(*t));
	__s32 id;
	int err;

	if (!t)
		return -ENOMEM;
	t->skel = droptrace_bpf__open_and_load();
	if (!t->skel) {
		err = -errno;
		goto err_free;
	}
	err = droptrace_bpf__attach(t->skel);
	if (err)
		goto err_destroy;
	t->vmlinux = btf__load_vmlinux_btf();
	if (t->vmlinux) {
		id = btf__find_by_name_kind(t->vmlinux, "skb_drop_reason", BTF_KIND_ENUM);
		if (id > 0)
			t->reasons = btf__type_by_id(t->vmlinux, id);
	}
	*out = t;
	return 0;

err_destroy:
	droptrace_bpf__destroy(t->skel);
err_free:
	free(t);
	pr_warn("attach the drop tracer (tp_btf/kfree_skb): %s\n", strerror(-err));
	return err;
}

static void reason_name(const struct drop_tracer *t, __u32 reason, char *buf, size_t len)
{
	const struct btf_enum *e;
	const char *name;
	int i;

	if (t->reasons) {
		e = btf_enum(t->reasons);
		for (i = 0; i < btf_vlen(t->reasons); i++, e++) {
			if ((__u32)e->val != reason)
				continue;
			name = btf__name_by_offset(t->vmlinux, e->name_off);
			if (!strncmp(name, "SKB_DROP_REASON_", 16))
				name += 16;
			snprintf(buf, len, "%s", name);
			return;
		}
	}
	snprintf(buf, len, "reason-%u", reason);
}

int drops_read(struct drop_tracer *t, const __u32 *netns, int n, struct drop_count *out, int max)
{
	int fd = bpf_map__fd(t->skel->maps.drops), found = 0, i;
	struct drop_key key, next, *prev = NULL;
	__u64 count;

	while (found < max && !bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		for (i = 0; i < n && netns[i] != key.netns; i++)
			;
		if (i == n || bpf_map_lookup_elem(fd, &key, &count))
			continue;
		out[found].netns = key.netns;
		out[found].ifindex = key.ifindex;
		out[found].count = count;
		reason_name(t, key.reason, out[found].reason, sizeof(out[found].reason));
		found++;
	}
	return found;
}

void drops_stop(struct drop_tracer *t)
{
	if (!t)
		return;
	droptrace_bpf__destroy(t->skel);
	btf__free(t->vmlinux);
	free(t);
}
