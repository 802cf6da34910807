/* SPDX-License-Identifier: GPL-2.0 */
/*
 * UAPI values newer than Debian 12's linux-libc-dev (6.1). They are enum members upstream, so
 * #ifndef cannot detect them: we use our own names with the kernel's values.
 */
#ifndef DSRLAB_COMMON_COMPAT_H
#define DSRLAB_COMMON_COMPAT_H

/* bpf_skb_adjust_room(): the decapsulated packet is of this family (kernel 6.3). */
#define DSR_ADJ_ROOM_DECAP_L3_IPV4 (1ULL << 7)
#define DSR_ADJ_ROOM_DECAP_L3_IPV6 (1ULL << 8)

#endif
