// SPDX-License-Identifier: GPL-2.0
/*
 * A run: build the topology, attach the balancer and decap, start services and captures,
 * send traffic, check, report, tear down. Teardown runs on every path, after a failed step
 * and after SIGINT/SIGTERM alike, and undoes exactly what was made; with --keep (and for
 * `up`) it waits in a detached keeper until `dsrlab down` (see lifecycle.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <linux/magic.h>
#include <bpf/libbpf.h>

#include "bench/draw.h"
#include "bench/ladder.h"
#include "bench/run.h"
#include "bench/bundle.h"
#include "bench/checks.h"
#include "bench/doctor.h"
#include "bench/command.h"
#include "bench/lifecycle.h"
#include "bench/observe.h"
#include "bench/report.h"
#include "bench/roles.h"
#include "bench/topology.h"
#include "bench/traffic.h"
#include "common/path.h"
#include "common/log.h"
#include "common/netns.h"

static void on_signal(int sig)
{
	(void)sig;
	env_stop = 1;
}

#define RUN_LOG_MAX (1 << 20) /* command output kept for 'output' checks */

static void lb_evidence(struct run *r, int k, bool live)
{
	const struct run_lb *l = &r->lbs[k];
	struct ev_lb *e = &r->ev.lbs[k];
	int i, slot;

	e->attached = l->xdp_attached;
	e->mode = l->xdp_mode;
	if (!live || !l->lb)
		return;
	e->stats_valid = !lb_stats_read(l->lb, e->stats);
	for (i = 0; i < r->sc->n_expects; i++) {
		slot = r->sc->expects[i].slot;
		if (r->sc->expects[i].kind == SC_EXPECT_CHAIN_MEMBER && slot >= 0 &&
		    slot <= SC_MAX_CHAIN)
			e->chain_err[slot] =
				lb_chain_member_read(l->lb, slot, "seen", &e->chain_seen[slot]);
	}
}

/*
 * Everything the checks and reports read, once, before teardown; live reads (counters,
 * drops, chain members) only when the run was not interrupted.
 */
static void evidence_collect(struct run *r, bool live)
{
	struct evidence *ev = &r->ev;
	int i, slot;

	memcpy(ev->traffic, r->traffic, sizeof(ev->traffic));
	for (i = 0; i < r->sc->n_traffic; i++)
		if (r->traffic[i].conns && r->sc->traffic[i].kind == SC_TRAFFIC_COMMAND)
			ev->command_output[i] = command_read_log(r->traffic[i].log, RUN_LOG_MAX);
	memcpy(ev->phases, r->phases, sizeof(ev->phases));
	for (i = 0; i < r->n_caps; i++) {
		ev->caps[i].at = r->cap_points[i];
		snprintf(ev->caps[i].file, sizeof(ev->caps[i].file), "%s", r->cap_files[i]);
		ev->caps[i].stats = r->cap_stats[i];
	}
	ev->n_caps = r->n_caps;
	for (i = 0; i < SC_MAX_LBS; i++)
		for (slot = 0; slot <= SC_MAX_CHAIN; slot++)
			ev->lbs[i].chain_err[slot] = -ENOENT;
	for (i = 0; i < r->n_lbs; i++)
		lb_evidence(r, i, live);
	ev->n_lbs = r->n_lbs;
	for (i = 0; i < r->sc->n_nodes; i++) {
		const struct run_node *n = &r->nodes[i];

		if (!n->decap_iface[0])
			continue;
		snprintf(ev->decaps[i].iface, sizeof(ev->decaps[i].iface), "%s", n->decap_iface);
		ev->decaps[i].node = n->decap_node;
		ev->decaps[i].at = n->decap_at;
		if (live && n->decap)
			decap_stats_read(n->decap, ev->decaps[i].stats);
	}
	ev->drops_traced = r->drop_tracer;
	if (live)
		observe_drops_collect(r, ev);
}

/* The run's facts as they stand when it is reported: the first error may come late. */
static void evidence_facts(struct run *r)
{
	snprintf(r->ev.id, sizeof(r->ev.id), "%s", r->env.id);
	snprintf(r->ev.outdir, sizeof(r->ev.outdir), "%s", r->env.outdir);
	snprintf(r->ev.error, sizeof(r->ev.error), "%s", r->env.error);
	r->ev.seconds = (env_clock_usec() - r->ev.started_usec) / 1e6;
}

