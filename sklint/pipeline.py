"""The one pipeline: ingest -> Message -> detectors -> Findings -> message rules -> suppression.

Reporters and fixers take the FileResults this returns.
"""
from __future__ import annotations

import hashlib
import re
import time
from pathlib import Path
from typing import Iterable, Optional

from .config import Config
from .context import apply_context
from .detect import DetectContext
from .detect.categories import detect_categories
from .detect.names import detect_persons
from .detect.ner import NlpEngine
from .detect.patterns import detect_identifiers
from .ingest import IngestError, read_bytes, read_path
from .locate import describe
from .ingest._common import DEFAULT_LIMITS
from .model import Checked, FileResult, Finding, Message
from .registry import Registry, load_registry
from .rules import apply_message_rules
from .split import shift, unread_from, window_message, windows, without_unread
from .suppress import apply_suppressions, drop_allowed


WINDOW_CHARS = 250_000  # a message longer than this is read a window at a time
DEFAULT_CHECK_SECONDS = DEFAULT_LIMITS["max-check-seconds"]


class Engine:
    """One per process: the config, the registry and the lazily loaded NLP."""

    def __init__(self, config: Config, registry: Optional[Registry] = None,
                 nlp: Optional[NlpEngine] = None, window_chars: int = 0):
        self.config = config
        self.window_chars = window_chars or WINDOW_CHARS  # the service's long lane reads smaller ones
        self.registry = registry or load_registry()
        self.nlp = nlp or NlpEngine(config.ner_model, config.ner_enabled,
                                    second_opinion=config.ner_second_opinion)
        self.ctx = DetectContext(config=config, registry=self.registry, nlp=self.nlp)

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
        if sum(len(p.text) for p in message.parts) <= self.window_chars:
            return message, self._detect(message)
        found: list[Finding] = []
        seen: dict[tuple[str, bytes], list[Finding]] = {}
        plan = windows(message, self.window_chars)
        prefetch = getattr(self.nlp, "prefetch", None)
        nxt = window_message(message, plan[0])
        for i, w in enumerate(plan):
            if i and deadline is not None and time.monotonic() > deadline:
                unread = unread_from(plan[i:])
                found += self._unread(message, unread)
                return without_unread(message, unread), resolve_overlaps(found)
            sub, keep, off = nxt, w[1], w[2]
            nxt = window_message(message, plan[i + 1]) if i + 1 < len(plan) else None
            if prefetch is not None:  # an NER in other processes: this window, then the next
                prefetch(_texts(sub))
                if nxt is not None:
                    prefetch(_texts(nxt))
            key = (keep, _digest(sub.parts[-1].text)) if keep is not None else None
            if key is not None and key in seen:
                local = seen[key]
            else:
                local = [f for f in self._detect(sub) if keep is None or f.part == keep]
                if key is not None:
                    seen[key] = local
            found += [shift(f, off) for f in local] if off else local
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
        anchors = persons + [f for f in findings if _identifies_someone(f)]
        findings += persons
        for part in message.parts:
            findings += detect_categories(part, self.ctx, [f for f in anchors if f.part == part.id])
        findings = resolve_overlaps(findings)
        return findings

    def deadline(self, started: Optional[float] = None) -> float:
        """When checking a file that started at `started` (time.monotonic()) must stop reading."""
        seconds = self.config.limit("max-check-seconds", DEFAULT_CHECK_SECONDS)
        return (time.monotonic() if started is None else started) + seconds

    def check_message(self, message: Message, path: Optional[str] = None,
                      deadline: Optional[float] = None,
                      detected: Optional[tuple[Message, list[Finding]]] = None) -> Checked:
        """Every stage after reading, in order. `detected` is (the message as read, its detector
        findings) when they were computed elsewhere (the runner's workers), else they are
        computed here."""
        full = message
        if detected is not None:
            message, findings = detected[0], list(detected[1])
        else:
            message, findings = self.read_within(message, deadline if deadline is not None else self.deadline())
        path = path or message.source
        allowed: set[str] = set()
        findings += notes_as_findings(message, self.registry)
        findings = drop_allowed(message, findings, self.config, path, allowed)
        findings = apply_context(message, findings, self.registry, self.config)
        new = apply_message_rules(message, findings, self.ctx)
        findings += drop_allowed(message, new, self.config, path, allowed)
        findings = apply_suppressions(message, findings, self.config, self.registry, path)
        findings = [with_position(full, f) for f in findings]
        return Checked(message, tuple(sorted(findings, key=_order(full))), frozenset(allowed))

    def check_path(self, path: str | Path, display: Optional[str] = None) -> FileResult:
        shown = display or str(path)
        started = time.monotonic()
        try:
            message = read_path(Path(path), self.config)
        except IngestError as exc:
            return FileResult(path=shown, kind=_kind_guess(str(path)), error=str(exc))
        return FileResult.of(shown, message, self.check_message(message, shown, self.deadline(started)))

    def check_bytes(self, data: bytes, name: str, deadline: Optional[float] = None) -> FileResult:
        deadline = deadline if deadline is not None else self.deadline()
        try:
            message = read_bytes(data, name, self.config)
        except IngestError as exc:
            return FileResult(path=name, kind=_kind_guess(name), error=str(exc))
        return FileResult.of(name, message, self.check_message(message, name, deadline))


_OWN_IDENTIFIERS = ("NHS_NUMBER", "NI_NUMBER", "DATE_OF_BIRTH")
_MOBILE = re.compile(r"^\s*(?:\+\s?44\s?(?:\(0\)\s?)?|0044\s?|0)7")


def _identifies_someone(f: Finding) -> bool:
    """An identifier that belongs to one person (an NHS or NI number, a date of birth, a mobile
    number): a sentence that holds one is about someone even when their name was not recognised,
    so a health or safeguarding detail beside it is reported with or without the name."""
    return f.entity in _OWN_IDENTIFIERS or (f.entity == "PHONE_NUMBER" and bool(_MOBILE.match(f.match)))


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=20).digest()


def _texts(message: Message) -> list[str]:
    return [p.text for p in message.parts if p.kind != "headers" and p.text and p.text.strip()]


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
    return describe(part, f.with_(line=line, column=col, quoted=f.quoted or part.is_quoted(f.start, f.end)))


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
