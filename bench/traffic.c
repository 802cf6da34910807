// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bench/command.h"
#include "bench/traffic.h"
#include "common/log.h"

#define TRAFFIC_LOG_MAX	  (1 << 16) /* command output read for checks */
#define TRAFFIC_CHUNK	  (1 << 16) /* bulk send size */
#define TRAFFIC_REPLY_MAX 256

struct traffic_job {
	struct traffic *tr;
	struct traffic_result *res;
	int from;
	atomic_int next;
	atomic_int done;
	atomic_ullong last_answer; /* run clock of the latest answered request (or the start) */
	atomic_int failed; /* connections that failed */
	atomic_bool stalled; /* nothing answered for timeout-ms: start no more */
};

/*
 * A traffic item stops starting connections once nothing has been answered for a whole
 * timeout-ms while connections fail: a dead path then costs one timeout, not
 * connections x timeout / concurrency. The rest count as failed, with the reason.
 */
static bool traffic_stalled(struct traffic_job *job)
{
	__u64 quiet = env_clock_usec() - atomic_load(&job->last_answer);

	if (!atomic_load(&job->stalled) && atomic_load(&job->failed) &&
	    quiet > job->res->t->timeout_ms * 1000ull)
		atomic_store(&job->stalled, true);
	return atomic_load(&job->stalled);
}

static int wait_fd(int fd, short events, __u64 deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	__u64 now = env_clock_usec();
	int n;

	if (now >= deadline)
		return -ETIMEDOUT;
	n = poll(&p, 1, (deadline - now + 999) / 1000);
	if (n < 0)
		return -errno;
	return n ? 0 : -ETIMEDOUT;
}

static int connect_timeout(int fd, const struct endpoint *to, __u64 deadline)
{
	struct sockaddr_storage ss;
	socklen_t sl = endpoint_sockaddr(to, &ss), el = sizeof(int);
	int err = 0;

	if (!connect(fd, (struct sockaddr *)&ss, sl))
		return 0;
	if (errno != EINPROGRESS)
		return -errno;
	err = wait_fd(fd, POLLOUT, deadline);
	if (err)
		return err;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el))
		return -errno;
	return -err;
}

