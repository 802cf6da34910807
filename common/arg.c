// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <limits.h>

#include "common/arg.h"

int arg_ulong(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;
	const char *p;

	if (!s || !*s)
		return -EINVAL;
	for (p = s; *p; p++) {
		if (!isdigit((unsigned char)*p))
			return -EINVAL;
		if (v > (ULONG_MAX - (unsigned long)(*p - '0')) / 10)
			return -EINVAL;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int arg_u32(const char *s, __u32 min, __u32 max, __u32 *out)
{
	unsigned long v;

	if (arg_ulong(s, min, max, &v))
		return -EINVAL;
	*out = v;
	return 0;
}

int arg_port(const char *s, __u16 *out)
{
	unsigned long v;

	if (arg_ulong(s, 1, 65535, &v))
		return -EINVAL;
	*out = v;
	return 0;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int arg_mac(const char *s, __u8 mac[6])
{
	__u8 m[6];
	int i, d;

	if (!s)
		return -EINVAL;
	for (i = 0; i < 6; i++) {
		d = hex_digit(*s);
		if (d < 0)
			return -EINVAL;
		m[i] = d;
		s++;
		d = hex_digit(*s);
		if (d >= 0) {
			m[i] = m[i] << 4 | d;
			s++;
		}
		if (*s != (i < 5 ? ':' : '\0'))
			return -EINVAL;
		if (i < 5)
			s++;
	}
	for (i = 0; i < 6; i++)
		mac[i] = m[i];
	return 0;
}