static void teardown(struct run *r)
{
	observe_captures_down(r);
	lifecycle_unpin(r);
	roles_down(r);
	observe_drops_down(r);
	topology_down(r);
}

/* The CPU the numbers of a run were measured on, from /proc/cpuinfo. */
static void cpu_model(char *buf, size_t len)
{
	char line[256], *v;
	FILE *f = fopen("/proc/cpuinfo", "r");

	snprintf(buf, len, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "model name", 10) || !(v = strchr(line, ':')))
			continue;
		v += strspn(v + 1, " \t") + 1;
		v[strcspn(v, "\n")] = '\0';
		snprintf(buf, len, "%s", v);
		break;
	}
	fclose(f);
}

/* A fresh id (locked: see lifecycle.h), the output folder and the run's state file. */
static int run_init(struct run *r, const struct scenario *sc, const struct run_opts *o)
{
	char path[PATH_MAX];
	struct utsname u;
	int i, err;

	memset(r, 0, sizeof(*r));
	env_init(&r->env, sc);
	r->sc = sc;
	for (i = 0; i < SC_MAX_LBS; i++)
		r->lbs[i].pass_link_fd = -1;
	err = lifecycle_claim(r);
	if (err)
		return err;
	if (o->outdir)
		snprintf(r->env.outdir, sizeof(r->env.outdir), "%s", o->outdir);
	else
		snprintf(r->env.outdir, sizeof(r->env.outdir), "runs/%s", r->env.id);
	err = path_mkdir_p(r->env.outdir, 0755);
	if (!err)
		err = lifecycle_state_write(r);
	if (err)
		return err;
	r->ev.started = time(NULL);
	r->ev.started_usec = env_clock_usec();
	snprintf(r->ev.hostname, sizeof(r->ev.hostname), "localhost");
	if (!uname(&u)) {
		snprintf(r->ev.kernel, sizeof(r->ev.kernel), "%s %s %s", u.sysname, u.release,
			 u.machine);
		if (u.nodename[0])
			snprintf(r->ev.hostname, sizeof(r->ev.hostname), "%s", u.nodename);
	}
	cpu_model(r->ev.cpu, sizeof(r->ev.cpu));
	r->ev.ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	/* the picture of what is about to be built; a failure is said, not fatal */
	snprintf(path, sizeof(path), "%s/topology", r->env.outdir);
	draw_topology(sc, path);
	return 0;
}

