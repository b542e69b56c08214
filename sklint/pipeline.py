"""The one pipeline: ingest -> Message -> detectors -> Findings -> message rules -> suppression.

Reporters and fixers take the FileResults this returns.
"""
from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import Iterable, Iterator, Optional

from .config import Config
from .context import apply_context
from .detect import DetectContext
from .detect.categories import detect_categories
from .detect.names import detect_persons
from .detect.ner import NlpEngine
from .detect.patterns import detect_identifiers
from .ingest import IngestError, read_bytes, read_path
from .ingest._common import DEFAULT_LIMITS
from .model import FileResult, Finding, Message
from .registry import Registry, load_registry
from .rules import apply_message_rules
from .suppress import apply_suppressions, drop_allowed


WINDOW_CHARS = 250_000  # a message longer than this is read a window at a time
DEFAULT_CHECK_SECONDS = DEFAULT_LIMITS["max-check-seconds"]


class Engine:
    """One per process: the config, the registry and the lazily loaded NLP."""

    def __init__(self, config: Config, registry: Optional[Registry] = None,
                 nlp: Optional[NlpEngine] = None):
        self.config = config
        self.registry = registry or load_registry()
        self.nlp = nlp or NlpEngine(config.ner_model, config.ner_enabled)
        self.ctx = DetectContext(config=config, registry=self.registry, nlp=self.nlp)
        self.allow_hits: set[str] = set()  # allowlist entries that matched in this process

    # -- stages -------------------------------------------------------------------------------
    def detect(self, message: Message, deadline: Optional[float] = None) -> list[Finding]:
        return self.read_within(message, deadline)[1]

    def read_within(self, message: Message, deadline: Optional[float] = None
                    ) -> tuple[Message, list[Finding]]:
        """The detectors over the message, and the message as far as they read it.

        A message of more than WINDOW_CHARS characters is read a window at a time (`windows`),
        and reading stops at the first window that would start after `deadline`
        (time.monotonic()): the message returned then holds only the text that was read (so the
        message rules and suppression read no more than the detectors did), and each part not
        read in full has a limit-reached finding. A window identical to one already read (text
        nobody writes by hand: one word repeated for megabytes) is not read again."""
        if sum(len(p.text) for p in message.parts) <= WINDOW_CHARS:
            return message, self._detect(message)
        found: list[Finding] = []
        seen: dict[tuple[str, str], list[Finding]] = {}
        wins = list(windows(message, WINDOW_CHARS))
        prefetch = getattr(self.nlp, "prefetch", None)
        for i, (sub, keep, off) in enumerate(wins):
            if i and deadline is not None and time.monotonic() > deadline:
                unread = _unread_from(wins[i:])
                found += self._unread(message, unread)
                return _cut(message, unread), resolve_overlaps(found)
            if prefetch is not None:  # an NER in other processes: this window, then the next
                prefetch(_texts(sub))
                if i + 1 < len(wins):
                    prefetch(_texts(wins[i + 1][0]))
            key = (keep, sub.parts[-1].text) if off is not None else None
            if key is not None and key in seen:
                local = seen[key]
            else:
                local = [f for f in self._detect(sub) if keep is None or f.part == keep]
                if key is not None:
                    seen[key] = local
            found += [_shift(f, off) for f in local] if off else local
        return message, resolve_overlaps(found)

    def _unread(self, message: Message, unread: dict[str, int]) -> list[Finding]:
        rule = self.registry.get("limit-reached")
        if rule is None:
            return []
        out = []
        for pid, start in unread.items():
            part = message.part(pid)
            total = len(part.text) if part is not None else 0
            what = (f"characters {start + 1:,}-{total:,} of {total:,} ({(total - start) * 100 // max(total, 1)}%)"
                    if start else f"all {total:,} characters")
            out.append(Finding(code=rule.code, rule=rule.name, severity="info", part=pid, start=None,
                               end=None, match="", source="ingest",
                               message=f"limit-reached: the time limit ran out; {what} were not "
                                       "checked (raise [limits] max-check-seconds, or [serve] "
                                       "check-seconds in the service, to check more)"))
        return out

    def _detect(self, message: Message) -> list[Finding]:
        findings: list[Finding] = []
        prefetch = getattr(self.nlp, "prefetch", None)
        if prefetch is not None:  # an NER in other processes: start it before the patterns run
            prefetch(_texts(message))
        for part in message.parts:
            findings += detect_identifiers(part, self.ctx)
        persons = detect_persons(message, self.ctx)
        findings += persons
        for part in message.parts:
            findings += detect_categories(part, self.ctx, [f for f in persons if f.part == part.id])
        findings = resolve_overlaps(findings)
        return findings

    def deadline(self, started: Optional[float] = None) -> float:
        """When checking a file that started at `started` (time.monotonic()) must stop reading."""
        seconds = self.config.limit("max-check-seconds", DEFAULT_CHECK_SECONDS)
        return (time.monotonic() if started is None else started) + seconds

    def check_message(self, message: Message, path: Optional[str] = None,
                      deadline: Optional[float] = None) -> list[Finding]:
        full = message
        message, findings = self.read_within(message, deadline if deadline is not None else self.deadline())
        findings += notes_as_findings(message, self.registry)
        findings = drop_allowed(message, findings, self.config, path or message.source,
                                self.allow_hits)
        findings = apply_context(message, findings, self.registry, self.config)
        findings = apply_message_rules(message, findings, self.ctx)
        findings = apply_suppressions(message, findings, self.config, self.registry,
                                      path or message.source)
        findings = [with_position(full, f) for f in findings]
        return sorted(findings, key=_order(full))

    def check_path(self, path: str | Path, display: Optional[str] = None) -> FileResult:
        shown = display or str(path)
        started = time.monotonic()
        try:
            message = read_path(Path(path), self.config)
        except IngestError as exc:
            return FileResult(path=shown, kind=_kind_guess(str(path)), error=str(exc))
        return FileResult(path=shown, kind=message.kind, error=None, message=message,
                          findings=tuple(self.check_message(message, shown, self.deadline(started))))

    def check_bytes(self, data: bytes, name: str, deadline: Optional[float] = None) -> FileResult:
        deadline = deadline if deadline is not None else self.deadline()
        try:
            message = read_bytes(data, name, self.config)
        except IngestError as exc:
            return FileResult(path=name, kind=_kind_guess(name), error=str(exc))
        return FileResult(path=name, kind=message.kind, error=None, message=message,
                          findings=tuple(self.check_message(message, name, deadline)))


