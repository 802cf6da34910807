/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The flow key (the balancer's connection-table key) and the flow hash.
 *
 * The hash must give the same value in the XDP program, in user space (tests predicting a
 * backend, the Maglev build) and on every balancer of a fleet, so it lives here, pure.
 */
#ifndef DSRLAB_COMMON_FLOW_H
#define DSRLAB_COMMON_FLOW_H

#include <linux/types.h>

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

/* Address families as stored in our structs (fits a byte; independent of libc's AF_*). */
#define FAM_NONE 0
#define FAM_IPV4 4
#define FAM_IPV6 6

struct flow_key {
	union {
		__be32 src;
		__be32 srcv6[4];
	};
	union {
		__be32 dst;
		__be32 dstv6[4];
	};
	union {
		__u32 ports;
		__be16 port16[2]; /* [0] source, [1] destination */
	};
	union {
		struct {
			__u8 proto;
			__u8 family; /* FAM_IPV4 or FAM_IPV6 */
			__u16 pad;
		};
		__u32 proto_family; /* the three as one word: flow_seal() */
	};
};
_Static_assert(sizeof(struct flow_key) == 40, "flow_key is a map key: keep it packed");

/*
 * Write proto, family and pad again as one word, once the key is whole (parse_packet() does,
 * last). The key is read back a word at a time (its hash, the connection table's compare): a
 * load that spans several smaller stores still in flight is not forwarded from them, and the
 * CPU stalls until they reach the cache. The parser writes each field where it learns it, as
 * bytes: a word written there instead is a spilled scalar the verifier tracks through every
 * branch after it, and the balancer's verified instructions rose from 504 025 to 732 452.
 */
static __always_inline void flow_seal(struct flow_key *f)
{
	__u32 proto = f->proto, family = f->family;

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	f->proto_family = proto | family << 8;
#else
	f->proto_family = proto << 24 | family << 16;
#endif
}

static __always_inline __u32 hash_rol32(__u32 v, int s)
{
	return (v << s) | (v >> (32 - s));
}

/* One round of MurmurHash3's 32-bit body. */
static __always_inline __u32 hash_mix(__u32 h, __u32 k)
{
	k *= 0xcc9e2d51;
	k = hash_rol32(k, 15);
	k *= 0x1b873593;
	h ^= k;
	h = hash_rol32(h, 13);
	return h * 5 + 0xe6546b64;
}

static __always_inline __u32 hash_final(__u32 h, __u32 len)
{
	h ^= len;
	h ^= h >> 16;
	h *= 0x85ebca6b;
	h ^= h >> 13;
	h *= 0xc2b2ae35;
	h ^= h >> 16;
	return h;
}

/* Hash of the 5-tuple. IPv4 keys hash only the words they use. */
static __always_inline __u32 flow_hash(const struct flow_key *k, __u32 seed)
{
	__u32 h = seed;

	if (k->family == FAM_IPV6) {
		h = hash_mix(h, k->srcv6[0]);
		h = hash_mix(h, k->srcv6[1]);
		h = hash_mix(h, k->srcv6[2]);
		h = hash_mix(h, k->srcv6[3]);
		h = hash_mix(h, k->dstv6[0]);
		h = hash_mix(h, k->dstv6[1]);
		h = hash_mix(h, k->dstv6[2]);
		h = hash_mix(h, k->dstv6[3]);
	} else {
		h = hash_mix(h, k->src);
		h = hash_mix(h, k->dst);
	}
	h = hash_mix(h, k->ports);
	h = hash_mix(h, k->proto);
	return hash_final(h, k->family == FAM_IPV6 ? 40 : 16);
}

/* Hash of an arbitrary byte string (user space: Maglev permutations). */
static __always_inline __u32 hash_bytes(const void *data, __u32 len, __u32 seed)
{
	const __u8 *p = data;
	__u32 h = seed, i, k;

	for (i = 0; i + 4 <= len; i += 4) {
		k = p[i] | (__u32)p[i + 1] << 8 | (__u32)p[i + 2] << 16 | (__u32)p[i + 3] << 24;
		h = hash_mix(h, k);
	}
	for (k = 0; i < len; i++)
		k = (k << 8) | p[i];
	if (len & 3)
		h = hash_mix(h, k);
	return hash_final(h, len);
}

#endif
