#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""bench/'s include graph: only the orchestrator (run.c) and main.c reach bench/run.h, and
the graph of modules (x.c with x.h) has no cycle. Prints each violation; exit 1 on any."""
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"bench/([^"]+)\.h"', re.M)
ORCHESTRATORS = {"run.c", "main.c"}


def includes(path):
    with open(path, encoding="utf-8") as f:
        return INCLUDE.findall(f.read())


def main(root):
    bench = os.path.join(root, "bench")
    files = sorted(f for f in os.listdir(bench) if f.endswith((".c", ".h")))
    direct = {f: includes(os.path.join(bench, f)) for f in files}
    bad = []

    # Every header a file reaches, through headers.
    def reach(f):
        seen, todo = set(), list(direct.get(f, []))
        while todo:
            m = todo.pop()
            if m in seen:
                continue
            seen.add(m)
            todo.extend(direct.get(m + ".h", []))
        return seen

    for f in files:
        if f not in ORCHESTRATORS and f != "run.h" and "run" in reach(f):
            bad.append(f"bench/{f} reaches bench/run.h: only {sorted(ORCHESTRATORS)} may")

    # Modules: x.c and x.h are module x; an edge for each include of another module.
    graph = {}
    for f in files:
        mod = f.rsplit(".", 1)[0]
        graph.setdefault(mod, set()).update(m for m in direct[f] if m != mod)
    state, stack = {}, []

    def visit(m):
        state[m] = 1
        stack.append(m)
        for n in sorted(graph.get(m, ())):
            if state.get(n) == 1:
                cycle = stack[stack.index(n):] + [n]
                bad.append("cycle in bench/'s include graph: " + " -> ".join(cycle))
            elif not state.get(n):
                visit(n)
        stack.pop()
        state[m] = 2

    for m in sorted(graph):
        if not state.get(m):
            visit(m)
    for b in bad:
        print(b)
    print(f"{len(files)} files, {len(graph)} modules, {len(bad)} violations")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "."))
