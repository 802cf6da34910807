#!/usr/bin/env python3
"""Pool harness --json results (one JSON object per class per line, from any number of
invocations, e.g. results.jsonl as run.sh appends it) and print per class:

  runs        invocations pooled
  rounds      rounds pooled (sum of each invocation's rounds)
  stub/dsrlab/katran   median ns/packet over all pooled rounds
  dsrlab-above, katran-above   median over pooled rounds of (program - stub of that round)
  ratio       median over pooled rounds of that round's dsrlab-above / katran-above
  ratio-med   (median dsrlab-above) / (median katran-above), the pooled figures
  run-ratio   median of the invocations' own ratios (each: medians of its rounds)
  busy        median over invocations of how busy the other CPU(s) were during the class
              (the machine is shared; --max-busy F drops invocations above F, 0..1)

Only records with proved=true are used. --repeat N, --commit PREFIX filter.

--by-speed splits each class's pooled rounds by the speed the machine ran at (a VM may switch
between a fast and a slow speed for seconds at a time, and the balancers do not slow alike):
a round is "fast" when its stub is within 1.3x (--fast-within) of the class's fastest stub
over all pooled records, else "slow". Per class and speed it prints the rounds, the median
dsrlab-above and katran-above (each round's program minus that round's stub) and the median
of the per-round ratios.
"""
import argparse
import json
import statistics
import sys

ORDER = ["ipv4-syn", "ipv4-established", "ipv6-established", "ipv4-udp", "non-vip"]


def load(paths):
    for path in paths:
        with (sys.stdin if path == "-" else open(path)) as f:
            for n, line in enumerate(f, 1):
                line = line.strip()
                if not line:
                    continue
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as e:
                    print(f"{path}:{n}: skipped, not JSON ({e})", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="*", default=["results.jsonl"])
    ap.add_argument("--repeat", type=int, help="only invocations with this repeat")
    ap.add_argument("--commit", help="only this Katran commit (prefix)")
    ap.add_argument("--max-busy", type=float,
                    help="drop class results whose others_busy exceeds this (0..1)")
    ap.add_argument("--json", action="store_true", help="one JSON object per class")
    ap.add_argument("--by-speed", action="store_true",
                    help="split each class's rounds into fast and slow by the stub's speed")
    ap.add_argument("--fast-within", type=float, default=1.3, metavar="F",
                    help="--by-speed: fast = stub <= F x the class's fastest stub (1.3)")
    a = ap.parse_args()

    by = {}
    for r in load(a.files):
        if not r.get("proved"):
            continue
        if a.repeat and r.get("repeat") != a.repeat:
            continue
        if a.commit and not str(r.get("katran_commit", "")).startswith(a.commit):
            continue
        if a.max_busy is not None and r.get("others_busy", 0) > a.max_busy:
            continue
        by.setdefault(r["class"], []).append(r)
    if not by:
        print("no results", file=sys.stderr)
        return 1

    if a.by_speed:
        return by_speed(by, a)

    med = statistics.median
    out = []
    for cls in classes_in_order(by):
        recs = by[cls]
        stub, dsr, kat, da, ka, rr = [], [], [], [], [], []
        for r in recs:
            for s, d, k in zip(r["stub_runs_ns"], r["dsrlab_runs_ns"], r["katran_runs_ns"]):
                stub.append(s)
                dsr.append(d)
                kat.append(k)
                da.append(d - s)
                ka.append(k - s)
                if k - s != 0:
                    rr.append((d - s) / (k - s))
        mda, mka = med(da), med(ka)
        out.append({
            "class": cls,
            "runs": len(recs),
            "rounds": len(stub),
            "repeats": sorted({r["repeat"] for r in recs}),
            "katran_commits": sorted({r.get("katran_commit", "?")[:12] for r in recs}),
            "stub_ns": med(stub),
            "dsrlab_ns": med(dsr),
            "katran_ns": med(kat),
            "dsrlab_above_ns": mda,
            "katran_above_ns": mka,
            "ratio": med(rr) if rr else None,
            "ratio_of_medians": mda / mka if mka else None,
            "run_ratio": med([r["ratio"] for r in recs]),
            "others_busy": med([r.get("others_busy", -1) for r in recs]),
        })
    if a.json:
        for o in out:
            print(json.dumps(o))
        return 0
    print(f"{'class':<17} {'runs':>4} {'rounds':>6} {'stub':>7} {'dsrlab':>7} {'katran':>7} "
          f"{'dsr-above':>9} {'kat-above':>9} {'ratio':>6} {'ratio-med':>9} {'run-ratio':>9} "
          f"{'busy':>5}")
    for o in out:
        f = lambda x: f"{x:.2f}" if x is not None else "-"
        print(f"{o['class']:<17} {o['runs']:>4} {o['rounds']:>6} {o['stub_ns']:>7.1f} "
              f"{o['dsrlab_ns']:>7.1f} {o['katran_ns']:>7.1f} {o['dsrlab_above_ns']:>9.1f} "
              f"{o['katran_above_ns']:>9.1f} {f(o['ratio']):>6} {f(o['ratio_of_medians']):>9} "
              f"{f(o['run_ratio']):>9} {o['others_busy'] * 100:>4.0f}%")
    print("(ns/packet; ratio: median per-round dsrlab-above/katran-above; ratio-med: of the "
          "pooled medians;\n run-ratio: median of the invocations' ratios. Katran "
          + ",".join(sorted({c for o in out for c in o['katran_commits']})) + ", repeat "
          + ",".join(str(x) for x in sorted({x for o in out for x in o['repeats']})) + ")")
    return 0


