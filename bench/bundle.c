// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <jansson.h>

#include "bench/bundle.h"
#include "common/path.h"

#define IP	"/usr/sbin/ip"
#define BPFTOOL "/usr/sbin/bpftool"
#define NFT	"/usr/sbin/nft"

static const char *const role_words[] = { "client", "router", "lb", "host", "container" };

/* Sysctls read in every node; "%s" ones for all, default and each interface. */
static const char *const node_sysctls[] = {
	"net/ipv4/ip_forward",
	"net/ipv6/conf/all/forwarding",
	"net/ipv4/fib_multipath_hash_policy",
	"net/ipv6/fib_multipath_hash_policy",
	"net/ipv4/ip_no_pmtu_disc",
	"net/ipv4/tcp_mtu_probing",
	"net/ipv4/tcp_ecn",
	"net/netfilter/nf_conntrack_tcp_be_liberal",
	"net/netfilter/nf_conntrack_tcp_loose",
};
static const char *const iface_sysctls[] = {
	"net/ipv4/conf/%s/rp_filter",	 "net/ipv4/conf/%s/accept_local",
	"net/ipv4/conf/%s/arp_ignore",	 "net/ipv4/conf/%s/arp_announce",
	"net/ipv4/conf/%s/forwarding",	 "net/ipv4/conf/%s/src_valid_mark",
	"net/ipv6/conf/%s/disable_ipv6",
};

struct bundle {
	const struct bundle_in *r;
	char dir[PATH_MAX];
	FILE *errors; /* errors.log: what could not be collected */
};

static void note(struct bundle *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note(struct bundle *b, const char *fmt, ...)
{
	va_list ap;

	if (!b->errors)
		return;
	va_start(ap, fmt);
	vfprintf(b->errors, fmt, ap);
	va_end(ap);
	fputc('\n', b->errors);
	fflush(b->errors);
}

/* argv run in netns ns_fd (-1: ours) with stdout to DIR/name; its exit status, or -errno. */
static int tool_to_file(struct bundle *b, int ns_fd, const char *name, char *const argv[])
{
	char path[PATH_MAX];
	int fd, status;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/%s", b->dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(fd);
		return -errno;
	}
	if (!pid) {
		if ((ns_fd >= 0 && setns(ns_fd, CLONE_NEWNET)) || dup2(fd, 1) < 0 ||
		    (b->errors && dup2(fileno(b->errors), 2) < 0))
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fd);
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	status = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
	if (status) {
		note(b, "%s: %s ... exited %d%s", name, argv[0], status,
		     status == 127 ? " (not installed?)" : "");
		unlink(path);
	}
	return status;
}

struct sysctl_job {
	json_t *out;
};

static void sysctl_read(json_t *out, const char *path)
{
	char file[PATH_MAX], val[64], key[PATH_MAX], *p;
	FILE *f;

	snprintf(file, sizeof(file), "/proc/sys/%s", path);
	f = fopen(file, "r");
	if (!f)
		return; /* not in this kernel or module not loaded (conntrack) */
	if (fgets(val, sizeof(val), f)) {
		val[strcspn(val, "\n")] = '\0';
		snprintf(key, sizeof(key), "%s", path);
		for (p = key; *p; p++)
			if (*p == '/')
				*p = '.';
		json_object_set_new(out, key, json_string(val));
	}
	fclose(f);
}

/* In the node's namespace: /proc/sys/net follows the opener's network namespace. */
static int sysctls_here(void *arg)
{
	struct sysctl_job *j = arg;
	struct if_nameindex *ifs = if_nameindex(), *i;
	const char *names[] = { "all", "default" };
	char path[PATH_MAX];
	size_t k, n;

	for (k = 0; k < sizeof(node_sysctls) / sizeof(node_sysctls[0]); k++)
		sysctl_read(j->out, node_sysctls[k]);
	for (k = 0; k < sizeof(iface_sysctls) / sizeof(iface_sysctls[0]); k++) {
		for (n = 0; n < 2; n++) {
			snprintf(path, sizeof(path), iface_sysctls[k], names[n]);
			sysctl_read(j->out, path);
		}
		for (i = ifs; i && i->if_index; i++) {
			snprintf(path, sizeof(path), iface_sysctls[k], i->if_name);
			sysctl_read(j->out, path);
		}
	}
	if (ifs)
		if_freenameindex(ifs);
	return 0;
}

