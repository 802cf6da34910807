// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench/command.h"

#define COMMAND_POLL_US	   5000
#define COMMAND_TERM_MS	   1000 /* SIGTERM to SIGKILL */
#define COMMAND_TCP_LISTEN 0x0a /* TCP_LISTEN in /proc/net/tcp */

struct command {
	pid_t pid;
	bool reaped;
	int status; /* exit status once reaped */
	char log[PATH_MAX];
};

/* Who a command runs as: root with every capability, or a user with none. */
struct command_cred {
	bool drop;
	uid_t uid;
	gid_t gid;
};

/* user: a name or a uid, looked up here (getpwnam is not for a forked child). */
static int command_cred_get(const char *user, struct command_cred *cred)
{
	struct passwd pw, *res = NULL;
	char buf[1024], *end;
	unsigned long id;

	cred->drop = user && *user;
	if (!cred->drop)
		return 0;
	id = strtoul(user, &end, 10);
	if (*end ? getpwnam_r(user, &pw, buf, sizeof(buf), &res) :
		   getpwuid_r(id, &pw, buf, sizeof(buf), &res))
		return -errno;
	if (!res && *end)
		return -ESRCH;
	cred->uid = res ? pw.pw_uid : id;
	cred->gid = res ? pw.pw_gid : id;
	return 0;
}

/*
 * Become cred's user with no capability left to regain: the bounding set emptied while root
 * may still do it, no supplementary groups, no ambient or inheritable capabilities, and
 * no_new_privs so no setuid or file-capability program gives any back. Changing every uid
 * away from 0 clears the permitted and effective sets.
 */
static int command_cred_drop(const struct command_cred *cred)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
	int cap;

	for (cap = 0; cap <= CAP_LAST_CAP; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) && errno != EINVAL)
			return -1;
	if (setgroups(0, NULL) || setresgid(cred->gid, cred->gid, cred->gid) ||
	    setresuid(cred->uid, cred->uid, cred->uid))
		return -1;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) ||
	    syscall(SYS_capset, &hdr, data) || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return 0;
}

/* In the child: only async-signal-safe calls until exec. */
static void child_exec(int ns_fd, int in, int out, const char *cwd, const char *cmd,
		       const struct command_cred *cred)
{
	static const char msg[] = "dsrlab: cannot enter the node's namespace or directory\n";
	static const char msg_cred[] = "dsrlab: cannot drop to the command's user\n";

	setpgid(0, 0);
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
		_exit(126);
	if (setns(ns_fd, CLONE_NEWNET) || (cwd && chdir(cwd))) {
		if (write(2, msg, sizeof(msg) - 1) < 0)
			_exit(126);
		_exit(126);
	}
	if (cred->drop && command_cred_drop(cred)) {
		if (write(2, msg_cred, sizeof(msg_cred) - 1) < 0)
			_exit(126);
		_exit(126);
	}
	execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	_exit(127);
}

int command_start(struct command **out, const struct env *e, int node, const char *cwd,
		  const char *log, const char *cmd, const char *user)
{
	struct command_cred cred;
	struct command *c;
	int in, fd, err;

	if (node < 0 || e->nodes[node].ns_fd < 0)
		return -ENOENT;
	err = command_cred_get(user, &cred);
	if (err)
		return err;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	snprintf(c->log, sizeof(c->log), "%s", log);
	fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	in = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || in < 0) {
		err = -errno;
		goto err_close;
	}
	c->pid = fork();
	if (c->pid < 0) {
		err = -errno;
		goto err_close;
	}
	if (!c->pid)
		child_exec(e->nodes[node].ns_fd, in, fd, cwd, cmd, &cred);
	setpgid(c->pid, c->pid); /* the child does it too: whoever runs first */
	close(in);
	close(fd);
	*out = c;
	return 0;

err_close:
	if (in >= 0)
		close(in);
	if (fd >= 0)
		close(fd);
	free(c);
	return err;
}

/* Reap if it exited; true when it has. */
static bool command_exited(struct command *c)
{
	int st;

	if (c->reaped)
		return true;
	if (waitpid(c->pid, &st, WNOHANG) != c->pid)
		return false;
	c->reaped = true;
	c->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	return true;
}

int command_wait(struct command *c, int timeout_ms, int *status)
{
	long long deadline = (long long)(env_clock_usec() / 1000) + timeout_ms;

	while (!command_exited(c)) {
		if ((long long)(env_clock_usec() / 1000) >= deadline || env_stop)
			return -ETIMEDOUT;
		usleep(COMMAND_POLL_US);
	}
	*status = c->status;
	return 0;
}

void command_stop(struct command *c)
{
	long long deadline = (long long)(env_clock_usec() / 1000) + COMMAND_TERM_MS;
	int st;

	if (!c)
		return;
	/* the whole group: a shell's children outlive it otherwise */
	kill(-c->pid, SIGTERM);
	while (!command_exited(c) && (long long)(env_clock_usec() / 1000) < deadline)
		usleep(COMMAND_POLL_US);
	kill(-c->pid, SIGKILL);
	if (!c->reaped)
		waitpid(c->pid, &st, 0);
	free(c);
}

