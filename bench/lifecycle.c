// SPDX-License-Identifier: GPL-2.0
/*
 * Run ids and their locks, the keeper that holds a topology up, `down` and `clean`.
 *
 * Why a lock and not a pid: a pid outlives nothing (it is reused), while a flock is dropped by
 * the kernel the moment its holder dies, however it dies. The lock file gets its name only
 * once it is locked (O_TMPFILE, flock, linkat), so whoever finds <id>.lock unlocked knows its
 * run is dead, and linkat failing with EEXIST is how two runs never get one id.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <jansson.h>

#include "bench/lifecycle.h"
#include "common/log.h"
#include "common/netns.h"

#define STOP_WAIT_MS   30000 /* a keeper tears down in well under a second */
#define KILL_WAIT_MS   5000
#define CLEAN_MAX_RUNS 1024

/* One run per process: its lock, and the pipe to the parent waiting in lifecycle_detach(). */
static int lock_fd = -1;
static int keep_pipe = -1;
static volatile pid_t detached_child;

struct run_state {
	pid_t pid;
	bool kept;
	char scenario[SC_NAME_MAX + 64];
	char outdir[PATH_MAX];
};

struct sweep {
	int removed;
	int failed;
};

/* A run's namespaces in /run/netns and the inodes that identify them. */
struct ns_list {
	int n;
	char names[SC_MAX_NODES * 4][NAME_MAX + 1];
	ino_t inodes[SC_MAX_NODES * 4];
};

static bool id_valid(const char *s)
{
	int i;

	for (i = 0; i < ENV_ID_LEN - 1; i++)
		if (!isdigit((unsigned char)s[i]) && (s[i] < 'a' || s[i] > 'f'))
			return false;
	return s[i] == '\0';
}

static void state_path(char *buf, size_t len, const char *id, const char *what)
{
	snprintf(buf, len, RUN_STATE_DIR "/%s.%s", id, what);
}

/* Replace the state file at once: a reader sees the old one or the new one. */
static int state_write(const struct env *e, bool kept)
{
	char path[PATH_MAX], tmp[PATH_MAX + 4], abs[PATH_MAX];
	FILE *f;
	int err;

	state_path(path, sizeof(path), e->id, "state");
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return -errno;
	fprintf(f, "id %s\npid %d\nscenario %s\noutdir %s\nkept %d\n", e->id, getpid(), e->sc->name,
		realpath(e->outdir, abs) ? abs : e->outdir, kept);
	if (fclose(f) || rename(tmp, path)) {
		err = -errno;
		unlink(tmp);
		return err;
	}
	return 0;
}

static int state_read(const char *id, struct run_state *s)
{
	char path[PATH_MAX], line[PATH_MAX + 16];
	FILE *f;

	memset(s, 0, sizeof(*s));
	state_path(path, sizeof(path), id, "state");
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "pid ", 4))
			s->pid = atoi(line + 4);
		else if (!strncmp(line, "kept ", 5))
			s->kept = atoi(line + 5);
		else if (!strncmp(line, "scenario ", 9))
			snprintf(s->scenario, sizeof(s->scenario), "%s", line + 9);
		else if (!strncmp(line, "outdir ", 7))
			snprintf(s->outdir, sizeof(s->outdir), "%s", line + 7);
	}
	fclose(f);
	return 0;
}

int lifecycle_claim(struct env *e)
{
	char path[PATH_MAX], fdpath[64];
	unsigned char rnd[3];
	int fd, tries, err;

	if (mkdir(RUN_STATE_DIR, 0755) && errno != EEXIST)
		return -errno;
	for (tries = 0; tries < 64; tries++) {
		if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
			return -errno;
		snprintf(e->id, sizeof(e->id), "%02x%02x%02x", rnd[0], rnd[1], rnd[2]);
		fd = open(RUN_STATE_DIR, O_TMPFILE | O_RDWR | O_CLOEXEC, 0644);
		if (fd < 0)
			return -errno;
		if (flock(fd, LOCK_EX)) {
			err = -errno;
			close(fd);
			return err;
		}
		snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fd);
		state_path(path, sizeof(path), e->id, "lock");
		if (!linkat(AT_FDCWD, fdpath, AT_FDCWD, path, AT_SYMLINK_FOLLOW)) {
			lock_fd = fd;
			return 0;
		}
		err = -errno;
		close(fd);
		if (err != -EEXIST)
			return err;
	}
	return -EEXIST;
}

