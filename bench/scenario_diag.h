/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The scenario loader's diagnostics: mistakes collected as they are found, then printed
 * sorted by position like a compiler's ("file:line:col: message", the source line and a caret
 * under the column), and "did you mean" suggestions from the names that were expected.
 */
#ifndef DSRLAB_BENCH_SCENARIO_DIAG_H
#define DSRLAB_BENCH_SCENARIO_DIAG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct sc_diag {
	int line, col; /* 1-based */
	int seq; /* order found, to keep sorting stable */
	char *msg;
};

struct sc_diags {
	struct sc_diag *items;
	int n, cap;
	bool oom; /* a message was lost for want of memory */
};

/* Add a message at (line, col), both 1-based. */
void sc_diags_vadd(struct sc_diags *d, int line, int col, const char *fmt, va_list ap);
/*
 * Sort by position and print each as "file:line:col: message", then the line of text and a
 * caret; a message repeated at the same position (an aliased node checked twice) once.
 */
void sc_diags_print(struct sc_diags *d, const char *file, const char *text, size_t len, FILE *out);
void sc_diags_free(struct sc_diags *d);

/* "Did you mean": the closest candidate within a small edit distance. */
struct sc_suggestion {
	const char *best;
	int dist;
};

void sc_suggest_consider(struct sc_suggestion *s, const char *word, const char *cand);
/* "; did you mean 'x'?" or "", into buf. */
const char *sc_suggest_str(const struct sc_suggestion *s, char *buf, size_t size);
/* The same over a table of names. */
const char *sc_suggest_from(const char *word, const char *const *names, int n, char *buf,
			    size_t size);

#endif