char *command_read_log(const char *log, size_t max)
{
	char *buf = malloc(max + 1);
	FILE *f;
	size_t n;

	if (!buf)
		return NULL;
	f = fopen(log, "r");
	if (!f) {
		free(buf);
		return NULL;
	}
	n = fread(buf, 1, max, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

/* The log's last non-empty line, for saying why a command failed. */
static void log_last_line(const char *log, char *buf, size_t size)
{
	char tail[512], *end, *start;
	size_t n = 0;
	FILE *f;

	buf[0] = '\0';
	f = fopen(log, "r");
	if (!f)
		return;
	if (!fseek(f, 0, SEEK_END) && ftell(f) > (long)sizeof(tail) - 1)
		fseek(f, -(long)sizeof(tail) + 1, SEEK_END);
	else
		fseek(f, 0, SEEK_SET);
	n = fread(tail, 1, sizeof(tail) - 1, f);
	fclose(f);
	tail[n] = '\0';
	for (end = tail + n; end > tail && (end[-1] == '\n' || end[-1] == '\r'); end--)
		;
	*end = '\0';
	start = strrchr(tail, '\n');
	snprintf(buf, size, "%s", start ? start + 1 : tail);
}

/* Is a TCP socket listening on port in this thread's namespace? */
static bool tcp_listening(int port)
{
	static const char *const files[] = { "/proc/thread-self/net/tcp",
					     "/proc/thread-self/net/tcp6" };
	unsigned int lport, state, i;
	bool found = false;
	char line[256];
	FILE *f;

	for (i = 0; i < 2 && !found; i++) {
		f = fopen(files[i], "r");
		if (!f)
			continue;
		while (!found && fgets(line, sizeof(line), f))
			found = sscanf(line, " %*u: %*[0-9A-Fa-f]:%x %*[0-9A-Fa-f]:%*x %x", &lport,
				       &state) == 2 &&
				(int)lport == port && state == COMMAND_TCP_LISTEN;
		fclose(f);
	}
	return found;
}

struct listen_job {
	struct command *c;
	int port, timeout_ms;
};

/* 0 when listening, 1 when not (exited, timed out or stopped). */
static int wait_listening_here(void *arg)
{
	struct listen_job *j = arg;
	long long start = (long long)(env_clock_usec() / 1000);
	bool up;

	while (!(up = tcp_listening(j->port)) && !command_exited(j->c) && !env_stop &&
	       (long long)(env_clock_usec() / 1000) - start < j->timeout_ms)
		usleep(COMMAND_POLL_US * 2);
	return up ? 0 : 1;
}

int command_wait_listening(struct command *c, const struct env *e, int node, int port,
			   int timeout_ms, char *err, size_t errlen)
{
	struct listen_job j = { .c = c, .port = port, .timeout_ms = timeout_ms };
	char last[160];
	int ret;

	ret = env_run(e, node, wait_listening_here, &j);
	if (ret < 0) {
		snprintf(err, errlen, "enter the namespace of %s: %s", e->sc->nodes[node].name,
			 strerror(-ret));
		return ret;
	}
	if (!ret)
		return 0;
	log_last_line(c->log, last, sizeof(last));
	if (c->reaped)
		snprintf(err, errlen,
			 "exited with status %d before listening on tcp:%d; %s%s%s(%s)", c->status,
			 port, last[0] ? "its last words: '" : "", last, last[0] ? "' " : "",
			 c->log);
	else
		snprintf(err, errlen, "not listening on tcp:%d after %d ms%s%s%s (%s)", port,
			 timeout_ms, last[0] ? "; its last output: '" : "", last,
			 last[0] ? "'" : "", c->log);
	return c->reaped ? -ECHILD : -ETIMEDOUT;
}

int command_service_start(struct command **out, struct env *e, const struct sc_service *s)
{
	int node = s->node_idx, err;
	char log[PATH_MAX], why[384];

	snprintf(log, sizeof(log), "%s/%s.%s.log", e->outdir, s->node, s->name);
	err = command_start(out, e, node, e->outdir, log, s->command, s->user);
	if (err == -ESRCH)
		env_failf(e, err, "service %s in %s (line %d): no user '%s' on this machine",
			  s->name, s->node, s->mark.line, s->user);
	if (err)
		return env_fail(e, err, "start a command service");
	if (!s->ready_port)
		return 0;
	err = command_wait_listening(*out, e, node, s->ready_port, s->ready_timeout_ms, why,
				     sizeof(why));
	if (err)
		env_failf(e, err, "service %s in %s (line %d): %s", s->name, s->node, s->mark.line,
			  why);
	return err;
}
