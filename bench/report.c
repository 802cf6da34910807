// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>

#include "bench/report.h"

static const char *exit_word(int code)
{
	switch (code) {
	case EXIT_PASS:
		return "PASS";
	case EXIT_CHECK_FAILED:
		return "FAIL";
	case EXIT_SKIPPED:
		return "SKIPPED";
	default:
		return "ERROR";
	}
}

static void served_line(const struct run *r, const struct traffic_result *t, FILE *f)
{
	int per_node[SC_MAX_NODES] = { 0 }, i;

	for (i = 0; i < t->t->connections; i++)
		if (t->conns[i].served_by >= 0)
			per_node[t->conns[i].served_by]++;
	for (i = 0; i < r->sc->n_nodes; i++)
		if (per_node[i])
			fprintf(f, " %s=%d", r->sc->nodes[i].name, per_node[i]);
}

static void traffic_line(const struct run *r, const struct traffic_result *t, FILE *f)
{
	const struct sc_traffic *s = t->t;

	fprintf(f, "traffic %s: ", s->name);
	switch (s->kind) {
	case SC_TRAFFIC_COMMAND:
		if (t->exit_status < 0)
			fprintf(f, "command %s", t->conns[0].error);
		else
			fprintf(f, "command exited %d in %.2f s, %s", t->exit_status, t->seconds,
				t->answered ? "as expected" : t->conns[0].error);
		fprintf(f, "; output '%.60s' (log %s)\n", t->output, t->log);
		return;
	case SC_TRAFFIC_BULK:
		fprintf(f,
			"%d connections x %d bytes, %d answered in %.3f s, goodput %.1f Mbit/s; "
			"served by",
			s->connections, s->bytes, t->answered, t->seconds, t->goodput_mbps);
		break;
	case SC_TRAFFIC_REQUESTS:
		fprintf(f, "%d connections", s->connections);
		if (s->requests > 1)
			fprintf(f, " x %d requests", s->requests);
		fprintf(f, ", %d answered", t->answered);
		if (s->requests > 1)
			fprintf(f, " (%lld requests), %d broken", t->requests, t->broken);
		fprintf(f, " in %.2f s; served by", t->seconds);
		break;
	}
	served_line(r, t, f);
	fprintf(f, "\n");
}

static void phase_what(const struct sc_phase *ph, const struct scenario *sc, char *buf, size_t len)
{
	char ep[ADDR_STRLEN];

	switch (ph->kind) {
	case SC_PHASE_REMOVE_BACKEND:
	case SC_PHASE_ADD_BACKEND:
		snprintf(buf, len, "%s %s %s %s", scenario_phase_name(ph->kind), ph->node,
			 ph->kind == SC_PHASE_ADD_BACKEND ? "to" : "from",
			 endpoint_str(&sc->balancer.vips[ph->vip].vip, ep, sizeof(ep)));
		break;
	case SC_PHASE_SET_MTU:
		snprintf(buf, len, "set-mtu %s:%s %d", ph->at.node, ph->at.iface, ph->mtu);
		break;
	case SC_PHASE_REPLACE_DECAP:
		snprintf(buf, len, "replace-decap %s", ph->node);
		break;
	case SC_PHASE_FAIL_BALANCER:
		snprintf(buf, len, "fail-balancer %s", ph->node);
		break;
	}
}

static void phase_line(const struct run *r, int i, FILE *f)
{
	const struct sc_phase *ph = &r->sc->phases[i];
	const struct phase_result *p = &r->phases[i];
	char what[128];

	phase_what(ph, r->sc, what, sizeof(what));
	if (!p->ran)
		fprintf(f, "phase at %d ms: %s: not run\n", ph->at_ms, what);
	else
		fprintf(f, "phase at %d ms: %s: %s at %.1f ms%s%s\n", ph->at_ms, what,
			p->done ? "done" : "FAILED", p->at_ms, p->done ? "" : ": ", p->error);
}