/* Pins need bpffs on /sys/fs/bpf: mount it when it is not there. */
static int bpffs_ready(struct run *r)
{
	struct statfs st;

	if (statfs("/sys/fs/bpf", &st) || st.f_type != BPF_FS_MAGIC) {
		if (mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700"))
			return env_fail(&r->env, -errno, "mount bpffs on /sys/fs/bpf");
		pr_info("mounted bpffs on /sys/fs/bpf\n");
	}
	if (mkdir(ENV_PIN_ROOT, 0700) && errno != EEXIST)
		return env_fail(&r->env, -errno, "create " ENV_PIN_ROOT);
	return 0;
}

static void write_reports(struct run *r, int code, const struct run_opts *o)
{
	const struct report_in in = { .sc = r->sc, .ev = &r->ev, .checks = r->checks };
	char path[PATH_MAX];
	FILE *f;

	evidence_facts(r);
	snprintf(path, sizeof(path), "%s/report.json", r->env.outdir);
	f = fopen(path, "w");
	if (f) {
		report_json(&in, code, f);
		fclose(f);
	}
	snprintf(path, sizeof(path), "%s/junit.xml", r->env.outdir);
	f = fopen(path, "w");
	if (f) {
		report_junit(&in, f);
		fclose(f);
	}
	ladder_draw(r->sc, &r->ev, r->env.outdir); /* the DSR proof as a picture */
	if (o->json) {
		report_json(&in, code, stdout);
		report_text(&in, code, stderr);
	} else {
		report_text(&in, code, stdout);
	}
	/* the doctor reads only what was just written, as it would on a folder sent to it */
	if (code == EXIT_CHECK_FAILED)
		doctor_run(r->env.outdir, false, o->json ? stderr : stdout);
}

static struct run *run_new(const struct scenario *sc, const struct run_opts *o)
{
	struct run *r = calloc(1, sizeof(*r));
	int err;

	if (!r)
		return NULL;
	err = run_init(r, sc, o);
	if (err) {
		fprintf(stderr, "dsrlab: prepare the run: %s\n", strerror(-err));
		lifecycle_release(r);
		free(r);
		return NULL;
	}
	return r;
}

/* Everything a run is made of before its captures and traffic. */
static int run_build(struct run *r)
{
	int err;

	err = bpffs_ready(r);
	if (!err && !env_stop)
		err = topology_up(r);
	if (!err && !env_stop)
		observe_drops_up(r);
	if (!err && !env_stop && r->sc->balancer.present)
		err = roles_balancer_up(r);
	if (!err && !env_stop)
		err = roles_backends_up(r);
	if (!err && !env_stop)
		err = roles_services_up(r);
	return err;
}

int run_scenario(const struct scenario *sc, const struct run_opts *o)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct run *r;
	int i, err, code = EXIT_SETUP;
	bool kept;

	/* --keep: a detached child runs it, so that it can stay up when this process returns. */
	if (o->keep && lifecycle_detach(&code))
		return code;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	r = run_new(sc, o);
	if (!r)
		return EXIT_SETUP;
	pr_warn("dsrlab: run %s of %s, output in %s\n", r->env.id, sc->name, r->env.outdir);

	err = run_build(r);
	if (!err && !env_stop)
		err = observe_captures_up(r);
	if (!err && !env_stop) {
		err = traffic_run_all(r); /* with the phases */
		if (err)
			env_fail(&r->env, err, "run traffic");
	}
	if (!err && !env_stop)
		usleep(200000); /* let the last packets reach the captures */
	observe_captures_down(r);
	evidence_collect(r, !env_stop);
	if (!err && !env_stop)
		code = checks_run(sc, &r->ev, r->checks) ? EXIT_CHECK_FAILED : EXIT_PASS;
	if (env_stop) {
		env_failf(&r->env, -EINTR, "interrupted by a signal; torn down");
		code = EXIT_SETUP;
	}

	if (code == EXIT_CHECK_FAILED) /* what a bug report needs, before teardown */
		bundle_collect(r);
	kept = o->keep && !env_stop && code != EXIT_PASS;
	if (kept) {
		write_reports(r, code, o);
		lifecycle_keep(r, code, o->json ? stderr : stdout, false);
	}
	teardown(r);
	lifecycle_release(r);
	if (!kept)
		write_reports(r, code, o);
	for (i = 0; i < sc->n_traffic; i++)
		traffic_free(&r->traffic[i]);
	evidence_free(&r->ev);
	free(r);
	return code;
}

int run_up(const struct scenario *sc, const struct run_opts *o)
{
	struct run *r;
	int err, code;

	if (lifecycle_detach(&code))
		return code; /* the child built it and keeps it up, or failed and said why */
	r = run_new(sc, o);
	if (!r)
		return EXIT_SETUP;
	pr_warn("dsrlab: bringing up run %s of %s, output in %s\n", r->env.id, sc->name,
		r->env.outdir);
	err = run_build(r);
	if (!err && !env_stop) {
		lifecycle_keep(r, EXIT_PASS, stdout, o->json);
		code = EXIT_PASS;
	} else {
		fprintf(stderr, "dsrlab: up: %s; torn down\n",
			env_stop	? "interrupted by a signal" :
			r->env.error[0] ? r->env.error :
					  strerror(-err));
		code = EXIT_SETUP;
	}
	teardown(r);
	lifecycle_release(r);
	free(r);
	return code;
}

int run_with(const struct scenario *sc, const struct run_opts *o,
	     int (*fn)(struct run *r, void *arg), void *arg)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct run *r;
	int code = EXIT_SETUP;

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	r = run_new(sc, o);
	if (!r)
		return EXIT_SETUP;
	pr_warn("dsrlab: bench run %s of %s, output in %s\n", r->env.id, sc->name, r->env.outdir);
	if (!run_build(r) && !env_stop)
		code = fn(r, arg);
	else
		fprintf(stderr, "dsrlab: bench: %s; torn down\n",
			r->env.error[0] ? r->env.error : "setup failed");
	if (env_stop) {
		fprintf(stderr, "dsrlab: bench: interrupted by a signal; torn down\n");
		code = EXIT_SETUP;
	}
	teardown(r);
	lifecycle_release(r);
	free(r);
	return code;
}