int lifecycle_state_write(struct env *e)
{
	return state_write(e, false);
}

/* Unlink path only if it is still the file fd has open (a new run may have reused the id). */
static bool unlink_if_same(const char *path, int fd)
{
	struct stat a, b;

	return !fstat(fd, &a) && !stat(path, &b) && a.st_ino == b.st_ino && a.st_dev == b.st_dev &&
	       !unlink(path);
}

void lifecycle_release(struct env *e)
{
	char path[PATH_MAX];

	if (lock_fd < 0)
		return;
	state_path(path, sizeof(path), e->id, "state");
	unlink(path);
	state_path(path, sizeof(path), e->id, "lock");
	unlink_if_same(path, lock_fd);
	close(lock_fd);
	lock_fd = -1;
}

/* Before the fork and in the child: stop the run. In the parent: pass it on to the child. */
static void on_stop_signal(int sig)
{
	if (detached_child > 0)
		kill(detached_child, sig);
	else
		env_stop = 1;
}

int lifecycle_detach(int *code)
{
	struct sigaction sa = { .sa_handler = on_stop_signal, .sa_flags = SA_RESTART };
	unsigned char c;
	int p[2], st;
	ssize_t n;
	pid_t pid;

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	fflush(stdout);
	fflush(stderr);
	if (pipe2(p, O_CLOEXEC)) {
		fprintf(stderr, "dsrlab: make a pipe: %m\n");
		*code = EXIT_SETUP;
		return 1;
	}
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "dsrlab: fork the keeper: %m\n");
		*code = EXIT_SETUP;
		return 1;
	}
	if (pid == 0) {
		close(p[0]);
		keep_pipe = p[1];
		setsid(); /* the terminal's signals reach the parent only, which passes them on */
		return 0;
	}
	close(p[1]);
	detached_child = pid;
	if (env_stop)
		kill(pid, SIGTERM);
	do
		n = read(p[0], &c, 1);
	while (n < 0 && errno == EINTR);
	close(p[0]);
	if (n == 1) {
		*code = c; /* kept: the child lives on */
		return 1;
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	*code = WIFEXITED(st) ? WEXITSTATUS(st) : EXIT_SETUP;
	return 1;
}

/* `up -j`: how to reach the run, one JSON line. */
static void keep_say_json(const struct env *e, int code, FILE *f, const char *pins, const char *log)
{
	json_t *ns = json_array(), *doc;
	char down[32];
	int i;

	for (i = 0; i < e->sc->n_nodes; i++)
		if (e->nodes[i].ns_fd >= 0)
			json_array_append_new(ns, json_string(e->nodes[i].ns));
	snprintf(down, sizeof(down), "dsrlab down %s", e->id);
	doc = json_pack("{s:i, s:s, s:s, s:i, s:i, s:o, s:s, s:s, s:s}", "version", 1, "run_id",
			e->id, "scenario", e->sc->name, "keeper_pid", getpid(), "exit", code,
			"namespaces", ns, "pin_dir", pins, "log", log, "down", down);
	if (doc)
		json_dumpf(doc, f, JSON_COMPACT);
	fputc('\n', f);
	json_decref(doc);
}

