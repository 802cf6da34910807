// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include <bpf/libbpf.h>
#include <jansson.h>

#include "common/cli.h"
#include "common/log.h"

#ifndef DSRLAB_VERSION
#error "DSRLAB_VERSION comes from the project version in CMakeLists.txt"
#endif

static bool json_errors;
static const char *prog_name = "dsrlab", *prog_usage = "";

void cli_init(const char *prog, const char *usage)
{
	prog_name = prog;
	prog_usage = usage;
}

int cli_usage_error(const char *msg, const char *arg)
{
	pr_warn("%s: %s%s%s\n", prog_name, msg, arg ? ": " : "", arg ? arg : "");
	if (!json_errors)
		fprintf(stderr, "\n%s", prog_usage);
	return cli_exit(2, false);
}

int cli_command_error(const char *cmd)
{
	char cmds[256];

	if (!cmd)
		return cli_usage_error("no command", NULL);
	if (cli_help(prog_usage, cmd, NULL)) {
		pr_warn("%s: wrong arguments for %s\n", prog_name, cmd);
		if (!json_errors)
			cli_help(prog_usage, cmd, stderr);
		return cli_exit(2, false);
	}
	cli_commands(prog_usage, cmds, sizeof(cmds));
	pr_warn("%s: unknown command '%s' (commands: %s)\n", prog_name, cmd, cmds);
	return cli_exit(2, false);
}

int cli_help_for(const char *cmd)
{
	if (!cmd) {
		fputs(prog_usage, stdout);
		return 0;
	}
	return cli_help(prog_usage, cmd, stdout) ? 0 : cli_command_error(cmd);
}

void cli_version(const char *prog, FILE *f)
{
	fprintf(f, "%s %s (libbpf %s)\n", prog, DSRLAB_VERSION, libbpf_version_string());
}

/* An entry line: two spaces, then a word (not a description, indented further). */
static bool entry_line(const char *l)
{
	return l[0] == ' ' && l[1] == ' ' && l[2] && l[2] != ' ' && l[2] != '\n';
}

static bool entry_is(const char *l, const char *cmd)
{
	size_t n = strlen(cmd);

	return entry_line(l) && !strncmp(l + 2, cmd, n) && (l[2 + n] == ' ' || l[2 + n] == '\n');
}

static const char *line_end(const char *l)
{
	const char *e = strchr(l, '\n');

	return e ? e + 1 : l + strlen(l);
}

/* The closing paragraphs: after the last entry's block, from the first unindented line. */
static const char *closing(const char *usage)
{
	const char *l, *last = NULL;

	for (l = line_end(usage); *l; l = line_end(l))
		if (entry_line(l))
			last = l;
	for (l = last ? last : usage; *l; l = line_end(l))
		if (*l != ' ' && *l != '\n')
			return l;
	return l;
}

bool cli_help(const char *usage, const char *cmd, FILE *f)
{
	const char *first = line_end(usage), *end = closing(usage), *l, *e, *block = NULL;
	bool prev_entry = false, want = false, found = false, entry;

	if (f) {
		fwrite(usage, 1, first - usage, f);
		fputc('\n', f);
	}
	for (l = first;; l = line_end(l)) {
		entry = l < end && entry_line(l);
		/* an entry after a description (or the end) closes the block before it */
		if (l >= end || (entry && !prev_entry)) {
			if (block && want) {
				for (e = l; e - block > 1 && e[-1] == '\n' && e[-2] == '\n'; e--)
					;
				if (f)
					fwrite(block, 1, e - block, f);
				found = true;
			}
			if (l >= end)
				break;
			block = l;
			want = false;
		}
		if (entry)
			want |= entry_is(l, cmd);
		prev_entry = entry;
	}
	if (f) {
		fputc('\n', f);
		fputs(end, f);
	}
	return found;
}

void cli_commands(const char *usage, char *buf, size_t size)
{
	const char *l, *end = closing(usage), *last = NULL;
	size_t n = 0, w, last_w = 0;

	buf[0] = '\0';
	for (l = line_end(usage); l < end; l = line_end(l)) {
		if (!entry_line(l))
			continue;
		w = strcspn(l + 2, " \n");
		if (last && w == last_w && !strncmp(last, l + 2, w))
			continue; /* vip add, vip del: one command */
		last = l + 2;
		last_w = w;
		n += snprintf(buf + n, n < size ? size - n : 0, "%s%.*s", n ? ", " : "", (int)w,
			      l + 2);
	}
}

void cli_json_print(json_t *doc)
{
	json_dumpf(doc, stdout, JSON_INDENT(2));
	fputc('\n', stdout);
	json_decref(doc);
}

void cli_json_errors(void)
{
	json_errors = true;
	log_keep_first_warning();
}

int cli_exit(int code, bool printed)
{
	const char *msg = log_first_warning();
	json_t *o;

	if (!json_errors || code < 2 || printed)
		return code;
	o = json_pack("{s:i, s:s}", "version", CLI_JSON_VERSION, "error",
		      msg ? msg : "failed (no message)");
	json_dumpf(o, stdout, JSON_COMPACT);
	fputc('\n', stdout);
	json_decref(o);
	json_errors = false; /* one error object, however many exits report it */
	return code;
}
