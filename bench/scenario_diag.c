// SPDX-License-Identifier: GPL-2.0
/* The scenario loader's diagnostics and "did you mean" (bench/scenario_diag.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/scenario_diag.h"

#define SC_SUGGEST_MAX 2 /* edit distance up to which "did you mean" is offered */
#define SC_WORD_MAX    64 /* longer words are only as near as their length */

void sc_diags_vadd(struct sc_diags *d, int line, int col, const char *fmt, va_list ap)
{
	struct sc_diag *it;
	char *msg;

	if (d->n == d->cap) {
		int cap = d->cap ? d->cap * 2 : 16;

		it = realloc(d->items, cap * sizeof(*it));
		if (!it) {
			d->oom = true;
			return;
		}
		d->items = it;
		d->cap = cap;
	}
	if (vasprintf(&msg, fmt, ap) < 0) {
		d->oom = true;
		return;
	}
	it = &d->items[d->n];
	it->line = line;
	it->col = col;
	it->seq = d->n++;
	it->msg = msg;
}

static int diag_cmp(const void *a, const void *b)
{
	const struct sc_diag *x = a, *y = b;

	if (x->line != y->line)
		return x->line - y->line;
	if (x->col != y->col)
		return x->col - y->col;
	return x->seq - y->seq;
}

/* The source line, then a caret under the column (tabs kept so it lines up). */
static void print_source(FILE *out, const char *text, size_t len, int line, int col)
{
	const char *p = text, *end = text + len, *eol;
	int i, c;

	if (!len) /* an empty file: no line to show */
		return;
	for (i = 1; i < line; i++) {
		p = memchr(p, '\n', end - p);
		if (!p)
			return;
		p++;
	}
	eol = memchr(p, '\n', end - p);
	if (!eol)
		eol = end;
	if (eol > p && eol[-1] == '\r')
		eol--;
	fprintf(out, "%.*s\n", (int)(eol - p), p);
	/* libyaml counts columns in characters: skip UTF-8 continuation bytes */
	for (c = 1; c < col && p < eol; p++) {
		if ((*p & 0xc0) == 0x80)
			continue;
		fputc(*p == '\t' ? '\t' : ' ', out);
		c++;
	}
	for (; c < col; c++)
		fputc(' ', out);
	fputs("^\n", out);
}

void sc_diags_print(struct sc_diags *d, const char *file, const char *text, size_t len, FILE *out)
{
	int i;

	qsort(d->items, d->n, sizeof(*d->items), diag_cmp);
	for (i = 0; i < d->n; i++) {
		const struct sc_diag *it = &d->items[i];

		/* an aliased node is checked once per alias: say it once */
		if (i && it->line == it[-1].line && it->col == it[-1].col &&
		    !strcmp(it->msg, it[-1].msg))
			continue;
		fprintf(out, "%s:%d:%d: %s\n", file, it->line, it->col, it->msg);
		print_source(out, text, len, it->line, it->col);
	}
}

void sc_diags_free(struct sc_diags *d)
{
	int i;

	for (i = 0; i < d->n; i++)
		free(d->items[i].msg);
	free(d->items);
	d->items = NULL;
	d->n = d->cap = 0;
}

/* "Did you mean" */

static int edit_distance(const char *a, const char *b)
{
	int row[SC_WORD_MAX + 1], i, j, la = strlen(a), lb = strlen(b);

	if (la > SC_WORD_MAX || lb > SC_WORD_MAX)
		return la > lb ? la : lb;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		int diag_prev = row[0];

		row[0] = i;
		for (j = 1; j <= lb; j++) {
			int up = row[j], best = diag_prev + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag_prev = up;
			row[j] = best;
		}
	}
	return row[lb];
}

void sc_suggest_consider(struct sc_suggestion *s, const char *word, const char *cand)
{
	int d = edit_distance(word, cand);

	/* a distance as long as the candidate would match anything that short */
	if (d <= SC_SUGGEST_MAX && d < (int)strlen(cand) && (!s->best || d < s->dist)) {
		s->best = cand;
		s->dist = d;
	}
}

const char *sc_suggest_str(const struct sc_suggestion *s, char *buf, size_t size)
{
	if (s->best)
		snprintf(buf, size, "; did you mean '%s'?", s->best);
	else
		buf[0] = '\0';
	return buf;
}

const char *sc_suggest_from(const char *word, const char *const *names, int n, char *buf,
			    size_t size)
{
	struct sc_suggestion s = { 0 };
	int i;

	for (i = 0; i < n; i++)
		sc_suggest_consider(&s, word, names[i]);
	return sc_suggest_str(&s, buf, size);
}
