// SPDX-License-Identifier: GPL-2.0
/*
 * The throughput bench's report: text, JSON (jansson) and the plot (gnuplot: packets/s over
 * time, one line per stage). Only measured figures; a measurement that did not run says why.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <jansson.h>

#include "bench/throughput.h"
#include "bench/tool.h"

/* Every stage a measurement can have, in path order: the plot's columns. */
static const char *const stage_names[] = { "generator", "balancer-in", "balancer-tx", "host-nic-in",
					   "decap-in",	"decap-out",   "sink" };
#define N_STAGE_NAMES (int)(sizeof(stage_names) / sizeof(stage_names[0]))

static void settings_text(const struct sc_bench *b, FILE *f)
{
	int i;

	fprintf(f, "settings: %d-byte frames, %d flows, rate %s", b->frame, b->flows,
		b->rate ? "" : "as fast as it goes");
	if (b->rate)
		fprintf(f, "%d frames/s", b->rate);
	if (b->count)
		fprintf(f, ", %d frames per flood", b->count);
	else
		fprintf(f, ", %d ms per measurement", b->duration_ms);
	fprintf(f, ", sampled every %d ms, %d ms drain, generator on CPU ", b->interval_ms,
		b->drain_ms);
	for (i = 0; i < b->n_cpus; i++)
		fprintf(f, "%s%d", i ? "," : "", b->cpus[i]);
	fprintf(f, "%s\n", b->n_cpus ? "" : "of the calling thread");
}

static void drops_text(const struct tput_measure *m, FILE *f)
{
	int i;

	for (i = 0; i < m->n_drops; i++)
		fprintf(f, "  kernel drop: %s at %s: %llu\n", m->drops[i].reason, m->drops[i].at,
			(unsigned long long)m->drops[i].count);
}

static void measure_text(const struct tput_measure *m, int rounds, FILE *f)
{
	int i;

	fprintf(f, "\n%s", m->name);
	if (rounds > 1)
		fprintf(f, " (round %d of %d)", m->round + 1, rounds);
	fprintf(f, ": %s\n", m->path[0] ? m->path : "");
	if (!m->ran) {
		fprintf(f, "  not measured: %s\n", m->error[0] ? m->error : "not run");
		return;
	}
	if (m->kind == TPUT_GOODPUT) {
		fprintf(f, "  %.1f Mbit/s over %.2f s, %lld retransmissions (iperf3 -J: %s)\n",
			m->mbps, m->seconds, m->retransmits, m->log);
		drops_text(m, f);
		return;
	}
	fprintf(f, "  generator sent %llu frames (%llu bytes) in %.3f s: %.0f frames/s",
		(unsigned long long)m->gen.sent, (unsigned long long)m->gen.bytes, m->gen.seconds,
		m->gen.pps);
	if (m->rate_target)
		fprintf(f, "; target %llu/s %s", (unsigned long long)m->rate_target,
			m->gen.rate_missed ? "NOT reached" : "reached");
	fprintf(f, "\n  %-14s %14s %14s  %s\n", "stage", "packets", "packets/s", "CPUs");
	for (i = 0; i < m->n_stages; i++)
		fprintf(f, "  %-14s %14llu %14.0f  %s\n", m->stages[i].name,
			(unsigned long long)m->stages[i].packets, m->stages[i].pps,
			m->stages[i].cpus[0] ? m->stages[i].cpus : "-");
	fprintf(f, "  sink: %llu good, %llu malformed, %llu other\n", (unsigned long long)m->good,
		(unsigned long long)m->malformed, (unsigned long long)m->other);
	drops_text(m, f);
	for (i = 0; i < m->n_caps; i++)
		fprintf(f, "  capture %s: %llu packets in %s, %llu lost by the capture itself\n",
			m->caps[i].at, (unsigned long long)m->caps[i].written, m->caps[i].file,
			(unsigned long long)m->caps[i].dropped);
	if (m->error[0])
		fprintf(f, "  error: %s\n", m->error);
}

