#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
# schema_check.py SCHEMA FILE...: every FILE (JSON; "-" is stdin) validates against SCHEMA
# (docs/schemas/*.schema.json, JSON Schema 2020-12). Run by Debian's python3 on purpose: its
# python3-jsonschema is what ./dsrlab installs.
import json
import sys

import jsonschema

schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)
bad = 0
for path in sys.argv[2:]:
    try:
        doc = json.load(sys.stdin if path == "-" else open(path))
    except (OSError, ValueError) as e:
        print("%s: not JSON: %s" % (path, e))
        bad += 1
        continue
    for err in sorted(validator.iter_errors(doc), key=lambda e: list(e.path)):
        where = "/".join(str(p) for p in err.absolute_path) or "(top)"
        print("%s: %s: %s" % (path, where, err.message))
        bad += 1
sys.exit(1 if bad else 0)
