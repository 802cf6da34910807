/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which backend family each encapsulation needs for a VIP family: the one definition, used by
 * the data plane (bpf/encap.h plans every packet with it), the balancer library (lb/ refuses
 * VIPs and pools it does not allow) and the scenario loader (bench/ refuses them earlier, with
 * the line).
 */
#ifndef DSRLAB_COMMON_ENCAP_FAMILY_H
#define DSRLAB_COMMON_ENCAP_FAMILY_H

#include "flow.h"
#include "parse.h"

/* The VIP family an encapsulation carries: FAM_NONE either, -1 one the balancer never writes. */
static __always_inline int encap_inner_family(__u8 encap)
{
	switch (encap) {
	case ENCAP_IPIP:
	case ENCAP_4IN6:
		return FAM_IPV4;
	case ENCAP_IP6IP6:
		return FAM_IPV6;
	case ENCAP_GUE:
		return FAM_NONE;
	default:
		return -1; /* 6in4 is parsed, never produced */
	}
}

/*
 * The family of the outer header, which is the backend's: FAM_NONE either (GUE writes the
 * backend's own family), -1 an encapsulation the balancer never writes.
 */
static __always_inline int encap_outer_family(__u8 encap)
{
	switch (encap) {
	case ENCAP_IPIP:
		return FAM_IPV4;
	case ENCAP_IP6IP6:
	case ENCAP_4IN6:
		return FAM_IPV6;
	case ENCAP_GUE:
		return FAM_NONE;
	default:
		return -1;
	}
}

/* Can encap carry a VIP packet of family inner to a backend of family real? */
static __always_inline int encap_carries(__u8 encap, __u8 inner, __u8 real)
{
	int in = encap_inner_family(encap), out = encap_outer_family(encap);

	if (in < 0 || out < 0 || (real != FAM_IPV4 && real != FAM_IPV6))
		return 0;
	return (in == FAM_NONE || in == inner) && (out == FAM_NONE || out == real);
}

#endif
