// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "bench/draw.h"
#include "bench/tool.h"
#include "common/log.h"

static const char *const role_names[] = { "client", "router", "balancer", "host", "container" };
static const char *const role_colours[] = { "#dbe9f6", "#e8e8e8", "#fbd9b0", "#e3f1d8", "#fff6c9" };
static const char *const encap_names[] = { "ipip", "ip6ip6", "4in6", "gue" };

/* DOT strings: quotes and backslashes escaped; "\n" in our labels stays a line break. */
static void dot_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputs("\\\"", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static bool is_balancer(const struct scenario *sc, const struct sc_node *n)
{
	int i;

	for (i = 0; sc->balancer.present && i < sc->balancer.n_nodes; i++)
		if (sc->balancer.node_idx[i] == n - sc->nodes)
			return true;
	return false;
}

static void label_add(char *buf, size_t size, const char *line)
{
	size_t n = strlen(buf);

	snprintf(buf + n, size - n, "%s%s", n ? "\n" : "", line);
}

static void node_label(const struct scenario *sc, const struct sc_node *n, char *buf, size_t size)
{
	char line[192], a[ADDR_STRLEN], b[ADDR_STRLEN];
	int i, k;

	buf[0] = '\0';
	snprintf(line, sizeof(line), "%s (%s)", n->name, role_names[n->role]);
	label_add(buf, size, line);
	for (i = 0; i < n->n_addrs; i++)
		label_add(buf, size, prefix_str(&n->addrs[i], a, sizeof(a)));
	if (is_balancer(sc, n)) {
		snprintf(line, sizeof(line), "XDP balancer on %s (%s%s%s)", sc->balancer.iface,
			 xdp_mode_name(sc->balancer.mode), sc->balancer.n_chain ? ", chained" : "",
			 sc->balancer.nexthop_fib ? ", next hop from FIB" : "");
		label_add(buf, size, line);
		for (i = 0; i < sc->balancer.n_vips; i++) {
			const struct sc_vip *v = &sc->balancer.vips[i];

			snprintf(line, sizeof(line), "VIP %s %s ->",
				 endpoint_str(&v->vip, a, sizeof(a)), encap_names[v->encap]);
			for (k = 0; k < v->n_backends; k++) {
				size_t len = strlen(line);

				snprintf(line + len, sizeof(line) - len, " %s", v->backends[k]);
			}
			label_add(buf, size, line);
		}
	}
	for (i = 0; i < sc->n_services; i++) {
		if (sc->services[i].node_idx != n - sc->nodes)
			continue;
		snprintf(line, sizeof(line), "serves %s (%s)",
			 endpoint_str(&sc->services[i].listen, b, sizeof(b)),
			 sc->services[i].kind == SC_SERVICE_ECHO ? "echo" :
			 sc->services[i].kind == SC_SERVICE_SINK ? "sink" :
								   "command");
		label_add(buf, size, line);
	}
}

static void node_dot(const struct scenario *sc, const struct sc_node *n, FILE *f)
{
	char label[2048];

	node_label(sc, n, label, sizeof(label));
	fprintf(f, "    ");
	dot_str(f, n->name);
	fprintf(f, " [label=");
	dot_str(f, label);
	fprintf(f, ", fillcolor=\"%s\"%s];\n", role_colours[n->role],
		n->role == ROLE_ROUTER ? ", shape=ellipse" : "");
}

static const char *decap_label(const struct scenario *sc)
{
	switch (sc->backend.decap) {
	case DECAP_AT_HOST_VETH_EGRESS:
		return "decap: TC egress, host end";
	case DECAP_AT_CONTAINER_INGRESS:
		return "decap: TC ingress, eth0";
	default:
		return "";
	}
}

/* A container's veth to its host: named after the container on the host, eth0 inside. */
static void container_edge(const struct scenario *sc, const struct sc_node *n, FILE *f)
{
	const char *decap = decap_label(sc);

	fprintf(f, "  ");
	dot_str(f, n->host);
	fprintf(f, " -- ");
	dot_str(f, n->name);
	fprintf(f, " [taillabel=");
	dot_str(f, n->name);
	fprintf(f, ", headlabel=\"eth0\", label=");
	dot_str(f, *decap ? decap : "veth");
	if (*decap)
		fprintf(f, ", color=\"#c0392b\", fontcolor=\"#c0392b\", penwidth=2");
	fprintf(f, "];\n");
}

static void link_edge(const struct scenario *sc, const struct sc_link *l, FILE *f)
{
	const struct sc_node *host = NULL;
	char label[96] = "";
	int i;

	for (i = 0; i < sc->n_nodes; i++)
		if (sc->nodes[i].role == ROLE_HOST && (i == l->a.node_idx || i == l->b.node_idx))
			host = &sc->nodes[i];
	if (l->mtu)
		snprintf(label, sizeof(label), "mtu %d", l->mtu);
	if (host && sc->backend.decap == DECAP_AT_HOST_NIC) {
		size_t n = strlen(label);

		snprintf(label + n, sizeof(label) - n, "%sdecap: TC ingress, host NIC%s",
			 n ? "\n" : "", sc->backend.strict ? " (strict)" : " (legacy)");
	}
	fprintf(f, "  ");
	dot_str(f, l->a.node);
	fprintf(f, " -- ");
	dot_str(f, l->b.node);
	fprintf(f, " [taillabel=");
	dot_str(f, l->a.iface);
	fprintf(f, ", headlabel=");
	dot_str(f, l->b.iface);
	if (label[0]) {
		fprintf(f, ", label=");
		dot_str(f, label);
	}
	if (host && sc->backend.decap == DECAP_AT_HOST_NIC)
		fprintf(f, ", color=\"#c0392b\", fontcolor=\"#c0392b\", penwidth=2");
	if (l->nic)
		fprintf(f, ", style=bold");
	fprintf(f, "];\n");
}

void draw_topology_dot(const struct scenario *sc, FILE *f)
{
	int i, j;

	fprintf(f, "graph ");
	dot_str(f, sc->name);
	fprintf(f, " {\n  graph [rankdir=LR, fontname=\"Helvetica\", labelloc=t, label=");
	dot_str(f, sc->name);
	fprintf(f, "];\n  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", "
		   "fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=9];\n");
	for (i = 0; i < sc->n_nodes; i++) {
		const struct sc_node *n = &sc->nodes[i];

		if (n->role == ROLE_CONTAINER)
			continue;
		if (n->role != ROLE_HOST) {
			node_dot(sc, n, f);
			continue;
		}
		/* a host and its containers in one box */
		fprintf(f, "  subgraph \"cluster_%s\" {\n    style=dashed; label=\"\";\n", n->name);
		node_dot(sc, n, f);
		for (j = 0; j < sc->n_nodes; j++)
			if (sc->nodes[j].role == ROLE_CONTAINER && sc->nodes[j].host_idx == i)
				node_dot(sc, &sc->nodes[j], f);
		fprintf(f, "  }\n");
	}
	for (i = 0; i < sc->n_links; i++)
		link_edge(sc, &sc->links[i], f);
	for (i = 0; i < sc->n_nodes; i++)
		if (sc->nodes[i].role == ROLE_CONTAINER)
			container_edge(sc, &sc->nodes[i], f);
	fprintf(f, "}\n");
}

/* dot -TFORMAT -o OUT IN, waited for. */
static int dot_render(const char *format, const char *in, const char *out)
{
	char t[16];
	char *const argv[] = { "dot", t, "-o", (char *)out, (char *)in, NULL };

	snprintf(t, sizeof(t), "-T%s", format);
	return tool_run(NULL, NULL, argv);
}

int draw_topology(const struct scenario *sc, const char *base)
{
	static const char *const formats[] = { "svg", "png" };
	char dot[PATH_MAX], out[PATH_MAX];
	unsigned int i;
	FILE *f;
	int err;

	snprintf(dot, sizeof(dot), "%s.dot", base);
	f = fopen(dot, "w");
	if (!f) {
		err = -errno;
		pr_warn("dsrlab: draw %s: %s\n", dot, strerror(-err));
		return err;
	}
	draw_topology_dot(sc, f);
	if (fclose(f)) {
		err = -errno;
		pr_warn("dsrlab: draw %s: %s\n", dot, strerror(-err));
		return err;
	}
	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		snprintf(out, sizeof(out), "%s.%s", base, formats[i]);
		err = dot_render(formats[i], dot, out);
		if (err) {
			pr_warn("dsrlab: draw %s: dot -T%s %s: %s\n", out, formats[i], dot,
				err == -ENOENT ? "no `dot` (apt-get install graphviz)" :
						 strerror(-err));
			return err;
		}
	}
	return 0;
}
