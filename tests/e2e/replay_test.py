#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""dsrlab replay on crafted captures: exact verdicts, counters and output bytes through the
real balancer and decap (BPF_PROG_RUN), cooked and raw captures, and bad input refused with
a clear message and exit 2, never a crash. Usage: replay_test.py DSRLAB WORKDIR"""
import json, os, shutil, struct, subprocess, sys

dsrlab, work = sys.argv[1], sys.argv[2]
if os.geteuid():
    print("needs root")
    sys.exit(77)
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
failures = []

NEXTHOP = bytes.fromhex("020000000102")
CLIENT, VIP, LB, REAL, SPOOF = "10.0.0.2", "10.100.0.1", "10.0.1.2", "10.1.0.2", "10.0.2.1"


def check(what, ok, detail=""):
    print(("ok  " if ok else "FAIL") + "  " + what + ("" if ok else ": " + str(detail)))
    if not ok:
        failures.append(what)


def ip4(a):
    return bytes(int(x) for x in a.split("."))


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return struct.pack("!H", ~s & 0xFFFF)


def ipv4(src, dst, proto, payload, ident=0x1c46, ttl=63, tos=0x10):
    h = struct.pack("!BBHHHBB2s4s4s", 0x45, tos, 20 + len(payload), ident, 0x4000, ttl, proto,
                    b"\0\0", ip4(src), ip4(dst))
    return h[:10] + csum(h) + h[12:] + payload


def tcp(sport, dport, flags, data=b""):
    return struct.pack("!HHIIBBHHH", sport, dport, 1000, 0, 5 << 4, flags, 65535, 0, 0) + data


def eth(payload, proto=0x0800, dst=b"\x02\0\0\0\0\x01", src=b"\x02\0\0\0\0\x02"):
    return dst + src + struct.pack("!H", proto) + payload


SYN = ipv4(CLIENT, VIP, 6, tcp(40000, 80, 0x02, b"x" * 16))
ACK = ipv4(CLIENT, VIP, 6, tcp(40000, 80, 0x10, b"y" * 16))
NOT_VIP = ipv4(CLIENT, "10.9.9.9", 6, tcp(40000, 80, 0x02))


def pcap(name, linktype, frames):
    """frames: bytes, or (bytes, original length) for a packet the capture cut."""
    path = os.path.join(work, name)
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, linktype))
        for i, fr in enumerate(frames):
            data, orig = fr if isinstance(fr, tuple) else (fr, len(fr))
            f.write(struct.pack("<IIII", 1700000000 + i, 0, len(data), orig) + data)
    return path


def read_pcap(path):
    with open(path, "rb") as f:
        b = f.read()
    magic, _, _, _, _, _, lt = struct.unpack("<IHHiIII", b[:24])
    out, off = [], 24
    while off < len(b):
        _, _, cap, _ = struct.unpack("<IIII", b[off:off + 16])
        out.append(b[off + 16:off + 16 + cap])
        off += 16 + cap
    return lt, out


def replay(prog, conf, inp, out=None, json_out=True):
    args = [dsrlab, "replay", "--prog", prog, "--config", conf, inp]
    if out:
        args += ["-o", out]
    if json_out:
        args.append("-j")
    p = subprocess.run(args, capture_output=True, text=True, timeout=60)
    if p.returncode < 0:
        check("%s did not crash" % inp, False, "signal %d" % -p.returncode)
    doc = None
    if json_out and p.stdout.strip():
        doc = json.loads(p.stdout)
        fits_schema(inp, p.stdout)
    return p.returncode, doc, p.stdout, p.stderr


# Every -j document fits docs/schemas/replay.schema.json (Debian's python3-jsonschema).
SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "schemas",
                      "replay.schema.json")
CHECKER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "schema_check.py")


def fits_schema(inp, text):
    p = subprocess.run(["/usr/bin/python3", CHECKER, SCHEMA, "-"], input=text,
                       capture_output=True, text=True, timeout=60)
    if p.returncode:
        check("replay -j of %s fits its schema" % os.path.basename(inp), False, p.stdout.strip())


lb_conf = os.path.join(work, "lb.conf")
with open(lb_conf, "w") as f:
    f.write("# the balancer of scenarios/demo.yaml\n"
            "attach --src %s --nexthop-mac 02:00:00:00:01:02\n"
            "vip add %s:80/tcp --encap ipip --backend %s\n" % (LB, VIP, REAL))
decap_conf = os.path.join(work, "decap.conf")
with open(decap_conf, "w") as f:
    f.write("attach --serve %s --allow %s/32   # tenant-a's decap\n" % (REAL, LB))

# --- the balancer, Ethernet capture ---
eth_pcap = pcap("eth.pcap", 1, [eth(SYN), eth(ACK), eth(NOT_VIP), b"\x01" * 10,
                                (eth(SYN)[:40], len(eth(SYN)))])
out = os.path.join(work, "lb-out.pcap")
code, doc, _, err = replay("lb", lb_conf, eth_pcap, out)
check("lb: exit 0", code == 0, (code, err))
pk = doc["packets"]
check("lb: SYN to the VIP is XDP_TX, a new flow, encapsulated",
      pk[0]["verdict"] == "TX" and pk[0]["counters"] == {"rx": 1, "tx_encap": 1, "conn_new": 1},
      pk[0])
check("lb: the ACK of that flow hits the connection table",
      pk[1]["verdict"] == "TX" and pk[1]["counters"] == {"rx": 1, "tx_encap": 1, "conn_hit": 1},
      pk[1])
check("lb: not a VIP is XDP_PASS, pass_not_vip",
      pk[2]["verdict"] == "PASS" and pk[2]["counters"] == {"rx": 1, "pass_not_vip": 1}, pk[2])
check("lb: a 10-byte frame is skipped with the reason",
      pk[3]["verdict"] == "SKIPPED" and "shorter than an Ethernet header" in pk[3]["note"], pk[3])
check("lb: a frame the capture cut is run and marked",
      pk[4]["verdict"] != "SKIPPED" and "cut by the capture: 40 of" in pk[4]["note"], pk[4])
check("lb: summary", doc["summary"]["packets"] == 5 and doc["summary"]["skipped"] == 1 and
      doc["summary"]["written"] == 4, doc["summary"])
lt, frames = read_pcap(out)
# to the next hop, from the MAC the frame was sent to (the balancer's port)
want = NEXTHOP + eth(SYN)[0:6] + b"\x08\x00" + ipv4(LB, REAL, 4, SYN, ident=0, ttl=64)
check("lb: out.pcap is Ethernet with the IPIP frame, byte for byte",
      lt == 1 and frames[0] == want, (lt, frames[0].hex() if frames else None, want.hex()))
check("lb: the passed frame is written unchanged", frames[2] == eth(NOT_VIP))

# --- cooked and raw captures: the same SYN, the same verdict and outer header ---
sll = struct.pack("!HHH8sH", 0, 1, 6, b"\x02\0\0\0\0\x02\0\0", 0x0800) + SYN
sll2 = struct.pack("!HHIHBB8s", 0x0800, 0, 2, 1, 0, 6, b"\x02\0\0\0\0\x02\0\0") + SYN
for name, lt_in, frame in (("sll", 113, sll), ("sll2", 276, sll2), ("raw", 101, SYN)):
    path = pcap(name + ".pcap", lt_in, [frame])
    o = os.path.join(work, name + "-out.pcap")
    code, doc, _, err = replay("lb", lb_conf, path, o)
    _, fr = read_pcap(o) if code == 0 else (0, [])
    check("lb: %s capture replayed as the Ethernet one" % name,
          code == 0 and doc["packets"][0]["verdict"] == "TX" and fr and fr[0][14:] == want[14:],
          (code, err, doc and doc["packets"]))

# --- the decap ---
ipip_ok = eth(ipv4(LB, REAL, 4, SYN, ident=0, ttl=64))
ipip_spoof = eth(ipv4(SPOOF, REAL, 4, SYN, ident=0, ttl=64))
plain = eth(ipv4(CLIENT, REAL, 6, tcp(40000, 22, 0x02)))
dpcap = pcap("decap.pcap", 1, [ipip_ok, ipip_spoof, plain])
out = os.path.join(work, "decap-out.pcap")
code, doc, _, err = replay("decap", decap_conf, dpcap, out)
check("decap: exit 0", code == 0, (code, err))
pk = doc["packets"] if doc else [{}] * 3
check("decap: IPIP from the balancer is stripped (TC_ACT_OK, decap)",
      pk[0].get("verdict") == "OK" and pk[0].get("counters") == {"rx": 1, "decap": 1}, pk[0])
check("decap: IPIP from elsewhere is dropped as spoofed",
      pk[1].get("verdict") == "SHOT" and
      pk[1].get("counters") == {"rx": 1, "drop_spoofed_source": 1}, pk[1])
check("decap: plain traffic passes", pk[2].get("verdict") == "OK" and
      pk[2].get("counters") == {"rx": 1, "pass_plain": 1}, pk[2])
_, frames = read_pcap(out)
check("decap: out.pcap holds the inner packet, byte for byte",
      len(frames) == 2 and frames[0][14:] == SYN and frames[1] == plain,
      [f.hex() for f in frames])

# --- text output ---
code, _, text, err = replay("lb", lb_conf, eth_pcap, json_out=False)
check("lb: text report", code == 0 and "1: 70 bytes -> TX  rx+1 tx_encap+1 conn_new+1  out 90 bytes\n" in text,
      text)

# --- bad input: exit 2 and a message, never a crash ---
wifi = pcap("wifi.pcap", 105, [b"\0" * 40])
code, _, _, err = replay("lb", lb_conf, wifi)
check("a non-Ethernet, non-IP capture is refused",
      code == 2 and "link type IEEE802_11 (105) is not replayed" in err, (code, err))
with open(eth_pcap, "rb") as f:
    whole = f.read()
trunc = os.path.join(work, "truncated.pcap")
with open(trunc, "wb") as f:
    f.write(whole[:24 + 16 + len(eth(SYN)) + 16 + 20])  # the second record cut short
code, doc, _, err = replay("lb", lb_conf, trunc)
check("a truncated capture: what came before is replayed, then exit 2",
      code == 2 and doc["summary"]["packets"] == 1 and "after packet 1" in doc["error"],
      (code, doc and doc["summary"], doc and doc["error"]))
garbage = os.path.join(work, "garbage.pcap")
with open(garbage, "wb") as f:
    f.write(b"this is not a capture at all, not even close")
code, _, _, err = replay("lb", lb_conf, garbage)
check("not a capture: exit 2 with libpcap's word", code == 2 and "garbage.pcap: " in err,
      (code, err))
code, _, _, err = replay("lb", lb_conf, os.path.join(work, "missing.pcap"))
check("a missing capture: exit 2", code == 2 and "missing.pcap" in err, (code, err))
bad_conf = os.path.join(work, "bad.conf")
with open(bad_conf, "w") as f:
    f.write("attach --src 10.0.1.2 --nexthop-mac 02:00:00:00:01:02\n"
            "vip add 10.100.0.1:80/tcp --backend 10.1.0.2@x\n"
            "vip ad 10.100.0.2:80/tcp\n")
code, _, _, err = replay("lb", bad_conf, eth_pcap)
check("config mistakes: FILE:LINE:COL each, exit 2",
      code == 2 and "bad.conf:2:37: --backend is ADDR[@WEIGHT]: '10.1.0.2@x'" in err and
      "bad.conf:3:5: expected 'vip add" in err, (code, err))
code, _, _, err = replay("decap", lb_conf, dpcap)
check("a balancer file given to the decap is refused",
      code == 2 and "lb.conf:2:1: unknown command 'attach'" not in err and
      "lb.conf:2:8: unknown option '--src'" in err, (code, err))

sys.exit(1 if failures else 0)
