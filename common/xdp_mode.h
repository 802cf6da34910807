/* SPDX-License-Identifier: GPL-2.0 */
/* XDP attach modes, and their names as the CLIs, scenarios and reports write them. */
#ifndef DSRLAB_COMMON_XDP_MODE_H
#define DSRLAB_COMMON_XDP_MODE_H

enum xdp_mode { XDP_MODE_NATIVE, XDP_MODE_SKB, XDP_MODE_MAX };

extern const char *const xdp_mode_names[XDP_MODE_MAX];

const char *xdp_mode_name(enum xdp_mode m);

#endif