/* Why a connection failed; with several requests, which one. */
__attribute__((format(printf, 4, 5))) static void
conn_fail(struct conn_result *c, const struct sc_traffic *t, int q, const char *fmt, ...)
{
	char what[sizeof(c->error)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (t->requests > 1)
		snprintf(c->error, sizeof(c->error), "request %d/%d: %s", q + 1, t->requests, what);
	else
		snprintf(c->error, sizeof(c->error), "%s", what);
}

/* One reply line into resp; its length, or -1 with the reason in c->error. */
static int read_line(int fd, bool udp, char *resp, size_t size, __u64 deadline,
		     struct conn_result *c, const struct sc_traffic *t, int q)
{
	size_t len = 0;
	ssize_t n;
	int err;

	while (!memchr(resp, '\n', len) && len < size - 1) {
		err = wait_fd(fd, POLLIN, deadline);
		if (err) {
			conn_fail(c, t, q, "no reply: %s", strerror(-err));
			return -1;
		}
		n = recv(fd, resp + len, size - 1 - len, 0);
		if (n < 0 && udp && errno == ECONNREFUSED) {
			conn_fail(c, t, q, "reply: port unreachable");
			return -1;
		}
		if (n <= 0) {
			conn_fail(c, t, q, "reply: %s", n ? strerror(errno) : "connection closed");
			return -1;
		}
		len += n;
	}
	resp[len] = '\0';
	return len;
}

static int open_conn(const struct sc_traffic *t, struct conn_result *c, __u64 deadline)
{
	bool udp = t->to.proto == IPPROTO_UDP;
	int fd, err;

	fd = socket(addr_af(&t->to.addr),
		    (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		snprintf(c->error, sizeof(c->error), "socket: %s", strerror(errno));
		return -1;
	}
	err = connect_timeout(fd, &t->to, deadline);
	if (err) {
		snprintf(c->error, sizeof(c->error), "connect: %s", strerror(-err));
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * One request on an open connection: "dsrlab <traffic> <conn> <request>", answered
 * "<node> dsrlab <traffic> <conn> <request>". Returns the serving node's index (-1 when it
 * names no node), or -2 with the reason in c->error.
 */
static int one_request(struct traffic_job *job, int fd, int i, int q)
{
	const struct sc_traffic *t = job->res->t;
	struct conn_result *c = &job->res->conns[i];
	__u64 deadline = env_clock_usec() + t->timeout_ms * 1000ull;
	char req[96], resp[TRAFFIC_REPLY_MAX], *sp;
	int reqlen;

	reqlen = snprintf(req, sizeof(req), "dsrlab %s %d %d\n", t->name, i, q);
	if (send(fd, req, reqlen, MSG_NOSIGNAL) != reqlen) {
		conn_fail(c, t, q, "send: %s", strerror(errno));
		return -2;
	}
	if (read_line(fd, t->to.proto == IPPROTO_UDP, resp, sizeof(resp), deadline, c, t, q) < 0)
		return -2;
	sp = strchr(resp, ' ');
	req[reqlen - 1] = '\0';
	if (!sp || strncmp(sp + 1, req, reqlen - 1) || sp[reqlen] != '\n') {
		conn_fail(c, t, q, "unexpected reply");
		return -2;
	}
	*sp = '\0';
	atomic_store(&job->last_answer, env_clock_usec());
	return env_node_index(job->tr->env, resp); /* the reply names the node that served */
}

/*
 * A connection of request traffic: TCP, or a connected UDP socket (a new source port, so a
 * new flow, which accepts replies only from the VIP). Every request on it must be answered
 * by the node that answered the first: a flow must not move.
 */
static void one_conn(struct traffic_job *job, int i)
{
	const struct sc_traffic *t = job->res->t;
	struct conn_result *c = &job->res->conns[i];
	__u64 start = env_clock_usec();
	int fd, q, node;

	fd = open_conn(t, c, start + t->timeout_ms * 1000ull);
	if (fd < 0)
		return;
	for (q = 0; q < t->requests; q++) {
		if (q && !env_sleep_until(env_clock_usec() + t->interval_ms * 1000ull)) {
			conn_fail(c, t, q, "interrupted");
			break;
		}
		node = one_request(job, fd, i, q);
		if (node < -1)
			break;
		if (!q) {
			c->served_by = node;
			c->established = true;
		} else if (node != c->served_by && c->moved_to < 0) {
			c->moved_to = node;
		}
		c->requests_answered++;
	}
	c->answered = c->requests_answered == t->requests;
	c->broken = c->established && !c->answered;
	c->usec = env_clock_usec() - start;
	close(fd);
}

/* Send all of buf, waiting for room; 0 or -errno. */
static int send_all(int fd, const char *buf, size_t len, int timeout_ms)
{
	ssize_t n;
	int err;

	while (len) {
		n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EAGAIN) {
			err = wait_fd(fd, POLLOUT, env_clock_usec() + timeout_ms * 1000ull);
			if (err)
				return err;
			continue;
		}
		if (n < 0)
			return -errno;
		buf += n;
		len -= n;
	}
	return 0;
}

/* A bulk connection: 'bytes' one way, then the sink's count and node back. */
static void one_bulk(struct traffic_job *job, int i)
{
	static const char chunk[TRAFFIC_CHUNK];
	const struct sc_traffic *t = job->res->t;
	struct conn_result *c = &job->res->conns[i];
	char resp[TRAFFIC_REPLY_MAX], node[SC_NAME_MAX];
	__u64 start = env_clock_usec();
	long long sent = 0, count;
	int fd, err, n;

	fd = open_conn(t, c, start + t->timeout_ms * 1000ull);
	if (fd < 0)
		return;
	c->established = true;
	while (sent < t->bytes) {
		n = t->bytes - sent < TRAFFIC_CHUNK ? t->bytes - sent : TRAFFIC_CHUNK;
		err = send_all(fd, chunk, n, t->timeout_ms);
		if (err) {
			snprintf(c->error, sizeof(c->error), "send after %lld bytes: %s", sent,
				 strerror(-err));
			goto out;
		}
		sent += n;
	}
	shutdown(fd, SHUT_WR);
	if (read_line(fd, false, resp, sizeof(resp), env_clock_usec() + t->timeout_ms * 1000ull, c,
		      t, 0) < 0)
		goto out;
	if (sscanf(resp, "%31s %lld", node, &count) != 2) {
		snprintf(c->error, sizeof(c->error), "unexpected reply from the sink");
		goto out;
	}
	c->bytes = count;
	c->served_by = env_node_index(job->tr->env, node);
	if (count != t->bytes) {
		snprintf(c->error, sizeof(c->error), "the sink counted %lld of %d bytes", count,
			 t->bytes);
		goto out;
	}
	c->requests_answered = 1;
	c->answered = true;
	atomic_store(&job->last_answer, env_clock_usec());
out:
	c->broken = !c->answered;
	c->usec = env_clock_usec() - start;
	close(fd);
}

static int traffic_worker_here(void *arg)
{
	struct traffic_job *job = arg;
	int i;

	while (!env_stop && !traffic_stalled(job) &&
	       (i = atomic_fetch_add(&job->next, 1)) < job->res->t->connections) {
		job->res->conns[i].served_by = -1;
		job->res->conns[i].moved_to = -1;
		if (job->res->t->kind == SC_TRAFFIC_BULK)
			one_bulk(job, i);
		else
			one_conn(job, i);
		if (!job->res->conns[i].answered)
			atomic_fetch_add(&job->failed, 1);
		atomic_fetch_add(&job->done, 1);
	}
	return 0;
}

static void *traffic_worker(void *arg)
{
	struct traffic_job *job = arg;

	env_run(job->tr->env, job->from, traffic_worker_here, job);
	return NULL;
}

/* Command traffic: run it in the node, judge exit status and output. */
static int command_traffic(struct traffic *tr, struct traffic_result *res)
{
	const struct sc_traffic *t = res->t;
	struct conn_result *c = &res->conns[0];
	struct command *cmd;
	char *out;
	int err;

	c->served_by = c->moved_to = -1;
	res->exit_status = -1;
	snprintf(res->log, sizeof(res->log), "%s/%s.%s.log", tr->env->outdir, t->from, t->name);
	err = command_start(&cmd, tr->env, t->from_idx, tr->env->outdir, res->log, t->command,
			    t->user);
	if (err) {
		snprintf(c->error, sizeof(c->error), "start: %s",
			 err == -ESRCH ? "no such user" : strerror(-err));
		return 0;
	}
	err = command_wait(cmd, t->timeout_ms, &res->exit_status);
	command_stop(cmd);
	out = command_read_log(res->log, TRAFFIC_LOG_MAX);
	if (out) {
		snprintf(res->output, sizeof(res->output), "%s", out);
		res->output[strcspn(res->output, "\n")] = '\0';
	}
	if (err)
		snprintf(c->error, sizeof(c->error), "still running after %d ms; killed",
			 t->timeout_ms);
	else if (res->exit_status != t->expect_exit)
		snprintf(c->error, sizeof(c->error), "exit status %d, expected %d",
			 res->exit_status, t->expect_exit);
	else if (t->expect_output[0] && (!out || !strstr(out, t->expect_output)))
		snprintf(c->error, sizeof(c->error), "output lacks '%.40s'", t->expect_output);
	else
		c->answered = true;
	c->requests_answered = c->answered;
	free(out);
	return 0;
}

static void traffic_tally(struct traffic_result *res)
{
	const struct sc_traffic *t = res->t;
	long long bytes = 0;
	int i;

	for (i = 0; i < t->connections; i++) {
		const struct conn_result *c = &res->conns[i];

		res->sent += c->answered || c->error[0];
		res->answered += c->answered;
		res->requests += c->requests_answered;
		res->broken += c->broken || (c->moved_to >= 0 && c->moved_to != c->served_by);
		bytes += c->answered ? c->bytes : 0;
	}
	if (t->kind == SC_TRAFFIC_BULK && res->seconds > 0)
		res->goodput_mbps = bytes * 8 / res->seconds / 1e6;
}

int traffic_run(struct traffic *tr, int ti)
{
	const struct sc_traffic *t = &tr->env->sc->traffic[ti];
	struct traffic_result *res = &tr->results[ti];
	struct traffic_job job = { .tr = tr, .res = res };
	pthread_t *th;
	__u64 start, last;
	int i, n, err = 0;

	res->t = t;
	res->conns = calloc(t->connections, sizeof(*res->conns));
	if (!res->conns)
		return -ENOMEM;
	for (i = 0; i < t->connections; i++) /* not attempted (an interrupted run) */
		res->conns[i].served_by = res->conns[i].moved_to = -1;
	start = env_clock_usec();
	if (t->kind == SC_TRAFFIC_COMMAND) {
		err = command_traffic(tr, res);
		res->seconds = (env_clock_usec() - start) / 1e6;
		traffic_tally(res);
		return err;
	}
	th = calloc(t->concurrency, sizeof(*th));
	if (!th)
		return -ENOMEM;
	job.from = t->from_idx;
	atomic_store(&job.last_answer, start);
	last = start;
	for (n = 0; n < t->concurrency; n++) {
		err = -pthread_create(&th[n], NULL, traffic_worker, &job);
		if (err)
			break;
	}
	/* Progress on stderr for anything that takes a while. */
	while (n && atomic_load(&job.done) < t->connections && !env_stop &&
	       !atomic_load(&job.stalled)) {
		usleep(20000);
		if (env_clock_usec() - last >= 2000000) {
			last = env_clock_usec();
			pr_warn("  traffic %s: %d/%d connections, %.0f/s\n", t->name,
				atomic_load(&job.done), t->connections,
				atomic_load(&job.done) / ((last - start) / 1e6));
		}
		if (atomic_load(&job.next) >= t->connections + t->concurrency)
			break;
	}
	for (i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	free(th);
	for (i = 0; atomic_load(&job.stalled) && i < t->connections; i++) {
		struct conn_result *c = &res->conns[i];

		if (c->answered || c->error[0])
			continue;
		snprintf(c->error, sizeof(c->error), "not attempted: nothing answered for %d ms",
			 t->timeout_ms);
		res->not_attempted++;
	}
	res->seconds = (env_clock_usec() - start) / 1e6;
	traffic_tally(res);
	return err;
}

void traffic_free(struct traffic *tr)
{
	int i;

	for (i = 0; i < SC_MAX_TRAFFIC; i++) {
		free(tr->results[i].conns);
		tr->results[i].conns = NULL;
	}
}
