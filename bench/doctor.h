/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The doctor: names the likely cause of a failed run from the evidence its folder holds
 * (report.json, and bundle/nodes.json when the run wrote a failure bundle). Loading reads
 * files; diagnosing is a pure function of what was loaded and of the catalogue, which is
 * data (doctor_catalogue.c, documented in docs/doctor.md), so a folder someone sends you is
 * diagnosed offline the same way as at the end of the run.
 */
#ifndef DSRLAB_BENCH_DOCTOR_H
#define DSRLAB_BENCH_DOCTOR_H

#include <stdbool.h>
#include <stdio.h>

#define DOCTOR_NAME	 64
#define DOCTOR_MAX_ITEMS 256
#define DOCTOR_MAX_NODES 32
#define DOCTOR_MAX_NEEDS 5
#define DOCTOR_MAX_FOUND 8
#define DOCTOR_TEXT	 512
#define DOCTOR_RULESET	 8192
#define DOCTOR_VERSION	 1

struct doctor_drop {
	char node[DOCTOR_NAME], iface[DOCTOR_NAME], reason[DOCTOR_NAME];
	unsigned long long count;
};

/* of: "balancer" (summed over balancers, node "") or "decap" (the node it serves) */
struct doctor_counter {
	char of[16], node[DOCTOR_NAME], name[DOCTOR_NAME];
	unsigned long long value;
};

struct doctor_check {
	bool pass;
	char text[256];
};

struct doctor_phase {
	bool done;
	char action[128]; /* "fail-balancer lb1" */
};

struct doctor_sysctl {
	char key[128], value[32];
};

struct doctor_node {
	char name[DOCTOR_NAME], role[16];
	int n_sysctls;
	struct doctor_sysctl sysctls[48];
	char ruleset[DOCTOR_RULESET]; /* `nft list ruleset`, "" when none or not collected */
};

struct doctor_evidence {
	char result[16]; /* report.json "result": PASS, FAIL, ERROR */
	char error[DOCTOR_TEXT]; /* report.json "error": why setup failed, "" when it did not */
	bool bundle; /* bundle/nodes.json was there: roles, sysctls, rulesets known */
	int n_drops, n_counters, n_checks, n_nodes, n_phases;
	struct doctor_phase phases[32];
	struct doctor_drop drops[DOCTOR_MAX_ITEMS];
	struct doctor_counter counters[DOCTOR_MAX_ITEMS];
	struct doctor_check checks[DOCTOR_MAX_ITEMS];
	struct doctor_node nodes[DOCTOR_MAX_NODES];
};

enum doctor_need_kind {
	DN_NONE,
	DN_CHECK_FAILED, /* what: prefix of a failed check's text */
	DN_DROP, /* what: kernel drop reason; binds node, iface, count */
	DN_LB_COUNTER, /* what: balancer counters (a|b: summed); binds count */
	DN_DECAP_COUNTER, /* what: decap counter (a|b: either); binds node, count */
	DN_SYSCTL, /* what: key ("{iface}" is the bound one), value: its value */
	DN_RULESET, /* what: text the node's nftables ruleset contains */
	DN_ENCAP_LOST, /* balancer tx_encap minus what reached a decap encapsulated */
	DN_PHASE, /* what: prefix of the action of a phase that was done */
	DN_ERROR, /* what: text the setup error contains (a|b: either) */
};

/* One piece of evidence a cause needs: kind and what, at a node of role (NULL: any). */
struct doctor_need {
	enum doctor_need_kind kind;
	const char *what;
	const char *value; /* DN_SYSCTL */
	const char *role; /* NULL: any node */
	unsigned long long min, max; /* max 0: no upper bound, unless zero is set */
	bool zero; /* the value must be 0 (a counter that did not move) */
	bool same_node; /* at the node an earlier need bound */
	bool optional; /* raises the rank when present, required otherwise */
};

struct doctor_cause {
	const char *id;
	struct doctor_need need[DOCTOR_MAX_NEEDS];
	const char *message; /* "{node}", "{iface}", "{count}", "{check}" filled in */
	const char *fix;
};

struct doctor_finding {
	const struct doctor_cause *cause;
	int score; /* needs matched; more is more specific */
	char message[DOCTOR_TEXT], fix[DOCTOR_TEXT], evidence[DOCTOR_TEXT];
};

extern const struct doctor_cause doctor_catalogue[];
extern const int doctor_catalogue_len;

/* Reads DIR/report.json (required) and DIR/bundle/nodes.json (if there). 0 or -errno; err
 * says what was wrong. */
int doctor_load(const char *dir, struct doctor_evidence *ev, char *err, size_t errlen);

/* The causes whose required evidence is all there, most specific first (ties: catalogue
 * order). None for a run whose checks all passed. Returns how many were written. */
int doctor_diagnose(const struct doctor_evidence *ev, const struct doctor_cause *cat, int n_cat,
		    struct doctor_finding *out, int max);

void doctor_print_text(const struct doctor_evidence *ev, const struct doctor_finding *f, int n,
		       FILE *out);
int doctor_write_json(const struct doctor_evidence *ev, const struct doctor_finding *f, int n,
		      FILE *out);

/* Load, diagnose, write DIR/diagnosis.json and print (text, or JSON with json). Exit code:
 * 0 read and diagnosed (whatever was found), 2 the folder has no readable report. */
int doctor_run(const char *dir, bool json, FILE *out);

#endif
