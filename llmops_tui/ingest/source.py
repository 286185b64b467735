"""Reading input files: discovery, decompression, checkpoints' fingerprints, framing.

A file's checkpoint is (size, offset, fingerprint of the consumed prefix). The fingerprint
hashes the first and the last 64 KiB before the offset, not the whole prefix: re-checking a
5 GB file that is already loaded must take milliseconds, and a replaced or rotated file
differs in those samples in every case that matters (new header, new tail, shorter file).
"""

from __future__ import annotations

import gzip
import hashlib
import os
import stat
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import orjson

from llmops_tui.errors import IngestError

SAMPLE_BYTES = 64 * 1024
HEAD_BYTES = 1024 * 1024
BOM = b"\xef\xbb\xbf"

TRACE_SUFFIXES = {
    ".json",
    ".jsonl",
    ".ndjson",
    ".log",
    ".txt",
    ".pb",
    ".bin",
    ".proto",
    ".otlp",
    ".eval",  # inspect-ai's ZIP logs
}
"""Files a folder walk picks up (with or without a trailing `.gz`); named files are always read."""


def discover(paths: list[Path]) -> list[Path]:
    """Expand folders recursively (sorted, hidden entries skipped); keep named files as given."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    candidate = Path(root) / name
                    if not name.startswith(".") and _is_trace_name(candidate):
                        found.append(candidate)
        else:
            found.append(path)
    return found


def _is_trace_name(path: Path) -> bool:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    return bool(suffixes) and suffixes[-1] in TRACE_SUFFIXES


@dataclass(frozen=True, slots=True)
class FileInfo:
    path: Path
    size: int
    mtime_ns: int
    compressed: bool


def stat_file(path: Path) -> FileInfo:
    try:
        with path.open("rb") as handle:
            magic = handle.read(2)
            st = os.fstat(handle.fileno())
    except OSError as error:
        raise IngestError(str(path), f"cannot read: {error.strerror or error}") from None
    if not _is_regular(st.st_mode):
        raise IngestError(str(path), "cannot read: not a regular file")
    return FileInfo(path, st.st_size, st.st_mtime_ns, magic == b"\x1f\x8b")


def _is_regular(mode: int) -> bool:
    return stat.S_ISREG(mode)


def fingerprint(info: FileInfo, offset: int) -> str:
    """Sample-hash of the bytes before `offset` (of the compressed file for .gz)."""
    upto = info.size if info.compressed else offset
    digest = hashlib.sha256(str(upto).encode())
    with info.path.open("rb") as handle:
        digest.update(handle.read(min(SAMPLE_BYTES, upto)))
        tail_start = max(0, upto - SAMPLE_BYTES)
        handle.seek(tail_start)
        digest.update(handle.read(upto - tail_start))
    return digest.hexdigest()[:32]


def open_stream(info: FileInfo) -> BinaryIO:
    """The file's bytes, decompressed when it is gzip."""
    handle: BinaryIO = info.path.open("rb")
    if info.compressed:
        return gzip.GzipFile(fileobj=handle, mode="rb")  # type: ignore[return-value]
    return handle


def read_head(info: FileInfo) -> bytes:
    """The first MiB of content, decompressed, without a UTF-8 BOM."""
    with open_stream(info) as stream:
        try:
            head = stream.read(HEAD_BYTES)
        except (OSError, EOFError, zlib.error) as error:
            raise IngestError(str(info.path), f"cannot decompress: {error}") from None
    return head.removeprefix(BOM)


@dataclass(frozen=True, slots=True)
class LineChunk:
    """Complete lines read from a file, and where the next read starts.

    `body` holds the lines as read, without the file's UTF-8 BOM; `ends[i]` is the offset
    in `body` just past line i's newline (or past its last byte, for a last line that is
    complete JSON at the end of the file). A format DuckDB parses takes the body whole,
    lines and all, without a Python object per line."""

    first_line: int
    body: bytes | memoryview
    ends: np.ndarray
    end_offset: int
    at_eof: bool

    @property
    def line_count(self) -> int:
        return len(self.ends)

    @property
    def lines(self) -> list[bytes]:
        """The lines, without their line ends."""
        data = memoryview(self.body)
        lines = []
        start = 0
        for end in self.ends.tolist():
            lines.append(_strip_cr(data[start:end].tobytes().removesuffix(b"\n")))
            start = end
        return lines


