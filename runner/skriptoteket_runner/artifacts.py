"""Which files under output/ go back to the host, and the notice about the ones that do not.

The result stream must stay bounded whatever the tool left behind: a sparse file costs nothing
on tmpfs but would stream its full size in zeros. So every candidate is opened once (O_NOFOLLOW,
regular files only), judged on its fstat, and kept open; the tar then streams exactly the size
judged here from that descriptor, however the file changes meanwhile.

Rules, per file in path order: a name that is not UTF-8, a file that cannot be opened, a file
over max_file_bytes or a sparse file is skipped; of the rest the first max_files are kept as long
as the running total stays within max_total_bytes (a file that would pass it is skipped, a
smaller one after it may still fit). Every skipped file is named in ONE notice (Swedish, for
the teacher), capped in length.
"""
from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass

from skriptoteket_runner import archive

LIMITS_ENV = "SKRIPTOTEKET_ARTIFACT_LIMITS"
DEFAULT_LIMITS = {"max_files": 100, "max_file_bytes": 50 * 1024 * 1024,
                  "max_total_bytes": 200 * 1024 * 1024}
# A file is sparse when this much more than its allocated blocks is missing. Real files on tmpfs
# (and ext4, xfs) have at least their size allocated; the slack forgives file systems that keep
# tiny files inline or round differently.
SPARSE_SLACK = 64 * 1024
NOTICE_LIMIT = 2000  # characters of the notice (the host allows 8 KiB of UTF-8)
NAME_LIMIT = 60  # characters of one file name in the notice

# Why a file was skipped; also the order of the groups in the notice.
BAD_NAME, UNREADABLE, TOO_BIG, SPARSE, TOO_MANY, TOO_MUCH = range(6)
# The same reasons as result.json's `skipped_files.reasons` name them (the host's FileCap).
REASON_NAMES = {BAD_NAME: "name", UNREADABLE: "unreadable", TOO_BIG: "file_size", SPARSE: "sparse",
                TOO_MANY: "file_count", TOO_MUCH: "total_size"}


@dataclass(frozen=True)
class Limits:
    max_files: int
    max_file_bytes: int
    max_total_bytes: int


def limits_from_env(env=os.environ) -> Limits:
    """SKRIPTOTEKET_ARTIFACT_LIMITS, a JSON object with max_files, max_file_bytes and
    max_total_bytes (non-negative integers). Absent or malformed: DEFAULT_LIMITS; a key that is
    missing or not a non-negative integer takes its default."""
    try:
        given = json.loads(env.get(LIMITS_ENV) or "{}")
    except (ValueError, RecursionError):
        given = {}
    if not isinstance(given, dict):
        given = {}
    values = {}
    for key, default in DEFAULT_LIMITS.items():
        value = given.get(key)
        ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
        values[key] = value if ok else default
    return Limits(**values)


@dataclass
class Artifact:
    name: str  # "output/<relative path>"
    fd: int  # open, read-only, a regular file
    size: int  # what fstat said when judged; exactly this many bytes are streamed


def select(root: str, limits: Limits) -> tuple[list[Artifact], list[tuple[str, int]]]:
    """(kept artifacts with open fds — the caller closes them, skipped (relative name, reason))."""
    kept: list[Artifact] = []
    skipped: list[tuple[str, int]] = []
    total = 0
    for rel, path in archive.regular_files(root):
        try:
            rel.encode("utf-8")
        except UnicodeEncodeError:
            skipped.append((rel, BAD_NAME))
            continue
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError:
            skipped.append((rel, UNREADABLE))
            continue
        try:
            st = os.fstat(fd)
        except OSError:
            os.close(fd)
            skipped.append((rel, UNREADABLE))
            continue
        if not stat.S_ISREG(st.st_mode):  # swapped for a fifo or device since the walk
            os.close(fd)
            continue
        reason = None
        if st.st_size > limits.max_file_bytes:
            reason = TOO_BIG
        elif is_sparse(st):
            reason = SPARSE
        elif len(kept) >= limits.max_files:
            reason = TOO_MANY
        elif total + st.st_size > limits.max_total_bytes:
            reason = TOO_MUCH
        if reason is not None:
            os.close(fd)
            skipped.append((rel, reason))
            continue
        total += st.st_size
        kept.append(Artifact(f"output/{rel}", fd, st.st_size))
    return kept, skipped


def is_sparse(st: os.stat_result) -> bool:
    blocks = getattr(st, "st_blocks", None)
    if blocks is None:  # not on Linux; nothing to judge by
        return False
    return blocks * 512 + SPARSE_SLACK < st.st_size