/* How to reach the run and how to take it down. */
static void keep_say(const struct env *e, int code, FILE *f, bool json, const char *log)
{
	char pins[PATH_MAX];
	bool pinned;
	int i;

	snprintf(pins, sizeof(pins), ENV_PIN_ROOT "/%s", e->id);
	pinned = !access(pins, F_OK);
	if (json) {
		keep_say_json(e, code, f, pinned ? pins : "", log);
		return;
	}
	fprintf(f, "dsrlab: run %s (%s) is %s; its keeper is pid %d\n", e->id, e->sc->name,
		code == EXIT_PASS	  ? "up" :
		code == EXIT_CHECK_FAILED ? "kept up after a failed check" :
					    "kept up after a setup error",
		getpid());
	fprintf(f, "  namespaces:");
	for (i = 0; i < e->sc->n_nodes; i++)
		if (e->nodes[i].ns_fd >= 0)
			fprintf(f, " %s", e->nodes[i].ns);
	for (i = 0; i < e->sc->n_nodes && e->sc->nodes[i].role != ROLE_CLIENT; i++)
		;
	fprintf(f, "\n  enter one:  ip netns exec %s bash\n",
		e->nodes[i < e->sc->n_nodes ? i : 0].ns);
	if (pinned && e->sc->balancer.n_nodes > 1)
		fprintf(f, "  pinned:     %s  (bpftool map dump pinned %s/lb-%s/vips)\n", pins,
			pins, e->sc->balancer.nodes[0]);
	else if (pinned)
		fprintf(f, "  pinned:     %s  (bpftool map dump pinned %s/lb/vips)\n", pins, pins);
	fprintf(f, "  log:        %s\n  take down:  dsrlab down %s\n", log, e->id);
}

/* Away from the terminal or pipe that started us, so `$(dsrlab up ...)` returns. */
static void stdio_to_log(const char *log)
{
	int fd;

	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		close(fd);
	}
	fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd >= 0) {
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		close(fd);
	}
}

void lifecycle_keep(struct env *e, int code, FILE *f, bool json)
{
	char log[PATH_MAX], abs[PATH_MAX], comm[16];
	unsigned char c = code;
	int err;

	err = state_write(e, true);
	if (err)
		pr_warn("dsrlab: write the state of run %s: %s\n", e->id, strerror(-err));
	snprintf(log, sizeof(log), "%s/keeper.log", realpath(e->outdir, abs) ? abs : e->outdir);
	keep_say(e, code, f, json, log);
	fflush(stdout);
	fflush(stderr);
	stdio_to_log(log);
	snprintf(comm, sizeof(comm), "dsrlab-%s", e->id);
	prctl(PR_SET_NAME, comm);
	signal(SIGHUP, SIG_IGN);
	if (keep_pipe >= 0) {
		if (write(keep_pipe, &c, 1) != 1)
			pr_warn("dsrlab: tell the parent the run is up: %m\n");
		close(keep_pipe);
		keep_pipe = -1;
	}
	pr_warn("dsrlab: run %s kept up by pid %d until SIGTERM (dsrlab down %s)\n", e->id,
		getpid(), e->id);
	/* Polled: the signal may land on any thread, a service's as well as this one. */
	while (!env_stop)
		usleep(100000);
	pr_warn("dsrlab: run %s: taking it down\n", e->id);
}