def iter_line_chunks(
    stream: BinaryIO, *, offset: int, first_line: int, chunk_bytes: int
) -> Iterator[LineChunk]:
    """Yield chunks of whole lines from `offset`; a last line without newline is held back
    unless it is complete JSON (a writer that never ends its file with a newline).

    Each chunk is read straight into its own buffer, which becomes its `body` once the
    part-line at its end is cut off: no copy of the data in Python (three copies of a 2.4 GB
    file took ~2 s, holding the GIL the loading thread needs). The buffer is left
    uninitialised (a zero-filled one cost a pass over every byte) and its newlines are
    found in one vectorised pass, which also counts the lines and cuts the chunk."""
    _seek(stream, offset)
    pending = b""
    position = offset
    line_no = first_line
    while True:
        buffer = np.empty(len(pending) + chunk_bytes, np.uint8)
        buffer[: len(pending)] = np.frombuffer(pending, np.uint8)
        try:
            with buffer.data as whole, whole[len(pending) :] as free:
                read = stream.readinto(free)  # type: ignore[attr-defined]  # files and gzip have it
        except (OSError, EOFError, zlib.error) as error:
            raise IngestError(str(getattr(stream, "name", "?")), f"cannot read: {error}") from None
        if not read:
            data = pending
            if data and _is_complete_json(data):
                line = _clean(data, position)
                yield LineChunk(line_no, line, _offsets(len(line)), position + len(data), True)
            else:
                yield LineChunk(line_no, b"", _offsets(), position, True)
            return
        filled = len(pending) + read
        # `pending` holds no newline (it is what followed the last one): scan the new bytes.
        ends = line_ends(buffer[len(pending) : filled])
        ends += len(pending)
        if not len(ends):
            pending = buffer[:filled].tobytes()
            continue
        size = int(ends[-1])
        pending = buffer[size:filled].tobytes()
        body = buffer.data[:size]
        if position == 0 and body[: len(BOM)] == BOM:
            body = body[len(BOM) :]
            ends -= len(BOM)
        yield LineChunk(line_no, body, ends, position + size, False)
        position += size
        line_no += len(ends)


_NEWLINE = ord("\n")


def line_ends(data: np.ndarray | bytes) -> np.ndarray:
    """The offset just past every newline of `data`, in one vectorised pass."""
    ends = np.flatnonzero(np.frombuffer(data, np.uint8) == _NEWLINE)
    ends += 1
    return ends


def _offsets(*offsets: int) -> np.ndarray:
    return np.array(offsets, np.int64)


def _seek(stream: BinaryIO, offset: int) -> None:
    # GzipFile seeks forward by decompressing, which is what resuming a .gz needs.
    if offset:
        stream.seek(offset)


def _clean(line: bytes, position: int) -> bytes:
    return _strip_cr(line.removeprefix(BOM) if position == 0 else line)


def _strip_cr(line: bytes) -> bytes:
    return line[:-1] if line.endswith(b"\r") else line


def _is_complete_json(data: bytes) -> bool:
    try:
        orjson.loads(data)
    except orjson.JSONDecodeError:
        return False
    return True


def read_rest(stream: BinaryIO, *, offset: int) -> bytes:
    """Everything after `offset`: for whole-object framings (pretty JSON, protobuf)."""
    _seek(stream, offset)
    try:
        data = stream.read()
    except (OSError, EOFError, zlib.error) as error:
        raise IngestError(str(getattr(stream, "name", "?")), f"cannot read: {error}") from None
    return data.removeprefix(BOM) if offset == 0 else data
