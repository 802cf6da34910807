/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The built-in services. Echo: for each request line it answers "<node> <line>\n", so the
 * client learns which node served it; TCP (any number of lines per connection, a thread per
 * connection) or UDP (a datagram each, answered from the address it was sent to). Sink (TCP):
 * reads and discards until the client shuts its side, then answers "<node> <bytes>\n". The
 * socket is made in the node's namespace and served by threads until echo_stop().
 */
#ifndef DSRLAB_BENCH_ECHO_H
#define DSRLAB_BENCH_ECHO_H

#include "bench/scenario.h"
#include "common/addr.h"

struct echo_server;

/* Call with the calling thread inside the node's namespace (the socket is made there). */
int echo_start(struct echo_server **out, const char *node, const struct endpoint *listen,
	       enum sc_service_kind kind);
void echo_stop(struct echo_server *s);
unsigned long echo_served(const struct echo_server *s);

#endif
