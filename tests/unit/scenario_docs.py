#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Every key the scenario loader accepts is documented in docs/scenarios.md, and every key
the document's YAML examples use is one the loader accepts.

The loader's keys are the rows of its `struct key` tables in bench/scenario_load.c (KEY("name",
...) and the typed KEY_INT, KEY_TEXT, ... rows), plus the names of check kinds, phase kinds
and offloads (map keys in a scenario too). The documents' keys are the
mapping keys of their ```yaml blocks, except under maps whose keys the author names (nodes,
sysctls, nics). A key is documented when a document has it in backticks or as `key:`.
Usage: scenario_docs.py SCENARIO_C DOC.md... (docs/scenarios.md, and docs/bench.md for the
bench section)"""
import re
import sys

import yaml

USER_NAMED = {"nodes", "sysctls", "nics"}  # maps keyed by the author's own names


def loader_keys(src):
    keys = set()
    # each row of a `struct key` table: KEY("name", ...), KEY_INT("name", ...), ...
    keys.update(re.findall(r'\bKEY(?:_[A-Z]+)*\(\s*"([^"]+)"', src))
    for table in ("expect_names", "phase_names", "offload_names"):
        m = re.search(r"static const char \*const %s\[\w*\] = \{(.*?)\};" % table, src, re.S)
        if not m:
            sys.exit("scenario_docs: no %s[] in scenario_load.c" % table)
        keys.update(re.findall(r'"([^"]+)"', m.group(1)))
    return keys


def doc_keys(node, parent=None, out=None):
    out = set() if out is None else out
    if isinstance(node, dict):
        for k, v in node.items():
            if parent not in USER_NAMED and not re.fullmatch(r"\.+", str(k)):
                out.add(str(k))  # "...": an elided part of an example
            doc_keys(v, str(k), out)
    elif isinstance(node, list):
        for v in node:
            doc_keys(v, parent, out)
    return out


def main():
    src = open(sys.argv[1]).read()
    md = "\n".join(open(f).read() for f in sys.argv[2:])
    docs = " and ".join(sys.argv[2:])
    keys = loader_keys(src)
    blocks = re.findall(r"```yaml\n(.*?)```", md, re.S)
    used = set()
    for b in blocks:
        try:
            for d in yaml.safe_load_all(b):
                doc_keys(d, None, used)
        except yaml.YAMLError as e:
            sys.exit("scenario_docs: a yaml block of %s does not parse: %s" % (docs, e))
    ticked = set(re.findall(r"`([^`\s]+)`", md))
    written = set(re.findall(r"(?<![\w-])([\w-]+):", md))
    missing = sorted(k for k in keys if k not in ticked and k not in written and k not in used)
    unknown = sorted(used - keys)
    for k in missing:
        print("scenario_docs: key '%s' is accepted by the loader but not in %s" % (k, docs))
    for k in unknown:
        print("scenario_docs: key '%s' is used in %s but the loader refuses it" % (k, docs))
    if missing or unknown:
        return 1
    print("scenario_docs: %d keys, each documented; %d keys in the examples, each accepted"
          % (len(keys), len(used)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
