#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
# image_check.py FILE...: each FILE is a valid picture by its extension. PNG: signature, every
# chunk's CRC, IHDR first with a non-zero size, IEND last, and the IDAT stream inflating to
# exactly the rows IHDR promises. SVG: well-formed XML whose root is <svg> with a size and
# at least one text or shape. Exit 1 naming what is wrong.
import struct
import sys
import xml.etree.ElementTree as ET
import zlib

CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


def png(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return "no PNG signature"
    pos, chunks, idat = 8, [], b""
    while pos < len(data):
        if pos + 12 > len(data):
            return "truncated chunk at %d" % pos
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        if zlib.crc32(kind + body) != crc:
            return "bad CRC in %s chunk" % kind.decode(errors="replace")
        chunks.append((kind, body))
        if kind == b"IDAT":
            idat += body
        pos += 12 + length
    if not chunks or chunks[0][0] != b"IHDR" or chunks[-1][0] != b"IEND":
        return "IHDR not first or IEND not last"
    w, h, depth, colour = struct.unpack(">IIBB", chunks[0][1][:10])
    if not w or not h:
        return "empty image"
    row = 1 + (w * CHANNELS[colour] * depth + 7) // 8
    if chunks[0][1][12] == 0 and len(zlib.decompress(idat)) != row * h:
        return "image data does not match %dx%d" % (w, h)
    return None


def svg(path):
    root = ET.parse(path).getroot()
    if not root.tag.endswith("svg"):
        return "root is <%s>, not <svg>" % root.tag
    if not root.get("width") or not root.get("height"):
        return "no size"
    if not any(e.tag.split("}")[-1] in ("text", "path", "polygon", "ellipse") for e in root.iter()):
        return "nothing drawn"
    return None


bad = 0
for path in sys.argv[1:]:
    try:
        why = png(path) if path.endswith(".png") else svg(path)
    except (OSError, ET.ParseError, zlib.error, struct.error, KeyError) as e:
        why = str(e)
    if why:
        print("%s: %s" % (path, why))
        bad += 1
sys.exit(1 if bad else 0)