static int lock_open(const char *id)
{
	char path[PATH_MAX];
	int fd;

	state_path(path, sizeof(path), id, "lock");
	fd = open(path, O_RDWR | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static bool lock_wait(int fd, int ms)
{
	for (;; ms -= 50) {
		if (!flock(fd, LOCK_EX | LOCK_NB))
			return true;
		if (ms <= 0)
			return false;
		usleep(50000);
	}
}

/*
 * Stop the live process that holds a run's lock (fd), the run itself or its keeper: both tear
 * down on SIGTERM. The pid is the holder's own word, and the held lock says it is alive.
 */
static int holder_stop(const char *id, int fd)
{
	struct pollfd pfd = { .events = POLLIN };
	struct run_state st;
	int ms, pidfd;

	for (ms = 0; state_read(id, &st) || st.pid <= 0; ms += 50) {
		if (ms >= 2000) {
			fprintf(stderr,
				"dsrlab: run %s is alive but has no state in " RUN_STATE_DIR
				"; try again\n",
				id);
			return -ENOENT;
		}
		usleep(50000);
	}
	printf("dsrlab: stopping run %s: %s pid %d\n", id, st.kept ? "keeper" : "run in progress,",
	       st.pid);
	pidfd = syscall(SYS_pidfd_open, st.pid, 0);
	kill(st.pid, SIGTERM);
	if (!lock_wait(fd, STOP_WAIT_MS)) {
		fprintf(stderr, "dsrlab: pid %d did not stop in %d s; killing it\n", st.pid,
			STOP_WAIT_MS / 1000);
		kill(st.pid, SIGKILL);
		if (!lock_wait(fd, KILL_WAIT_MS)) {
			close(pidfd);
			return -ETIMEDOUT;
		}
	}
	/* It let go of the lock once torn down; wait until it is gone too. */
	if (pidfd >= 0) {
		pfd.fd = pidfd;
		poll(&pfd, 1, KILL_WAIT_MS);
		close(pidfd);
	}
	return 0;
}

static bool ns_of_run(const char *name, const char *id)
{
	size_t p = strlen(ENV_NS_PREFIX), n = strlen(id);

	return !strncmp(name, ENV_NS_PREFIX, p) && !strncmp(name + p, id, n) && name[p + n] == '-';
}

static void ns_list_of(const char *id, struct ns_list *l)
{
	char path[PATH_MAX];
	struct dirent *de;
	struct stat st;
	DIR *d;

	l->n = 0;
	d = opendir(NETNS_RUN_DIR);
	if (!d)
		return;
	while ((de = readdir(d)) && l->n < SC_MAX_NODES * 4) {
		if (!ns_of_run(de->d_name, id))
			continue;
		snprintf(l->names[l->n], sizeof(l->names[0]), "%s", de->d_name);
		snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s", de->d_name);
		l->inodes[l->n++] = stat(path, &st) ? 0 : st.st_ino;
	}
	closedir(d);
}

/* Which of l a "net:[inode]" link names, or -1. */
static int ns_list_find(const struct ns_list *l, const char *link)
{
	unsigned long ino;
	int i;

	if (sscanf(link, "net:[%lu]", &ino) != 1)
		return -1;
	for (i = 0; i < l->n; i++)
		if (l->inodes[i] == ino)
			return i;
	return -1;
}

/*
 * A process other than us with one of l open: the run's own process holds every namespace it
 * made. Guards runs without a lock (a dsrlab older than locks) against clean.
 */
static pid_t ns_list_holder(const struct ns_list *l)
{
	char path[PATH_MAX], link[64];
	struct dirent *de, *fe;
	pid_t pid, found = 0;
	DIR *d, *fd;

	d = l->n ? opendir("/proc") : NULL;
	while (d && !found && (de = readdir(d))) {
		pid = atoi(de->d_name);
		if (pid <= 0 || pid == getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fd", pid);
		fd = opendir(path);
		while (fd && !found && (fe = readdir(fd))) {
			snprintf(path, sizeof(path), "/proc/%d/fd/%s", pid, fe->d_name);
			memset(link, 0, sizeof(link));
			if (readlink(path, link, sizeof(link) - 1) > 0 &&
			    ns_list_find(l, link) >= 0)
				found = pid;
		}
		if (fd)
			closedir(fd);
	}
	if (d)
		closedir(d);
	return found;
}

static void proc_comm(pid_t pid, char *comm, size_t len)
{
	char path[64];
	FILE *f;

	comm[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	f = fopen(path, "r");
	if (!f)
		return;
	if (fgets(comm, len, f))
		comm[strcspn(comm, "\n")] = '\0';
	fclose(f);
}

/* Processes left inside the run's namespaces: services of a killed run, shells. */
static void sweep_procs(const struct ns_list *l, struct sweep *s)
{
	char path[64], link[64], comm[32];
	struct dirent *de;
	int i, pid;
	DIR *d;

	d = l->n ? opendir("/proc") : NULL;
	if (!d)
		return;
	while ((de = readdir(d))) {
		pid = atoi(de->d_name);
		if (pid <= 0 || pid == getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%d/ns/net", pid);
		memset(link, 0, sizeof(link));
		if (readlink(path, link, sizeof(link) - 1) < 0)
			continue;
		i = ns_list_find(l, link);
		if (i < 0)
			continue;
		proc_comm(pid, comm, sizeof(comm));
		if (kill(pid, SIGKILL)) {
			s->failed++;
			continue;
		}
		printf("  killed pid %d (%s) in %s\n", pid, comm, l->names[i]);
		s->removed++;
	}
	closedir(d);
}

static void sweep_netns(const char *id, struct sweep *s)
{
	static struct ns_list l;
	int i, err;

	ns_list_of(id, &l);
	sweep_procs(&l, s);
	for (i = 0; i < l.n; i++) {
		err = netns_delete(l.names[i]);
		if (err) {
			fprintf(stderr, "  could not remove namespace %s: %s\n", l.names[i],
				strerror(-err));
			s->failed++;
			continue;
		}
		printf("  removed namespace %s\n", l.names[i]);
		s->removed++;
	}
}

static int sweep_failed;

static int rm_pin(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if ((flag == FTW_DP ? rmdir(path) : unlink(path)) && errno != ENOENT) {
		fprintf(stderr, "  could not remove %s: %m\n", path);
		sweep_failed++;
	}
	return 0;
}

/* Unpinning the links detaches XDP; removing the namespaces took the TC filters with them. */
static void sweep_pins(const char *id, struct sweep *s)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), ENV_PIN_ROOT "/%s", id);
	if (access(path, F_OK))
		return;
	sweep_failed = 0;
	nftw(path, rm_pin, 16, FTW_DEPTH | FTW_PHYS);
	s->failed += sweep_failed;
	if (!sweep_failed) {
		printf("  removed pins %s\n", path);
		s->removed++;
	}
}

/* Everything of run id, by name; fd: its lock, held by us (or -1 when it has none). */
static void sweep(const char *id, int fd, struct sweep *s)
{
	char path[PATH_MAX + 4];

	sweep_netns(id, s);
	sweep_pins(id, s);
	state_path(path, sizeof(path), id, "state.tmp");
	unlink(path);
	state_path(path, sizeof(path), id, "state");
	if (!unlink(path)) {
		printf("  removed %s\n", path);
		s->removed++;
	}
	if (fd >= 0) {
		state_path(path, sizeof(path), id, "lock");
		if (unlink_if_same(path, fd))
			printf("  removed %s\n", path);
	}
}

int lifecycle_down(const char *id)
{
	struct sweep s = {};
	int fd;

	if (!id_valid(id)) {
		fprintf(stderr,
			"dsrlab: down: '%s' is not a run id (6 hex digits, as run and up print)\n",
			id);
		return EXIT_USAGE;
	}
	fd = lock_open(id);
	if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) && holder_stop(id, fd)) {
		close(fd);
		return EXIT_SETUP;
	}
	sweep(id, fd, &s);
	if (fd >= 0)
		close(fd);
	if (fd < 0 && !s.removed && !s.failed) {
		fprintf(stderr,
			"dsrlab: down: no run %s on this machine (no lock, namespace or pin of it)\n",
			id);
		return EXIT_USAGE;
	}
	if (s.failed) {
		fprintf(stderr, "dsrlab: down: run %s: %d thing(s) could not be removed\n", id,
			s.failed);
		return EXIT_SETUP;
	}
	printf("dsrlab: run %s is down\n", id);
	return EXIT_PASS;
}

