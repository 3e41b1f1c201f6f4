#!/usr/bin/env python3
"""Decode the runner's framed stdout (for debugging by hand).

    tar -C dir -cf - script.py | docker run -i --rm ... skriptoteket-runner:latest \
        | python3 runner/tools/decode_frames.py [--extract DIR]

Prints each O/E frame's text, the X frame, then lists the result tar and shows result.json.
"""
import argparse
import io
import json
import os
import sys
import tarfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from skriptoteket_runner.frames import read_frames  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extract", metavar="DIR", help="also extract the result tar here")
    args = parser.parse_args()

    result_tar = bytearray()
    counts = {}
    for kind, payload in read_frames(sys.stdin.buffer):
        name = kind.decode()
        counts[name] = counts.get(name, 0) + 1
        if kind == b"R":
            result_tar += payload
        else:
            text = payload.decode("utf-8", "replace")
            print(f"[{name} {len(payload):>5} B] {text!r}")
    print(f"frames: {counts}, result tar: {len(result_tar)} bytes")
    if not result_tar:
        return 1
    with tarfile.open(fileobj=io.BytesIO(bytes(result_tar)), mode="r:") as tar:
        for member in tar.getmembers():
            print(f"  {member.size:>9}  {member.name}")
        result = json.load(tar.extractfile("result.json"))
        print(json.dumps(result, indent=2, ensure_ascii=False))
        if args.extract:
            tar.extractall(args.extract, filter="data")
    return 0


if __name__ == "__main__":
    sys.exit(main())
