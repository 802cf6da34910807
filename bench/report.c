// SPDX-License-Identifier: GPL-2.0
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "bench/drop_kinds.h"
#include "bench/report.h"
#include "common/faults.h"
#include "common/log.h"

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

static void served_line(const struct report_in *in, const struct traffic_result *t, FILE *f)
{
	int per_node[SC_MAX_NODES] = { 0 }, i;

	for (i = 0; i < t->t->connections; i++)
		if (t->conns[i].served_by >= 0)
			per_node[t->conns[i].served_by]++;
	for (i = 0; i < in->sc->n_nodes; i++)
		if (per_node[i])
			fprintf(f, " %s=%d", in->sc->nodes[i].name, per_node[i]);
}

static void traffic_line(const struct report_in *in, const struct traffic_result *t, FILE *f)
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
	served_line(in, t, f);
	fprintf(f, "\n");
}

static void phase_what(const struct sc_phase *ph, const struct scenario *sc, char *buf, size_t len)
{
	char ep[ADDR_STRLEN];

	switch (ph->kind) {
	case SC_PHASE_REMOVE_BACKEND:
	case SC_PHASE_ADD_BACKEND:
		snprintf(buf, len, "%s %s %s %s%s", scenario_phase_name(ph->kind), ph->node,
			 ph->kind == SC_PHASE_ADD_BACKEND ? "to" : "from",
			 endpoint_str(&sc->balancer.vips[ph->vip].vip, ep, sizeof(ep)),
			 ph->flush ? ", flushing its flows" : "");
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

static void phase_line(const struct report_in *in, int i, FILE *f)
{
	const struct sc_phase *ph = &in->sc->phases[i];
	const struct phase_result *p = &in->ev->phases[i];
	char what[128];

	phase_what(ph, in->sc, what, sizeof(what));
	if (!p->ran)
		fprintf(f, "phase at %d ms: %s: not run\n", ph->at_ms, what);
	else
		fprintf(f, "phase at %d ms: %s: %s at %.1f ms%s%s\n", ph->at_ms, what,
			p->done ? "done" : "FAILED", p->at_ms, p->done ? "" : ": ", p->error);
}

/* A known bug put back on purpose (docs/bugs.md, "Faults") is said before anything else. */
static void faults_line(const char *prog, enum fault_of of, __u32 flags, FILE *f)
{
	size_t i;

	for (i = 0; i < n_fault_defs; i++)
		if (fault_defs[i].of == of && (flags & fault_defs[i].flag))
			fprintf(f, "%s: FAULT %s put back on purpose: %s\n", prog,
				fault_defs[i].name, fault_defs[i].what);
}

void report_text(const struct report_in *in, int exit_code, FILE *f)
{
	int i, k, pass = 0, points;
	__u64 unspec;

	fprintf(f, "dsrlab run %s (scenario %s, %s, %ld x %s)\n", in->ev->id, in->sc->name,
		in->ev->kernel, in->ev->ncpu, in->ev->cpu);
	for (i = 0; i < in->ev->n_lbs; i++)
		if (in->ev->lbs[i].attached)
			fprintf(f, "balancer: XDP %s on %s:%s, connection table %s\n",
				xdp_mode_name(in->ev->lbs[i].mode), in->sc->balancer.nodes[i],
				in->sc->balancer.iface,
				in->ev->lbs[i].conn_table[0] ? in->ev->lbs[i].conn_table : "?");
	faults_line("balancer", FAULT_OF_BALANCER, in->sc->balancer.faults, f);
	faults_line("decap", FAULT_OF_DECAP, in->sc->backend.faults, f);
	if (in->ev->error[0])
		fprintf(f, "setup error: %s\n", in->ev->error);
	for (i = 0; i < in->sc->n_traffic; i++) {
		const struct traffic_result *t = &in->ev->traffic[i];

		if (!t->conns)
			continue;
		traffic_line(in, t, f);
	}
	for (i = 0; i < in->sc->n_phases; i++)
		phase_line(in, i, f);
	if (in->sc->n_expects && (in->ev->traffic[0].conns || !in->sc->n_traffic))
		fprintf(f, "checks:\n");
	for (i = 0; i < in->sc->n_expects; i++) {
		const struct check_result *c = &in->checks[i];

		if (!c->e)
			continue;
		pass += c->pass;
		fprintf(f, "  %s  %s\n        %s\n", c->pass ? "PASS" : "FAIL", c->summary,
			c->evidence);
	}
	for (k = 0; k < in->ev->n_lbs; k++) {
		if (!in->ev->lbs[k].stats_valid)
			continue;
		if (in->ev->n_lbs == 1)
			fprintf(f, "balancer counters:");
		else
			fprintf(f, "balancer %s counters:", in->sc->balancer.nodes[k]);
		for (i = 0; i < LB_STAT_MAX; i++)
			if (in->ev->lbs[k].stats[i].packets)
				fprintf(f, " %s=%llu", lb_stat_name(i),
					(unsigned long long)in->ev->lbs[k].stats[i].packets);
		fprintf(f, "\n");
	}
	for (i = 0; i < in->sc->n_nodes; i++) {
		if (!in->ev->decaps[i].iface[0])
			continue;
		fprintf(f, "decap for %s at %s:%s (%s):", in->sc->nodes[i].name,
			in->sc->nodes[in->ev->decaps[i].node].name, in->ev->decaps[i].iface,
			decap_at_name(in->ev->decaps[i].at));
		for (k = 0; k < DECAP_STAT_MAX; k++)
			if (in->ev->decaps[i].stats[k])
				fprintf(f, " %s=%llu", decap_stat_name(k),
					(unsigned long long)in->ev->decaps[i].stats[k]);
		fprintf(f, "\n");
	}
	if (!in->ev->drops_traced && !in->ev->n_drops)
		fprintf(f, "kernel drops: not traced\n");
	else if (!in->ev->n_drops)
		fprintf(f, "kernel drops: none\n");
	/*
	 * Frees the kernel gives no reason for (NOT_SPECIFIED) happen on every run; no check
	 * counts them unless it names them. One line for all of them, each under -v.
	 */
	for (i = 0, unspec = points = 0; i < in->ev->n_drops; i++) {
		const struct ev_drop *d = &in->ev->drops[i];
		bool routine = drop_reason_routine(d->reason);

		if (routine) {
			unspec += d->count;
			points++;
		}
		if (!routine || log_get_level() >= LOG_INFO)
			fprintf(f, "kernel drops: %s%s%s %s=%llu%s\n", in->sc->nodes[d->node].name,
				d->iface[0] ? ":" : "", d->iface, d->reason,
				(unsigned long long)d->count,
				drop_reason_overflow(d->reason) ?
					" (a full queue: load, counted only where a check names it)" :
					"");
	}
	if (unspec && log_get_level() < LOG_INFO)
		fprintf(f,
			"kernel drops: %llu without a reason (NOT_SPECIFIED) at %d points: routine "
			"frees no check counts unless it names them; -v lists them\n",
			(unsigned long long)unspec, points);
	for (i = 0; i < in->ev->n_caps; i++)
		fprintf(f, "pcap %s:%s -> %s (%llu packets, %llu lost by the capture)\n",
			in->ev->caps[i].at.node, in->ev->caps[i].at.iface, in->ev->caps[i].file,
			(unsigned long long)in->ev->caps[i].stats.written,
			(unsigned long long)in->ev->caps[i].stats.kernel_drop);
	fprintf(f, "result: %s (%d/%d checks passed)\n", exit_word(exit_code), pass,
		in->sc->n_expects);
}

/* x rounded to `decimals` places, as the report has always printed it. */
static json_t *json_fixed(double x, int decimals)
{
	double scale = decimals == 3 ? 1000 : 10;

	return json_real(round(x * scale) / scale);
}

static const char *const traffic_kind_names[] = { "requests", "bulk", "command" };

static void traffic_json_extra(const struct traffic_result *t, json_t *o)
{
	json_object_set_new(o, "kind", json_string(traffic_kind_names[t->t->kind]));
	switch (t->t->kind) {
	case SC_TRAFFIC_REQUESTS:
		json_object_set_new(o, "requests_per_connection", json_integer(t->t->requests));
		json_object_set_new(o, "requests_answered", json_integer(t->requests));
		json_object_set_new(o, "broken", json_integer(t->broken));
		break;
	case SC_TRAFFIC_BULK:
		json_object_set_new(o, "bytes_per_connection", json_integer(t->t->bytes));
		json_object_set_new(o, "goodput_mbps", json_fixed(t->goodput_mbps, 1));
		break;
	case SC_TRAFFIC_COMMAND:
		json_object_set_new(o, "exit_status", json_integer(t->exit_status));
		json_object_set_new(o, "output", json_string(t->output));
		json_object_set_new(o, "log", json_string(t->log));
		json_object_set_new(o, "error", json_string(t->conns[0].error));
		break;
	}
}

static json_t *traffic_json(const struct report_in *in)
{
	json_t *a = json_array();
	int i, n;

	for (i = 0; i < in->sc->n_traffic; i++) {
		const struct traffic_result *t = &in->ev->traffic[i];
		int per_node[SC_MAX_NODES] = { 0 };
		json_t *o, *served;

		if (!t->conns)
			continue;
		o = json_pack("{s:s, s:i, s:i, s:i, s:o}", "name", t->t->name, "connections",
			      t->t->connections, "sent", t->sent, "answered", t->answered,
			      "seconds", json_fixed(t->seconds, 3));
		traffic_json_extra(t, o);
		for (n = 0; n < t->t->connections; n++)
			if (t->conns[n].served_by >= 0)
				per_node[t->conns[n].served_by]++;
		served = json_object();
		for (n = 0; n < in->sc->n_nodes; n++)
			if (per_node[n])
				json_object_set_new(served, in->sc->nodes[n].name,
						    json_integer(per_node[n]));
		json_object_set_new(o, "served_by", served);
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *phases_json(const struct report_in *in)
{
	json_t *a = json_array();
	char what[128];
	int i;

	for (i = 0; i < in->sc->n_phases; i++) {
		const struct phase_result *p = &in->ev->phases[i];

		phase_what(&in->sc->phases[i], in->sc, what, sizeof(what));
		json_array_append_new(
			a, json_pack("{s:i, s:i, s:s, s:s, s:o, s:s}", "at_ms",
				     in->sc->phases[i].at_ms, "line", in->sc->phases[i].mark.line,
				     "action", what, "result",
				     !p->ran ? "not run" :
				     p->done ? "done" :
					       "failed",
				     "ran_at_ms", json_fixed(p->at_ms, 1), "error", p->error));
	}
	return a;
}

static json_t *checks_json(const struct report_in *in)
{
	json_t *a = json_array();
	int i;

	for (i = 0; i < in->sc->n_expects; i++) {
		const struct check_result *c = &in->checks[i];

		if (c->e)
			json_array_append_new(a, json_pack("{s:b, s:i, s:s, s:s}", "pass", c->pass,
							   "line", c->e->mark.line, "check",
							   c->summary, "evidence", c->evidence));
	}
	return a;
}

static json_t *lb_stats_json(const struct report_in *in, int k)
{
	struct lb_counter c[LB_STAT_MAX];
	bool valid = evidence_lb_stats(in->ev, k, c);
	json_t *o = json_object();
	int i;

	for (i = 0; valid && i < LB_STAT_MAX; i++)
		json_object_set_new(o, lb_stat_name(i),
				    json_pack("{s:I, s:I}", "packets", (json_int_t)c[i].packets,
					      "bytes", (json_int_t)c[i].bytes));
	return o;
}

/* "balancer": summed over every balancer; "balancers": each, when there are several. */
static json_t *counters_json(const struct report_in *in)
{
	json_t *o = json_object(), *each, *decap = json_object(), *d;
	int i, s;

	json_object_set_new(o, "balancer", lb_stats_json(in, -1));
	if (in->ev->n_lbs > 1) {
		each = json_object();
		for (i = 0; i < in->ev->n_lbs; i++)
			json_object_set_new(each, in->sc->balancer.nodes[i], lb_stats_json(in, i));
		json_object_set_new(o, "balancers", each);
	}
	for (i = 0; i < in->sc->n_nodes; i++) {
		if (!in->ev->decaps[i].iface[0])
			continue;
		d = json_object();
		for (s = 0; s < DECAP_STAT_MAX; s++)
			json_object_set_new(d, decap_stat_name(s),
					    json_integer(in->ev->decaps[i].stats[s]));
		json_object_set_new(decap, in->sc->nodes[i].name, d);
	}
	json_object_set_new(o, "decap", decap);
	return o;
}

static json_t *drops_json(const struct report_in *in)
{
	json_t *a = json_array();
	int i;

	for (i = 0; i < in->ev->n_drops; i++) {
		const struct ev_drop *d = &in->ev->drops[i];

		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:I}", "node",
						   in->sc->nodes[d->node].name, "iface", d->iface,
						   "reason", d->reason, "count",
						   (json_int_t)d->count));
	}
	return a;
}

static json_t *pcaps_json(const struct report_in *in)
{
	json_t *o = json_object();
	char key[64];
	int i;

	for (i = 0; i < in->ev->n_caps; i++) {
		const struct ev_capture *c = &in->ev->caps[i];

		snprintf(key, sizeof(key), "%s:%s", c->at.node, c->at.iface);
		json_object_set_new(o, key,
				    json_pack("{s:s, s:I, s:I}", "file", c->file, "packets",
					      (json_int_t)c->stats.written, "lost",
					      (json_int_t)c->stats.kernel_drop));
	}
	return o;
}

void report_json(const struct report_in *in, int exit_code, FILE *f)
{
	const struct evidence *ev = in->ev;
	json_t *doc;

	doc = json_pack("{s:i, s:s, s:s, s:s, s:s, s:i, s:s, s:s}", "version", REPORT_VERSION,
			"scenario", in->sc->name, "file", in->sc->file, "run_id", ev->id, "result",
			exit_word(exit_code), "exit_code", exit_code, "error", ev->error, "outdir",
			ev->outdir);
	json_object_set_new(
		doc, "environment",
		json_pack("{s:s, s:s, s:I, s:s, s:s}", "kernel", ev->kernel, "cpu", ev->cpu, "cpus",
			  (json_int_t)ev->ncpu, "xdp_mode",
			  ev->n_lbs && ev->lbs[0].attached ? xdp_mode_name(ev->lbs[0].mode) : "",
			  "conn_table", ev->n_lbs ? ev->lbs[0].conn_table : ""));
	json_object_set_new(doc, "traffic", traffic_json(in));
	json_object_set_new(doc, "phases", phases_json(in));
	json_object_set_new(doc, "checks", checks_json(in));
	json_object_set_new(doc, "counters", counters_json(in));
	json_object_set_new(doc, "kernel_drops", drops_json(in));
	json_object_set_new(doc, "pcaps", pcaps_json(in));
	if (doc)
		json_dumpf(doc, f, JSON_COMPACT | JSON_REAL_PRECISION(15));
	fputc('\n', f);
	json_decref(doc);
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

/* The seconds the evidence a check judges took: its traffic's, or none for the others. */
static double check_seconds(const struct report_in *in, const struct sc_expect *e)
{
	return e->traffic_idx >= 0 ? in->ev->traffic[e->traffic_idx].seconds : 0;
}

static void junit_property(FILE *f, const char *name, const char *value)
{
	fprintf(f, "    <property name=\"%s\" value=\"", name);
	xml_str(f, value);
	fprintf(f, "\"/>\n");
}

/*
 * One testsuite per run, one testcase per check (and "setup" for a setup error). It fits
 * both Jenkins' junit-10.xsd and the strict Ant schema (tests/junit/): testsuite with
 * package, id, timestamp (UTC, no zone), hostname and time; properties; each check's
 * evidence in its failure's text, and all of it in the suite's system-out, since Ant allows
 * nothing else in a testcase.
 */
void report_junit(const struct report_in *in, FILE *f)
{
	int i, failed = 0, n = 0;
	char stamp[32];
	struct tm tm;

	for (i = 0; i < in->sc->n_expects; i++) {
		if (!in->checks[i].e)
			continue;
		n++;
		failed += !in->checks[i].pass;
	}
	gmtime_r(&in->ev->started, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
	fprintf(f, "  <testsuite name=\"");
	xml_str(f, in->sc->name);
	fprintf(f, "\" package=\"dsrlab\" id=\"0\" timestamp=\"%s\" hostname=\"", stamp);
	xml_str(f, in->ev->hostname);
	fprintf(f, "\" tests=\"%d\" failures=\"%d\" errors=\"%d\" time=\"%.3f\">\n",
		n + !!in->ev->error[0], failed, !!in->ev->error[0], in->ev->seconds);
	fprintf(f, "  <properties>\n");
	junit_property(f, "run_id", in->ev->id);
	junit_property(f, "scenario_file", in->sc->file);
	junit_property(f, "kernel", in->ev->kernel);
	junit_property(f, "cpu", in->ev->cpu);
	fprintf(f, "  </properties>\n");
	if (in->ev->error[0]) {
		fprintf(f, "  <testcase classname=\"");
		xml_str(f, in->sc->name);
		fprintf(f, "\" name=\"setup\" time=\"%.3f\"><error type=\"setup\" message=\"",
			in->ev->seconds);
		xml_str(f, in->ev->error);
		fprintf(f, "\"/></testcase>\n");
	}
	for (i = 0; i < in->sc->n_expects; i++) {
		const struct check_result *c = &in->checks[i];

		if (!c->e)
			continue;
		fprintf(f, "  <testcase classname=\"");
		xml_str(f, in->sc->name);
		fprintf(f, "\" name=\"");
		xml_str(f, c->summary);
		fprintf(f, "\" time=\"%.3f\"", check_seconds(in, c->e));
		if (c->pass) {
			fprintf(f, "/>\n");
			continue;
		}
		fprintf(f, "><failure type=\"check\" message=\"");
		xml_str(f, c->evidence);
		fprintf(f, "\">");
		xml_str(f, c->evidence);
		fprintf(f, "</failure></testcase>\n");
	}
	fprintf(f, "  <system-out>");
	for (i = 0; i < in->sc->n_expects; i++) {
		if (!in->checks[i].e)
			continue;
		fprintf(f, "%s: ", in->checks[i].pass ? "pass" : "FAIL");
		xml_str(f, in->checks[i].summary);
		fprintf(f, ": ");
		xml_str(f, in->checks[i].evidence);
		fputc('\n', f);
	}
	fprintf(f, "</system-out>\n  <system-err></system-err>\n  </testsuite>\n</testsuites>\n");
}