void tput_report_text(const struct tput_report *t, FILE *f)
{
	const struct run_stages *r = t->r;
	int i, k;

	fprintf(f, "dsrlab bench %s (run %s), output in %s\n", r->env->sc->name, r->env->id,
		r->env->outdir);
	fprintf(f, "machine: %s, %ld CPUs, %s\n", r->ev->cpu, r->ev->ncpu, r->ev->kernel);
	for (i = 0; i < t->n_xdp; i++)
		fprintf(f, "  %-12s at %-16s %s\n", t->xdp[i].program, t->xdp[i].at,
			t->xdp[i].mode);
	settings_text(&r->env->sc->bench, f);
	for (i = 0; i < t->n; i++)
		measure_text(&t->m[i], r->env->sc->bench.rounds, f);
	if (t->n_c)
		fprintf(f, "\nratios (delivered rate over its baseline, same run; goal >= %.2f):\n",
			t->c[0].goal);
	for (i = 0; i < t->n_c; i++) {
		fprintf(f, "  %-36s %5.3f  %s", t->c[i].name, t->c[i].ratio,
			t->c[i].met ? "met" : "MISSED");
		for (k = 0; t->c[i].n_rounds > 1 && k < t->c[i].n_rounds; k++)
			fprintf(f, "%s%.3f", k ? " " : "  (median of rounds: ", t->c[i].rounds[k]);
		fprintf(f, "%s\n", t->c[i].n_rounds > 1 ? ")" : "");
		if (!t->c[i].met)
			fprintf(f, "    bottleneck: %s\n", t->c[i].bottleneck);
	}
	if (t->micro)
		fprintf(f, "\nmicro-benchmark (bench --micro, same run): exit %d, JSON in %s\n",
			t->micro_code, t->micro_file);
	if (t->png[0])
		fprintf(f, "\nplot: %s, %s\n", t->png, t->svg);
	else
		fprintf(f, "\nplot: not drawn: %s\n", t->plot_error);
	if (t->corrupted)
		fprintf(f, "FAIL: a sink counted malformed frames: the data path corrupted them\n");
}

static json_t *stages_json(const struct tput_measure *m)
{
	json_t *a = json_array();
	int i;

	for (i = 0; i < m->n_stages; i++)
		json_array_append_new(a,
				      json_pack("{s:s, s:I, s:f, s:s}", "name", m->stages[i].name,
						"packets", (json_int_t)m->stages[i].packets, "pps",
						m->stages[i].pps, "cpus", m->stages[i].cpus));
	return a;
}

static json_t *samples_json(const struct tput_measure *m)
{
	json_t *a = json_array(), *s, *p;
	int i, k;

	for (i = 0; i < m->n_samples; i++) {
		p = json_object();
		for (k = 0; k < m->n_stages; k++)
			json_object_set_new(p, m->stages[k].name, json_real(m->sample_pps[i][k]));
		s = json_pack("{s:f, s:o}", "t", m->sample_t[i], "pps", p);
		json_array_append_new(a, s);
	}
	return a;
}

static json_t *gen_json(const struct tput_measure *m)
{
	json_t *cpus = json_array();
	int i;

	for (i = 0; i < m->gen.n_cpus; i++)
		json_array_append_new(cpus, json_integer(m->gen.cpus[i]));
	return json_pack("{s:I, s:I, s:I, s:f, s:f, s:I, s:b, s:o}", "sent",
			 (json_int_t)m->gen.sent, "bytes", (json_int_t)m->gen.bytes, "requested",
			 (json_int_t)m->gen.requested, "seconds", m->gen.seconds, "pps", m->gen.pps,
			 "rate_target", (json_int_t)m->rate_target, "rate_missed",
			 m->gen.rate_missed, "cpus", cpus);
}

static json_t *drops_json(const struct tput_measure *m)
{
	json_t *a = json_array();
	int i;

	for (i = 0; i < m->n_drops; i++)
		json_array_append_new(a, json_pack("{s:s, s:s, s:I}", "at", m->drops[i].at,
						   "reason", m->drops[i].reason, "count",
						   (json_int_t)m->drops[i].count));
	return a;
}

static json_t *caps_json(const struct tput_measure *m)
{
	json_t *a = json_array();
	int i;

	for (i = 0; i < m->n_caps; i++)
		json_array_append_new(a, json_pack("{s:s, s:s, s:I, s:I}", "at", m->caps[i].at,
						   "file", m->caps[i].file, "written",
						   (json_int_t)m->caps[i].written, "dropped",
						   (json_int_t)m->caps[i].dropped));
	return a;
}

