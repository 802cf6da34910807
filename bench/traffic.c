// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bench/traffic.h"
#include "common/log.h"
#include "common/netns.h"

struct traffic_job {
	struct run *r;
	struct traffic_result *res;
	int from;
	atomic_int next;
	atomic_int done;
};

static __u64 now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000ull + ts.tv_nsec / 1000;
}

static int wait_fd(int fd, short events, __u64 deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	__u64 now = now_usec();
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

/*
 * One exchange: request "dsrlab <traffic> <i>", reply "<node> dsrlab <traffic> <i>". TCP: a
 * connection each. UDP: a connected socket each (a new source port, so a new flow), one
 * datagram; a connected UDP socket only accepts the reply from the VIP itself.
 */
static void one_conn(struct traffic_job *job, int i)
{
	const struct sc_traffic *t = job->res->t;
	struct conn_result *c = &job->res->conns[i];
	char req[96], resp[256], *sp;
	__u64 start = now_usec(), deadline = start + t->timeout_ms * 1000ull;
	size_t len = 0;
	ssize_t n;
	int fd, err, reqlen;
	bool udp;

	c->served_by = -1;
	udp = t->to.proto == IPPROTO_UDP;
	fd = socket(addr_af(&t->to.addr),
		    (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		snprintf(c->error, sizeof(c->error), "socket: %s", strerror(errno));
		return;
	}
	err = connect_timeout(fd, &t->to, deadline);
	if (err) {
		snprintf(c->error, sizeof(c->error), "connect: %s", strerror(-err));
		goto out;
	}
	reqlen = snprintf(req, sizeof(req), "dsrlab %s %d\n", t->name, i);
	if (send(fd, req, reqlen, MSG_NOSIGNAL) != reqlen) {
		snprintf(c->error, sizeof(c->error), "send: %s", strerror(errno));
		goto out;
	}
	while (!memchr(resp, '\n', len) && len < sizeof(resp) - 1) {
		err = wait_fd(fd, POLLIN, deadline);
		if (err) {
			snprintf(c->error, sizeof(c->error), "no reply: %s", strerror(-err));
			goto out;
		}
		n = recv(fd, resp + len, sizeof(resp) - 1 - len, 0);
		if (n < 0 && udp && errno == ECONNREFUSED) {
			snprintf(c->error, sizeof(c->error), "reply: port unreachable");
			goto out;
		}
		if (n <= 0) {
			snprintf(c->error, sizeof(c->error), "reply: %s",
				 n ? strerror(errno) : "connection closed");
			goto out;
		}
		len += n;
	}
	resp[len] = '\0';
	sp = strchr(resp, ' ');
	req[reqlen - 1] = '\0';
	if (!sp || strncmp(sp + 1, req, reqlen - 1) || sp[reqlen] != '\n') {
		snprintf(c->error, sizeof(c->error), "unexpected reply");
		goto out;
	}
	*sp = '\0';
	c->served_by = run_node_index(job->r, resp);
	c->answered = true;
	c->usec = now_usec() - start;
out:
	close(fd);
}

static void *traffic_worker(void *arg)
{
	struct traffic_job *job = arg;
	int saved, i, err;

	err = run_enter(job->r, job->from, &saved);
	if (err)
		return NULL;
	while (!run_stop && (i = atomic_fetch_add(&job->next, 1)) < job->res->t->connections) {
		one_conn(job, i);
		atomic_fetch_add(&job->done, 1);
	}
	netns_leave(saved);
	return NULL;
}

int traffic_run(struct run *r, int ti)
{
	const struct sc_traffic *t = &r->sc->traffic[ti];
	struct traffic_result *res = &r->traffic[ti];
	struct traffic_job job = { .r = r, .res = res };
	pthread_t *th;
	__u64 start, last;
	int i, n, err = 0;

	res->t = t;
	res->conns = calloc(t->connections, sizeof(*res->conns));
	th = calloc(t->concurrency, sizeof(*th));
	if (!res->conns || !th) {
		free(th);
		return -ENOMEM;
	}
	job.from = run_node_index(r, t->from);
	start = last = now_usec();
	for (n = 0; n < t->concurrency; n++) {
		err = -pthread_create(&th[n], NULL, traffic_worker, &job);
		if (err)
			break;
	}
	/* Progress on stderr for anything that takes a while. */
	while (n && atomic_load(&job.done) < t->connections && !run_stop) {
		usleep(50000);
		if (now_usec() - last >= 2000000) {
			last = now_usec();
			pr_warn("  traffic %s: %d/%d connections\n", t->name,
				atomic_load(&job.done), t->connections);
		}
		if (atomic_load(&job.next) >= t->connections + t->concurrency)
			break;
	}
	for (i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	free(th);
	res->seconds = (now_usec() - start) / 1e6;
	for (i = 0; i < t->connections; i++) {
		res->sent += res->conns[i].answered || res->conns[i].error[0];
		res->answered += res->conns[i].answered;
	}
	return err;
}

void traffic_free(struct traffic_result *res)
{
	free(res->conns);
	res->conns = NULL;
}
