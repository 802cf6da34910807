// SPDX-License-Identifier: GPL-2.0
/* The balancer library: the XDP chain and its members (lb/lb.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "lb/lb_priv.h"
#include "common/log.h"

/* Is slot one a member may take? Says why not. */
static int chain_slot_check(struct lb *lb, __u32 slot)
{
	if (lb->chain_fd < 0) {
		pr_warn("the balancer is not chained: attach it with --chain to run other XDP "
			"programs before it\n");
		return -EOPNOTSUPP;
	}
	if (slot >= CHAIN_SLOTS) {
		pr_warn("chain slot %u: slots are 0 to %d\n", slot, CHAIN_SLOTS - 1);
		return -EINVAL;
	}
	if (slot == CHAIN_SLOT_BALANCER) {
		pr_warn("chain slot %u holds the balancer; members go in slots 0 to %d\n", slot,
			CHAIN_SLOT_BALANCER - 1);
		return -EPERM;
	}
	return 0;
}

int lb_chain_set(struct lb *lb, __u32 slot, int prog_fd, bool replace)
{
	bool occupied;
	__u32 id;
	int err;

	err = chain_slot_check(lb, slot);
	if (err)
		return err;
	occupied = !bpf_map_lookup_elem(lb->chain_fd, &slot, &id);
	if (occupied && !replace) {
		pr_warn("chain slot %u holds program %u; use chain replace\n", slot, id);
		return -EBUSY;
	}
	if (!occupied && replace) {
		pr_warn("chain slot %u is empty; use chain add\n", slot);
		return -ENOENT;
	}
	/* One update: the next packet runs the new program, none sees an empty slot. */
	if (bpf_map_update_elem(lb->chain_fd, &slot, &prog_fd, BPF_ANY)) {
		err = -errno;
		if (err == -EINVAL)
			pr_warn("chain slot %u: the kernel refused the program: a member must be "
				"XDP and, like the root, not frags-aware (SEC(\"xdp\"), not "
				"\"xdp.frags\")\n",
				slot);
		else
			pr_warn("chain slot %u: %s\n", slot, strerror(-err));
		return err;
	}
	return 0;
}

int lb_chain_del(struct lb *lb, __u32 slot)
{
	int err = chain_slot_check(lb, slot);

	if (err)
		return err;
	if (bpf_map_delete_elem(lb->chain_fd, &slot)) {
		err = -errno;
		pr_warn("chain slot %u: %s\n", slot,
			err == -ENOENT ? "already empty" : strerror(-err));
		return err;
	}
	return 0;
}

int lb_chain_list(struct lb *lb, struct lb_chain_slot out[CHAIN_SLOTS])
{
	struct bpf_prog_info info;
	__u32 slot, len;
	int fd;

	if (lb->chain_fd < 0)
		return -EOPNOTSUPP;
	for (slot = 0; slot < CHAIN_SLOTS; slot++) {
		memset(&out[slot], 0, sizeof(out[slot]));
		/* A prog array read from user space gives the program's id. */
		if (bpf_map_lookup_elem(lb->chain_fd, &slot, &out[slot].prog_id))
			continue;
		fd = bpf_prog_get_fd_by_id(out[slot].prog_id);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		if (!bpf_obj_get_info_by_fd(fd, &info, &len))
			snprintf(out[slot].name, sizeof(out[slot].name), "%s", info.name);
		close(fd);
	}
	return 0;
}

