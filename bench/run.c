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
#include "bench/command.h"
#include "bench/doctor.h"
#include "bench/env.h"
#include "bench/evidence.h"
#include "bench/lifecycle.h"
#include "bench/observe.h"
#include "bench/phases.h"
#include "bench/report.h"
#include "bench/roles.h"
#include "bench/services.h"
#include "bench/timeline.h"
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

/* A run: the env its stages share, each stage's own state, and what it saw. */
struct run {
	struct env env;
	const struct scenario *sc; /* env.sc */
	struct topology topo;
	struct observe obs;
	struct roles roles;
	struct services services;
	struct traffic traffic;
	struct phases phases;
	struct evidence ev; /* collected once, before teardown */
	struct check_result checks[SC_MAX_EXPECTS];
};

/*
 * Everything the checks and reports read, once, before teardown; live reads (counters,
 * drops, chain members) only when the run was not interrupted.
 */
static void evidence_collect(struct run *r, bool live)
{
	struct evidence *ev = &r->ev;
	int i;

	memcpy(ev->traffic, r->traffic.results, sizeof(ev->traffic));
	for (i = 0; i < r->sc->n_traffic; i++)
		if (ev->traffic[i].conns && r->sc->traffic[i].kind == SC_TRAFFIC_COMMAND)
			ev->command_output[i] = command_read_log(ev->traffic[i].log, RUN_LOG_MAX);
	memcpy(ev->phases, r->phases.results, sizeof(ev->phases));
	observe_collect(&r->obs, ev, live);
	roles_collect(&r->roles, ev, live);
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
	observe_captures_down(&r->obs);
	roles_unpin_pass_links(&r->roles);
	services_down(&r->services);
	roles_down(&r->roles);
	observe_drops_down(&r->obs);
	topology_down(&r->topo);
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
	int err;

	memset(r, 0, sizeof(*r));
	env_init(&r->env, sc);
	r->sc = sc;
	r->topo.env = r->obs.env = r->roles.env = r->services.env = &r->env;
	r->traffic.env = r->phases.env = &r->env;
	r->roles.topo = r->phases.topo = &r->topo;
	r->phases.roles = &r->roles;
	err = lifecycle_claim(&r->env);
	if (err)
		return err;
	if (o->outdir)
		snprintf(r->env.outdir, sizeof(r->env.outdir), "%s", o->outdir);
	else
		snprintf(r->env.outdir, sizeof(r->env.outdir), "runs/%s", r->env.id);
	err = path_mkdir_p(r->env.outdir, 0755);
	if (!err)
		err = lifecycle_state_write(&r->env);
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

/* A run that failed to set up, not one a signal stopped: it gets a bundle and a diagnosis. */
static bool failed_setup(int code)
{
	return code == EXIT_SETUP && !env_stop;
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
	if (code == EXIT_CHECK_FAILED || failed_setup(code))
		doctor_run(r->env.outdir, false, o->json ? stderr : stdout);
}

/* Keep the run up until `dsrlab down`: the peers' pass links outlive this process's fds. */
static void keep(struct run *r, int code, FILE *f, bool json)
{
	int err = roles_pin_pass_links(&r->roles);

	if (err)
		pr_warn("dsrlab: pin the XDP pass link of the balancer's peer: %s; it lasts as long "
			"as the keeper\n",
			strerror(-err));
	lifecycle_keep(&r->env, code, f, json);
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
		lifecycle_release(&r->env);
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
		err = topology_up(&r->topo, &r->env);
	if (!err && !env_stop)
		observe_drops_up(&r->obs, &r->env);
	if (!err && !env_stop && r->sc->balancer.present)
		err = roles_balancer_up(&r->roles);
	if (!err && !env_stop)
		err = roles_backends_up(&r->roles);
	if (!err && !env_stop)
		err = services_up(&r->services, &r->env);
	return err;
}

int run_scenario(const struct scenario *sc, const struct run_opts *o)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct run *r;
	int err, code = EXIT_SETUP;
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
		err = observe_captures_up(&r->obs);
	if (!err && !env_stop) {
		err = timeline_run(&r->traffic, &r->phases);
		if (err)
			env_fail(&r->env, err, "run traffic");
	}
	if (!err && !env_stop)
		usleep(200000); /* let the last packets reach the captures */
	observe_captures_down(&r->obs);
	evidence_collect(r, !env_stop);
	if (!err && !env_stop)
		code = checks_run(sc, &r->ev, r->checks) ? EXIT_CHECK_FAILED : EXIT_PASS;
	if (env_stop) {
		env_failf(&r->env, -EINTR, "interrupted by a signal; torn down");
		code = EXIT_SETUP;
	}

	if (code == EXIT_CHECK_FAILED || failed_setup(code)) /* a bug report's, before teardown */
		bundle_collect(&(struct bundle_in){ &r->env, &r->topo, &r->roles });
	kept = o->keep && !env_stop && code != EXIT_PASS;
	if (kept) {
		write_reports(r, code, o);
		keep(r, code, o->json ? stderr : stdout, false);
	}
	teardown(r);
	lifecycle_release(&r->env);
	if (!kept)
		write_reports(r, code, o);
	traffic_free(&r->traffic);
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
		keep(r, EXIT_PASS, stdout, o->json);
		code = EXIT_PASS;
	} else {
		fprintf(stderr, "dsrlab: up: %s; torn down\n",
			env_stop	? "interrupted by a signal" :
			r->env.error[0] ? r->env.error :
					  strerror(-err));
		code = EXIT_SETUP;
	}
	teardown(r);
	lifecycle_release(&r->env);
	free(r);
	return code;
}

int run_with(const struct scenario *sc, const struct run_opts *o,
	     int (*fn)(struct run_stages *s, void *arg), void *arg)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct run_stages st;
	struct run *r;
	int code = EXIT_SETUP;

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	r = run_new(sc, o);
	if (!r)
		return EXIT_SETUP;
	st = (struct run_stages){ &r->env, &r->topo, &r->obs, &r->roles, &r->ev };
	pr_warn("dsrlab: bench run %s of %s, output in %s\n", r->env.id, sc->name, r->env.outdir);
	if (!run_build(r) && !env_stop)
		code = fn(&st, arg);
	else
		fprintf(stderr, "dsrlab: bench: %s; torn down\n",
			r->env.error[0] ? r->env.error : "setup failed");
	if (env_stop) {
		fprintf(stderr, "dsrlab: bench: interrupted by a signal; torn down\n");
		code = EXIT_SETUP;
	}
	teardown(r);
	lifecycle_release(&r->env);
	free(r);
	return code;
}
