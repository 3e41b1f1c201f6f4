#!/usr/bin/env bash
# Contract smoke test of the runner image (docs/runner-protocol.md), without the backend:
#   1. `--check`: the bundled libraries import;
#   2. a trivial tool gets a tar on stdin (script.py, memory.json with settings, two input files)
#      in a container started with the same hardening as a real run, and the framed stdout is
#      decoded with runner/tools/decode_frames.py; the tool must have seen the settings, the form
#      inputs and both files, and its output file must come back as an artifact;
#   3. a tool written for the original platform (skriptoteket_toolkit, tool_errors, pdf_helper)
#      makes a PDF (bytes start with %PDF, text and an image from /work/ inside, checked with
#      pypdf) and sees HOME, XDG_CACHE_HOME and SKRIPTOTEKET_RESULT_PATH;
#   4. a tool calling pandoc through pypandoc makes a .docx that python-docx opens;
#   5. the two document examples seeded on a fresh install (backend/server/src/seed/
#      class_certificate.py, markdown_to_docx.py) make their PDF and .docx;
#   6. hostile tools (issue 11): a 1 TB sparse file in output/ ends the run in seconds with a
#      notice and without that artifact (the time is printed); a link planted at the wrapper's
#      old temp name for result.json (to /proc/self/fd/3, the frame stream) changes nothing; PID
#      1 and the child run with -P (no /work on their sys.path).
# Every tool runs with the hardening of a real run (read-only root, no network, user 10001, no
# capabilities, tmpfs /work and /tmp, pids/memory/CPU limits).
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
python3 - "$TMP/check.json" <<'PY'
import json, sys

d = json.load(open(sys.argv[1]))
assert d["ok"], d
assert d["python"].startswith("3.13."), d["python"]
assert d["pandoc"], d
for lib in ("pandas", "numpy", "openpyxl", "python-docx", "pypdf", "pypandoc", "weasyprint",
            "jinja2", "pydantic", "python-dateutil", "fpdf2", "skriptoteket-runner"):
    assert d["libraries"].get(lib), (lib, d["libraries"])
PY

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

# At most this much of a container's stdout is kept: a run that streams more is broken (the
# wrapper sends at most 200 MiB of artifacts); head ends the pipe and pipefail fails the test.
FRAMES_CAP=$((256 * 1024 * 1024))

# hardened IN OUT [engine args…]: run the tool in directory IN (script.py, memory.json, input/…)
# like the host does (tar on stdin, the same hardening and SKRIPTOTEKET_* paths), decode the
# frames and extract the result tar into OUT; the decoded log goes to OUT.log.
hardened() {
  local in="$1" out="$2"
  shift 2
  mkdir -p "$out"
  (cd "$in" && tar -cf - -- *) \
    | "$ENGINE" run -i --rm \
        --network none --read-only --user 10001:10001 --log-driver none \
        --cap-drop ALL --security-opt no-new-privileges \
        --pids-limit 128 --memory 512m --memory-swap 512m --cpus 1 \
        --tmpfs /work:rw,nosuid,nodev,size=64m,uid=10001,gid=10001,mode=0700 \
        --tmpfs /tmp:rw,noexec,nosuid,nodev,size=64m,mode=1777 \
        --label org.skriptoteket.smoke-test=true \
        -e SKRIPTOTEKET_SCRIPT_PATH=/work/script.py -e SKRIPTOTEKET_INPUT_DIR=/work/input \
        -e SKRIPTOTEKET_MEMORY_PATH=/work/memory.json -e SKRIPTOTEKET_OUTPUT_DIR=/work/output \
        "$@" "$IMAGE" | head -c "$FRAMES_CAP" >"$out.frames"
  python3 runner/tools/decode_frames.py --extract "$out" <"$out.frames" >"$out.log"
}

echo "== a trivial tool with settings and two input files, hardened like a real run"
start=$(date +%s%N)
hardened "$TMP/in" "$TMP/out" -e SKRIPTOTEKET_INPUTS='{"klass": "7B"}'
elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
cat "$TMP/out.log"

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