/* Write the member's `const volatile __u32 chain_slot`; -ENOENT when it has none. */
static int member_slot_write(struct bpf_object *obj, __u32 slot)
{
	const struct btf *btf = bpf_object__btf(obj);
	const struct btf_var_secinfo *vs;
	const struct btf_type *sec;
	struct bpf_map *map;
	const void *init;
	size_t size;
	__u8 *data;
	int id, i, err;

	id = btf ? btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC) : -ENOENT;
	if (id < 0)
		return -ENOENT;
	sec = btf__type_by_id(btf, id);
	vs = btf_var_secinfos(sec);
	for (i = 0; i < btf_vlen(sec); i++, vs++) {
		const struct btf_type *var = btf__type_by_id(btf, vs->type);

		if (!strcmp(btf__name_by_offset(btf, var->name_off), CHAIN_SLOT_VAR) &&
		    vs->size == sizeof(slot))
			break;
	}
	if (i == btf_vlen(sec))
		return -ENOENT;
	bpf_object__for_each_map(map, obj)
	{
		const char *name = bpf_map__name(map);
		size_t n = strlen(name);

		if (!bpf_map__is_internal(map) || n < 7 || strcmp(name + n - 7, ".rodata"))
			continue;
		init = bpf_map__initial_value(map, &size);
		if (!init || vs->offset + sizeof(slot) > size)
			return -ENOENT;
		data = malloc(size);
		if (!data)
			return -ENOMEM;
		memcpy(data, init, size);
		memcpy(data + vs->offset, &slot, sizeof(slot));
		err = bpf_map__set_initial_value(map, data, size);
		free(data);
		return err;
	}
	return -ENOENT;
}

/* The program called name, or the object's only XDP program when name is NULL. */
static struct bpf_program *member_prog_find(struct bpf_object *obj, const char *path,
					    const char *name)
{
	struct bpf_program *p, *found = NULL;

	bpf_object__for_each_program(p, obj)
	{
		if (name ? strcmp(bpf_program__name(p), name) :
			   bpf_program__type(p) != BPF_PROG_TYPE_XDP)
			continue;
		if (found) {
			pr_warn("%s has several XDP programs (%s, %s, ...): name one, %s:PROG\n",
				path, bpf_program__name(found), bpf_program__name(p), path);
			return NULL;
		}
		found = p;
	}
	if (!found)
		pr_warn("%s: no %s%s\n", path, name ? "program " : "XDP program", name ? name : "");
	else if (bpf_program__type(found) != BPF_PROG_TYPE_XDP)
		pr_warn("%s: %s is not an XDP program (SEC(\"xdp\"))\n", path, name);
	else
		return found;
	return NULL;
}

/* Load prog of the opened obj (path: its name in messages) into slot; closes obj. */
static int member_load(struct lb *lb, __u32 slot, struct bpf_object *obj, const char *path,
		       const char *prog, bool replace)
{
	struct bpf_program *want, *p;
	struct bpf_map *chain;
	int err;

	want = member_prog_find(obj, path, prog);
	if (!want) {
		err = -ENOENT;
		goto out;
	}
	bpf_object__for_each_program(p, obj) bpf_program__set_autoload(p, p == want);
	chain = bpf_object__find_map_by_name(obj, CHAIN_MAP_NAME);
	if (chain) {
		err = bpf_map__reuse_fd(chain, lb->chain_fd);
		if (err) {
			pr_warn("%s: its map %s is not the chain's prog array (include "
				"bpf/chain.h)\n",
				path, CHAIN_MAP_NAME);
			goto out;
		}
		if (member_slot_write(obj, slot))
			pr_warn("%s has no `const volatile __u32 %s`: it cannot tell which slot "
				"follows it\n",
				path, CHAIN_SLOT_VAR);
	} else {
		/* Allowed (any XDP program can end the chain), but easy to do by mistake. */
		pr_warn("note: %s has no prog array %s: its verdict ends the chain in slot %u, "
			"later slots (the balancer) never see those packets\n",
			path, CHAIN_MAP_NAME, slot);
	}
	err = bpf_object__load(obj);
	if (err) {
		pr_warn("load %s from %s: %s (the verifier's log, if it refused the program, is "
			"above)\n",
			bpf_program__name(want), path, strerror(-err));
		goto out;
	}
	err = lb_chain_set(lb, slot, bpf_program__fd(want), replace);
out:
	bpf_object__close(obj); /* the prog array holds the program now */
	return err;
}

