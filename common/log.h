/* SPDX-License-Identifier: GPL-2.0 */
/* User-space logging: one verbosity for the process, libbpf's log routed through it. */
#ifndef DSRLAB_COMMON_LOG_H
#define DSRLAB_COMMON_LOG_H

#include <stdbool.h>

enum log_level {
	LOG_WARN = 0, /* always shown */
	LOG_INFO = 1, /* -v */
	LOG_DEBUG = 2 /* -vv: libbpf debug and verifier logs */
};

void log_set_level(enum log_level level);
enum log_level log_get_level(void);
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Keep the first warning from now on (for an error object under -j); NULL when none. */
void log_keep_first_warning(void);
const char *log_first_warning(void);
/* Route libbpf's messages through log_msg: warnings always, the rest with -v / -vv. */
void log_setup_libbpf(void);
/*
 * Around a libbpf call whose failure is an answer, not a fault (the clsact qdisc that is
 * already there: "Exclusivity flag on, cannot modify"): its warnings show only under -v.
 * Calls nest; per thread.
 */
void log_libbpf_expected(bool on);

#define pr_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define pr_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