echo "== a tool written for the original platform: skriptoteket_toolkit, tool_errors, pdf_helper"
mkdir -p "$TMP/compat/input"
cat >"$TMP/compat/script.py" <<'PY'
import os
from pathlib import Path

import pypdf
from PIL import Image

import skriptoteket
from pdf_helper import save_as_pdf
from skriptoteket_toolkit import (get_action_parts, list_input_files, read_input_manifest,
                                  read_inputs, read_memory, read_settings)
from tool_errors import ToolUserError


def run_tool(input_dir, output_dir):
    inputs = read_inputs()
    errors = {}
    for bad in ("/tmp/x.pdf", "../x.pdf", "a/./x.pdf", "rapport.txt", "x\x00.pdf", " "):
        try:
            save_as_pdf("<p>x</p>", output_dir, bad)
        except ToolUserError as exc:
            errors[bad] = str(exc)
    # A relative image URL resolves against /work/ (the work dir), as on the original platform.
    Image.new("RGB", (40, 20), (200, 30, 30)).save("/work/logo.png")
    page = f"<h1>Intyg för {inputs['namn']}</h1><p>Åäö – ok</p><img src='logo.png'>"
    path = save_as_pdf(page, output_dir, "intyg/elev.pdf")
    reader = pypdf.PdfReader(path)
    Path(os.environ["HOME"], "probe.txt").write_text("home is writable")
    cache = Path(os.environ["XDG_CACHE_HOME"])
    return {"outputs": [{"kind": "json", "value": {
        "path": path,
        "pdf_text": reader.pages[0].extract_text(),
        "pdf_images": len(reader.pages[0].images),
        "errors": errors,
        "blank": str(ToolUserError("   ")),
        "same_class": ToolUserError is skriptoteket.ToolUserError,
        "files": list_input_files(),
        "manifest_files": len(read_input_manifest()["files"]),
        "settings": read_settings(),
        "memory_keys": sorted(read_memory()),
        "action": list(get_action_parts()),
        "home": os.environ["HOME"],
        "cache": str(cache),
        "cache_is_dir": cache.is_dir(),
        "result_path": os.environ.get("SKRIPTOTEKET_RESULT_PATH"),
    }}]}
PY
printf '{"settings": {"skola": "Ekskolan"}}' >"$TMP/compat/memory.json"
printf 'namn\nAda\n' >"$TMP/compat/input/klass.csv"
hardened "$TMP/compat" "$TMP/compat-out" -e SKRIPTOTEKET_INPUTS='{"namn": "Ada Lovelace"}' \
  -e SKRIPTOTEKET_INPUT_MANIFEST='{"files": [{"name": "klass.csv", "path": "/work/input/klass.csv", "bytes": 9}]}'
python3 - "$TMP/compat-out" <<'PY'
import json, pathlib, sys

out = pathlib.Path(sys.argv[1])
result = json.loads((out / "result.json").read_text(encoding="utf-8"))
assert result["status"] == "succeeded", result
seen = result["outputs"][0]["value"]
pdf = (out / "output" / "intyg" / "elev.pdf").read_bytes()
assert pdf.startswith(b"%PDF"), pdf[:20]
assert [a["path"] for a in result["artifacts"]] == ["output/intyg/elev.pdf"], result["artifacts"]
assert seen["path"] == "/work/output/intyg/elev.pdf", seen["path"]
assert "Ada Lovelace" in seen["pdf_text"] and "Åäö" in seen["pdf_text"], seen["pdf_text"]
assert seen["pdf_images"] == 1, seen
assert len(seen["errors"]) == 6, seen["errors"]
assert all(m.startswith("Ogiltigt filnamn") for m in seen["errors"].values()), seen["errors"]
assert seen["blank"] == "Ett fel inträffade." and seen["same_class"], seen
assert seen["files"] == [{"name": "klass.csv", "path": "/work/input/klass.csv", "bytes": 9}], seen
assert seen["manifest_files"] == 1 and seen["settings"] == {"skola": "Ekskolan"}, seen
assert seen["memory_keys"] == ["settings"] and seen["action"] == [None, {}, {}], seen
assert seen["home"] == "/tmp/home" and seen["cache"].startswith("/tmp/") and seen["cache_is_dir"], seen
assert seen["result_path"] == "/work/result.json", seen
print(f"compatibility modules: PDF of {len(pdf)} bytes with text and image, six bad names refused")
PY