int lb_chain_member_load(struct lb *lb, __u32 slot, const char *path, const char *prog,
			 bool replace)
{
	struct bpf_object *obj;
	int err;

	err = chain_slot_check(lb, slot);
	if (err)
		return err;
	obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		err = -errno;
		pr_warn("open BPF object %s: %s\n", path, strerror(-err));
		return err;
	}
	return member_load(lb, slot, obj, path, prog, replace);
}

int lb_chain_member_load_mem(struct lb *lb, __u32 slot, const void *buf, size_t size,
			     const char *name, const char *prog, bool replace)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = name);
	struct bpf_object *obj;
	int err;

	err = chain_slot_check(lb, slot);
	if (err)
		return err;
	obj = bpf_object__open_mem(buf, size, &opts);
	if (!obj) {
		err = -errno;
		pr_warn("open BPF object %s: %s\n", name, strerror(-err));
		return err;
	}
	return member_load(lb, slot, obj, name, prog, replace);
}

/* Where var lies in the global-data map map_fd: *off, or -ENOENT. */
static int global_var_offset(int map_fd, const char *var, __u32 *off)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), i;
	const struct btf_var_secinfo *vs;
	const struct btf_type *sec;
	struct btf *btf;
	int err = -ENOENT;

	if (bpf_obj_get_info_by_fd(map_fd, &info, &len) || !info.btf_id || !info.btf_value_type_id)
		return -ENOENT;
	btf = btf__load_from_kernel_by_id(info.btf_id);
	if (!btf)
		return -errno;
	sec = btf__type_by_id(btf, info.btf_value_type_id);
	if (sec && btf_is_datasec(sec)) {
		vs = btf_var_secinfos(sec);
		for (i = 0; i < btf_vlen(sec); i++, vs++) {
			const struct btf_type *v = btf__type_by_id(btf, vs->type);

			if (!strcmp(btf__name_by_offset(btf, v->name_off), var) &&
			    vs->size == sizeof(__u64)) {
				*off = vs->offset;
				err = 0;
				break;
			}
		}
	}
	btf__free(btf);
	return err;
}

/* var of the program prog_fd: looked for in each of its global-data maps. */
static int prog_global_read(int prog_fd, const char *var, __u64 *out)
{
	struct bpf_prog_info info = {};
	struct bpf_map_info mi;
	__u32 len = sizeof(info), ids[16], i, off = 0, zero = 0, mlen;
	__u8 *val;
	int fd, err = -ENOENT;

	info.nr_map_ids = 16;
	info.map_ids = (__u64)(unsigned long)ids;
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return -errno;
	for (i = 0; i < info.nr_map_ids && i < 16 && err == -ENOENT; i++) {
		fd = bpf_map_get_fd_by_id(ids[i]);
		if (fd < 0)
			continue;
		memset(&mi, 0, sizeof(mi));
		mlen = sizeof(mi);
		if (!bpf_obj_get_info_by_fd(fd, &mi, &mlen) && mi.type == BPF_MAP_TYPE_ARRAY &&
		    mi.max_entries == 1 && !global_var_offset(fd, var, &off) &&
		    off + sizeof(*out) <= mi.value_size) {
			val = malloc(mi.value_size);
			err = !val ? -ENOMEM : bpf_map_lookup_elem(fd, &zero, val) ? -errno : 0;
			if (!err)
				memcpy(out, val + off, sizeof(*out));
			free(val);
		}
		close(fd);
	}
	return err;
}

int lb_chain_member_read(struct lb *lb, __u32 slot, const char *var, __u64 *out)
{
	__u32 id;
	int fd, err;

	if (lb->chain_fd < 0 || slot >= CHAIN_SLOTS)
		return -ENOENT;
	if (bpf_map_lookup_elem(lb->chain_fd, &slot, &id))
		return -ENOENT;
	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		return -errno;
	err = prog_global_read(fd, var, out);
	close(fd);
	return err;
}
