// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "common/log.h"

static enum log_level current = LOG_WARN;
static __thread int libbpf_expected; /* > 0: libbpf's warnings are expected, shown under -v */
static bool keep_first;
static char first[1024];

void log_set_level(enum log_level level)
{
	current = level;
}

enum log_level log_get_level(void)
{
	return current;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	if (level > current)
		return;
	va_start(ap, fmt);
	if (level == LOG_WARN && keep_first && !first[0]) {
		va_list copy;

		va_copy(copy, ap);
		vsnprintf(first, sizeof(first), fmt, copy);
		va_end(copy);
		first[strcspn(first, "\n")] = '\0'; /* the message, not the hint lines after it */
	}
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

void log_keep_first_warning(void)
{
	keep_first = true;
}

const char *log_first_warning(void)
{
	return first[0] ? first : NULL;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	enum log_level ours = level == LIBBPF_WARN ? (libbpf_expected ? LOG_INFO : LOG_WARN) :
			      level == LIBBPF_INFO ? LOG_INFO :
						     LOG_DEBUG;

	if (ours > current)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

void log_setup_libbpf(void)
{
	libbpf_set_print(libbpf_print);
}

void log_libbpf_expected(bool on)
{
	libbpf_expected += on ? 1 : -1;
}
