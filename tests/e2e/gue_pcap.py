#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
# gue_pcap.py OUT.pcap: GUE packets as dsrlab's balancer sends them, and the other shapes the
# draft allows, for the dissector test: 1 version 1 (direct IP) with an inner IPv4 TCP SYN,
# 2 version 0 with one extension word and protocol 4, inner IPv4 UDP, 3 version 1 with an
# inner IPv6 TCP SYN, 4 version 0 whose extension runs past the datagram (malformed).
import socket
import struct
import sys


def ipv4(src, dst, proto, payload):
    # checksum left 0: tshark does not verify it unless asked
    return struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0x4000, 64, proto, 0,
                       socket.inet_aton(src), socket.inet_aton(dst)) + payload


def ipv6(src, dst, nh, payload):
    return struct.pack("!IHBB16s16s", 0x60000000, len(payload), nh, 64,
                       socket.inet_pton(socket.AF_INET6, src),
                       socket.inet_pton(socket.AF_INET6, dst)) + payload


def tcp_syn(sport, dport):
    return struct.pack("!HHIIBBHHH", sport, dport, 1000, 0, 5 << 4, 0x02, 64240, 0, 0)


def udp(sport, dport, payload):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def frame(ip_packet, ethertype=0x0800):
    return b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + struct.pack("!H", ethertype) + ip_packet


def outer(gue_payload):
    return frame(ipv4("10.0.1.2", "10.1.0.2", 17, udp(40001, 6080, gue_payload)))


packets = [
    outer(ipv4("10.0.0.2", "10.100.0.1", 6, tcp_syn(40000, 80))),
    outer(struct.pack("!BBH", 0x01, 4, 0) + b"\xde\xad\xbe\xef" +
          ipv4("10.0.0.2", "10.100.0.2", 17, udp(5000, 7000, b"dsrlab"))),
    outer(ipv6("2001:db8::2", "2001:db8:100::1", 6, tcp_syn(40002, 80))),
    outer(struct.pack("!BBH", 0x1F, 4, 0) + b"\0\0\0\0"),
]
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    for i, p in enumerate(packets):
        f.write(struct.pack("<IIII", 1000 + i, 0, len(p), len(p)) + p)
