"""Framing of the wrapper's stdout: 1 type byte + 4-byte big-endian length + payload.

The host attaches to the container's stdout and demultiplexes these frames; nothing else may
ever be written to that stream.
"""
from __future__ import annotations

import os
import struct
import threading

STDOUT = b"O"  # tool stdout bytes
STDERR = b"E"  # tool stderr bytes
RESULT = b"R"  # a chunk of the result tar
PROGRESS = b"P"  # the tool's latest progress, JSON {"done", "total", "stage"}
END = b"X"  # end of stream, JSON payload

MAX_PAYLOAD = 64 * 1024
_HEADER = struct.Struct(">cI")


class FrameWriter:
    """Writes frames to a file descriptor; safe to share between threads."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._lock = threading.Lock()
        self.broken = False  # the host went away; keep running but stop writing

    def send(self, kind: bytes, payload: bytes) -> None:
        # Large payloads are split so that no frame exceeds MAX_PAYLOAD.
        for start in range(0, max(len(payload), 1), MAX_PAYLOAD):
            chunk = payload[start : start + MAX_PAYLOAD]
            self._write_all(_HEADER.pack(kind, len(chunk)) + chunk)

    def _write_all(self, data: bytes) -> None:
        # One lock per frame keeps frames from different threads from interleaving. os.write on a
        # pipe is unbuffered, so every frame reaches the host immediately (live streaming).
        with self._lock:
            if self.broken:
                return
            view = memoryview(data)
            try:
                while view:
                    written = os.write(self._fd, view)
                    view = view[written:]
            except OSError:
                self.broken = True


class ResultTarStream:
    """A write-only file object for tarfile that emits the bytes as R frames."""

    def __init__(self, frames: FrameWriter) -> None:
        self._frames = frames
        self._buffer = bytearray()

    def write(self, data: bytes) -> int:
        self._buffer += data
        while len(self._buffer) >= MAX_PAYLOAD:
            self._frames.send(RESULT, bytes(self._buffer[:MAX_PAYLOAD]))
            del self._buffer[:MAX_PAYLOAD]
        return len(data)

    def flush(self) -> None:
        if self._buffer:
            self._frames.send(RESULT, bytes(self._buffer))
            self._buffer.clear()

    def close(self) -> None:
        self.flush()


def read_frames(stream):
    """Yield (kind, payload) from a binary stream; used by tests and tools/decode_frames.py."""
    while True:
        header = _read_exact(stream, _HEADER.size)
        if not header:
            return
        kind, length = _HEADER.unpack(header)
        payload = _read_exact(stream, length)
        if len(payload) != length:
            raise EOFError("truncated frame")
        yield kind, payload


def _read_exact(stream, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = stream.read(size - len(data))
        if not chunk:
            if data and len(data) < size and size == _HEADER.size:
                raise EOFError("truncated frame header")
            return data
        data += chunk
    return data