static json_t *measure_json(const struct tput_measure *m)
{
	static const char *const kinds[] = { "reflector", "balancer", "tc-noop", "decap",
					     "goodput" };
	json_t *o =
		json_pack("{s:s, s:s, s:i, s:s, s:b, s:s}", "name", m->name, "kind", kinds[m->kind],
			  "round", m->round, "path", m->path, "ran", m->ran, "error", m->error);

	if (m->kind == TPUT_GOODPUT) {
		json_object_set_new(o, "drops", drops_json(m));
		json_object_set_new(o, "mbps", json_real(m->mbps));
		json_object_set_new(o, "retransmits", json_integer(m->retransmits));
		json_object_set_new(o, "seconds", json_real(m->seconds));
		json_object_set_new(o, "iperf3_json", json_string(m->log));
		return o;
	}
	json_object_set_new(o, "generator", gen_json(m));
	json_object_set_new(o, "stages", stages_json(m));
	json_object_set_new(o, "sink",
			    json_pack("{s:I, s:I, s:I}", "good", (json_int_t)m->good, "malformed",
				      (json_int_t)m->malformed, "other", (json_int_t)m->other));
	json_object_set_new(o, "drops", drops_json(m));
	json_object_set_new(o, "captures", caps_json(m));
	json_object_set_new(o, "start", json_real(m->t0));
	json_object_set_new(o, "samples", samples_json(m));
	return o;
}

static json_t *machine_json(const struct tput_report *t)
{
	json_t *xdp = json_array();
	int i;

	for (i = 0; i < t->n_xdp; i++)
		json_array_append_new(xdp,
				      json_pack("{s:s, s:s, s:s}", "at", t->xdp[i].at, "program",
						t->xdp[i].program, "mode", t->xdp[i].mode));
	return json_pack("{s:s, s:i, s:s, s:o}", "cpu", t->r->ev->cpu, "cores", (int)t->r->ev->ncpu,
			 "kernel", t->r->ev->kernel, "xdp", xdp);
}

static json_t *settings_json(const struct sc_bench *b)
{
	json_t *cpus = json_array();
	int i;

	for (i = 0; i < b->n_cpus; i++)
		json_array_append_new(cpus, json_integer(b->cpus[i]));
	return json_pack("{s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:o}", "frame", b->frame,
			 "flows", b->flows, "rate", b->rate, "count", b->count, "duration_ms",
			 b->duration_ms, "interval_ms", b->interval_ms, "drain_ms", b->drain_ms,
			 "rounds", b->rounds, "cpus", cpus);
}

int tput_report_json(const struct tput_report *t, FILE *f)
{
	json_t *root, *ms = json_array(), *cs = json_array(), *caps = json_array();
	int i, k, err;

	for (i = 0; i < t->n; i++)
		json_array_append_new(ms, measure_json(&t->m[i]));
	for (i = 0; i < t->n_c; i++) {
		json_t *rounds = json_array();

		for (k = 0; k < t->c[i].n_rounds; k++)
			json_array_append_new(rounds, json_real(t->c[i].rounds[k]));
		json_array_append_new(
			cs, json_pack("{s:s, s:s, s:s, s:f, s:o, s:f, s:b, s:s}", "name",
				      t->c[i].name, "measured", t->m[t->c[i].measured].name,
				      "baseline", t->m[t->c[i].baseline].name, "ratio",
				      t->c[i].ratio, "rounds", rounds, "goal", t->c[i].goal, "met",
				      t->c[i].met, "bottleneck", t->c[i].bottleneck));
	}
	for (i = 0; i < t->r->env->sc->n_captures; i++) {
		char at[SC_NAME_MAX + SC_IFNAME_MAX + 2];

		snprintf(at, sizeof(at), "%s:%s", t->r->env->sc->captures[i].at.node,
			 t->r->env->sc->captures[i].at.iface);
		json_array_append_new(caps, json_string(at));
	}
	root = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:{s:s, s:s, s:s}, s:b, s:i}",
			 "scenario", t->r->env->sc->name, "run_id", t->r->env->id, "outdir",
			 t->r->env->outdir, "machine", machine_json(t), "settings",
			 settings_json(&t->r->env->sc->bench), "measurements", ms, "comparisons",
			 cs, "plot", "png", t->png, "svg", t->svg, "error", t->plot_error,
			 "corrupted", t->corrupted, "exit", t->code);
	if (!root) {
		json_decref(caps);
		return -ENOMEM;
	}
	json_object_set_new(root, "captures_at", caps);
	json_object_set_new(root, "version", json_integer(1)); /* docs/schemas/bench.schema.json */
	if (t->micro) /* its own document as it wrote it; left out when it wrote none */
		json_object_set_new(root, "micro",
				    json_pack("{s:i, s:s, s:o*}", "exit", t->micro_code, "file",
					      t->micro_file, "report",
					      json_load_file(t->micro_file, 0, NULL)));
	err = json_dumpf(root, f, JSON_INDENT(2) | JSON_ENSURE_ASCII);
	fputc('\n', f);
	json_decref(root);
	return err ? -EIO : 0;
}

