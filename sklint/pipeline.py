"""The one pipeline: ingest -> Message -> detectors -> Findings -> message rules -> suppression.

Reporters and fixers take the FileResults this returns.
"""
from __future__ import annotations

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
from .model import FileResult, Finding, Message
from .registry import Registry, load_registry
from .rules import apply_message_rules
from .suppress import apply_suppressions, drop_allowed


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
    def detect(self, message: Message) -> list[Finding]:
        findings: list[Finding] = []
        prefetch = getattr(self.nlp, "prefetch", None)
        if prefetch is not None:  # an NER in other processes: start it before the patterns run
            prefetch([p.text for p in message.parts
                      if p.kind != "headers" and p.text and p.text.strip()])
        for part in message.parts:
            findings += detect_identifiers(part, self.ctx)
        persons = detect_persons(message, self.ctx)
        findings += persons
        for part in message.parts:
            findings += detect_categories(part, self.ctx, [f for f in persons if f.part == part.id])
        findings = resolve_overlaps(findings)
        return findings

    def check_message(self, message: Message, path: Optional[str] = None) -> list[Finding]:
        findings = self.detect(message)
        findings += notes_as_findings(message, self.registry)
        findings = drop_allowed(message, findings, self.config, path or message.source,
                                self.allow_hits)
        findings = apply_context(message, findings, self.registry, self.config)
        findings = apply_message_rules(message, findings, self.ctx)
        findings = apply_suppressions(message, findings, self.config, self.registry,
                                      path or message.source)
        findings = [with_position(message, f) for f in findings]
        return sorted(findings, key=_order(message))

    def check_path(self, path: str | Path, display: Optional[str] = None) -> FileResult:
        shown = display or str(path)
        try:
            message = read_path(Path(path), self.config)
        except IngestError as exc:
            return FileResult(path=shown, kind=_kind_guess(str(path)), error=str(exc))
        return FileResult(path=shown, kind=message.kind, error=None,
                          findings=tuple(self.check_message(message, shown)), message=message)

    def check_bytes(self, data: bytes, name: str) -> FileResult:
        try:
            message = read_bytes(data, name, self.config)
        except IngestError as exc:
            return FileResult(path=name, kind=_kind_guess(name), error=str(exc))
        return FileResult(path=name, kind=message.kind, error=None,
                          findings=tuple(self.check_message(message, name)), message=message)


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