void report_text(const struct run *r, int exit_code, FILE *f)
{
	int i, k, pass = 0;

	fprintf(f, "dsrlab run %s (scenario %s, %s, %ld x %s)\n", r->env.id, r->sc->name, r->kernel,
		r->ncpu, r->cpu);
	for (i = 0; i < r->n_lbs; i++)
		if (r->lbs[i].xdp_attached)
			fprintf(f, "balancer: XDP %s on %s:%s\n", xdp_mode_name(r->lbs[i].xdp_mode),
				r->sc->balancer.nodes[i], r->sc->balancer.iface);
	if (r->env.error[0])
		fprintf(f, "setup error: %s\n", r->env.error);
	for (i = 0; i < r->sc->n_traffic; i++) {
		const struct traffic_result *t = &r->traffic[i];

		if (!t->conns)
			continue;
		traffic_line(r, t, f);
	}
	for (i = 0; i < r->sc->n_phases; i++)
		phase_line(r, i, f);
	if (r->sc->n_expects && (r->traffic[0].conns || !r->sc->n_traffic))
		fprintf(f, "checks:\n");
	for (i = 0; i < r->sc->n_expects; i++) {
		const struct check_result *c = &r->checks[i];

		if (!c->e)
			continue;
		pass += c->pass;
		fprintf(f, "  %s  %s\n        %s\n", c->pass ? "PASS" : "FAIL", c->summary,
			c->evidence);
	}
	for (k = 0; k < r->n_lbs; k++) {
		if (!r->lbs[k].stats_valid)
			continue;
		if (r->n_lbs == 1)
			fprintf(f, "balancer counters:");
		else
			fprintf(f, "balancer %s counters:", r->sc->balancer.nodes[k]);
		for (i = 0; i < LB_STAT_MAX; i++)
			if (r->lbs[k].stats[i].packets)
				fprintf(f, " %s=%llu", lb_stat_name(i),
					(unsigned long long)r->lbs[k].stats[i].packets);
		fprintf(f, "\n");
	}
	for (i = 0; i < r->sc->n_nodes; i++) {
		if (!r->nodes[i].decap_iface[0])
			continue;
		fprintf(f, "decap for %s at %s:%s (%s):", r->sc->nodes[i].name,
			r->sc->nodes[r->nodes[i].decap_node].name, r->nodes[i].decap_iface,
			decap_at_name(r->nodes[i].decap_at));
		for (k = 0; k < DECAP_STAT_MAX; k++)
			if (r->nodes[i].decap_stats[k])
				fprintf(f, " %s=%llu", decap_stat_name(k),
					(unsigned long long)r->nodes[i].decap_stats[k]);
		fprintf(f, "\n");
	}
	if (!r->drop_tracer && !r->n_drops)
		fprintf(f, "kernel drops: not traced\n");
	else if (!r->n_drops)
		fprintf(f, "kernel drops: none\n");
	for (i = 0; i < r->n_drops; i++)
		fprintf(f, "kernel drops: %s%s%s %s=%llu\n", r->sc->nodes[r->drops[i].node].name,
			r->drops[i].iface[0] ? ":" : "", r->drops[i].iface, r->drops[i].reason,
			(unsigned long long)r->drops[i].count);
	for (i = 0; i < r->n_caps; i++)
		fprintf(f, "pcap %s:%s -> %s (%llu packets, %llu lost by the capture)\n",
			r->cap_points[i].node, r->cap_points[i].iface, r->cap_files[i],
			(unsigned long long)r->cap_stats[i].written,
			(unsigned long long)r->cap_stats[i].kernel_drop);
	fprintf(f, "result: %s (%d/%d checks passed)\n", exit_word(exit_code), pass,
		r->sc->n_expects);
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = *s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static void json_kv(FILE *f, const char *k, const char *v, bool comma)
{
	json_str(f, k);
	fputc(':', f);
	json_str(f, v);
	if (comma)
		fputc(',', f);
}

static const char *const traffic_kind_names[] = { "requests", "bulk", "command" };

static void traffic_json_extra(const struct traffic_result *t, FILE *f)
{
	json_kv(f, "kind", traffic_kind_names[t->t->kind], true);
	switch (t->t->kind) {
	case SC_TRAFFIC_REQUESTS:
		fprintf(f,
			"\"requests_per_connection\":%d,\"requests_answered\":%lld,"
			"\"broken\":%d,",
			t->t->requests, t->requests, t->broken);
		break;
	case SC_TRAFFIC_BULK:
		fprintf(f, "\"bytes_per_connection\":%d,\"goodput_mbps\":%.1f,", t->t->bytes,
			t->goodput_mbps);
		break;
	case SC_TRAFFIC_COMMAND:
		fprintf(f, "\"exit_status\":%d,", t->exit_status);
		json_kv(f, "output", t->output, true);
		json_kv(f, "log", t->log, true);
		json_kv(f, "error", t->conns[0].error, true);
		break;
	}
}

static void lb_stats_json(const struct run *r, int k, FILE *f)
{
	struct lb_counter c[LB_STAT_MAX];
	bool valid = run_lb_stats(r, k, c);
	int i;

	fprintf(f, "{");
	for (i = 0; valid && i < LB_STAT_MAX; i++)
		fprintf(f, "%s\"%s\":{\"packets\":%llu,\"bytes\":%llu}", i ? "," : "",
			lb_stat_name(i), (unsigned long long)c[i].packets,
			(unsigned long long)c[i].bytes);
	fprintf(f, "}");
}

void report_json(const struct run *r, int exit_code, FILE *f)
{
	int i, k;

	fprintf(f, "{\"version\":%d,", REPORT_VERSION);
	json_kv(f, "scenario", r->sc->name, true);
	json_kv(f, "file", r->sc->file, true);
	json_kv(f, "run_id", r->env.id, true);
	json_kv(f, "result", exit_word(exit_code), true);
	fprintf(f, "\"exit_code\":%d,", exit_code);
	json_kv(f, "error", r->env.error, true);
	json_kv(f, "outdir", r->env.outdir, true);
	fprintf(f, "\"environment\":{");
	json_kv(f, "kernel", r->kernel, true);
	json_kv(f, "cpu", r->cpu, true);
	fprintf(f, "\"cpus\":%ld,", r->ncpu);
	json_kv(f, "xdp_mode",
		r->n_lbs && r->lbs[0].xdp_attached ? xdp_mode_name(r->lbs[0].xdp_mode) : "", false);
	fprintf(f, "},\"traffic\":[");
	for (i = 0, k = 0; i < r->sc->n_traffic; i++) {
		const struct traffic_result *t = &r->traffic[i];
		int n, per_node[SC_MAX_NODES] = { 0 };
		bool first = true;

		if (!t->conns)
			continue;
		fprintf(f, "%s{", k++ ? "," : "");
		json_kv(f, "name", t->t->name, true);
		fprintf(f, "\"connections\":%d,\"sent\":%d,\"answered\":%d,\"seconds\":%.3f,",
			t->t->connections, t->sent, t->answered, t->seconds);
		traffic_json_extra(t, f);
		for (n = 0; n < t->t->connections; n++)
			if (t->conns[n].served_by >= 0)
				per_node[t->conns[n].served_by]++;
		fprintf(f, "\"served_by\":{");
		for (n = 0; n < r->sc->n_nodes; n++) {
			if (!per_node[n])
				continue;
			fprintf(f, "%s", first ? "" : ",");
			json_str(f, r->sc->nodes[n].name);
			fprintf(f, ":%d", per_node[n]);
			first = false;
		}
		fprintf(f, "}}");
	}
	fprintf(f, "],\"phases\":[");
	for (i = 0; i < r->sc->n_phases; i++) {
		char what[128];

		phase_what(&r->sc->phases[i], r->sc, what, sizeof(what));
		fprintf(f, "%s{\"at_ms\":%d,\"line\":%d,", i ? "," : "", r->sc->phases[i].at_ms,
			r->sc->phases[i].mark.line);
		json_kv(f, "action", what, true);
		json_kv(f, "result",
			!r->phases[i].ran ? "not run" :
			r->phases[i].done ? "done" :
					    "failed",
			true);
		fprintf(f, "\"ran_at_ms\":%.1f,", r->phases[i].at_ms);
		json_kv(f, "error", r->phases[i].error, false);
		fprintf(f, "}");
	}
	fprintf(f, "],\"checks\":[");
	for (i = 0, k = 0; i < r->sc->n_expects; i++) {
		const struct check_result *c = &r->checks[i];

		if (!c->e)
			continue;
		fprintf(f, "%s{\"pass\":%s,\"line\":%d,", k++ ? "," : "",
			c->pass ? "true" : "false", c->e->mark.line);
		json_kv(f, "check", c->summary, true);
		json_kv(f, "evidence", c->evidence, false);
		fprintf(f, "}");
	}
	/* "balancer": summed over every balancer; "balancers": each, when there are several */
	fprintf(f, "],\"counters\":{\"balancer\":");
	lb_stats_json(r, -1, f);
	if (r->n_lbs > 1) {
		fprintf(f, ",\"balancers\":{");
		for (i = 0; i < r->n_lbs; i++) {
			fprintf(f, "%s", i ? "," : "");
			json_str(f, r->sc->balancer.nodes[i]);
			fprintf(f, ":");
			lb_stats_json(r, i, f);
		}
		fprintf(f, "}");
	}
	fprintf(f, ",\"decap\":{");
	for (i = 0, k = 0; i < r->sc->n_nodes; i++) {
		if (!r->nodes[i].decap_iface[0])
			continue;
		fprintf(f, "%s", k++ ? "," : "");
		json_str(f, r->sc->nodes[i].name);
		fprintf(f, ":{");
		for (int s = 0; s < DECAP_STAT_MAX; s++)
			fprintf(f, "%s\"%s\":%llu", s ? "," : "", decap_stat_name(s),
				(unsigned long long)r->nodes[i].decap_stats[s]);
		fprintf(f, "}");
	}
	fprintf(f, "}},\"kernel_drops\":[");
	for (i = 0; i < r->n_drops; i++) {
		fprintf(f, "%s{", i ? "," : "");
		json_kv(f, "node", r->sc->nodes[r->drops[i].node].name, true);
		json_kv(f, "iface", r->drops[i].iface, true);
		json_kv(f, "reason", r->drops[i].reason, true);
		fprintf(f, "\"count\":%llu}", (unsigned long long)r->drops[i].count);
	}
	fprintf(f, "],\"pcaps\":{");
	for (i = 0; i < r->n_caps; i++) {
		char key[64];

		snprintf(key, sizeof(key), "%s:%s", r->cap_points[i].node, r->cap_points[i].iface);
		fprintf(f, "%s", i ? "," : "");
		json_str(f, key);
		fprintf(f, ":{");
		json_kv(f, "file", r->cap_files[i], true);
		fprintf(f, "\"packets\":%llu,\"lost\":%llu}",
			(unsigned long long)r->cap_stats[i].written,
			(unsigned long long)r->cap_stats[i].kernel_drop);
	}
	fprintf(f, "}}\n");
}

static void xml_str(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '&':
			fputs("&amp;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			if ((unsigned char)*s >= 0x20 || *s == '\n' || *s == '\t')
				fputc(*s, f);
		}
	}
}

