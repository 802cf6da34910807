// SPDX-License-Identifier: GPL-2.0
/*
 * nl_addr_add() returns an IPv6 address usable: routed as local at once, also on a busy
 * machine, where the kernel installs the local route from a work item that runs late (two
 * threads spin on every CPU here to make it so). Without the wait, a large share of fresh
 * addresses are not local yet when RTM_NEWADDR returns, and packets to them are dropped as
 * IP_INNOROUTES. And the kernel's own words for a refused request reach nl_strerror().
 * In a network namespace of the test's own; root, else skipped (77).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <linux/rtnetlink.h>

#include "common/addr.h"
#include "common/netlink.h"

#define N_ADDRS 300

static atomic_bool stop;

static void *spin(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop))
		;
	return NULL;
}

static void test_netlink_ipv6_addr_usable_at_once(void **state)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN) * 8, i;
	pthread_t th[64];
	struct nl_sock nl;
	int not_local = 0;

	(void)state;
	assert_int_equal(unshare(CLONE_NEWNET), 0);
	assert_int_equal(nl_open(&nl), 0);
	assert_int_equal(nl_link_up(&nl, 1), 0);
	if (n > 64)
		n = 64;
	for (i = 0; i < n; i++)
		assert_int_equal(pthread_create(&th[i], NULL, spin, NULL), 0);
	for (i = 0; i < N_ADDRS; i++) {
		struct ip_prefix p = { .len = 128 };
		char s[64];

		snprintf(s, sizeof(s), "2001:db8:100::%lx", i + 1);
		assert_int_equal(addr_parse(s, &p.addr), 0);
		assert_int_equal(nl_addr_add(&nl, 1, &p), 0);
		not_local += nl_route_type(&nl, &p.addr) != RTN_LOCAL;
	}
	atomic_store(&stop, true);
	for (i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	nl_close(&nl);
	assert_int_equal(not_local, 0);
}

/*
 * Extended ACK: what the kernel says about a refused request reaches the error text, and
 * only for the error it came with.
 */
static void test_netlink_kernel_words_in_error(void **state)
{
	struct ip_prefix dst = { .len = 16 };
	struct ip_addr gw;
	struct nl_sock nl;
	int err;

	(void)state;
	assert_int_equal(unshare(CLONE_NEWNET), 0);
	assert_int_equal(nl_open(&nl), 0);
	assert_int_equal(nl_link_up(&nl, 1), 0);
	assert_int_equal(addr_parse("10.9.0.0", &dst.addr), 0);
	assert_int_equal(addr_parse("192.0.2.1", &gw), 0);
	/* no route to the gateway */
	err = nl_route_add(&nl, &dst, &gw, 0);
	assert_int_equal(err, -ENETUNREACH);
	assert_string_equal(nl_strerror(err),
			    "Network is unreachable (the kernel: Nexthop has invalid gateway)");
	assert_string_equal(nl_strerror(-EEXIST), strerror(EEXIST)); /* not its error */
	/* a veth's MTU above what it takes */
	assert_int_equal(nl_veth_add(&nl, "nla", "nlb", -1), 0);
	assert_true(link_index("nla") > 0);
	err = nl_link_set_mtu(&nl, link_index("nla"), 1u << 20);
	assert_int_equal(err, -EINVAL);
	assert_string_equal(nl_strerror(err),
			    "Invalid argument (the kernel: mtu greater than device maximum)");
	/* a request that succeeds leaves no words behind */
	assert_int_equal(nl_link_up(&nl, 1), 0);
	assert_string_equal(nl_strerror(-EINVAL), strerror(EINVAL));
	nl_close(&nl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_netlink_ipv6_addr_usable_at_once),
		cmocka_unit_test(test_netlink_kernel_words_in_error),
	};

	if (geteuid())
		return 77;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
