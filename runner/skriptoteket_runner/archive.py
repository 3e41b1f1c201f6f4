"""Safe extraction of the host's input tar and the walk over output/.

The host is trusted, but extraction is still strict: a bug on the host must never let an
archive write outside the work dir or plant a link the tool could follow.
"""
from __future__ import annotations

import os
import posixpath
import stat
import tarfile


class ArchiveError(Exception):
    pass


def safe_member_path(name: str) -> str:
    """Return the normalised relative path of a tar member, or raise ArchiveError."""
    if not name or "\x00" in name:
        raise ArchiveError(f"invalid member name {name!r}")
    if name.startswith("/") or "\\" in name:
        raise ArchiveError(f"absolute or non-POSIX path {name!r}")
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if not parts or any(p == ".." for p in parts):
        raise ArchiveError(f"path escapes the work dir: {name!r}")
    return posixpath.join(*parts)


def extract_input(stream, work_dir: str) -> list[str]:
    """Extract a tar stream (regular files and directories only) into work_dir.

    `stream` should be a raw, unbuffered file: tarfile then only reads what it needs, so the
    wrapper does not depend on the host closing stdin promptly.
    Returns the relative paths of the extracted files.
    """
    extracted = []
    try:
        with tarfile.open(fileobj=stream, mode="r|") as tar:
            for member in tar:
                rel = safe_member_path(member.name)
                target = os.path.join(work_dir, rel)
                if member.isdir():
                    _makedirs(work_dir, rel)
                elif member.isreg():
                    _makedirs(work_dir, posixpath.dirname(rel))
                    source = tar.extractfile(member)
                    _write_file(target, source)
                    extracted.append(rel)
                else:
                    raise ArchiveError(f"{member.name!r} is not a regular file or directory")
    except tarfile.TarError as exc:
        raise ArchiveError(f"unreadable tar stream: {exc}") from None
    return extracted


def _makedirs(work_dir: str, rel: str) -> None:
    path = work_dir
    for part in [p for p in rel.split("/") if p]:
        path = os.path.join(path, part)
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            os.mkdir(path, 0o755)
            continue
        if not stat.S_ISDIR(st.st_mode):  # a file or link where a directory must go
            raise ArchiveError(f"{rel!r} collides with an existing non-directory")


def _write_file(target: str, source) -> None:
    # O_NOFOLLOW: never write through a link, even one created by an earlier bug.
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(target, flags, 0o644)
    except IsADirectoryError:
        raise ArchiveError(f"{target!r} collides with a directory") from None
    with os.fdopen(fd, "wb") as out:
        while True:
            chunk = source.read(1024 * 1024)
            if not chunk:
                break
            out.write(chunk)


def regular_files(root: str) -> list[tuple[str, str]]:
    """(relative POSIX path, absolute path) of every regular file under root, sorted.

    Symlinks (to files or dirs), devices, fifos and sockets are skipped; directories are walked
    without following links.
    """
    found = []
    if not os.path.isdir(root) or os.path.islink(root):
        return found

    # Iterative, so a tool cannot crash the wrapper with absurdly deep nesting.
    pending = [(root, "")]
    while pending:
        directory, prefix = pending.pop()
        try:
            entries = list(os.scandir(directory))
        except OSError:
            continue
        for entry in entries:
            rel = f"{prefix}{entry.name}"
            if entry.is_symlink():
                continue
            if entry.is_dir(follow_symlinks=False):
                pending.append((entry.path, rel + "/"))
            elif entry.is_file(follow_symlinks=False):
                found.append((rel, entry.path))
    return sorted(found)