class BoundedReader:
    """Reads exactly `size` bytes from fd for tarfile: never more, however the file grows;
    zeros if it shrank (the tar header already promised `size`)."""

    def __init__(self, fd: int, size: int) -> None:
        self._fd = fd
        self._left = size

    def read(self, n: int = -1) -> bytes:
        if n is None or n < 0 or n > self._left:
            n = self._left
        if n == 0:
            return b""
        try:
            data = os.read(self._fd, n)
        except OSError:
            data = b""
        if not data:
            data = bytes(n)  # cut short: pad, keep the stream well-formed
        self._left -= len(data)
        return data


# --- the notice -----------------------------------------------------------------------------

def _mb(n: int) -> str:
    mib = 1024 * 1024
    if n >= mib:
        return f"{n // mib} MB" if n % mib == 0 else f"{n / mib:.1f} MB".replace(".", ",")
    if n >= 1024:
        return f"{n // 1024} kB" if n % 1024 == 0 else f"{n / 1024:.1f} kB".replace(".", ",")
    return f"{n} byte"


def _reasons(limits: Limits) -> dict[int, tuple[str, str]]:
    """reason -> (the end of the sentence about one file, the heading of a group of files)."""
    most = f"{limits.max_files} fil" if limits.max_files == 1 else f"{limits.max_files} filer"
    return {
        BAD_NAME: ("namnet är inte giltig UTF-8", "Namnet är inte giltig UTF-8"),
        UNREADABLE: ("den kunde inte läsas", "Kunde inte läsas"),
        SPARSE: ("den är en gles fil (nästan bara tomrum)", "Glesa filer (nästan bara tomrum)"),
        TOO_BIG: (f"den är större än {_mb(limits.max_file_bytes)}",
                  f"Större än {_mb(limits.max_file_bytes)}"),
        TOO_MANY: (f"högst {most} sparas per körning", f"Över gränsen på {most} per körning"),
        TOO_MUCH: (f"högst {_mb(limits.max_total_bytes)} sparas sammanlagt per körning",
                   f"Över gränsen på {_mb(limits.max_total_bytes)} sammanlagt per körning"),
    }


_DECEPTIVE = {0x061C, 0xFEFF, *range(0x200B, 0x2010), *range(0x202A, 0x202F),
              *range(0x2060, 0x2065), *range(0x2066, 0x206A)}


def shown_name(rel: str) -> str:
    """A file name fit for the notice: control, bidi and zero-width characters (and undecodable
    bytes) as "?", at most NAME_LIMIT characters with the end (the extension) kept."""
    chars = [
        "?" if (ord(c) < 32 or 0x7F <= ord(c) < 0xA0 or ord(c) in _DECEPTIVE
                or 0xD800 <= ord(c) < 0xE000) else c
        for c in rel
    ]
    name = "".join(chars)
    if len(name) > NAME_LIMIT:
        tail = NAME_LIMIT // 3
        name = name[: NAME_LIMIT - tail - 1] + "…" + name[-tail:]
    return name


def skipped_summary(skipped: list[tuple[str, int]]) -> dict:
    """result.json's `skipped_files`: how many files were not sent back, and the reasons that
    applied, in notice order: {"count": 3, "reasons": ["file_size", "sparse"]}."""
    return {"count": len(skipped), "reasons": [REASON_NAMES[r] for r in sorted({why for _, why in skipped})]}


def notice(skipped: list[tuple[str, int]], limits: Limits) -> dict | None:
    """One warning notice naming the skipped files, or None when nothing was skipped.

    One file: "Filen big.bin sparades inte: den är större än 50 MB." Several: "3 filer sparades
    inte. Större än 50 MB: a.bin, b.bin. Glesa filer (nästan bara tomrum): c.bin." Each group of
    reasons gets an equal share of NOTICE_LIMIT; names that do not fit become "och N till".
    """
    if not skipped:
        return None
    reasons = _reasons(limits)
    if len(skipped) == 1:
        rel, reason = skipped[0]
        message = f"Filen {shown_name(rel)} sparades inte: {reasons[reason][0]}."
        return {"kind": "notice", "level": "warning", "message": message}
    message = f"{len(skipped)} filer sparades inte."
    groups = [(reasons[r][1], [shown_name(rel) for rel, why in skipped if why == r])
              for r in sorted({why for _, why in skipped})]
    share = (NOTICE_LIMIT - len(message)) // len(groups)
    for heading, names in groups:
        part = f" {heading}: "
        listed = 0
        for i in range(len(names)):
            left = len(names) - i - 1
            ending = f" och {left} till." if left else "."
            candidate = part + ", ".join(names[: i + 1]) + ending
            if len(candidate) > share:
                break
            listed = i + 1
        if listed:
            left = len(names) - listed
            part += ", ".join(names[:listed]) + (f" och {left} till." if left else ".")
        else:  # cannot happen with NAME_LIMIT and six reasons; stay bounded anyway
            part += f"{len(names)} st."
        message += part
    return {"kind": "notice", "level": "warning", "message": message}
