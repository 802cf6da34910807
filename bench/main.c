// SPDX-License-Identifier: GPL-2.0
/* dsrlab: run YAML scenarios that prove DSR end to end. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/doctor.h"
#include "bench/draw.h"
#include "bench/lifecycle.h"
#include "bench/micro.h"
#include "common/arg.h"
#include "bench/replay.h"
#include "bench/run.h"
#include "bench/scenario.h"
#include "common/cli.h"
#include "bench/throughput.h"
#include "common/log.h"

static const char usage[] =
	"Usage: dsrlab [-v|-vv] COMMAND [OPTIONS] [SCENARIO.yaml... | RUN-ID...]\n"
	"\n"
	"  run SCENARIO [--outdir DIR] [--keep] [-j|--json]\n"
	"        Build the scenario's namespaces and links, attach the balancer and decap,\n"
	"        start its services and captures, send its traffic, check its expectations,\n"
	"        print the report and tear everything down (also on failure, SIGINT, SIGTERM).\n"
	"        Output folder (pcaps, report.json, junit.xml): DIR, default runs/<run-id>.\n"
	"        --keep: after a failed check or a setup error, leave the run up as `up` does\n"
	"        (the exit code is still 1 or 3) and say how to take it down.\n"
	"  up SCENARIO [--outdir DIR] [-j|--json]\n"
	"        Build the scenario (namespaces, balancer, decap, services; no captures, traffic\n"
	"        or checks) and return, leaving it up: namespaces dsrlab-<run-id>-<node> for\n"
	"        `ip netns exec`, pins in /sys/fs/bpf/dsrlab/<run-id> for `bpftool`, services\n"
	"        held by a detached keeper process (log: DIR/keeper.log). Prints the run id,\n"
	"        the namespaces and the pin folder (-j: as one JSON object).\n"
	"  down RUN-ID...\n"
	"        Take a run down: stop its keeper (or the run itself, if still in progress),\n"
	"        remove its namespaces, pins, state and lock. Works after the process that\n"
	"        made it was killed. Exit 2 when there is no run RUN-ID on this machine.\n"
	"  clean [--all] [-j|--json]\n"
	"        Remove what dead runs left (namespaces dsrlab-*, pins under\n"
	"        /sys/fs/bpf/dsrlab, processes left in those namespaces, /run/dsrlab state) and\n"
	"        print it. Runs whose process is alive are left alone: runs in progress, and runs\n"
	"        kept up by `up` or --keep unless --all is given.\n"
	"  doctor RUN-FOLDER [-j|--json]\n"
	"        Name the likely cause of a failed run from the evidence in its folder\n"
	"        (report.json, bundle/): kernel drop reasons, counters, failed checks, sysctls,\n"
	"        rulesets, matched against the catalogue of docs/doctor.md, most likely first,\n"
	"        each with its evidence and fix; also written to RUN-FOLDER/diagnosis.json.\n"
	"        A passing run gets no diagnosis. Runs by itself at the end of a failed run.\n"
	"        Needs no privilege and no topology: works on a folder someone sent you.\n"
	"  replay --prog lb|decap --config FILE IN.pcap [-o OUT.pcap] [-j|--json]\n"
	"        Run every packet of a capture through the real balancer (XDP) or decap (TC)\n"
	"        with BPF_PROG_RUN, configured by FILE in the syntax of dsrlab-lb and\n"
	"        dsrlab-backend (docs/replay.md), one after the other (the connection table\n"
	"        fills as it would); print each packet's verdict, the counters it moved and\n"
	"        the length of the resulting frame, and write the frames the program hands\n"
	"        on to OUT.pcap (Ethernet). Ethernet, Linux cooked (SLL, SLL2) and raw IP\n"
	"        captures are read (the latter two given an Ethernet header); others are\n"
	"        refused. Exit 2 for a bad config or capture (a broken one after replaying\n"
	"        what came before it).\n"
	"  validate SCENARIO... [--draw [--outdir DIR]] [-j|--json]\n"
	"        Check scenario files without touching the kernel (-j: one JSON object with\n"
	"        each file's verdict and error). --draw: also draw each valid scenario's\n"
	"        topology (nodes, links, the balancer and its VIPs, where decap is attached)\n"
	"        with graphviz as DIR/<name>.topology.{dot,svg,png} (default DIR: .); every\n"
	"        run draws its own as topology.{dot,svg,png} in its folder.\n"
	"  bench SCENARIO [--outdir DIR] [--micro] [-j|--json]\n"
	"        Throughput in one run of the scenario's topology, each figure beside a\n"
	"        baseline measured on the same link in the same run: the balancer under a\n"
	"        live-frames flood beside an XDP_TX reflector, the decap path beside a no-op TC\n"
	"        program, the three decap attach points, TCP goodput (iperf3) through DSR beside\n"
	"        the direct path. Rates at every stage from per-CPU counters, sampled per\n"
	"        interval; the scenario's bench: section sets frame, flows, rate, duration,\n"
	"        CPUs (docs/bench.md). Writes bench.txt, bench.json, throughput.png/.svg to DIR.\n"
	"        Exit 0 measured, 1 a sink counted malformed frames, 3 setup error. --micro:\n"
	"        the micro-benchmark below too, its JSON in micro.json and the bench's JSON.\n"
	"  bench --micro [--runs N] [--repeat N] [--conn-table N] [--conn-kind sets|lru|percpu]\n"
	"        [--only LIST] [-j|--json]\n"
	"        Cost of the balancer per packet class in ns/packet (BPF_PROG_RUN, median of N\n"
	"        runs, default 5, of N iterations, default 1000000) beside a no-op XDP_TX program\n"
	"        measured the same way, each iteration proven by the balancer's counters; the\n"
	"        decap's (IPIP, IP6IP6, 4in6, GUE) beside a TC_ACT_OK no-op and a strip-only\n"
	"        floor, proven by its counters; the Maglev ring build time over 100 and 1000\n"
	"        backends. A report, not a test. --conn-table N: entries of the balancer's\n"
	"        connection table (default 262144), to compare table sizes; --conn-kind: the\n"
	"        table dsrlab-lb attach --conn-table loads: the set-associative table (sets,\n"
	"        the default), or an LRU hash with LRU lists shared (lru) or per CPU (percpu).\n"
	"        --only LIST: only these parts, comma-separated class names (ipv4-syn,\n"
	"        decap-ipip, ...) or maglev, e.g. to profile one path under perf record.\n"
	"\n"
	"Options: -j/--json report as JSON on stdout (text on stderr; errors as\n"
	"{\"version\": 1, \"error\": ...}), -v, -vv (libbpf and verifier logs), -h/--help\n"
	"(COMMAND --help: that command's), -V/--version.\n"
	"Exit: 0 every check passed (up, down, clean: done), 1 a check failed, 2 usage or\n"
	"scenario error (down: no such run), 3 setup or environment error (down, clean:\n"
	"something could not be removed), 4 skipped (not root).\n";

static bool json;

static int usage_error(const char *msg)
{
	return cli_usage_error(msg, NULL);
}

static int unknown_command(const char *cmd)
{
	return cli_command_error(cmd);
}

/* scenario_load, its error also kept as the first warning (for -j) */
static int load(const char *file, struct scenario *sc, char **err)
{
	size_t len = 0;
	FILE *f;
	int ret;

	*err = NULL;
	f = open_memstream(err, &len);
	if (!f)
		return scenario_load(file, sc, stderr);
	ret = scenario_load(file, sc, f);
	fclose(f);
	if (ret && *err && **err)
		pr_warn("%s", *err);
	return ret;
}

