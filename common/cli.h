/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every dsrlab program's command line shares: --version, `COMMAND --help` printing that
 * command's part of the usage text, the list of commands for "unknown command", and errors as
 * one JSON object under -j ({"version": 1, "error": "..."}, as bpftool does).
 *
 * A usage text is read by its shape: an entry line starts with two spaces and the command
 * word, its description lines with more; entries side by side share the description after
 * them; the paragraphs after the last entry (options, exit codes) close every command's help.
 */
#ifndef DSRLAB_COMMON_CLI_H
#define DSRLAB_COMMON_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <jansson.h>

#define CLI_JSON_VERSION 1 /* of the error object; docs/schemas/error.schema.json */

/* The program's name and usage text, for the errors below. */
void cli_init(const char *prog, const char *usage);
/* "PROG: msg: arg" (and the usage, but not under -j); returns cli_exit(2). */
int cli_usage_error(const char *msg, const char *arg);
/* An unknown command is named with the list; a known one with wrong arguments gets its help. */
int cli_command_error(const char *cmd);
/* --help: the whole usage (cmd NULL) or cmd's help on stdout; exit code. */
int cli_help_for(const char *cmd);
/* "PROG VERSION (libbpf X.Y.Z)" */
void cli_version(const char *prog, FILE *f);
/*
 * usage's first line, cmd's entries and the closing paragraphs; false if cmd has none.
 * f NULL: print nothing, only say whether usage documents cmd.
 */
bool cli_help(const char *usage, const char *cmd, FILE *f);
/* The command words of usage, in order, separated by ", ". */
void cli_commands(const char *usage, char *buf, size_t size);
/* Print doc (a -j document) on stdout, indented, and free it. */
void cli_json_print(json_t *doc);
/* From now on the first warning (pr_warn) is kept for cli_exit(). */
void cli_json_errors(void);
/*
 * The exit of a command: under cli_json_errors(), a failure (code 2 or more) whose command
 * printed no document prints the first warning as {"version": 1, "error": "..."} on stdout.
 * Returns code.
 */
int cli_exit(int code, bool printed);

#endif
