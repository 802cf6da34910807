// SPDX-License-Identifier: GPL-2.0
/* Strict command-line parsers: every value the CLIs once took by mistake is refused. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "common/addr.h"
#include "common/arg.h"
#include "common/flow.h"

static void test_arg_port_accepts_range(void **state)
{
	__u16 p = 0;

	(void)state;
	assert_int_equal(arg_port("1", &p), 0);
	assert_int_equal(p, 1);
	assert_int_equal(arg_port("6080", &p), 0);
	assert_int_equal(p, 6080);
	assert_int_equal(arg_port("65535", &p), 0);
	assert_int_equal(p, 65535);
}

static void test_arg_port_refuses_mistakes(void **state)
{
	static const char *bad[] = {
		"70000", "65536", "-1", "abc",	"6080x", "",
		" 80",	 "+80",	  "0",	"0x50", "8 0",	 "18446744073709551617"
	};
	size_t i;
	__u16 p = 7;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(arg_port(bad[i], &p), -EINVAL);
		assert_int_equal(p, 7); /* nothing written on error */
	}
	assert_int_equal(arg_port(NULL, &p), -EINVAL);
}

static void test_arg_u32_bounds_and_overflow(void **state)
{
	__u32 v = 0;

	(void)state;
	assert_int_equal(arg_u32("4294967295", 0, UINT32_MAX, &v), 0);
	assert_int_equal(v, 4294967295u);
	assert_int_equal(arg_u32("4294967299", 0, UINT32_MAX, &v), -EINVAL); /* was 3 slots */
	assert_int_equal(arg_u32("4294967296", 0, UINT32_MAX, &v), -EINVAL);
	assert_int_equal(arg_u32("99999999999999999999999", 0, UINT32_MAX, &v), -EINVAL);
	assert_int_equal(arg_u32("abc", 0, UINT32_MAX, &v), -EINVAL);
	assert_int_equal(arg_u32("575", 576, 65535, &v), -EINVAL);
	assert_int_equal(arg_u32("576", 576, 65535, &v), 0);
	assert_int_equal(v, 576);
	assert_int_equal(arg_u32("65536", 576, 65535, &v), -EINVAL);
	assert_int_equal(arg_u32("0", 0, 0, &v), 0);
	assert_int_equal(v, 0);
}

static void test_arg_mac_exact(void **state)
{
	static const __u8 want[6] = { 0x02, 0x00, 0x00, 0x0a, 0x01, 0xfe };
	__u8 m[6] = {};

	(void)state;
	assert_int_equal(arg_mac("02:00:00:0a:01:fe", m), 0);
	assert_memory_equal(m, want, 6);
	assert_int_equal(arg_mac("2:0:0:A:1:FE", m), 0);
	assert_memory_equal(m, want, 6);
}

static void test_arg_mac_refuses_mistakes(void **state)
{
	static const char *bad[] = { "02:00:00:00:01:fe:77", "02:00:00:00:01",
				     "02:00:00:00:01:",	     "02:00:00:00:01:fe:",
				     "002:00:00:00:01:fe",   "02-00-00-00-01-fe",
				     "02:00:00:00:01:fg",    "",
				     ":02:00:00:00:01:fe",   "02:00:00:00:01:fe " };
	__u8 m[6] = { 1, 2, 3, 4, 5, 6 }, keep[6] = { 1, 2, 3, 4, 5, 6 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(arg_mac(bad[i], m), -EINVAL);
		assert_memory_equal(m, keep, 6);
	}
}

static void test_endpoint_ipv6_needs_brackets(void **state)
{
	struct endpoint e;
	char buf[ADDR_STRLEN];

	(void)state;
	assert_int_equal(endpoint_parse("2001:db8:100::1:80/tcp", &e), -EINVAL);
	assert_int_equal(endpoint_parse("2001:db8:100::1/tcp", &e), -EINVAL);
	assert_int_equal(endpoint_parse("[2001:db8:100::1]:80/tcp", &e), 0);
	assert_int_equal(e.addr.family, FAM_IPV6);
	assert_int_equal(e.port, 80);
	assert_string_equal(endpoint_str(&e, buf, sizeof(buf)), "[2001:db8:100::1]:80/tcp");
	assert_int_equal(endpoint_parse("[2001:db8:100::1]/udp", &e), 0);
	assert_int_equal(e.port, 0);
	assert_int_equal(e.proto, IPPROTO_UDP);
	/* printed as it is read back */
	assert_string_equal(endpoint_str(&e, buf, sizeof(buf)), "[2001:db8:100::1]/udp");
	assert_int_equal(endpoint_parse("[10.0.0.1]:80/tcp", &e), 0); /* brackets allowed */
	assert_int_equal(e.addr.family, FAM_IPV4);
}

static void test_endpoint_port_strict(void **state)
{
	static const char *bad[] = { "10.0.0.1:+80/tcp", "10.0.0.1: 80/tcp",   "10.0.0.1:80x/tcp",
				     "10.0.0.1:0/tcp",	 "10.0.0.1:65536/tcp", "10.0.0.1:/tcp",
				     "10.0.0.1:80/sctp", "10.0.0.1:80",	       "[::1]x/tcp" };
	struct endpoint e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(endpoint_parse(bad[i], &e), -EINVAL);
	assert_int_equal(endpoint_parse("10.0.0.1:65535/tcp", &e), 0);
	assert_int_equal(e.port, 65535);
	assert_int_equal(endpoint_parse("10.0.0.1/tcp", &e), 0);
	assert_int_equal(e.port, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arg_port_accepts_range),
		cmocka_unit_test(test_arg_port_refuses_mistakes),
		cmocka_unit_test(test_arg_u32_bounds_and_overflow),
		cmocka_unit_test(test_arg_mac_exact),
		cmocka_unit_test(test_arg_mac_refuses_mistakes),
		cmocka_unit_test(test_endpoint_ipv6_needs_brackets),
		cmocka_unit_test(test_endpoint_port_strict),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