echo "== pandoc through pypandoc: Markdown -> .docx, opened with python-docx"
mkdir -p "$TMP/pandoc"
cat >"$TMP/pandoc/script.py" <<'PY'
from pathlib import Path

import docx
import pypandoc


def run_tool(input_dir, output_dir):
    target = Path(output_dir) / "anteckningar.docx"
    text = "# Veckobrev\n\nHej **alla** föräldrar.\n\n| Dag | Aktivitet |\n|---|---|\n| Mån | Utflykt |\n"
    pypandoc.convert_text(text, "docx", format="md", outputfile=str(target))
    document = docx.Document(str(target))
    return {"outputs": [{"kind": "json", "value": {
        "pandoc": pypandoc.get_pandoc_version(),
        "paragraphs": [[p.style.name, p.text] for p in document.paragraphs if p.text],
        "tables": len(document.tables),
    }}]}
PY
hardened "$TMP/pandoc" "$TMP/pandoc-out"
python3 - "$TMP/pandoc-out" <<'PY'
import json, pathlib, sys, zipfile

out = pathlib.Path(sys.argv[1])
result = json.loads((out / "result.json").read_text(encoding="utf-8"))
assert result["status"] == "succeeded", result
seen = result["outputs"][0]["value"]
assert ["Heading 1", "Veckobrev"] in seen["paragraphs"], seen
assert any("föräldrar" in text for _, text in seen["paragraphs"]), seen
assert seen["tables"] == 1, seen
with zipfile.ZipFile(out / "output" / "anteckningar.docx") as z:
    assert "Veckobrev" in z.read("word/document.xml").decode("utf-8")
print(f"pandoc {seen['pandoc']}: .docx with heading, text and table opened by python-docx")
PY

echo "== the seeded document examples: class certificates (PDF) and Markdown -> Word"
mkdir -p "$TMP/intyg"
cp backend/server/src/seed/class_certificate.py "$TMP/intyg/script.py"
hardened "$TMP/intyg" "$TMP/intyg-out" \
  -e SKRIPTOTEKET_INPUTS='{"names": "Ada Lovelace\nAlan Turing\n\n<b>Grace</b> Hopper", "course": "Programmering 1", "date": "2026-06-12"}'
mkdir -p "$TMP/md/input"
cp backend/server/src/seed/markdown_to_docx.py "$TMP/md/script.py"
printf '# Läsårsplan\n\n## Hösten\n\nUtflykt i **september**.\n' >"$TMP/md/input/Läsårsplan 7B.md"
hardened "$TMP/md" "$TMP/md-out"
python3 - "$TMP/intyg-out" "$TMP/md-out" <<'PY'
import json, pathlib, sys, zipfile

intyg, md = (pathlib.Path(p) for p in sys.argv[1:3])
result = json.loads((intyg / "result.json").read_text(encoding="utf-8"))
assert result["status"] == "succeeded", result
assert (intyg / "output" / "klassintyg.pdf").read_bytes().startswith(b"%PDF")
assert "3 intyg" in result["outputs"][0]["markdown"], result["outputs"]
assert "12 juni 2026" in result["outputs"][0]["markdown"], result["outputs"]
preview = result["outputs"][1]["html"]
assert "Ada Lovelace" in preview and "<b>Grace" not in preview, "names must be escaped"
result = json.loads((md / "result.json").read_text(encoding="utf-8"))
assert result["status"] == "succeeded", result
with zipfile.ZipFile(md / "output" / "Läsårsplan 7B.docx") as z:
    assert "Hösten" in z.read("word/document.xml").decode("utf-8")
