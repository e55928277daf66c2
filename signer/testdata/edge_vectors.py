#!/usr/bin/env python3
"""Writes edge_vectors.json: signatures computed without the Go code.

The fileid comes from urllib.parse.quote (keeping only A-Z a-z 0-9 - _ . ~ /),
the MAC from Python's hmac module. Run from this directory:

    python3 edge_vectors.py > edge_vectors.json

A one-time vector binds f to FileID(path); a multi-use one binds it when path
is not empty and leaves f empty otherwise.
"""
import base64
import hashlib
import hmac
import json
import sys
from urllib.parse import quote

LONG_KEY = "".join(chr(33 + (i * 7) % 94) for i in range(200))  # 200 varied printable bytes

# name, kind, appid, bucket, secret_id, secret_key, expired, now, rand, path
CASES = [
    ("empty path (bucket root)", "once", "1250000000", "b1", "AKIDa", "key1", 0, 1700000000, 1, "/"),
    ("root dir multi, empty f", "multi", "1250000000", "b1", "AKIDa", "key1", 1700000060, 1700000000, 999999999, ""),
    ("spaces", "once", "1", "bk", "id", "k", 0, 1600000000, 7, "a b/c d.txt"),
    ("percent", "once", "1", "bk", "id", "k", 0, 1600000000, 8, "100%/x%2Fy"),
    ("plus and tilde", "once", "1", "bk", "id", "k", 0, 1600000000, 9, "a+b/~c.txt"),
    ("Chinese directory", "once", "10055004", "accesslog", "AKIDz", "0123456789abcdef", 0, 1472639071, 10, "照片/"),
    ("very long key", "multi", "1", "bk", "id", "k" * 200, 1600000100, 1600000000, 11, ""),
    ("reserved characters", "once", "1", "bk", "id", "k", 0, 1600000000, 12, "a;b,c=d&e?f#g@h!.txt"),
    ("empty path string is the bucket root", "once", "1", "bk", "id", "k", 0, 1600000000, 13, ""),
    ("multi-use bound to a directory prefix", "multi", "1", "bk", "id", "k", 1600003600, 1600000000, 14, "uploads/2016/"),
    ("multi-use bound to the file, 90 days, largest r", "multi", "1", "bk", "id", "k", 1600000000 + 7776000, 1600000000, 4294967295, "/a/b.txt"),
    ("key of 64 bytes (one block, not hashed)", "once", "1", "bk", "id", LONG_KEY[:64], 0, 1600000000, 15, "x"),
    ("key of 65 bytes (hashed first)", "once", "1", "bk", "id", LONG_KEY[:65], 0, 1600000000, 16, "x"),
    ("varied key of 200 bytes", "once", "1", "bk", "id", LONG_KEY, 0, 1600000000, 17, "x"),
    ("non-ASCII key and control bytes in the path", "once", "1", "bk", "id", "密钥-ключ", 0, 1600000000, 18, "tab\there/nl\nx/\x7f"),
]


def fileid(appid, bucket, path):
    if not path.startswith("/"):
        path = "/" + path
    return quote("/" + appid + "/" + bucket + path, safe="/-_.~")


out = []
for name, kind, appid, bucket, sid, key, expired, now, rnd, path in CASES:
    f = fileid(appid, bucket, path) if kind == "once" or path else ""
    plain = f"a={appid}&b={bucket}&k={sid}&e={expired}&t={now}&r={rnd}&f={f}"
    mac = hmac.new(key.encode(), plain.encode(), hashlib.sha1).digest()
    out.append({
        "name": name, "kind": kind, "appid": appid, "bucket": bucket,
        "secret_id": sid, "secret_key": key, "expired": expired, "now": now,
        "rand": rnd, "path": path, "fileid": f, "plaintext": plain,
        "signature": base64.b64encode(mac + plain.encode()).decode(),
    })
json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
sys.stdout.write("\n")
