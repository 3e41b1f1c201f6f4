#!/usr/bin/env bash
# Contract smoke test of the runner image (docs/runner-protocol.md), without the backend:
#   1. `--check`: the bundled libraries import;
#   2. a trivial tool gets a tar on stdin (script.py, memory.json with settings, two input files)
#      in a container started with the same hardening as a real run, and the framed stdout is
#      decoded with runner/tools/decode_frames.py; the tool must have seen the settings, the form
#      inputs and both files, and its output file must come back as an artifact.
# CONTAINER_ENGINE (docker or podman) and RUNNER_IMAGE pick the engine and the image.
set -euo pipefail
cd "$(dirname "$0")/.."

ENGINE="${CONTAINER_ENGINE:-docker}"
IMAGE="${RUNNER_IMAGE:-skriptoteket-runner:latest}"

if ! "$ENGINE" image inspect "$IMAGE" >/dev/null 2>&1; then
  echo "$IMAGE is missing: run \`make build-runner-image\` first" >&2
  exit 1
fi

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$TMP/in/input" "$TMP/out"

echo "== $IMAGE --check"
"$ENGINE" run --rm --network none "$IMAGE" --check | tee "$TMP/check.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["ok"], d' "$TMP/check.json"

cat >"$TMP/in/script.py" <<'PY'
from pathlib import Path

from skriptoteket import input_files, inputs, json_output, settings


def run_tool(input_dir, output_dir):
    files = input_files()
    seen = {
        "settings": settings(),
        "inputs": inputs(),
        "files": [f["name"] for f in files],
        "contents": {f["name"]: Path(f["path"]).read_text(encoding="utf-8") for f in files},
        "input_dir": input_dir,
    }
    print("files:", len(files))
    Path(output_dir, "seen.txt").write_text(",".join(seen["files"]), encoding="utf-8")
    return {"outputs": [json_output(seen, title="seen")]}
PY
printf '{"settings": {"separator": ";", "greeting": "hej"}}' >"$TMP/in/memory.json"
printf 'namn;poäng\nAda;5\n' >"$TMP/in/input/elever.csv"
printf 'andra filen\n' >"$TMP/in/input/noter.txt"

echo "== a trivial tool with settings and two input files, hardened like a real run"
start=$(date +%s%N)
tar -C "$TMP/in" -cf - script.py memory.json input \
  | "$ENGINE" run -i --rm \
      --network none --read-only --user 10001:10001 \
      --cap-drop ALL --security-opt no-new-privileges \
      --pids-limit 128 --memory 512m --memory-swap 512m --cpus 1 \
      --tmpfs /work:rw,nosuid,nodev,size=64m,uid=10001,gid=10001,mode=0700 \
      --tmpfs /tmp:rw,noexec,nosuid,nodev,size=64m,mode=1777 \
      --label org.skriptoteket.smoke-test=true \
      -e SKRIPTOTEKET_INPUTS='{"klass": "7B"}' \
      "$IMAGE" >"$TMP/frames.bin"
elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
python3 runner/tools/decode_frames.py --extract "$TMP/out" <"$TMP/frames.bin"

python3 - "$TMP/out" <<'PY'
import json, pathlib, sys

out = pathlib.Path(sys.argv[1])
result = json.loads((out / "result.json").read_text(encoding="utf-8"))
assert result["contract_version"] == 2, result
assert result["status"] == "succeeded", result
seen = result["outputs"][0]["value"]
assert seen["settings"] == {"separator": ";", "greeting": "hej"}, seen["settings"]
assert seen["inputs"] == {"klass": "7B"}, seen["inputs"]
assert sorted(seen["files"]) == ["elever.csv", "noter.txt"], seen["files"]
assert seen["contents"]["elever.csv"] == "namn;poäng\nAda;5\n", seen["contents"]
assert seen["contents"]["noter.txt"] == "andra filen\n", seen["contents"]
assert seen["input_dir"] == "/work/input", seen["input_dir"]
assert [a["path"] for a in result["artifacts"]] == ["output/seen.txt"], result["artifacts"]
assert (out / "output" / "seen.txt").read_text(encoding="utf-8") == "elever.csv,noter.txt"
print("runner image contract: settings, form inputs, both files and the artifact seen")
PY
echo "runner image smoke test passed ($IMAGE on $ENGINE, hardened run in ${elapsed} ms)"
