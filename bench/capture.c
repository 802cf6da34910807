// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <pcap/pcap.h>

#include "bench/capture.h"

#define CAPTURE_TIMEOUT_MS 20
#define CAPTURE_BUFFER	   (32 << 20)

struct capture {
	pcap_t *p;
	pcap_dumper_t *d;
	pthread_t thread;
	atomic_bool stop;
	__u64 written;
};

static void capture_write(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct capture *c = (struct capture *)user;

	pcap_dump((u_char *)c->d, h, bytes);
	c->written++;
}

static void *capture_loop(void *arg)
{
	struct capture *c = arg;
	struct pollfd pfd = { .fd = pcap_get_selectable_fd(c->p), .events = POLLIN };

	while (!atomic_load(&c->stop)) {
		if (poll(&pfd, 1, 50) > 0)
			pcap_dispatch(c->p, -1, capture_write, (u_char *)c);
	}
	/* What arrived before stop was asked. */
	while (pcap_dispatch(c->p, -1, capture_write, (u_char *)c) > 0)
		;
	return NULL;
}

int capture_start(struct capture **out, const char *iface, const char *filter, int snaplen,
		  const char *file, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	struct bpf_program prog;
	struct capture *c;
	int ret;

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->p = pcap_create(iface, ebuf);
	if (!c->p) {
		snprintf(err, errlen, "capture on %s: %s", iface, ebuf);
		free(c);
		return -ENODEV;
	}
	/*
	 * Not immediate mode: libpcap then uses TPACKET_V3, whose blocks hold packets at their
	 * real size. Immediate mode's TPACKET_V2 reserves a snaplen-sized slot per packet, so
	 * a large snaplen leaves room for only a few dozen packets and bursts are lost.
	 * Blocks are handed over at least every CAPTURE_TIMEOUT_MS.
	 */
	pcap_set_snaplen(c->p, snaplen);
	pcap_set_timeout(c->p, CAPTURE_TIMEOUT_MS);
	pcap_set_buffer_size(c->p, CAPTURE_BUFFER);
	ret = pcap_activate(c->p);
	if (ret < 0) {
		snprintf(err, errlen, "capture on %s: %s", iface, pcap_geterr(c->p));
		goto err_close;
	}
	if (filter && *filter) {
		if (pcap_compile(c->p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) ||
		    pcap_setfilter(c->p, &prog)) {
			snprintf(err, errlen, "capture filter '%s': %s", filter, pcap_geterr(c->p));
			goto err_close;
		}
		pcap_freecode(&prog);
	}
	if (pcap_setnonblock(c->p, 1, ebuf) < 0) {
		snprintf(err, errlen, "capture on %s: %s", iface, ebuf);
		goto err_close;
	}
	c->d = pcap_dump_open(c->p, file);
	if (!c->d) {
		snprintf(err, errlen, "write %s: %s", file, pcap_geterr(c->p));
		goto err_close;
	}
	if (pthread_create(&c->thread, NULL, capture_loop, c)) {
		snprintf(err, errlen, "capture thread: %s", strerror(errno));
		pcap_dump_close(c->d);
		goto err_close;
	}
	*out = c;
	return 0;

err_close:
	pcap_close(c->p);
	free(c);
	return -EINVAL;
}

void capture_stop(struct capture *c, struct capture_stats *st)
{
	struct pcap_stat ps = {};

	if (!c)
		return;
	/* The last block is handed over once its timeout passes: wait for it. */
	usleep(3 * CAPTURE_TIMEOUT_MS * 1000);
	atomic_store(&c->stop, true);
	pthread_join(c->thread, NULL);
	pcap_stats(c->p, &ps);
	if (st) {
		st->written = c->written;
		st->kernel_drop = ps.ps_drop;
	}
	pcap_dump_close(c->d);
	pcap_close(c->p);
	free(c);
}

int capture_count(const char *file, const char *filter, __u64 *count, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	struct bpf_program prog;
	struct pcap_pkthdr *h;
	const u_char *bytes;
	pcap_t *p;
	int ret;

	*count = 0;
	p = pcap_open_offline(file, ebuf);
	if (!p) {
		snprintf(err, errlen, "read %s: %s", file, ebuf);
		return -EIO;
	}
	if (pcap_compile(p, &prog, filter ? filter : "", 1, PCAP_NETMASK_UNKNOWN)) {
		snprintf(err, errlen, "filter '%s': %s", filter, pcap_geterr(p));
		pcap_close(p);
		return -EINVAL;
	}
	while ((ret = pcap_next_ex(p, &h, &bytes)) == 1)
		if (pcap_offline_filter(&prog, h, bytes))
			(*count)++;
	pcap_freecode(&prog);
	pcap_close(p);
	return 0;
}