assert result["outputs"][1]["rows"] == [{"rubrik": "Läsårsplan"}, {"rubrik": "Hösten"}], result["outputs"]
print("examples: klassintyg.pdf with 3 certificates, 'Läsårsplan 7B.docx' with 2 headings")
PY

echo "== hostile: a 1 TB sparse file in output/ (issue 11 finding 1)"
mkdir -p "$TMP/sparse"
cat >"$TMP/sparse/script.py" <<'PY'
import os


def run_tool(input_dir, output_dir):
    with open(os.path.join(output_dir, "big.bin"), "wb") as f:
        f.truncate(10**12)  # sparse: costs nothing on tmpfs
    with open(os.path.join(output_dir, "kvar.txt"), "w") as f:
        f.write("kvar")
    return "klart"
PY
# A broken bound would stream zeros until killed: a watchdog kills the container after 60 s.
name="skriptoteket-smoke-sparse-$$"
( sleep 60; "$ENGINE" kill "$name" >/dev/null 2>&1 ) &
watchdog=$!
start=$(date +%s%N)
hardened "$TMP/sparse" "$TMP/sparse-out" --name "$name"
sparse_ms=$(( ($(date +%s%N) - start) / 1000000 ))
kill "$watchdog" 2>/dev/null || true
python3 - "$TMP/sparse-out" "$sparse_ms" <<'PY'
import json, os, pathlib, sys

out, ms = pathlib.Path(sys.argv[1]), int(sys.argv[2])
result = json.loads((out / "result.json").read_text(encoding="utf-8"))
assert result["status"] == "succeeded", result
assert result["artifacts"] == [{"path": "output/kvar.txt", "bytes": 4}], result["artifacts"]
assert not (out / "output" / "big.bin").exists()
notices = [o["message"] for o in result["outputs"] if o["kind"] == "notice"]
assert notices == ["Filen big.bin sparades inte: den är större än 50 MB."], notices
frames = os.path.getsize(str(out) + ".frames")
assert frames < 64 * 1024, frames
assert ms < 5000, f"the run took {ms} ms"
print(f"1 TB sparse file: skipped with the notice, {frames} bytes of frames, run took {ms} ms")
PY

echo "== hostile: a link planted at the old temp name of result.json; -P for PID 1 and the child"
mkdir -p "$TMP/planted"
cat >"$TMP/planted/script.py" <<'PY'
import os
import sys


def run_tool(input_dir, output_dir):
    # The wrapper (PID 1) used to write /work/result.json.tmp-1 with open(); fd 3 is its frames.
    for fd in range(3, 8):
        suffix = "" if fd == 3 else f"-{fd}"
        os.symlink(f"/proc/self/fd/{fd}", f"/work/result.json.tmp-1{suffix}")
    return {"outputs": [], "state": {
        "pid1": open("/proc/1/cmdline").read().split("\0")[:-1],
        "child": open("/proc/self/cmdline").read().split("\0")[:-1],
        "safe_path": sys.flags.safe_path,
    }}
PY
hardened "$TMP/planted" "$TMP/planted-out"
python3 - "$TMP/planted-out" <<'PY'
import json, pathlib, sys

out = pathlib.Path(sys.argv[1])
result = json.loads((out / "result.json").read_text(encoding="utf-8"))
assert result["status"] == "succeeded", result  # the frames decoded: nothing was injected
state = result["state"]
assert state["pid1"] == ["/opt/venv/bin/python", "-B", "-P", "-m", "skriptoteket_runner"], state
assert state["child"][1:] == ["-B", "-P", "-m", "skriptoteket_runner.child"], state
assert state["safe_path"] is True, state
print("planted links ignored, result intact; PID 1 and the child run with -P")
PY

echo "runner image smoke test passed ($IMAGE on $ENGINE, hardened run in ${elapsed} ms, 1 TB sparse file in ${sparse_ms} ms)"
