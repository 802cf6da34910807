// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the shared packet parser (common/parse.h) as the balancer, the decap and
 * the bench call it. Byte 0 picks the options, the GUE port and the buffer's alignment; the
 * rest is the frame, copied to a heap block that ends where it ends, so ASan catches any read
 * past it. Invariants: the cursor never passes the end, and a parsed packet's offsets lie
 * inside the frame in order.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/parse.h"

static void check(int ok)
{
	if (!ok)
		abort();
}

static void quote_parse(const struct pkt_meta *m, __u8 *buf, size_t len)
{
	struct cursor c = { .pos = buf + m->payload_off, .end = buf + len };
	struct pkt_meta q;

	if (m->payload_off > len ||
	    (m->flow.proto != IPPROTO_ICMP && m->flow.proto != IPPROTO_ICMPV6))
		return;
	if (!parse_icmp_quote(&c, &q, m->flow.family))
		check(c.pos + 8 <= c.end);
	check(c.pos <= c.end);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pkt_meta m;
	struct cursor c;
	__u32 opts, shift;
	__u16 gue_port;
	__u8 *block, *buf;
	size_t len;
	int ret;

	if (size < 1)
		return 0;
	opts = data[0] & 1 ? PARSE_F_CHECK_LEN : 0;
	gue_port = data[0] & 2 ? 6080 : 0;
	shift = data[0] >> 5; /* 0..7: where the frame starts relative to an 8-byte boundary */
	len = size - 1;
	block = malloc(len + shift ? len + shift : 1); /* ends where the frame ends */
	if (!block)
		return 0;
	buf = block + shift;
	memcpy(buf, data + 1, len);
	c.pos = buf;
	c.end = buf + len;
	memset(&m, 0xa5, sizeof(m));
	ret = parse_packet(&c, &m, gue_port, opts);
	check(c.pos <= c.end);
	check(ret <= 0 && ret >= PARSE_UNSUPPORTED);
	if (!ret) {
		check(m.l3_off <= m.inner_l3_off);
		check(!m.l4_off || m.inner_l3_off < m.l4_off);
		check(m.payload_off <= len);
		if (opts & PARSE_F_CHECK_LEN)
			check(m.inner_l3_off + m.ip_len <= len);
		quote_parse(&m, buf, len);
	}
	free(block);
	return 0;
}
