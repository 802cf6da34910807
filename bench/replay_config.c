// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "bench/replay_config.h"
#include "common/arg.h"
#include "common/parse.h"
#include "lb/maglev.h"

#define MAX_TOKENS 80

struct tok {
	const char *s;
	int col; /* 1-based */
};

struct parse {
	const char *path;
	int line;
	FILE *err;
	int errors;
};

static void perr(struct parse *p, int col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void perr(struct parse *p, int col, const char *fmt, ...)
{
	va_list ap;

	fprintf(p->err, "%s:%d:%d: ", p->path, p->line, col);
	va_start(ap, fmt);
	vfprintf(p->err, fmt, ap);
	va_end(ap);
	fputc('\n', p->err);
	p->errors++;
}

/* Split line (changed in place) on blanks, up to '#'. */
static int tokenize(char *line, struct tok *t, int max)
{
	char *c = line;
	int n = 0;

	line[strcspn(line, "#\r\n")] = '\0';
	while (*c) {
		while (*c == ' ' || *c == '\t')
			*c++ = '\0';
		if (!*c)
			break;
		if (n == max)
			return -E2BIG;
		t[n].s = c;
		t[n++].col = (int)(c - line) + 1;
		while (*c && *c != ' ' && *c != '\t')
			c++;
	}
	return n;
}

/* The value after option i, or an error at the option. */
static const struct tok *value(struct parse *p, const struct tok *t, int n, int *i)
{
	if (*i + 1 >= n || !strncmp(t[*i + 1].s, "--", 2)) {
		perr(p, t[*i].col, "%s needs a value", t[*i].s);
		return NULL;
	}
	return &t[++*i];
}

static void lb_attach_opt(struct parse *p, struct replay_config *c, const struct tok *t, int n,
			  int *i)
{
	const char *o = t[*i].s;
	const struct tok *v = NULL;
	struct ip_prefix pre;
	__u32 u;

	if (strcmp(o, "--src") && strcmp(o, "--src6") && strcmp(o, "--nexthop-mac") &&
	    strcmp(o, "--mtu") && strcmp(o, "--gue-port") && strcmp(o, "--ring-size") &&
	    strcmp(o, "--conn-table")) {
		perr(p, t[*i].col,
		     "unknown option '%s' of attach (replay reads --src, --src6, --nexthop-mac, "
		     "--mtu, --gue-port, --ring-size, --conn-table)",
		     o);
		return;
	}
	v = value(p, t, n, i);
	if (!v)
		return;
	if (!strcmp(o, "--src") || !strcmp(o, "--src6")) {
		bool six = !strcmp(o, "--src6");

		if (prefix_parse(v->s, &pre, false) ||
		    pre.addr.family != (six ? FAM_IPV6 : FAM_IPV4)) {
			perr(p, v->col, "%s takes the balancer's %s address[/LEN]: '%s'", o,
			     six ? "IPv6" : "IPv4", v->s);
		} else if (six) {
			memcpy(c->lb.src_v6, pre.addr.bytes, 16);
			c->lb.src_v6_prefix_len = pre.len;
		} else {
			memcpy(&c->lb.src_v4, pre.addr.bytes, 4);
			c->lb.src_v4_prefix_len = pre.len;
		}
	} else if (!strcmp(o, "--nexthop-mac")) {
		if (arg_mac(v->s, c->lb.nexthop_mac))
			perr(p, v->col,
			     "--nexthop-mac takes a MAC address, aa:bb:cc:dd:ee:ff: '%s'", v->s);
	} else if (!strcmp(o, "--mtu")) {
		if (arg_u32(v->s, LB_MTU_MIN, 65535, &u))
			perr(p, v->col, "--mtu is the underlay's IP MTU, 576 to 65535: '%s'", v->s);
		else
			c->lb.mtu = u;
	} else if (!strcmp(o, "--gue-port")) {
		if (arg_port(v->s, &c->lb.gue_port))
			perr(p, v->col, "--gue-port is a UDP port, 1 to 65535: '%s'", v->s);
	} else if (!strcmp(o, "--ring-size")) {
		if (arg_u32(v->s, 2, UINT32_MAX, &c->load.ring_size) ||
		    !maglev_is_prime(c->load.ring_size))
			perr(p, v->col, "--ring-size is a prime number of slots, like 65537: '%s'",
			     v->s);
	} else if (conn_kind_parse(v->s, &c->load.conn_kind)) {
		perr(p, v->col, "--conn-table is sets, lru or percpu: '%s'", v->s);
	}
}

static void lb_vip(struct parse *p, struct replay_config *c, const struct tok *t, int n)
{
	struct replay_vip *v;
	int i, k;

	if (n < 3 || strcmp(t[1].s, "add")) {
		perr(p, t[n > 1].col, "expected 'vip add VIP [--encap E] [--backend ADDR]...'");
		return;
	}
	if (c->n_vips == REPLAY_MAX_VIPS) {
		perr(p, t[0].col, "more than %d VIPs", REPLAY_MAX_VIPS);
		return;
	}
	v = &c->vips[c->n_vips];
	memset(v, 0, sizeof(*v));
	v->line = p->line;
	if (endpoint_parse(t[2].s, &v->vip)) {
		perr(p, t[2].col,
		     "a VIP is ADDR:PORT/PROTO, ADDR/PROTO or [ADDR6]:PORT/PROTO: '%s'", t[2].s);
		return;
	}
	v->encap = v->vip.addr.family == FAM_IPV6 ? ENCAP_IP6IP6 : ENCAP_IPIP;
	for (i = 3; i < n; i++) {
		const struct tok *val;

		if (!strcmp(t[i].s, "--src-per-flow") || !strcmp(t[i].s, "--hash-no-ports")) {
			v->flags |= t[i].s[2] == 's' ? VIP_F_SRC_PER_FLOW : VIP_F_HASH_NO_PORTS;
			continue;
		}
		if (strcmp(t[i].s, "--encap") && strcmp(t[i].s, "--backend")) {
			perr(p, t[i].col,
			     "unknown option '%s' of vip add (--encap, --backend, --src-per-flow, "
			     "--hash-no-ports)",
			     t[i].s);
			continue;
		}
		val = value(p, t, n, &i);
		if (!val)
			continue;
		if (!strcmp(t[i - 1].s, "--encap")) {
			if (lb_encap_parse(val->s, &v->encap))
				perr(p, val->col, "--encap is ipip, ip6ip6, 4in6 or gue: '%s'",
				     val->s);
			continue;
		}
		if (v->n_backends == LB_POOL_MAX) {
			perr(p, val->col, "more than %d backends", LB_POOL_MAX);
			continue;
		}
		if (lb_backend_parse(val->s, &v->backends[v->n_backends])) {
			perr(p, val->col, "--backend is ADDR[@WEIGHT]: '%s'", val->s);
			continue;
		}
		for (k = 0; k < v->n_backends; k++)
			if (addr_equal(&v->backends[k].addr, &v->backends[v->n_backends].addr))
				perr(p, val->col, "backend %s given twice", val->s);
		v->n_backends++;
	}
	c->n_vips++;
}

static void decap_attach_line(struct parse *p, struct replay_config *c, const struct tok *t, int n)
{
	struct decap_opts *d = &c->decap;
	bool serve = false;
	int i;

	for (i = 1; i < n; i++) {
		const char *o = t[i].s;
		const struct tok *v;

		if (!strcmp(o, "--strict")) {
			d->strict = true;
			continue;
		}
		if (strcmp(o, "--serve") && strcmp(o, "--allow") && strcmp(o, "--at") &&
		    strcmp(o, "--gue-port")) {
			perr(p, t[i].col,
			     "unknown option '%s' of attach (replay reads --serve, --allow, --at, "
			     "--strict, --gue-port)",
			     o);
			continue;
		}
		v = value(p, t, n, &i);
		if (!v)
			continue;
		if (!strcmp(o, "--serve")) {
			serve = true;
			if (d->n_serve == 2)
				perr(p, v->col, "--serve given more than twice (one per family)");
			else if (addr_parse(v->s, &d->serve[d->n_serve]))
				perr(p, v->col, "--serve takes an address: '%s'", v->s);
			else if (d->n_serve && d->serve[0].family == d->serve[1].family)
				perr(p, v->col, "--serve takes one address per family: '%s'", v->s);
			else
				d->n_serve++;
		} else if (!strcmp(o, "--allow")) {
			if (d->n_allow == REPLAY_MAX_ALLOW)
				perr(p, v->col, "more than %d --allow prefixes", REPLAY_MAX_ALLOW);
			else if (prefix_parse(v->s, &c->allow[d->n_allow], true))
				perr(p, v->col, "--allow takes a prefix with its length: '%s'",
				     v->s);
			else
				d->n_allow++;
		} else if (!strcmp(o, "--at")) {
			if (decap_at_parse(v->s, &d->at))
				perr(p, v->col,
				     "--at is host-veth-egress, container-ingress or host-nic: '%s'",
				     v->s);
		} else if (arg_port(v->s, &d->gue_port)) {
			perr(p, v->col, "--gue-port is a UDP port, 1 to 65535: '%s'", v->s);
		}
	}
	if (!serve && !(d->at == DECAP_AT_HOST_NIC && !d->strict))
		perr(p, t[0].col, "attach needs --serve ADDR (the outer destination it serves)");
	if (d->strict && d->at != DECAP_AT_HOST_NIC)
		perr(p, t[0].col, "--strict is for --at host-nic");
}

static void line_parse(struct parse *p, struct replay_config *c, struct tok *t, int n)
{
	int i;

	if (!strcmp(t[0].s, "attach")) {
		if (c->attach_seen) {
			perr(p, t[0].col, "a second attach line (one program, one attach)");
			return;
		}
		c->attach_seen = true;
		if (c->prog == REPLAY_DECAP) {
			decap_attach_line(p, c, t, n);
			return;
		}
		for (i = 1; i < n; i++)
			lb_attach_opt(p, c, t, n, &i);
		return;
	}
	if (c->prog == REPLAY_LB && !strcmp(t[0].s, "vip")) {
		lb_vip(p, c, t, n);
		return;
	}
	perr(p, t[0].col, "unknown command '%s' (%s)", t[0].s,
	     c->prog == REPLAY_LB ? "a balancer file has 'attach' and 'vip add' lines" :
				    "a decap file has one 'attach' line");
}

int replay_config_load(const char *path, enum replay_prog prog, struct replay_config *c, FILE *err)
{
	struct parse p = { .path = path, .err = err };
	struct tok t[MAX_TOKENS];
	char line[4096];
	FILE *f = fopen(path, "r");
	int n;

	memset(c, 0, sizeof(*c));
	c->prog = prog;
	c->decap.allow = c->allow;
	if (!f) {
		n = -errno;
		fprintf(err, "%s: %s\n", path, strerror(-n));
		return n;
	}
	while (fgets(line, sizeof(line), f)) {
		p.line++;
		if (!strchr(line, '\n') && !feof(f)) {
			perr(&p, 1, "line longer than %zu characters", sizeof(line) - 2);
			break;
		}
		n = tokenize(line, t, MAX_TOKENS);
		if (n < 0)
			perr(&p, 1, "more than %d words on a line", MAX_TOKENS);
		else if (n)
			line_parse(&p, c, t, n);
	}
	fclose(f);
	p.line++;
	if (!c->attach_seen && !p.errors)
		perr(&p, 1, "no 'attach' line (%s)",
		     prog == REPLAY_LB ? "attach --src ADDR --nexthop-mac MAC" :
					 "attach --serve ADDR --allow PREFIX");
	else if (prog == REPLAY_LB && !p.errors && !c->lb.src_v4 && !c->lb.src_v6_prefix_len &&
		 !c->lb.src_v6[0] && !c->lb.src_v6[1] && !c->lb.src_v6[2] && !c->lb.src_v6[3])
		perr(&p, 1, "attach needs --src or --src6 (the outer source)");
	return p.errors ? -EINVAL : 0;
}
