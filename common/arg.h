/* SPDX-License-Identifier: GPL-2.0 */
/* Strict parsers for command-line values: the whole string or an error, never a guess. */
#ifndef DSRLAB_COMMON_ARG_H
#define DSRLAB_COMMON_ARG_H

#include <linux/types.h>

/* Decimal digits only (no sign, no blanks, no trailing junk), min <= value <= max; else
 * -EINVAL (nothing written). */
int arg_ulong(const char *s, unsigned long min, unsigned long max, unsigned long *out);
int arg_u32(const char *s, __u32 min, __u32 max, __u32 *out);
/* A UDP/TCP port, 1 to 65535. */
int arg_port(const char *s, __u16 *out);
/* "aa:bb:cc:dd:ee:ff": six groups of one or two hex digits, nothing after. */
int arg_mac(const char *s, __u8 mac[6]);

#endif
