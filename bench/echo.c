// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench/echo.h"
#include "common/flow.h"

#define ECHO_LINE_MAX 256
#define ECHO_POLL_MS  100 /* how often an idle connection looks at stop */

struct echo_server {
	char node[SC_NAME_MAX];
	int fd;
	bool udp, sink;
	pthread_t thread;
	atomic_bool stop;
	atomic_ulong served;
	atomic_int active; /* connection threads running */
};

struct echo_conn {
	struct echo_server *s;
	int fd;
};

static int wait_fd(int fd, short events, int ms)
{
	struct pollfd p = { .fd = fd, .events = events };

	return poll(&p, 1, ms) > 0 ? 0 : -ETIMEDOUT;
}

/* Wait for input on a connection for as long as it takes, unless the server stops. */
static int wait_input(struct echo_server *s, int c)
{
	while (wait_fd(c, POLLIN, ECHO_POLL_MS))
		if (atomic_load(&s->stop))
			return -ECANCELED;
	return 0;
}

/* Every line of a connection, each answered; a long-lived connection sends many. */
static void echo_stream(struct echo_server *s, int c)
{
	char line[ECHO_LINE_MAX], out[ECHO_LINE_MAX + SC_NAME_MAX + 2], *nl;
	size_t len = 0, used;
	ssize_t n;
	int olen;

	for (;;) {
		while (!(nl = memchr(line, '\n', len))) {
			if (len == sizeof(line) || wait_input(s, c))
				return;
			n = recv(c, line + len, sizeof(line) - len, 0);
			if (n <= 0)
				return;
			len += n;
		}
		*nl = '\0';
		olen = snprintf(out, sizeof(out), "%s %s\n", s->node, line);
		if (send(c, out, olen, MSG_NOSIGNAL) != olen)
			return;
		atomic_fetch_add(&s->served, 1);
		used = nl + 1 - line;
		memmove(line, nl + 1, len - used);
		len -= used;
	}
}

/* The sink: count bytes until the client shuts its side, answer "<node> <bytes>". */
static void sink_stream(struct echo_server *s, int c)
{
	static char buf[1 << 16];
	char out[SC_NAME_MAX + 24];
	long long total = 0;
	ssize_t n;
	int olen;

	for (;;) {
		if (wait_input(s, c))
			return;
		n = recv(c, buf, sizeof(buf), MSG_TRUNC);
		if (n < 0)
			return;
		if (!n)
			break;
		total += n;
	}
	olen = snprintf(out, sizeof(out), "%s %lld\n", s->node, total);
	if (send(c, out, olen, MSG_NOSIGNAL) == olen)
		atomic_fetch_add(&s->served, 1);
}

static void *conn_thread(void *arg)
{
	struct echo_conn *ec = arg;
	struct echo_server *s = ec->s;

	if (s->sink)
		sink_stream(s, ec->fd);
	else
		echo_stream(s, ec->fd);
	close(ec->fd);
	free(ec);
	atomic_fetch_sub(&s->active, 1); /* the last touch of s: echo_stop() may free it */
	return NULL;
}

/* A thread per connection, so long-lived connections do not wait for each other. */
static void serve_conn(struct echo_server *s, int c)
{
	struct echo_conn *ec = malloc(sizeof(*ec));
	pthread_attr_t attr;
	pthread_t t;

	if (!ec) {
		close(c);
		return;
	}
	*ec = (struct echo_conn){ .s = s, .fd = c };
	atomic_fetch_add(&s->active, 1);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &attr, conn_thread, ec))
		conn_thread(ec);
	pthread_attr_destroy(&attr);
}

/*
 * One datagram. The reply must leave from the address the request was sent to (the VIP),
 * not from whatever source routing would pick for an unbound reply (the container's own
 * address): a DSR client only accepts replies from the VIP. IP_PKTINFO gives us the
 * request's destination and sets the reply's source.
 */
static void echo_datagram(struct echo_server *s)
{
	char line[ECHO_LINE_MAX], out[ECHO_LINE_MAX + SC_NAME_MAX + 2];
	char cbuf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	struct sockaddr_storage peer;
	struct iovec iov = { .iov_base = line, .iov_len = sizeof(line) - 1 };
	struct msghdr msg = {
		.msg_name = &peer,
		.msg_namelen = sizeof(peer),
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = cbuf,
		.msg_controllen = sizeof(cbuf),
	};
	ssize_t n;
	int olen;

	n = recvmsg(s->fd, &msg, MSG_DONTWAIT);
	if (n <= 0)
		return;
	line[n] = '\0';
	line[strcspn(line, "\n")] = '\0';
	olen = snprintf(out, sizeof(out), "%s %s\n", s->node, line);
	iov.iov_base = out;
	iov.iov_len = olen;
	/* The received control message (the pktinfo) is sent back as is. */
	if (sendmsg(s->fd, &msg, 0) == olen)
		atomic_fetch_add(&s->served, 1);
}

static void *echo_loop(void *arg)
{
	struct echo_server *s = arg;
	int c;

	while (!atomic_load(&s->stop)) {
		if (wait_fd(s->fd, POLLIN, 100))
			continue;
		if (s->udp) {
			echo_datagram(s);
			continue;
		}
		c = accept4(s->fd, NULL, NULL, SOCK_CLOEXEC);
		if (c >= 0)
			serve_conn(s, c);
	}
	return NULL;
}

int echo_start(struct echo_server **out, const char *node, const struct endpoint *listen_ep,
	       enum sc_service_kind kind)
{
	struct sockaddr_storage ss;
	struct echo_server *s;
	socklen_t sl;
	int one = 1, err;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	snprintf(s->node, sizeof(s->node), "%s", node);
	s->udp = listen_ep->proto == IPPROTO_UDP;
	s->sink = kind == SC_SERVICE_SINK;
	s->fd = socket(addr_af(&listen_ep->addr),
		       (s->udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
	if (s->fd < 0) {
		err = -errno;
		free(s);
		return err;
	}
	setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* "[::]:80" is IPv6 only, so that "0.0.0.0:80" beside it in the same node works too */
	if (listen_ep->addr.family == FAM_IPV6)
		setsockopt(s->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (s->udp && listen_ep->addr.family == FAM_IPV6)
		setsockopt(s->fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one));
	else if (s->udp)
		setsockopt(s->fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
	sl = endpoint_sockaddr(listen_ep, &ss);
	if (bind(s->fd, (struct sockaddr *)&ss, sl) || (!s->udp && listen(s->fd, 512))) {
		err = -errno;
		goto err_close;
	}
	err = -pthread_create(&s->thread, NULL, echo_loop, s);
	if (err)
		goto err_close;
	*out = s;
	return 0;

err_close:
	close(s->fd);
	free(s);
	return err;
}

void echo_stop(struct echo_server *s)
{
	if (!s)
		return;
	atomic_store(&s->stop, true);
	pthread_join(s->thread, NULL);
	while (atomic_load(&s->active))
		usleep(10000);
	close(s->fd);
	free(s);
}

unsigned long echo_served(const struct echo_server *s)
{
	return atomic_load(&s->served);
}
