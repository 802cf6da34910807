// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "bench/doctor.h"

static void copy(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src ? src : "");
}

static const char *str_of(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

static void counter_add(struct doctor_evidence *ev, const char *of, const char *node,
			const char *name, unsigned long long v)
{
	struct doctor_counter *c;

	if (ev->n_counters >= DOCTOR_MAX_ITEMS)
		return;
	c = &ev->counters[ev->n_counters++];
	copy(c->of, sizeof(c->of), of);
	copy(c->node, sizeof(c->node), node);
	copy(c->name, sizeof(c->name), name);
	c->value = v;
}

static void load_counters(struct doctor_evidence *ev, const json_t *counters)
{
	const char *name, *node, *stat;
	json_t *v, *per;

	json_object_foreach(json_object_get(counters, "balancer"), name, v)
		counter_add(ev, "balancer", "", name,
			    json_integer_value(json_object_get(v, "packets")));
	json_object_foreach(json_object_get(counters, "decap"), node, per)
		json_object_foreach(per, stat, v)
			counter_add(ev, "decap", node, stat, json_integer_value(v));
}

static void load_report(struct doctor_evidence *ev, const json_t *r)
{
	size_t i;
	json_t *v;

	copy(ev->result, sizeof(ev->result), str_of(r, "result"));
	copy(ev->error, sizeof(ev->error), str_of(r, "error"));
	json_array_foreach(json_object_get(r, "checks"), i, v) {
		if (ev->n_checks >= DOCTOR_MAX_ITEMS)
			break;
		ev->checks[ev->n_checks].pass = json_is_true(json_object_get(v, "pass"));
		copy(ev->checks[ev->n_checks].text, sizeof(ev->checks[0].text), str_of(v, "check"));
		ev->n_checks++;
	}
	json_array_foreach(json_object_get(r, "kernel_drops"), i, v) {
		struct doctor_drop *d;

		if (ev->n_drops >= DOCTOR_MAX_ITEMS)
			break;
		d = &ev->drops[ev->n_drops++];
		copy(d->node, sizeof(d->node), str_of(v, "node"));
		copy(d->iface, sizeof(d->iface), str_of(v, "iface"));
		copy(d->reason, sizeof(d->reason), str_of(v, "reason"));
		d->count = json_integer_value(json_object_get(v, "count"));
	}
	load_counters(ev, json_object_get(r, "counters"));
	json_array_foreach(json_object_get(r, "phases"), i, v) {
		if (ev->n_phases >= (int)(sizeof(ev->phases) / sizeof(ev->phases[0])))
			break;
		ev->phases[ev->n_phases].done = !strcmp(str_of(v, "result"), "done");
		copy(ev->phases[ev->n_phases].action, sizeof(ev->phases[0].action),
		     str_of(v, "action"));
		ev->n_phases++;
	}
}

static void load_nodes(struct doctor_evidence *ev, const json_t *b)
{
	const char *key;
	size_t i;
	json_t *v, *s;

	json_array_foreach(json_object_get(b, "nodes"), i, v) {
		struct doctor_node *n;

		if (ev->n_nodes >= DOCTOR_MAX_NODES)
			break;
		n = &ev->nodes[ev->n_nodes++];
		copy(n->name, sizeof(n->name), str_of(v, "name"));
		copy(n->role, sizeof(n->role), str_of(v, "role"));
		copy(n->ruleset, sizeof(n->ruleset), str_of(v, "nft_ruleset"));
		json_object_foreach(json_object_get(v, "sysctls"), key, s) {
			if (n->n_sysctls >= (int)(sizeof(n->sysctls) / sizeof(n->sysctls[0])))
				break;
			copy(n->sysctls[n->n_sysctls].key, sizeof(n->sysctls[0].key), key);
			copy(n->sysctls[n->n_sysctls].value, sizeof(n->sysctls[0].value),
			     json_string_value(s));
			n->n_sysctls++;
		}
	}
}

int doctor_load(const char *dir, struct doctor_evidence *ev, char *err, size_t errlen)
{
	char path[PATH_MAX];
	json_error_t je;
	json_t *r, *b;

	memset(ev, 0, sizeof(*ev));
	snprintf(path, sizeof(path), "%s/report.json", dir);
	r = json_load_file(path, 0, &je);
	if (!r && je.line < 0) { /* not there, or not readable */
		snprintf(err, errlen, "%s: %s (is %s a run folder?)", path, je.text, dir);
		return -ENOENT;
	}
	if (!r) {
		snprintf(err, errlen, "%s:%d:%d: %s", path, je.line, je.column, je.text);
		return -EINVAL;
	}
	if (!json_is_object(r) || !json_is_string(json_object_get(r, "result"))) {
		snprintf(err, errlen, "%s: not a dsrlab report (no \"result\")", path);
		json_decref(r);
		return -EINVAL;
	}
	load_report(ev, r);
	json_decref(r);
	snprintf(path, sizeof(path), "%s/bundle/nodes.json", dir);
	b = json_load_file(path, 0, &je);
	if (b) {
		ev->bundle = true;
		load_nodes(ev, b);
		json_decref(b);
	}
	return 0;
}

/* ---- matching: pure functions of (evidence, catalogue) ---- */

struct binding {
	const char *node, *iface, *check;
	unsigned long long count;
	bool bound, counted; /* a node was bound; {count} was set (by the first need that can) */
};

static const struct doctor_node *node_of(const struct doctor_evidence *ev, const char *name)
{
	int i;

	for (i = 0; i < ev->n_nodes; i++)
		if (!strcmp(ev->nodes[i].name, name))
			return &ev->nodes[i];
	return NULL;
}

/* Without a bundle the roles are unknown: a role constraint does not rule a node out. */
static bool role_ok(const struct doctor_evidence *ev, const struct doctor_need *nd,
		    const char *node)
{
	const struct doctor_node *n;

	if (!nd->role || !ev->bundle)
		return true;
	n = node_of(ev, node);
	return n && !strcmp(n->role, nd->role);
}

static bool value_ok(const struct doctor_need *nd, unsigned long long v)
{
	if (nd->zero)
		return v == 0;
	return v >= nd->min && (!nd->max || v <= nd->max);
}

static bool node_ok(const struct doctor_evidence *ev, const struct doctor_need *nd,
		    const struct binding *b, const char *node)
{
	if (nd->same_node && b->bound && strcmp(b->node, node))
		return false;
	return role_ok(ev, nd, node);
}

static void bind(struct binding *b, const char *node, const char *iface, unsigned long long n)
{
	if (b->bound)
		return;
	b->node = node;
	b->iface = iface;
	if (!b->counted && n)
		b->count = n, b->counted = true;
	b->bound = true;
}

static int append(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int append(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;

	if (used >= len - 1)
		return 0;
	if (used)
		snprintf(buf + used, len - used, "; "), used = strlen(buf);
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
	return 1;
}

/* what: one reason, or several separated by '|' */
static bool reason_in(const char *what, const char *reason)
{
	size_t n = strlen(reason);

	while (*what) {
		size_t len = strcspn(what, "|");

		if (len == n && !strncmp(what, reason, n))
			return true;
		what += len + (what[len] == '|');
	}
	return false;
}

static bool match_drop(const struct doctor_evidence *ev, const struct doctor_need *nd,
		       struct binding *b, char *evid, size_t len)
{
	const struct doctor_drop *best = NULL;
	int i;

	for (i = 0; i < ev->n_drops; i++) {
		const struct doctor_drop *d = &ev->drops[i];

		if (!reason_in(nd->what, d->reason) || !node_ok(ev, nd, b, d->node) ||
		    !value_ok(nd, d->count))
			continue;
		if (!best || d->count > best->count)
			best = d;
	}
	if (!best)
		return false;
	bind(b, best->node, best->iface, best->count);
	append(evid, len, "kernel drops %s%s%s %s=%llu", best->node, best->iface[0] ? ":" : "",
	       best->iface, best->reason, best->count);
	return true;
}

static bool lb_counter(const struct doctor_evidence *ev, const char *name, unsigned long long *v)
{
	bool found = false;
	int i;

	*v = 0;
	for (i = 0; i < ev->n_counters; i++)
		if (!strcmp(ev->counters[i].of, "balancer") &&
		    reason_in(name, ev->counters[i].name)) {
			*v += ev->counters[i].value;
			found = true;
		}
	return found;
}

static bool match_counter(const struct doctor_evidence *ev, const struct doctor_need *nd,
			  struct binding *b, char *evid, size_t len)
{
	unsigned long long v;
	int i;

	if (nd->kind == DN_LB_COUNTER) {
		if (!lb_counter(ev, nd->what, &v) || !value_ok(nd, v))
			return false;
		if (!b->counted)
			b->count = v, b->counted = true;
		append(evid, len, "balancer %s=%llu", nd->what, v);
		return true;
	}
	for (i = 0; i < ev->n_counters; i++) {
		const struct doctor_counter *c = &ev->counters[i];

		if (strcmp(c->of, "decap") || !reason_in(nd->what, c->name) ||
		    !node_ok(ev, nd, b, c->node) || !value_ok(nd, c->value))
			continue;
		bind(b, c->node, "", c->value);
		append(evid, len, "decap serving %s %s=%llu", c->node, c->name, c->value);
		return true;
	}
	return false;
}

static bool match_check(const struct doctor_evidence *ev, const struct doctor_need *nd,
			struct binding *b, char *evid, size_t len)
{
	int i;

	for (i = 0; i < ev->n_checks; i++)
		if (!ev->checks[i].pass &&
		    !strncmp(ev->checks[i].text, nd->what, strlen(nd->what))) {
			if (!b->check)
				b->check = ev->checks[i].text;
			append(evid, len, "check failed: %s", ev->checks[i].text);
			return true;
		}
	return false;
}

/* A key with "{iface}" in it is read for the bound interface. */
static bool match_sysctl(const struct doctor_evidence *ev, const struct doctor_need *nd,
			 struct binding *b, char *evid, size_t len)
{
	char key[128];
	const char *at = strstr(nd->what, "{iface}");
	int i, k;

	if (at)
		snprintf(key, sizeof(key), "%.*s%s%s", (int)(at - nd->what), nd->what,
			 b->iface ? b->iface : "", at + 7);
	else
		snprintf(key, sizeof(key), "%s", nd->what);
	for (i = 0; i < ev->n_nodes; i++) {
		const struct doctor_node *n = &ev->nodes[i];

		if (!node_ok(ev, nd, b, n->name))
			continue;
		for (k = 0; k < n->n_sysctls; k++)
			if (!strcmp(n->sysctls[k].key, key) &&
			    !strcmp(n->sysctls[k].value, nd->value)) {
				bind(b, n->name, "", 0);
				append(evid, len, "%s: %s = %s", n->name, key, nd->value);
				return true;
			}
	}
	return false;
}

static bool match_ruleset(const struct doctor_evidence *ev, const struct doctor_need *nd,
			  struct binding *b, char *evid, size_t len)
{
	int i;

	for (i = 0; i < ev->n_nodes; i++) {
		const struct doctor_node *n = &ev->nodes[i];

		if (!node_ok(ev, nd, b, n->name) || !strstr(n->ruleset, nd->what))
			continue;
		bind(b, n->name, "", 0);
		append(evid, len, "%s's nftables ruleset has '%s'", n->name, nd->what);
		return true;
	}
	return false;
}

/* What the balancer encapsulated and no decap received encapsulated. Needs a decap. */
static bool match_encap_lost(const struct doctor_evidence *ev, const struct doctor_need *nd,
			     struct binding *b, char *evid, size_t len)
{
	unsigned long long sent, got = 0, lost;
	bool decap = false;
	int i;

	if (!lb_counter(ev, "tx_encap", &sent))
		return false;
	for (i = 0; i < ev->n_counters; i++) {
		const struct doctor_counter *c = &ev->counters[i];

		if (strcmp(c->of, "decap"))
			continue;
		decap = true;
		if (!strcmp(c->name, "rx"))
			got += c->value;
		else if (!strcmp(c->name, "pass_plain") || !strcmp(c->name, "pass_other_dst"))
			got -= c->value < got ? c->value : got;
	}
	lost = sent > got ? sent - got : 0;
	if (!decap || !value_ok(nd, lost))
		return false;
	if (!b->counted)
		b->count = lost, b->counted = true;
	append(evid, len, "balancer tx_encap=%llu, decaps received %llu encapsulated", sent, got);
	return true;
}

static bool match_phase(const struct doctor_evidence *ev, const struct doctor_need *nd, char *evid,
			size_t len)
{
	int i;

	for (i = 0; i < ev->n_phases; i++)
		if (ev->phases[i].done &&
		    !strncmp(ev->phases[i].action, nd->what, strlen(nd->what))) {
			append(evid, len, "phase done: %s", ev->phases[i].action);
			return true;
		}
	return false;
}

/* The setup error contains one of what's '|'-separated texts. */
static bool match_error(const struct doctor_evidence *ev, const struct doctor_need *nd, char *evid,
			size_t len)
{
	const char *what = nd->what;
	char one[128];

	while (*what) {
		size_t n = strcspn(what, "|");

		snprintf(one, sizeof(one), "%.*s", (int)n, what);
		if (ev->error[0] && strstr(ev->error, one)) {
			if (!strstr(evid, "setup error: "))
				append(evid, len, "setup error: %s", ev->error);
			return true;
		}
		what += n + (what[n] == '|');
	}
	return false;
}

static bool match_need(const struct doctor_evidence *ev, const struct doctor_need *nd,
		       struct binding *b, char *evid, size_t len)
{
	switch (nd->kind) {
	case DN_CHECK_FAILED:
		return match_check(ev, nd, b, evid, len);
	case DN_DROP:
		return match_drop(ev, nd, b, evid, len);
	case DN_LB_COUNTER:
	case DN_DECAP_COUNTER:
		return match_counter(ev, nd, b, evid, len);
	case DN_SYSCTL:
		return match_sysctl(ev, nd, b, evid, len);
	case DN_RULESET:
		return match_ruleset(ev, nd, b, evid, len);
	case DN_ENCAP_LOST:
		return match_encap_lost(ev, nd, b, evid, len);
	case DN_PHASE:
		return match_phase(ev, nd, evid, len);
	case DN_ERROR:
		return match_error(ev, nd, evid, len);
	case DN_NONE:
		break;
	}
	return false;
}

/* tmpl with {node}, {iface}, {count} and {check} filled in from the binding. */
static void fill(char *out, size_t len, const char *tmpl, const struct binding *b)
{
	size_t o = 0;

	while (*tmpl && o + 1 < len) {
		char val[256] = "";
		size_t n = 0;

		if (!strncmp(tmpl, "{node}", 6))
			n = 6, copy(val, sizeof(val), b->node);
		else if (!strncmp(tmpl, "{iface}", 7))
			n = 7, copy(val, sizeof(val), b->iface);
		else if (!strncmp(tmpl, "{count}", 7))
			n = 7, snprintf(val, sizeof(val), "%llu", b->count);
		else if (!strncmp(tmpl, "{check}", 7))
			n = 7, copy(val, sizeof(val), b->check);
		if (!n) {
			out[o++] = *tmpl++;
			continue;
		}
		o += snprintf(out + o, len - o, "%s", val);
		if (o >= len)
			o = len - 1;
		tmpl += n;
	}
	out[o] = '\0';
}

static bool cause_match(const struct doctor_evidence *ev, const struct doctor_cause *c,
			struct doctor_finding *f)
{
	struct binding b = {};
	int k;

	memset(f, 0, sizeof(*f));
	for (k = 0; k < DOCTOR_MAX_NEEDS && c->need[k].kind != DN_NONE; k++) {
		if (match_need(ev, &c->need[k], &b, f->evidence, sizeof(f->evidence)))
			f->score++;
		else if (!c->need[k].optional)
			return false;
	}
	f->cause = c;
	fill(f->message, sizeof(f->message), c->message, &b);
	fill(f->fix, sizeof(f->fix), c->fix, &b);
	return true;
}

int doctor_diagnose(const struct doctor_evidence *ev, const struct doctor_cause *cat, int n_cat,
		    struct doctor_finding *out, int max)
{
	struct doctor_finding f;
	int i, j, n = 0;

	if (!strcmp(ev->result, "PASS"))
		return 0;
	for (i = 0; i < n_cat; i++) {
		if (!cause_match(ev, &cat[i], &f))
			continue;
		/* after every finding at least as specific: equal scores keep catalogue order */
		for (j = n; j > 0 && out[j - 1].score < f.score; j--)
			;
		if (j >= max)
			continue;
		memmove(&out[j + 1], &out[j], ((n < max ? n : max - 1) - j) * sizeof(out[0]));
		out[j] = f;
		if (n < max)
			n++;
	}
	return n;
}

void doctor_print_text(const struct doctor_evidence *ev, const struct doctor_finding *f, int n,
		       FILE *out)
{
	int i;

	if (!strcmp(ev->result, "PASS")) {
		fprintf(out, "diagnosis: none (every check passed)\n");
		return;
	}
	if (!n) {
		fprintf(out, "diagnosis: no cause in the catalogue (docs/doctor.md) matches this "
			     "evidence\n");
		return;
	}
	fprintf(out, "diagnosis (most likely first):\n");
	for (i = 0; i < n; i++)
		fprintf(out, "  %d. %s: %s\n     evidence: %s\n     fix: %s\n", i + 1,
			f[i].cause->id, f[i].message, f[i].evidence, f[i].fix);
}

int doctor_write_json(const struct doctor_evidence *ev, const struct doctor_finding *f, int n,
		      FILE *out)
{
	json_t *doc = json_object(), *causes = json_array();
	int i, err;

	json_object_set_new(doc, "version", json_integer(DOCTOR_VERSION));
	json_object_set_new(doc, "result", json_string(ev->result));
	json_object_set_new(doc, "bundle", json_boolean(ev->bundle));
	for (i = 0; i < n; i++)
		json_array_append_new(causes, json_pack("{s:i,s:s,s:i,s:s,s:s,s:s}", "rank", i + 1,
							"id", f[i].cause->id, "score", f[i].score,
							"message", f[i].message, "evidence",
							f[i].evidence, "fix", f[i].fix));
	json_object_set_new(doc, "causes", causes);
	err = json_dumpf(doc, out, JSON_INDENT(2));
	fputc('\n', out);
	json_decref(doc);
	return err ? -EIO : 0;
}

int doctor_run(const char *dir, bool json, FILE *out)
{
	struct doctor_finding found[DOCTOR_MAX_FOUND];
	struct doctor_evidence *ev = calloc(1, sizeof(*ev));
	char err[PATH_MAX + 128], path[PATH_MAX];
	FILE *f;
	int n;

	if (!ev)
		return 3;
	if (doctor_load(dir, ev, err, sizeof(err))) {
		fprintf(stderr, "dsrlab doctor: %s\n", err);
		free(ev);
		return 2;
	}
	n = doctor_diagnose(ev, doctor_catalogue, doctor_catalogue_len, found, DOCTOR_MAX_FOUND);
	snprintf(path, sizeof(path), "%s/diagnosis.json", dir);
	f = fopen(path, "w");
	if (f) {
		doctor_write_json(ev, found, n, f);
		fclose(f);
	}
	if (json)
		doctor_write_json(ev, found, n, out);
	else
		doctor_print_text(ev, found, n, out);
	free(ev);
	return 0;
}