void report_junit(const struct run *r, FILE *f)
{
	int i, failed = 0, n = 0;

	for (i = 0; i < r->sc->n_expects; i++) {
		if (!r->checks[i].e)
			continue;
		n++;
		failed += !r->checks[i].pass;
	}
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
	fprintf(f, "<testsuite name=\"");
	xml_str(f, r->sc->name);
	fprintf(f, "\" tests=\"%d\" failures=\"%d\" errors=\"%d\">\n", n + !!r->env.error[0],
		failed, !!r->env.error[0]);
	if (r->env.error[0]) {
		fprintf(f, "  <testcase classname=\"");
		xml_str(f, r->sc->name);
		fprintf(f, "\" name=\"setup\"><error message=\"");
		xml_str(f, r->env.error);
		fprintf(f, "\"/></testcase>\n");
	}
	for (i = 0; i < r->sc->n_expects; i++) {
		const struct check_result *c = &r->checks[i];

		if (!c->e)
			continue;
		fprintf(f, "  <testcase classname=\"");
		xml_str(f, r->sc->name);
		fprintf(f, "\" name=\"");
		xml_str(f, c->summary);
		fprintf(f, "\">");
		if (!c->pass) {
			fprintf(f, "<failure message=\"");
			xml_str(f, c->evidence);
			fprintf(f, "\"/>");
		}
		fprintf(f, "<system-out>");
		xml_str(f, c->evidence);
		fprintf(f, "</system-out></testcase>\n");
	}
	fprintf(f, "</testsuite>\n</testsuites>\n");
}