/* validate --draw: DIR/<name>.topology.{dot,svg,png}, named in o when drawn */
static int validate_draw(const struct scenario *sc, const char *dir, json_t *o)
{
	char base[PATH_MAX], path[PATH_MAX + 8];
	json_t *files = json_object();
	int err;

	snprintf(base, sizeof(base), "%s/%s.topology", dir ? dir : ".", sc->name);
	err = draw_topology(sc, base);
	if (!err) {
		snprintf(path, sizeof(path), "%s.svg", base);
		json_object_set_new(files, "svg", json_string(path));
		snprintf(path, sizeof(path), "%s.png", base);
		json_object_set_new(files, "png", json_string(path));
		snprintf(path, sizeof(path), "%s.dot", base);
		json_object_set_new(files, "dot", json_string(path));
		if (!json)
			printf("  drawn: %s.{dot,svg,png}\n", base);
	}
	json_object_set_new(o, "drawing", files);
	return err;
}

static int validate(char **files, int n, struct scenario *sc, bool draw, const char *dir)
{
	json_t *doc = json_pack("{s:i, s:[]}", "version", CLI_JSON_VERSION, "files");
	int i, code = EXIT_PASS;
	char *err;

	for (i = 0; i < n; i++) {
		json_t *o = json_pack("{s:s}", "file", files[i]);

		if (load(files[i], sc, &err)) {
			code = EXIT_USAGE;
			if (err)
				err[strcspn(err, "\n")] = '\0';
			json_object_set_new(o, "ok", json_false());
			json_object_set_new(o, "error", json_string(err ? err : "?"));
		} else {
			json_object_set_new(o, "ok", json_true());
			json_object_set_new(o, "name", json_string(sc->name));
			if (!json)
				printf("%s: ok (%s)\n", files[i], sc->name);
			if (draw && validate_draw(sc, dir, o))
				code = EXIT_SETUP;
		}
		free(err);
		json_array_append_new(json_object_get(doc, "files"), o);
	}
	if (json)
		cli_json_print(doc);
	else
		json_decref(doc);
	return code;
}

