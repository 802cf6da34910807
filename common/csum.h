/* SPDX-License-Identifier: GPL-2.0 */
/* Internet checksum arithmetic (RFC 1071, RFC 1624), pure so tests can check it. */
#ifndef DSRLAB_COMMON_CSUM_H
#define DSRLAB_COMMON_CSUM_H

#include <linux/types.h>
#include <linux/ip.h>

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

static __always_inline __u16 csum_fold(__u64 sum)
{
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

/* Checksum of a 20-byte IPv4 header (no options), with its check field taken as zero. */
static __always_inline __sum16 ipv4_hdr_csum(const struct iphdr *iph)
{
	const __u16 *w = (const __u16 *)iph;
	__u64 sum = 0;
	int i;

	for (i = 0; i < (int)(sizeof(*iph) / 2); i++)
		if (i != 5) /* the check field */
			sum += w[i];
	return (__sum16)csum_fold(sum);
}

/*
 * Does a received 20-byte IPv4 header (no options) carry its right checksum? Its words,
 * check field included, sum to all ones. Summed as five 32-bit words: the same one's
 * complement sum in fewer adds (4-byte loads: BPF packet data, or an aligned buffer).
 */
static __always_inline int ipv4_hdr_csum_ok(const struct iphdr *iph)
{
	const __u32 *w = (const __u32 *)iph;

	return !csum_fold((__u64)w[0] + w[1] + w[2] + w[3] + w[4]);
}

/*
 * The same checksum from the header's five 32-bit words as numbers (word i: bytes 4i..4i+3
 * read big-endian, the check field zero), in host order: for a writer that has the fields in
 * registers and need not read the header back (store it with htons).
 */
static __always_inline __u16 ipv4_csum_words(__u32 w0, __u32 w1, __u32 w2, __u32 w3, __u32 w4)
{
	return csum_fold((__u64)w0 + w1 + w2 + w3 + w4);
}

/* Sum of a buffer in 16-bit words, not folded (user space and tests; BPF uses helpers). */
static inline __u64 csum_partial_words(const void *buf, __u32 len, __u64 sum)
{
	const __u8 *p = buf;
	__u32 i;

	__u16 w;

	for (i = 0; i + 1 < len; i += 2) {
		__builtin_memcpy(&w, p + i, 2);
		sum += w;
	}
	if (len & 1) {
		w = 0;
		__builtin_memcpy(&w, p + len - 1, 1);
		sum += w;
	}
	return sum;
}

#endif