static int stage_column(const char *name)
{
	int i;

	for (i = 0; i < N_STAGE_NAMES; i++)
		if (!strcmp(stage_names[i], name))
			return i;
	return -1;
}

/* One block per measurement (a blank line apart, so lines do not join across them). */
static int plot_data(const struct tput_report *t, const char *path)
{
	double row[N_STAGE_NAMES];
	FILE *f = fopen(path, "w");
	int i, k, s, col;

	if (!f)
		return -errno;
	fprintf(f, "t");
	for (i = 0; i < N_STAGE_NAMES; i++)
		fprintf(f, " %s", stage_names[i]);
	fprintf(f, "\n");
	for (i = 0; i < t->n; i++) {
		const struct tput_measure *m = &t->m[i];

		for (s = 0; m->ran && m->kind != TPUT_GOODPUT && s < m->n_samples; s++) {
			for (k = 0; k < N_STAGE_NAMES; k++)
				row[k] = NAN;
			for (k = 0; k < m->n_stages; k++) {
				col = stage_column(m->stages[k].name);
				if (col >= 0)
					row[col] = m->sample_pps[s][k];
			}
			fprintf(f, "%.3f", m->sample_t[s]);
			for (k = 0; k < N_STAGE_NAMES; k++)
				fprintf(f, isnan(row[k]) ? " NaN" : " %.0f", row[k]);
			fprintf(f, "\n");
		}
		fprintf(f, "\n\n");
	}
	return fclose(f) ? -errno : 0;
}

static int plot_script(const struct tput_report *t, const char *path)
{
	FILE *f = fopen(path, "w");
	int i, n = 0;

	if (!f)
		return -errno;
	fprintf(f,
		"set datafile missing 'NaN'\nset key outside right autotitle columnhead\n"
		"set grid\nset xlabel 'seconds since the bench began'\n"
		"set ylabel 'packets/s (per interval)'\nset yrange [0:*]\n"
		"set title 'dsrlab bench %s, run %s: packets/s at every stage' offset 0,3\n",
		t->r->env->sc->name, t->r->env->id);
	for (i = 0; i < t->n; i++)
		if (t->m[i].ran && t->m[i].kind != TPUT_GOODPUT)
			fprintf(f,
				"set label %d '%s%s%.0d' at %.3f, graph 1.02 rotate by 20 "
				"font ',8'\n",
				++n, t->m[i].name, t->r->env->sc->bench.rounds > 1 ? " #" : "",
				t->r->env->sc->bench.rounds > 1 ? t->m[i].round + 1 : 0,
				t->m[i].t0);
	fprintf(f, "set tmargin 8\n");
	fprintf(f,
		"set terminal pngcairo size 1280,640\nset output 'throughput.png'\n"
		"plot for [i=2:%d] 'throughput.dat' using 1:i with linespoints lw 2\n"
		"set terminal svg size 1280,640\nset output 'throughput.svg'\nreplot\n",
		N_STAGE_NAMES + 1);
	return fclose(f) ? -errno : 0;
}

static int gnuplot_run(const char *dir)
{
	char *const argv[] = { "gnuplot", "throughput.gp", NULL };

	return tool_run(dir, "gnuplot.log", argv);
}

int tput_plot(struct tput_report *t, const char *outdir)
{
	char dat[PATH_MAX + 32], gp[PATH_MAX + 32], png[PATH_MAX + 32], svg[PATH_MAX + 32];
	struct stat a, b;
	int err;

	snprintf(dat, sizeof(dat), "%s/throughput.dat", outdir);
	snprintf(gp, sizeof(gp), "%s/throughput.gp", outdir);
	snprintf(png, sizeof(png), "%s/throughput.png", outdir);
	snprintf(svg, sizeof(svg), "%s/throughput.svg", outdir);
	err = plot_data(t, dat);
	if (!err)
		err = plot_script(t, gp);
	if (!err)
		err = gnuplot_run(outdir);
	if (!err && (stat(png, &a) || stat(svg, &b) || !a.st_size || !b.st_size))
		err = -EIO;
	if (err) {
		snprintf(t->plot_error, sizeof(t->plot_error), "%s",
			 err == -ENOENT ? "gnuplot is not installed (Debian: gnuplot-nox)" :
			 err == -EIO	? "gnuplot failed: see gnuplot.log in the output folder" :
					  strerror(-err));
		return err;
	}
	snprintf(t->png, sizeof(t->png), "%s", png);
	snprintf(t->svg, sizeof(t->svg), "%s", svg);
	return 0;
}
