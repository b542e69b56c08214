"""Ingest: one module per format, each giving a Message (placeholder until built)."""
from __future__ import annotations

from pathlib import Path

from ..model import Message, Part


class IngestError(Exception):
    """A file that could not be read at all; str() is the one-line reason."""


def read_path(path: Path, config) -> Message:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(f"cannot read: {exc.strerror}") from None
    return read_bytes(data, path.name, config, source=str(path))


def read_bytes(data: bytes, name: str, config, source=None) -> Message:
    text = data.decode("utf-8", errors="replace")
    return Message(source=source or name, kind="text", parts=(Part("body", "body", text),))
