// SPDX-License-Identifier: GPL-2.0
/* The doctor on synthetic run folders: what it ranks first, what it says, what it refuses. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "bench/doctor.h"

static char dir[64];

static void put(const char *name, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_doctor.XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

/* A report with the given result, failed check, kernel drops and counters (JSON pieces). */
static void report(const char *result, const char *checks, const char *drops, const char *counters)
{
	char buf[4096];

	snprintf(buf, sizeof(buf),
		 "{\"version\":1,\"result\":\"%s\",\"checks\":[%s],\"kernel_drops\":[%s],"
		 "\"counters\":{%s}}",
		 result, checks, drops, counters);
	put("report.json", buf);
}

static void bundle(const char *nodes)
{
	char path[128], buf[4096];

	snprintf(path, sizeof(path), "%s/bundle", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(buf, sizeof(buf), "{\"nodes\":[%s]}", nodes);
	put("bundle/nodes.json", buf);
}

/* Load the folder and diagnose it with the real catalogue. */
static int diagnose(struct doctor_finding *f, int max)
{
	struct doctor_evidence *ev = calloc(1, sizeof(*ev));
	char err[256];
	int n;

	assert_non_null(ev);
	assert_int_equal(doctor_load(dir, ev, err, sizeof(err)), 0);
	n = doctor_diagnose(ev, doctor_catalogue, doctor_catalogue_len, f, max);
	free(ev);
	return n;
}

#define FAILED_WEB "{\"pass\":false,\"check\":\"answered web\"}"
#define DROP(node, iface, reason, n) \
	"{\"node\":\"" node "\",\"iface\":\"" iface "\",\"reason\":\"" reason "\",\"count\":" #n "}"

static void test_doctor_pass_gets_no_diagnosis(void **state)
{
	struct doctor_finding f[4];

	(void)state;
	/* evidence that would match, but every check held */
	report("PASS", "{\"pass\":true,\"check\":\"answered web\"}",
	       DROP("router", "eth2", "IP_RPFILTER", 8), "");
	assert_int_equal(diagnose(f, 4), 0);
}

static void test_doctor_rp_filter_message_and_fix(void **state)
{
	struct doctor_finding f[4];

	(void)state;
	report("FAIL", FAILED_WEB, DROP("router", "eth2", "IP_RPFILTER", 8), "");
	assert_int_equal(diagnose(f, 4), 1);
	assert_string_equal(f[0].cause->id, "rp-filter-strict");
	assert_string_equal(f[0].message,
			    "router:eth2 drops 8 packets as IP_RPFILTER: rp_filter is strict "
			    "there, and these packets (replies from the VIP, or decapsulated ones) "
			    "arrive on a port their source is not routed through");
	assert_string_equal(f[0].fix, "set net.ipv4.conf.all.rp_filter and "
				      "net.ipv4.conf.eth2.rp_filter on router to 2 (loose) or 0");
	assert_string_equal(f[0].evidence,
			    "kernel drops router:eth2 IP_RPFILTER=8; check failed: answered web");
	assert_int_equal(f[0].score, 2);
}

/* Two causes match; the bundle's sysctls make rp_filter the more specific one. */
static void test_doctor_bundle_evidence_ranks_higher(void **state)
{
	struct doctor_finding f[4];

	(void)state;
	report("FAIL", FAILED_WEB,
	       DROP("tenant-a", "eth0", "TCP_CSUM", 50) "," DROP("router", "eth2", "IP_RPFILTER",
								 3),
	       "");
	assert_int_equal(diagnose(f, 4), 2);
	/* equal scores: catalogue order (tx-csum-partial is listed before rp-filter-strict) */
	assert_string_equal(f[0].cause->id, "tx-csum-partial");
	assert_string_equal(f[1].cause->id, "rp-filter-strict");
	teardown(state);
	setup(state);
	report("FAIL", FAILED_WEB,
	       DROP("tenant-a", "eth0", "TCP_CSUM", 50) "," DROP("router", "eth2", "IP_RPFILTER",
								 3),
	       "");
	bundle("{\"name\":\"router\",\"role\":\"router\",\"sysctls\":{"
	       "\"net.ipv4.conf.all.rp_filter\":\"1\",\"net.ipv4.conf.eth2.rp_filter\":\"0\"}}");
	assert_int_equal(diagnose(f, 4), 2);
	assert_string_equal(f[0].cause->id, "rp-filter-strict");
	assert_int_equal(f[0].score, 3);
	assert_string_equal(f[0].evidence, "kernel drops router:eth2 IP_RPFILTER=3; router: "
					   "net.ipv4.conf.all.rp_filter = 1; check failed: "
					   "answered web");
}

/* The same drop reason names different causes at a client and at a backend. */
static void test_doctor_role_decides(void **state)
{
	struct doctor_finding f[4];
	const char *nodes = "{\"name\":\"client\",\"role\":\"client\"},"
			    "{\"name\":\"tenant-a\",\"role\":\"container\"}";

	(void)state;
	report("FAIL", FAILED_WEB, DROP("client", "eth0", "NO_SOCKET", 4), "");
	bundle(nodes);
	assert_int_equal(diagnose(f, 4), 1);
	assert_string_equal(f[0].cause->id, "reply-not-from-vip");
	report("FAIL", FAILED_WEB, DROP("tenant-a", "eth0", "NO_SOCKET", 4), "");
	assert_int_equal(diagnose(f, 4), 1);
	assert_string_equal(f[0].cause->id, "service-not-listening");
	assert_string_equal(
		f[0].fix, "bind the service on tenant-a to 0.0.0.0 (or the VIP) on the VIP's port");
}

static void test_doctor_encap_lost(void **state)
{
	struct doctor_finding f[4];
	const char *counters =
		"\"balancer\":{\"tx_encap\":{\"packets\":16},\"tx_too_big\":{\"packets\":0}},"
		"\"decap\":{\"tenant-a\":{\"rx\":4,\"decap\":2,\"pass_plain\":2}}";

	(void)state;
	report("FAIL", "{\"pass\":false,\"check\":\"answered bulk\"}", "", counters);
	assert_int_equal(diagnose(f, 4), 1);
	assert_string_equal(f[0].cause->id, "mtu-after-encap");
	assert_int_equal(strncmp(f[0].message, "14 packets the balancer encapsulated", 36), 0);
	assert_string_equal(f[0].evidence, "balancer tx_encap=16, decaps received 2 "
					   "encapsulated; balancer tx_too_big=0; check failed: "
					   "answered bulk");
}

/* A balancer that answered too-big did its part: not this cause. */
static void test_doctor_encap_lost_needs_no_too_big(void **state)
{
	struct doctor_finding f[4];

	(void)state;
	report("FAIL", "{\"pass\":false,\"check\":\"answered bulk\"}", "",
	       "\"balancer\":{\"tx_encap\":{\"packets\":16},\"tx_too_big\":{\"packets\":3}},"
	       "\"decap\":{\"tenant-a\":{\"rx\":4,\"pass_plain\":2}}");
	assert_int_equal(diagnose(f, 4), 0);
}

/* A run whose long connections broke, with one fail-balancer phase that ended as result. */
static void failover_report(const char *result)
{
	char buf[512];

	snprintf(buf, sizeof(buf),
		 "{\"result\":\"FAIL\",\"checks\":[{\"pass\":false,\"check\":\"unbroken long\"}],"
		 "\"phases\":[{\"action\":\"fail-balancer lb1\",\"result\":\"%s\"}]}",
		 result);
	put("report.json", buf);
}

/* A failover that broke connections: the phase is evidence, and only a done one counts. */
static void test_doctor_failover_phase(void **state)
{
	struct doctor_finding f[4];

	(void)state;
	failover_report("done");
	assert_int_equal(diagnose(f, 4), 1);
	assert_string_equal(f[0].cause->id, "failover-ring-mismatch");
	assert_string_equal(f[0].evidence,
			    "check failed: unbroken long; phase done: fail-balancer lb1");
	failover_report("failed");
	assert_int_equal(diagnose(f, 4), 0);
}

/* One of several counter names is enough; the balancer's are summed. */
static void test_doctor_counter_alternatives(void **state)
{
	struct doctor_finding f[4];

	(void)state;
	report("FAIL", "{\"pass\":false,\"check\":\"seen x\"}", "",
	       "\"balancer\":{\"drop_icmp_oversized\":{\"packets\":2},"
	       "\"drop_icmp_short_quote\":{\"packets\":3}},"
	       "\"decap\":{\"tenant-a\":{\"drop_outer_options\":0,\"drop_outer_length\":7}}");
	assert_int_equal(diagnose(f, 4), 2);
	assert_string_equal(f[0].cause->id, "decap-outer-header");
	assert_string_equal(f[0].evidence, "decap serving tenant-a drop_outer_length=7");
	assert_int_equal(strncmp(f[0].message, "the decap serving tenant-a dropped 7 tunnel", 43),
			 0);
	assert_string_equal(f[1].cause->id, "icmp-not-relayed");
	assert_int_equal(strncmp(f[1].message, "the balancer dropped 5 ICMP errors", 34), 0);
}

static void test_doctor_nothing_matches(void **state)
{
	struct doctor_finding f[4];

	(void)state;
	report("FAIL", "{\"pass\":false,\"check\":\"seen client:eth0\"}",
	       DROP("router", "eth0", "NOT_SPECIFIED", 9), "");
	assert_int_equal(diagnose(f, 4), 0);
}

/* A report of a run that failed in setup with this error text. */
static void setup_error(const char *error)
{
	char buf[1024];

	snprintf(buf, sizeof(buf),
		 "{\"version\":1,\"result\":\"ERROR\",\"error\":\"%s\",\"checks\":[],"
		 "\"kernel_drops\":[],\"counters\":{}}",
		 error);
	put("report.json", buf);
}

/* A setup error (exit 3) is diagnosed from its text; both texts of a row must be in it. */
static void test_doctor_setup_error(void **state)
{
	struct doctor_finding f[4];
	int n;

	(void)state;
	setup_error("service web in tenant-a (line 22): exited with status 3 before listening on "
		    "tcp:8080; its last words: 'bind: Address already in use'");
	n = diagnose(f, 4);
	assert_int_equal(n, 1);
	assert_string_equal(f[0].cause->id, "service-exited");
	assert_non_null(strstr(f[0].evidence, "setup error: service web in tenant-a"));

	/* the stage alone is not enough: a service that listens late is another cause */
	setup_error("service web in "
		    "tenant-a (line 22): not listening on tcp:8080 after 500 ms");
	n = diagnose(f, 4);
	assert_int_equal(n, 1);
	assert_string_equal(f[0].cause->id, "service-not-ready");

	/* two texts, one row: native XDP refused */
	setup_error("attach the "
		    "balancer (see the message above): Operation not supported");
	n = diagnose(f, 4);
	assert_int_equal(n, 1);
	assert_string_equal(f[0].cause->id, "xdp-native-unsupported");

	/* an error no row knows: no diagnosis rather than a guess */
	setup_error("something new");
	assert_int_equal(diagnose(f, 4), 0);
}

static void test_doctor_refuses_bad_folders(void **state)
{
	struct doctor_evidence *ev = calloc(1, sizeof(*ev));
	char err[512];

	(void)state;
	assert_non_null(ev);
	assert_int_equal(doctor_load(dir, ev, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "a run folder?"));
	put("report.json", "{\"result\": \"FAIL\",\n \"checks\": [}");
	assert_int_equal(doctor_load(dir, ev, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "report.json:2:"));
	put("report.json", "[1, 2]");
	assert_int_equal(doctor_load(dir, ev, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "not a dsrlab report"));
	free(ev);
}

/* Every cause of the catalogue is described in docs/doctor.md, and ids are unique. */
static void test_doctor_catalogue_documented(void **state)
{
	static char doc[65536];
	char id[80];
	FILE *f = fopen(DOCTOR_DOC, "r");
	size_t n;
	int i, j;

	(void)state;
	assert_non_null(f);
	n = fread(doc, 1, sizeof(doc) - 1, f);
	doc[n] = '\0';
	fclose(f);
	for (i = 0; i < doctor_catalogue_len; i++) {
		snprintf(id, sizeof(id), "| `%s` |", doctor_catalogue[i].id);
		if (!strstr(doc, id))
			fail_msg("%s: no row for cause %s", DOCTOR_DOC, doctor_catalogue[i].id);
		for (j = 0; j < i; j++)
			assert_string_not_equal(doctor_catalogue[i].id, doctor_catalogue[j].id);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_doctor_pass_gets_no_diagnosis, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_doctor_rp_filter_message_and_fix, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_doctor_bundle_evidence_ranks_higher, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_doctor_role_decides, setup, teardown),
		cmocka_unit_test_setup_teardown(test_doctor_encap_lost, setup, teardown),
		cmocka_unit_test_setup_teardown(test_doctor_encap_lost_needs_no_too_big, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_doctor_failover_phase, setup, teardown),
		cmocka_unit_test_setup_teardown(test_doctor_counter_alternatives, setup, teardown),
		cmocka_unit_test_setup_teardown(test_doctor_nothing_matches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_doctor_setup_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_doctor_refuses_bad_folders, setup, teardown),
		cmocka_unit_test(test_doctor_catalogue_documented),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
