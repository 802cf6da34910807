// SPDX-License-Identifier: GPL-2.0
#include "common/xdp_mode.h"

const char *const xdp_mode_names[XDP_MODE_MAX] = {
	[XDP_MODE_NATIVE] = "native",
	[XDP_MODE_SKB] = "skb",
};

const char *xdp_mode_name(enum xdp_mode m)
{
	return (unsigned int)m < XDP_MODE_MAX ? xdp_mode_names[m] : "?";
}