def _texts(message: Message) -> list[str]:
    return [p.text for p in message.parts if p.kind != "headers" and p.text and p.text.strip()]


def windows(message: Message, size: int) -> Iterator[tuple[Message, Optional[str], Optional[int]]]:
    """The message as sub-messages of about `size` characters, in order, as (sub-message, part
    kept, offset). Short parts are grouped (kept: None, offset None); a part longer than `size`
    is cut at the NER's own piece boundaries (runner.cut_points) and each piece is read with the
    subject beside it, keeping only that part's findings, shifted by `offset`. Within a window
    the detectors see everything they see in a short message; evidence does not cross windows."""
    from .runner import chunk_part, cut_points
    subject = tuple(p for p in message.parts if p.kind == "subject")
    group: list = []
    n = 0
    for p in message.parts:
        if len(p.text) <= size:
            if group and n + len(p.text) > size:
                yield replace(message, parts=tuple(group)), None, None
                group, n = [], 0
            group.append(p)
            n += len(p.text)
            continue
        if group:
            yield replace(message, parts=tuple(group)), None, None
            group, n = [], 0
        cuts = cut_points(p.text, size)
        for k, s in enumerate(cuts):
            e = cuts[k + 1] if k + 1 < len(cuts) else len(p.text)
            yield replace(message, parts=subject + (chunk_part(p, s, e),)), p.id, s
    if group:
        yield replace(message, parts=tuple(group)), None, None


def _unread_from(rest) -> dict[str, int]:
    """Part id -> offset of the first character not read, from the windows not read."""
    first: dict[str, int] = {}
    for sub, keep, off in rest:
        for p in sub.parts:
            if keep is None or p.id == keep:
                first.setdefault(p.id, off or 0)
    return first


def _cut(message: Message, unread: dict[str, int]) -> Message:
    """The message without the text that was not read."""
    from .runner import chunk_part
    parts = []
    for p in message.parts:
        if p.id not in unread:
            parts.append(p)
        elif unread[p.id] > 0:
            parts.append(chunk_part(p, 0, unread[p.id]))
    return replace(message, parts=tuple(parts))


def _shift(f: Finding, off: int) -> Finding:
    if f.start is None:
        return f
    return f.with_(start=f.start + off, end=f.end + off, line=None, column=None)


def notes_as_findings(message: Message, registry: Registry) -> list[Finding]:
    out = []
    for note in message.notes:
        rule = registry.get(note.code)
        if rule is None:
            continue
        out.append(Finding(code=rule.code, rule=rule.name, severity="info", part=note.part,
                           start=None, end=None, match="", message=note.message, source="ingest"))
    return out


def resolve_overlaps(findings: Iterable[Finding]) -> list[Finding]:
    """Drop exact duplicates and entity findings wholly inside a longer entity finding of the
    same part (keeping the more specific/longer one). Category findings are kept as they are."""
    ents = sorted((f for f in findings if f.entity), key=lambda f: (f.part, f.start, -(f.end - f.start)))
    others = [f for f in findings if not f.entity]
    kept: list[Finding] = []
    for f in ents:
        dominated = False
        for k in kept[-8:]:
            if k.part == f.part and k.start <= f.start and f.end <= k.end and \
                    (k.end - k.start > f.end - f.start or k.entity == f.entity):
                if _compatible(k, f):
                    dominated = True
                    break
        if not dominated:
            kept.append(f)
    seen = set()
    uniq = []
    for f in others:
        key = (f.code, f.part, f.start, f.end, f.category)
        if key not in seen:
            seen.add(key)
            uniq.append(f)
    return kept + uniq


def _compatible(outer: Finding, inner: Finding) -> bool:
    # A postcode inside an address, an age inside a DOB line, etc. are separate identifiers:
    # keep both unless it is the same entity type or an inner PERSON/AGE inside another type.
    if outer.entity == inner.entity:
        return True
    return False


def with_position(message: Message, f: Finding) -> Finding:
    if f.start is None or f.line is not None:
        return f
    part = message.part(f.part)
    if part is None:
        return f
    line, col = part.line_col(f.start)
    return f.with_(line=line, column=col, quoted=f.quoted or part.is_quoted(f.start, f.end))


def _order(message: Message):
    order = {p.id: i for i, p in enumerate(message.parts)}

    def key(f: Finding):
        return (order.get(f.part, -1 if f.part == "headers" else len(order)),
                f.start if f.start is not None else -1, f.code)
    return key


def _kind_guess(name: str) -> str:
    ext = Path(name).suffix.lower()
    return {".eml": "email", ".msg": "email", ".xlsx": "spreadsheet", ".csv": "spreadsheet",
            ".html": "web-page", ".htm": "web-page", ".txt": "text", ".md": "text"}.get(ext, "document")