def classes_in_order(by):
    return sorted(by, key=lambda c: (ORDER.index(c) if c in ORDER else 99, c))


def by_speed(by, a):
    """Per class: rounds split by the stub's speed, fast = within a.fast_within of the class's
    fastest stub over all pooled records."""
    med = statistics.median
    out = []
    for cls in classes_in_order(by):
        rounds = [(s, d, k) for r in by[cls]
                  for s, d, k in zip(r["stub_runs_ns"], r["dsrlab_runs_ns"], r["katran_runs_ns"])]
        if not rounds:
            continue
        fastest = min(s for s, _, _ in rounds)
        o = {"class": cls, "fastest_stub_ns": fastest, "fast_within": a.fast_within}
        for speed in ("fast", "slow"):
            sel = [(s, d, k) for s, d, k in rounds
                   if (s <= a.fast_within * fastest) == (speed == "fast")]
            rr = [(d - s) / (k - s) for s, d, k in sel if k - s != 0]
            o[speed] = {
                "rounds": len(sel),
                "stub_ns": med([s for s, _, _ in sel]) if sel else None,
                "dsrlab_above_ns": med([d - s for s, d, _ in sel]) if sel else None,
                "katran_above_ns": med([k - s for s, _, k in sel]) if sel else None,
                "ratio": med(rr) if rr else None,
            }
        out.append(o)
    if a.json:
        for o in out:
            print(json.dumps(o))
        return 0
    f = lambda x, p: "-" if x is None else f"{x:.{p}f}"
    print(f"{'':<17} {'':>7}   {'fast':-^35}   {'slow':-^35}")
    half = f"{'rounds':>6} {'stub':>6} {'dsr-above':>9} {'kat-above':>9} {'ratio':>5}"
    print(f"{'class':<17} {'fastest':>7}   {half}   {half}")
    for o in out:
        cols = []
        for speed in ("fast", "slow"):
            v = o[speed]
            cols.append(f"{v['rounds']:>6} {f(v['stub_ns'], 1):>6} {f(v['dsrlab_above_ns'], 1):>9} "
                        f"{f(v['katran_above_ns'], 1):>9} {f(v['ratio'], 2):>5}")
        print(f"{o['class']:<17} {o['fastest_stub_ns']:>7.1f}   {cols[0]}   {cols[1]}")
    print(f"(ns/packet; fast: rounds whose stub is within {a.fast_within}x of the class's fastest "
          "stub, slow: the rest;\n above: median over those rounds of program - that round's "
          "stub; ratio: median per-round\n dsrlab-above/katran-above. A set that met only one "
          "speed has all its rounds \"fast\".)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