static void id_add(char (*ids)[ENV_ID_LEN], int *n, const char *s)
{
	char id[ENV_ID_LEN];
	int i;

	snprintf(id, sizeof(id), "%s", s);
	if (!id_valid(id) || *n == CLEAN_MAX_RUNS)
		return;
	for (i = 0; i < *n; i++)
		if (!strcmp(ids[i], id))
			return;
	snprintf(ids[(*n)++], ENV_ID_LEN, "%s", id);
}

/* Every run id with something on this machine: namespaces, pins, lock or state. */
static int ids_collect(char (*ids)[ENV_ID_LEN])
{
	size_t p = strlen(ENV_NS_PREFIX);
	struct dirent *de;
	int n = 0;
	DIR *d;

	d = opendir(NETNS_RUN_DIR);
	while (d && (de = readdir(d)))
		if (!strncmp(de->d_name, ENV_NS_PREFIX, p) && strlen(de->d_name) > p + 6 &&
		    de->d_name[p + 6] == '-')
			id_add(ids, &n, de->d_name + p);
	if (d)
		closedir(d);
	d = opendir(ENV_PIN_ROOT);
	while (d && (de = readdir(d)))
		if (strlen(de->d_name) == ENV_ID_LEN - 1)
			id_add(ids, &n, de->d_name);
	if (d)
		closedir(d);
	d = opendir(RUN_STATE_DIR);
	while (d && (de = readdir(d)))
		if (strlen(de->d_name) > ENV_ID_LEN && de->d_name[ENV_ID_LEN - 1] == '.')
			id_add(ids, &n, de->d_name);
	if (d)
		closedir(d);
	return n;
}