static char *file_text(const char *dir, const char *name, size_t max)
{
	char path[PATH_MAX], *buf = calloc(1, max);
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f || !buf) {
		if (f)
			fclose(f);
		free(buf);
		return NULL;
	}
	n = fread(buf, 1, max - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Every map of every BPF program attached in the node (XDP and TC), dumped as JSON. */
static void maps_dump(struct bundle *b, int node, int ns_fd)
{
	const char *nn = b->r->env->sc->nodes[node].name;
	char name[PATH_MAX], id[16], path[PATH_MAX];
	json_t *net, *progs, *dev, *prog, *ids, *mid;
	size_t i, k, m;
	const char *kind;

	snprintf(name, sizeof(name), "%s.bpf-net.json", nn);
	if (tool_to_file(b, ns_fd, name, (char *[]){ BPFTOOL, "-j", "net", "show", NULL }))
		return;
	snprintf(path, sizeof(path), "%s/%s", b->dir, name);
	net = json_load_file(path, 0, NULL);
	/* [{"xdp": [{devname, ifindex, id}...], "tc": [{devname, ifindex, kind, id}...]}] */
	json_array_foreach(net, i, progs) {
		json_object_foreach(progs, kind, dev) {
			json_array_foreach(dev, k, prog) {
				json_int_t pid = json_integer_value(json_object_get(prog, "id"));
				json_t *info;

				if (!pid)
					continue;
				snprintf(id, sizeof(id), "%lld", (long long)pid);
				snprintf(name, sizeof(name), "maps/%s.prog-%s.json", nn, id);
				if (tool_to_file(b, -1, name,
						 (char *[]){ BPFTOOL, "-j", "prog", "show", "id",
							     id, NULL }))
					continue;
				snprintf(path, sizeof(path), "%s/%s", b->dir, name);
				info = json_load_file(path, 0, NULL);
				ids = json_object_get(info, "map_ids");
				json_array_foreach(ids, m, mid) {
					char map[16];

					snprintf(map, sizeof(map), "%lld",
						 (long long)json_integer_value(mid));
					snprintf(
						name, sizeof(name),
						"maps/%s.%s.%s.prog-%s.map-%s.json", nn,
						json_string_value(json_object_get(prog, "devname")),
						kind, id, map);
					tool_to_file(b, -1, name,
						     (char *[]){ BPFTOOL, "-j", "map", "dump", "id",
								 map, NULL });
				}
				json_decref(info);
			}
		}
	}
	json_decref(net);
}

/* One node: ip -j state, sysctls, ruleset, BPF maps; its entry of nodes.json. */
static json_t *node_collect(struct bundle *b, int i)
{
	const struct sc_node *n = &b->r->env->sc->nodes[i];
	int ns = b->r->env->nodes[i].ns_fd;
	struct sysctl_job sj = { json_object() };
	static const struct {
		const char *suffix;
		char *args[8];
	} ip[] = {
		{ "addr", { "-j", "addr", "show" } },
		{ "link", { "-j", "-d", "-s", "link", "show" } },
		{ "route", { "-j", "-4", "route", "show", "table", "all" } },
		{ "route6", { "-j", "-6", "route", "show", "table", "all" } },
		{ "neigh", { "-j", "neigh", "show" } },
		{ "rule", { "-j", "rule", "show" } },
	};
	char name[PATH_MAX], *ruleset;
	size_t k;
	json_t *o;

	for (k = 0; k < sizeof(ip) / sizeof(ip[0]); k++) {
		char *argv[10] = { IP };

		memcpy(argv + 1, ip[k].args, sizeof(ip[k].args));
		snprintf(name, sizeof(name), "%s.%s.json", n->name, ip[k].suffix);
		tool_to_file(b, ns, name, argv);
	}
	if (env_run(b->r->env, i, sysctls_here, &sj))
		note(b, "%s: sysctls not read", n->name);
	snprintf(name, sizeof(name), "%s.nft.txt", n->name);
	tool_to_file(b, ns, name, (char *[]){ NFT, "list", "ruleset", NULL });
	ruleset = file_text(b->dir, name, 8192);
	maps_dump(b, i, ns);
	o = json_pack("{s:s,s:s,s:s,s:o,s:s}", "name", n->name, "role", role_words[n->role],
		      "netns", b->r->env->nodes[i].ns, "sysctls", sj.out, "nft_ruleset",
		      ruleset ? ruleset : "");
	free(ruleset);
	return o;
}

static int copy_file(const char *from, const char *to)
{
	char buf[8192];
	FILE *in = fopen(from, "r"), *out = in ? fopen(to, "w") : NULL;
	size_t n;

	if (!out) {
		if (in)
			fclose(in);
		return -errno;
	}
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, out);
	fclose(in);
	return fclose(out) ? -errno : 0;
}

int bundle_collect(const struct bundle_in *r)
{
	struct bundle b = { .r = r };
	char path[PATH_MAX];
	json_t *nodes = json_array(), *doc;
	int i, err;

	snprintf(b.dir, sizeof(b.dir), "%s/bundle", r->env->outdir);
	snprintf(path, sizeof(path), "%s/maps", b.dir);
	err = path_mkdir_p(path, 0755);
	if (err)
		return err;
	snprintf(path, sizeof(path), "%s/errors.log", b.dir);
	b.errors = fopen(path, "w");
	snprintf(path, sizeof(path), "%s/scenario.yaml", b.dir);
	if (copy_file(r->env->sc->file, path))
		note(&b, "scenario.yaml: %s not copied", r->env->sc->file);
	for (i = 0; i < r->env->sc->n_nodes; i++)
		if (r->env->nodes[i].ns_fd >= 0)
			json_array_append_new(nodes, node_collect(&b, i));
	snprintf(path, sizeof(path), "%s/nodes.json", b.dir);
	doc = json_pack("{s:i,s:s,s:o}", "version", 1, "run_id", r->env->id, "nodes", nodes);
	if (!doc || json_dump_file(doc, path, JSON_INDENT(2)))
		note(&b, "nodes.json: not written");
	json_decref(doc);
	if (bundle_rebuild_script(r, b.dir))
		note(&b, "rebuild.sh: not written");
	if (b.errors)
		fclose(b.errors);
	return 0;
}
