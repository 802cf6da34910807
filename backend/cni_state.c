// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>

#include "backend/cni_state.h"
#include "common/path.h"

/* Names from the runtime end up in paths: refuse what could leave the folder. */
static bool name_ok(const char *s)
{
	return s && *s && !strchr(s, '/') && strcmp(s, ".") && strcmp(s, "..");
}

/* The network's folder (cid NULL) or one attachment's record in it. */
static int state_path(char *buf, size_t size, const char *network, const char *cid,
		      const char *ifname)
{
	int n;

	if (!name_ok(network) || (cid && (!name_ok(cid) || !name_ok(ifname))))
		return -EINVAL;
	if (cid)
		n = snprintf(buf, size, CNI_STATE_DIR "/%s/%s-%s.json", network, cid, ifname);
	else
		n = snprintf(buf, size, CNI_STATE_DIR "/%s", network);
	return (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int cni_state_save(const char *network, const struct cni_attachment *a)
{
	char dir[PATH_MAX], path[PATH_MAX], tmp[PATH_MAX + 8];
	json_t *o;
	int err;

	err = state_path(dir, sizeof(dir), network, NULL, NULL);
	if (!err)
		err = state_path(path, sizeof(path), network, a->container_id, a->ifname);
	if (!err)
		err = path_mkdir_p(dir, 0700);
	if (err)
		return err;
	o = json_pack("{s:s, s:s, s:s, s:I, s:s}", "containerID", a->container_id, "ifname",
		      a->ifname, "hostVeth", a->host_veth, "progID", (json_int_t)a->prog_id, "pins",
		      a->pins);
	if (!o)
		return -ENOMEM;
	/* Written whole or not at all: a GC never reads half a record. */
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	err = json_dump_file(o, tmp, JSON_COMPACT) ? -EIO : 0;
	json_decref(o);
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

int cni_state_remove(const char *network, const char *container_id, const char *ifname)
{
	char dir[PATH_MAX], path[PATH_MAX];
	int err;

	err = state_path(path, sizeof(path), network, container_id, ifname);
	if (err)
		return err;
	if (unlink(path) && errno != ENOENT)
		return -errno;
	/* The network's last attachment gone, leave no empty folders (busy: others). */
	if (!state_path(dir, sizeof(dir), network, NULL, NULL) && !rmdir(dir))
		rmdir(CNI_STATE_DIR);
	return 0;
}

static int state_read(const char *path, struct cni_attachment *a)
{
	json_t *o = json_load_file(path, 0, NULL);
	const char *cid, *ifname, *veth, *pins;
	json_int_t prog_id;
	int err = -EINVAL;

	if (o && !json_unpack(o, "{s:s, s:s, s:s, s:I, s:s}", "containerID", &cid, "ifname",
			      &ifname, "hostVeth", &veth, "progID", &prog_id, "pins", &pins)) {
		snprintf(a->container_id, sizeof(a->container_id), "%s", cid);
		snprintf(a->ifname, sizeof(a->ifname), "%s", ifname);
		snprintf(a->host_veth, sizeof(a->host_veth), "%s", veth);
		snprintf(a->pins, sizeof(a->pins), "%s", pins);
		a->prog_id = prog_id;
		err = 0;
	}
	json_decref(o);
	return err;
}

int cni_state_foreach(const char *network, int (*fn)(const struct cni_attachment *, void *),
		      void *ctx)
{
	char dir[PATH_MAX], path[PATH_MAX * 2];
	struct cni_attachment a;
	struct dirent *de;
	size_t len;
	int err;
	DIR *d;

	err = state_path(dir, sizeof(dir), network, NULL, NULL);
	if (err)
		return err;
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while (!err && (de = readdir(d))) {
		len = strlen(de->d_name);
		if (len < 6 || strcmp(de->d_name + len - 5, ".json"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (!state_read(path, &a))
			err = fn(&a, ctx);
	}
	closedir(d);
	return err;
}