/* One run's outcome for `clean -j`: removed, or left and why. */
static void clean_note(json_t *runs, const char *id, const char *action, const char *why, int pid)
{
	json_t *o = json_pack("{s:s, s:s}", "run_id", id, "action", action);

	if (!runs || !o)
		return;
	if (why)
		json_object_set_new(o, "why", json_string(why));
	if (pid > 0)
		json_object_set_new(o, "pid", json_integer(pid));
	json_array_append_new(runs, o);
}

int lifecycle_clean(bool all, json_t *runs)
{
	static char ids[CLEAN_MAX_RUNS][ENV_ID_LEN];
	static struct ns_list l;
	int i, n, fd, removed = 0, alive = 0, failed = 0;
	char comm[32];
	pid_t holder;
	struct run_state st;
	struct sweep s;

	n = ids_collect(ids);
	for (i = 0; i < n; i++) {
		fd = lock_open(ids[i]);
		if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB)) {
			if (state_read(ids[i], &st))
				st.kept = false;
			if (!all || !st.kept) {
				printf("dsrlab: clean: left run %s alone: %s pid %d%s\n", ids[i],
				       st.kept ? "kept up by" : "in progress in", st.pid,
				       st.kept ? " (dsrlab down ID, or clean --all)" : "");
				clean_note(runs, ids[i], "left", st.kept ? "kept" : "in-progress",
					   st.pid);
				alive++;
				close(fd);
				continue;
			}
			if (holder_stop(ids[i], fd)) {
				clean_note(runs, ids[i], "failed", "keeper did not stop", st.pid);
				failed++;
				close(fd);
				continue;
			}
		}
		ns_list_of(ids[i], &l);
		holder = ns_list_holder(&l);
		if (holder > 0) {
			proc_comm(holder, comm, sizeof(comm));
			printf("dsrlab: clean: left run %s alone: pid %d (%s) has its namespaces "
			       "open\n",
			       ids[i], holder, comm);
			clean_note(runs, ids[i], "left", "namespaces-open", holder);
			alive++;
			if (fd >= 0)
				close(fd);
			continue;
		}
		printf("dsrlab: clean: run %s\n", ids[i]);
		memset(&s, 0, sizeof(s));
		sweep(ids[i], fd, &s);
		if (fd >= 0)
			close(fd);
		failed += s.failed;
		removed++;
		clean_note(runs, ids[i], s.failed ? "failed" : "removed", NULL, 0);
	}
	if (!removed && !alive)
		printf("dsrlab: clean: nothing left behind\n");
	else
		printf("dsrlab: clean: %d run(s) removed, %d alive left alone\n", removed, alive);
	return failed ? EXIT_SETUP : EXIT_PASS;
}