/* clean -j: the text goes to stderr, one JSON object with each run's outcome to stdout */
static int clean_json(bool all)
{
	json_t *runs = json_array(), *doc;
	int code, out = dup(STDOUT_FILENO);

	fflush(stdout);
	dup2(STDERR_FILENO, STDOUT_FILENO);
	code = lifecycle_clean(all, runs);
	fflush(stdout);
	dup2(out, STDOUT_FILENO);
	close(out);
	doc = json_pack("{s:i, s:s, s:o}", "version", CLI_JSON_VERSION, "result",
			code ? "error" : "done", "runs", runs);
	cli_json_print(doc);
	return code;
}

static bool root(const char *cmd)
{
	if (geteuid() == 0)
		return true;
	pr_warn("dsrlab: %s needs root (namespaces, BPF)\n", cmd);
	return false;
}

static int lifecycle_cmd(const char *cmd, char **args, int n, bool all)
{
	int i, code, worst = EXIT_PASS;

	if (!strcmp(cmd, "clean")) {
		if (n)
			return usage_error("clean takes no arguments");
		if (!root(cmd))
			return EXIT_SKIPPED;
		return json ? clean_json(all) : lifecycle_clean(all, NULL);
	}
	if (all)
		return usage_error("--all is for clean");
	if (!n)
		return usage_error("down takes a run id (as run and up print it)");
	if (!root(cmd))
		return EXIT_SKIPPED;
	for (i = 0; i < n; i++) {
		code = lifecycle_down(args[i]);
		if (code > worst)
			worst = code;
	}
	return worst;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "outdir", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "micro", no_argument, NULL, 'M' },
		{ "runs", required_argument, NULL, 'R' },
		{ "repeat", required_argument, NULL, 'N' },
		{ "conn-table", required_argument, NULL, 'T' },
		{ "only", required_argument, NULL, 'O' },
		{ "conn-kind", required_argument, NULL, 'L' },
		{ "keep", no_argument, NULL, 'K' },
		{ "all", no_argument, NULL, 'A' },
		{ "draw", no_argument, NULL, 'D' },
		{ "prog", required_argument, NULL, 'P' },
		{ "config", required_argument, NULL, 'C' },
		{},
	};
	struct micro_opts mo = { .runs = MICRO_RUNS_DEFAULT, .repeat = MICRO_REPEAT_DEFAULT };
	struct run_opts ro = {};
	struct tput_opts to = {};
	struct replay_opts rp = {};
	bool micro = false, all = false, help = false, printed = false, draw = false;
	struct scenario *sc;
	int opt, verbose = 0, code = 0;
	const char *cmd;

	cli_init("dsrlab", usage);
	while ((opt = getopt_long(argc, argv, "o:jvhV", opts, NULL)) != -1) {
		switch (opt) {
		case 'o':
			ro.outdir = optarg;
			break;
		case 'j':
			ro.json = mo.json = json = true;
			break;
		case 'M':
			micro = true;
			break;
		case 'K':
			ro.keep = true;
			break;
		case 'A':
			all = true;
			break;
		case 'D':
			draw = true;
			break;
		case 'P':
			rp.prog = optarg;
			break;
		case 'C':
			rp.config = optarg;
			break;
		case 'R':
			mo.runs = atoi(optarg);
			break;
		case 'N':
			mo.repeat = strtoul(optarg, NULL, 0);
			break;
		case 'T':
			if (arg_u32(optarg, 1, 1u << 26, &mo.conn_table))
				return cli_usage_error("--conn-table is a number of entries, 1 to "
						       "67108864",
						       optarg);
			break;
		case 'O':
			mo.only = optarg;
			break;
		case 'L':
			if (conn_kind_parse(optarg, &mo.conn_kind))
				return cli_usage_error("--conn-kind is sets, lru or percpu",
						       optarg);
			break;
		case 'v':
			verbose++;
			break;
		case 'h':
			help = true;
			break;
		case 'V':
			cli_version("dsrlab", stdout);
			return 0;
		default:
			return usage_error("unknown option");
		}
	}
	if (json)
		cli_json_errors();
	if (help)
		return cli_help_for(optind < argc ? argv[optind] : NULL);
	log_set_level(verbose > 1 ? LOG_DEBUG : verbose ? LOG_INFO : LOG_WARN);
	log_setup_libbpf();
	if (optind >= argc)
		return usage_error("no command");
	cmd = argv[optind++];
	if (!cli_help(usage, cmd, NULL))
		return unknown_command(cmd);
	if (!strcmp(cmd, "bench") && optind == argc) {
		if (!micro)
			return usage_error("bench takes a scenario, or --micro");
		return micro_bench(&mo); /* prints its own errors */
	}
	if (!strcmp(cmd, "replay")) {
		if (!rp.prog || (strcmp(rp.prog, "lb") && strcmp(rp.prog, "decap")))
			return usage_error("replay takes --prog lb or --prog decap");
		if (!rp.config || optind + 1 != argc)
			return usage_error("replay takes --config FILE and one capture file");
		rp.in = argv[optind];
		rp.out = ro.outdir;
		rp.json = ro.json;
		return replay_main(&rp);
	}
	if (rp.prog || rp.config)
		return usage_error("--prog and --config are for replay");
	if (!strcmp(cmd, "doctor")) {
		if (optind + 1 != argc)
			return usage_error("doctor takes one run folder");
		return doctor_run(argv[optind], ro.json, stdout);
	}
	if (!strcmp(cmd, "down") || !strcmp(cmd, "clean"))
		return lifecycle_cmd(cmd, argv + optind, argc - optind, all);
	if (optind >= argc)
		return usage_error("no scenario file");
	sc = calloc(1, sizeof(*sc));
	if (!sc)
		return EXIT_SETUP;

	if (!strcmp(cmd, "validate")) {
		code = validate(argv + optind, argc - optind, sc, draw, ro.outdir);
		printed = json;
	} else if (!strcmp(cmd, "bench")) {
		char *err;

		if (optind + 1 != argc || ro.keep) {
			free(sc);
			return usage_error("bench takes one scenario file (and no --keep)");
		}
		if (load(argv[optind], sc, &err))
			code = EXIT_USAGE;
		else if (!root(cmd))
			code = EXIT_SKIPPED;
		else {
			to.json = ro.json;
			to.micro = micro ? &mo : NULL;
			code = run_with(sc, &ro, throughput_run, &to), printed = true;
		}
		free(err);
	} else if (!strcmp(cmd, "run") || !strcmp(cmd, "up")) {
		if (optind + 1 != argc) {
			free(sc);
			return usage_error("run and up take one scenario file");
		}
		if (ro.keep && strcmp(cmd, "run")) {
			free(sc);
			return usage_error("--keep is for run (up always keeps)");
		}
		char *err;

		if (load(argv[optind], sc, &err))
			code = EXIT_USAGE;
		else if (!root(cmd))
			code = EXIT_SKIPPED;
		else if (!strcmp(cmd, "run"))
			code = run_scenario(sc, &ro), printed = true;
		else
			code = run_up(sc, &ro), printed = true;
		free(err);
	} else {
		free(sc);
		return unknown_command(cmd);
	}
	free(sc);
	return cli_exit(code, printed);
}
