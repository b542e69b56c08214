"""How a long message is cut into pieces: windows the pipeline reads one at a time
(pipeline.Engine.read_within) and pieces the runner's workers read (runner.Runner). Both cut on
the NER's own piece boundaries (ner.split_chunks), so a piece is read as it would be whole; a
finding of a piece is shifted back by the piece's offset.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Optional

from .model import Finding, Message, Part

SPLIT_CHARS = 50_000        # a part at least this long is split across the workers (jobs > 1)
MIN_CHUNK, MAX_CHUNK = 20_000, 100_000  # chunk sizes: about 4 chunks per worker, within these


def _chunk_size(n: int, jobs: int) -> int:
    return min(MAX_CHUNK, max(MIN_CHUNK, n // (jobs * 4)))


def cut_points(text: str, size: int) -> list[int]:
    """Start offsets of chunks of about `size` characters. The chunks are made of whole pieces of
    the NER's own cutting (sklint.detect.ner.split_chunks: at most 20,000 characters, cut at a
    blank line, else a line end, a sentence end or a space), so the NER sees exactly the same
    pieces whether the text is split across workers or not. The first offset is always 0."""
    from .detect.ner import split_chunks
    pieces = [off for off, _ in split_chunks(text)]
    cuts = [0]
    for off in pieces[1:]:
        if off - cuts[-1] >= size and len(text) - off >= size // 2:
            cuts.append(off)
    return cuts


def _clip(ranges, start: int, end: int):
    out = []
    for r in ranges:
        s, e = r[0], r[1]
        if e <= start or s >= end:
            continue
        out.append((max(s, start) - start, min(e, end) - start) + tuple(r[2:]))
    return tuple(out)


def chunk_part(part: Part, start: int, end: int) -> Part:
    """The piece [start, end) of a part, with its ranges clipped and shifted to the piece."""
    anchors = ()
    if part.anchors:
        # keep the anchors inside the piece, plus one at 0 so source positions stay right
        line, col = part.line_col(start)
        anchors = ((0, line, col),) + tuple(
            (o - start, ln, c) for o, ln, c in part.anchors if start < o < end)
    return replace(part, text=part.text[start:end], anchors=anchors,
                   quoted=_clip(part.quoted, start, end), blocks=_clip(part.blocks, start, end),
                   table_headers=_clip(part.table_headers, start, end))


def split_tasks(message: Message, jobs: int, split_chars: int = SPLIT_CHARS
                ) -> Optional[list[tuple[Message, Optional[str], int]]]:
    """Sub-messages to run the detectors on, as (message, part to keep or None, offset), or None
    when no part is long enough to be worth splitting."""
    big = [p for p in message.parts if len(p.text) >= split_chars]
    if not big:
        return None
    small = tuple(p for p in message.parts if len(p.text) < split_chars)
    tasks: list[tuple[Message, Optional[str], int]] = []
    if small:
        tasks.append((replace(message, parts=small), None, 0))
    for p in big:
        cuts = cut_points(p.text, _chunk_size(len(p.text), jobs))
        for k, s in enumerate(cuts):
            e = cuts[k + 1] if k + 1 < len(cuts) else len(p.text)
            tasks.append((replace(message, parts=small + (chunk_part(p, s, e),)), p.id, s))
    return tasks


def shift(f: Finding, off: int) -> Finding:
    if f.start is None or (off == 0 and f.line is None):
        return f
    return f.with_(start=f.start + off, end=f.end + off, line=None, column=None)



Window = tuple[tuple[str, ...], Optional[str], int, int]


def windows(message: Message, size: int) -> list[Window]:
    """How to read the message in windows of about `size` characters, in order, as (ids of the
    parts read whole, id of the part read in a piece or None, piece start, piece end). Short
    parts are grouped; a part longer than `size` is cut at the NER's own piece boundaries
    (runner.cut_points), each piece read with the subject beside it and only that part's
    findings kept. Within a window the detectors see everything they see in a short message;
    evidence does not cross windows. Only the plan is made here: `window_message` makes each
    sub-message when it is read, so the text is never held twice."""
    subject = tuple(p.id for p in message.parts if p.kind == "subject")
    plan: list[Window] = []
    group: list[str] = []
    n = 0
    for p in message.parts:
        if len(p.text) <= size:
            if group and n + len(p.text) > size:
                plan.append((tuple(group), None, 0, 0))
                group, n = [], 0
            group.append(p.id)
            n += len(p.text)
            continue
        if group:
            plan.append((tuple(group), None, 0, 0))
            group, n = [], 0
        cuts = cut_points(p.text, size)
        for k, start in enumerate(cuts):
            end = cuts[k + 1] if k + 1 < len(cuts) else len(p.text)
            plan.append((subject, p.id, start, end))
    if group:
        plan.append((tuple(group), None, 0, 0))
    return plan


def window_message(message: Message, w: Window) -> Message:
    ids, keep, start, end = w
    parts = [p for p in message.parts if p.id in ids]
    if keep is not None:
        parts.append(chunk_part(message.part(keep), start, end))
    return replace(message, parts=tuple(parts))


def unread_from(rest: list[Window]) -> dict[str, int]:
    """Part id -> offset of the first character not read, from the windows not read."""
    first: dict[str, int] = {}
    for ids, keep, start, _ in rest:
        for pid in ((keep,) if keep is not None else ids):
            first.setdefault(pid, start)
    return first


def without_unread(message: Message, unread: dict[str, int]) -> Message:
    """The message without the text that was not read."""
    parts = []
    for p in message.parts:
        if p.id not in unread:
            parts.append(p)
        elif unread[p.id] > 0:
            parts.append(chunk_part(p, 0, unread[p.id]))
    return replace(message, parts=tuple(parts))
