// SPDX-License-Identifier: GPL-2.0
/* dsrlab: run YAML scenarios that prove DSR end to end. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/micro.h"
#include "bench/run.h"
#include "bench/scenario.h"
#include "common/log.h"

static const char usage[] =
	"Usage: dsrlab [-v|-vv] COMMAND [OPTIONS] [SCENARIO.yaml...]\n"
	"\n"
	"  run SCENARIO [--outdir DIR] [-j|--json]\n"
	"        Build the scenario's namespaces and links, attach the balancer and decap,\n"
	"        start its services and captures, send its traffic, check its expectations,\n"
	"        print the report and tear everything down (also on failure, SIGINT, SIGTERM).\n"
	"        Output folder (pcaps, report.json): DIR, default runs/<run-id>.\n"
	"  validate SCENARIO...\n"
	"        Check scenario files without touching the kernel.\n"
	"  bench --micro [--runs N] [--repeat N] [-j|--json]\n"
	"        Cost of the balancer per packet class in ns/packet (BPF_PROG_RUN, median of N\n"
	"        runs, default 5, of N iterations, default 1000000) beside a no-op XDP_TX program\n"
	"        measured the same way, each iteration proven by the balancer's counters; and\n"
	"        the Maglev ring build time. A report, not a test: the goals are informational.\n"
	"\n"
	"Options: -j/--json report as JSON on stdout (text on stderr), -v, -vv (libbpf and\n"
	"verifier logs), -h/--help.\n"
	"Exit: 0 every check passed, 1 a check failed, 2 usage or scenario error,\n"
	"3 setup or environment error, 4 skipped.\n";

static int usage_error(const char *msg)
{
	fprintf(stderr, "dsrlab: %s\n\n%s", msg, usage);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "outdir", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "micro", no_argument, NULL, 'M' },
		{ "runs", required_argument, NULL, 'R' },
		{ "repeat", required_argument, NULL, 'N' },
		{},
	};
	struct micro_opts mo = { MICRO_RUNS_DEFAULT, MICRO_REPEAT_DEFAULT, false };
	struct run_opts ro = {};
	bool micro = false;
	struct scenario *sc;
	int opt, verbose = 0, i, code = 0;
	const char *cmd;

	while ((opt = getopt_long(argc, argv, "o:jvh", opts, NULL)) != -1) {
		switch (opt) {
		case 'o': ro.outdir = optarg; break;
		case 'j': ro.json = mo.json = true; break;
		case 'M': micro = true; break;
		case 'R': mo.runs = atoi(optarg); break;
		case 'N': mo.repeat = strtoul(optarg, NULL, 0); break;
		case 'v': verbose++; break;
		case 'h': fputs(usage, stdout); return 0;
		default: return usage_error("unknown option");
		}
	}
	log_set_level(verbose > 1 ? LOG_DEBUG : verbose ? LOG_INFO : LOG_WARN);
	log_setup_libbpf();
	if (optind >= argc)
		return usage_error("no command");
	cmd = argv[optind++];
	if (!strcmp(cmd, "bench")) {
		if (!micro || optind != argc)
			return usage_error("bench takes --micro and no scenario");
		return micro_bench(&mo);
	}
	if (optind >= argc)
		return usage_error("no scenario file");
	sc = calloc(1, sizeof(*sc));
	if (!sc)
		return EXIT_SETUP;

	if (!strcmp(cmd, "validate")) {
		for (i = optind; i < argc; i++) {
			if (scenario_load(argv[i], sc, stderr)) {
				code = EXIT_USAGE;
				continue;
			}
			printf("%s: ok (%s)\n", argv[i], sc->name);
		}
	} else if (!strcmp(cmd, "run")) {
		if (optind + 1 != argc) {
			free(sc);
			return usage_error("run takes one scenario file");
		}
		if (scenario_load(argv[optind], sc, stderr))
			code = EXIT_USAGE;
		else if (geteuid() != 0)
			code = (fprintf(stderr, "dsrlab: run needs root (namespaces, BPF)\n"),
				EXIT_SKIPPED);
		else
			code = run_scenario(sc, &ro);
	} else {
		free(sc);
		return usage_error("unknown command");
	}
	free(sc);
	return code;
}
