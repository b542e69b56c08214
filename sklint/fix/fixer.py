"""`sklint fix`: run the real pipeline on each file, turn its findings into replacements, write
the document back in its own format.

Two passes: the first reads every file and runs the checks (so new codes can start after the
highest SKC code in any of the documents being fixed); the second gives codes and rewrites.
Reports name codes, parts and counts, never a name or a matched string.
"""
from __future__ import annotations

import datetime as _dt
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from ..entities import with_trait
from ..model import Finding, Message, Part
from .formats import EmlDoc, FixDoc, Unfixable, load
from .generalise import fixed_marker_re, replacements
from .people import People
from .register import Register, doc_lookup
from .textmap import Group, sweep, sweep_string



@dataclass
class Review:
    code: str
    part: str
    line: int


@dataclass
class Prepared:
    path: Path
    display: str
    doc: Optional[FixDoc] = None
    error: Optional[str] = None
    findings: dict[str, list[Finding]] = field(default_factory=dict)  # group key -> findings
    part_text: dict[str, str] = field(default_factory=dict)  # group key -> text the offsets index
    max_code: int = 0
    extra: set[str] = field(default_factory=set)  # groups no ingest part covers (checked here)
    original: bytes = b""


@dataclass
class Outcome:
    path: Path
    display: str
    error: Optional[str] = None
    data: Optional[bytes] = None  # the rewritten file (None: unchanged or error)
    replaced: int = 0
    people: int = 0
    new_codes: int = 0
    unplaced: int = 0
    swept: int = 0
    rounds: int = 1
    review: list[Review] = field(default_factory=list)
    diff: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.data is not None


def wanted(f: Finding, categories: bool) -> bool:
    if f.start is None or f.end is None or f.end <= f.start:
        return False
    if f.severity == "info" and f.context is None:  # notes; a finding the message's context
        return False  # lowered (a correspondent, a signature) is still personal data to rewrite
    if f.entity in with_trait("fixable"):
        return True
    return bool(categories and f.category and f.code.startswith("SK2"))


def resolve(spans: list[tuple[int, int, str, str]]) -> list[tuple[int, int, str, str]]:
    """Non-overlapping spans: the longer wins; at equal length an identifier beats a category."""
    order = sorted(spans, key=lambda s: (-(s[1] - s[0]), s[2].startswith("category:"), s[0]))
    kept: list[tuple[int, int, str, str]] = []
    for s in order:
        if any(s[0] < k[1] and k[0] < s[1] for k in kept):
            continue
        kept.append(s)
    return sorted(kept)


class Fixer:
    def __init__(self, engine, register: Register, secret: Optional[bytes], opts: dict,
                 today: Optional[_dt.date] = None):
        self.engine = engine
        self.register = register
        self.secret = secret
        self.opts = opts
        self.today = today
        self.marker = fixed_marker_re(opts["prefix"])
        self.code_re = re.compile(rf"\b{re.escape(opts['prefix'])}-(\d{{3,7}})\b")
        self.categories = bool(opts.get("generalise-categories"))

    # -- pass 1 -----------------------------------------------------------------------------
    def prepare(self, path: Path, display: str, data: Optional[bytes] = None) -> Prepared:
        prep = Prepared(path, display)
        if data is None:
            try:
                data = path.read_bytes()
            except OSError as exc:
                prep.error = f"cannot read: {exc.strerror}"
                return prep
        prep.original = data
        try:
            doc = load(data, path.name)
        except Unfixable as exc:
            prep.error = f"cannot be fixed: {exc}"
            return prep
        result = self.engine.check_bytes(data, display)
        if result.error:
            prep.error = f"cannot be fixed: {result.error}"
            return prep
        message = result.message
        groups = {g.key: g for g in doc.all_groups()}
        parts = {p.id: p for p in (message.parts if message else ())}
        by_part: dict[str, list[Finding]] = {}
        for f in result.findings:
            if wanted(f, self.categories):
                by_part.setdefault(f.part, []).append(f)
        unfixable = doc.all_unfixable() if isinstance(doc, EmlDoc) else {}
        problems = []
        left_out: dict[str, str] = {}  # attachment -> why it is replaced by a note
        for pid, fs in by_part.items():
            if pid in groups:
                prep.findings[pid] = fs
                prep.part_text[pid] = parts[pid].text if pid in parts else groups[pid].text
                continue
            owner = _owner(pid, groups)
            if owner is not None:  # e.g. an archive member inside an attachment we do rewrite
                why = "a file inside it cannot be rewritten member by member"
                target = owner
            else:
                why = unfixable.get(pid) or "sklint fix cannot rewrite this part"
                target = pid
            if isinstance(doc, EmlDoc) and target.startswith(("attachment:", "body/")):
                left_out.setdefault(target, f"{why} ({len(fs)} finding{'s' if len(fs) != 1 else ''} in it)")
            else:
                problems.append(f"{pid}: {why}")
        # an email is rewritten where it can be; an attachment it cannot rewrite that holds
        # personal data is left out (replaced by a note saying why), never passed on as it was
        for target, why in left_out.items():
            if not doc.remove(target, why):
                problems.append(f"{target}: {why}")
            else:
                for k in [k for k in prep.findings if k == target or k.startswith(target + "/")]:
                    del prep.findings[k]
        if problems:
            prep.error = "cannot be fixed: " + "; ".join(problems) + \
                " (remove or convert the attachment, then fix again)"
            return prep
        # text no part covers (an HTML alternative, parts the reader skipped): check it here
        extra = [g for k, g in groups.items() if k not in parts and g.text.strip()]
        prep.extra = {g.key for g in extra}
        if extra:
            msg = Message(source=display, kind=result.kind,
                          parts=tuple(Part(id=g.key, kind="attachment" if g.key.startswith("attachment:") else "body",
                                           text=g.text) for g in extra))
            for f in self.engine.check_message(msg, display).findings:
                if wanted(f, self.categories):
                    prep.findings.setdefault(f.part, []).append(f)
                    prep.part_text[f.part] = groups[f.part].text
        for pid in list(prep.findings):
            prep.findings[pid] = [f for f in prep.findings[pid]
                                  if not self._is_fixed(prep.part_text[pid], f.start, f.end)]
        texts = [g.text for g in groups.values()] + [p.text for p in parts.values()]
        nums = [int(m.group(1)) for t in texts for m in self.code_re.finditer(t)]
        prep.max_code = max(nums, default=0)
        for k in parts:
            if k not in groups and k not in ("headers",) and k not in left_out:
                doc.notes.append(f"{k}: read by sklint but not rewritten (nothing to fix in it)")
        prep.doc = doc
        return prep

    def _is_fixed(self, text: str, start: int, end: int) -> bool:
        """A span that is (or is inside) text sklint fix wrote: an SKC code or a placeholder."""
        lo = max(0, start - 40)
        for m in self.marker.finditer(text, lo, min(len(text), end + 40)):
            if m.start() < end and start < m.end():
                return True
        return False

    # -- pass 2 -----------------------------------------------------------------------------
    def fix(self, prep: Prepared, floor: int, want_diff: bool = False, rounds: int = 3) -> Outcome:
        """Fix, then check the result again and fix what that finds, until nothing changes (at
        most `rounds` times): the file written is one that a further fix leaves as it is."""
        out = self._fix_once(prep, floor)
        data = out.data
        n = 1
        while data is not None and out.error is None and n < rounds:
            again = self.prepare(prep.path, prep.display, data)
            if again.error:
                break
            nxt = self._fix_once(again, floor)
            n += 1
            if nxt.error or nxt.data is None or nxt.data == data:
                break
            data = nxt.data
            out.replaced += nxt.replaced
            out.swept += nxt.swept
            out.new_codes += nxt.new_codes
            out.people += nxt.new_codes
            out.unplaced += nxt.unplaced
            out.review += nxt.review
            out.rounds = n
        out.data = data
        if want_diff and out.error is None:
            out.diff = self._diff(prep, data)
        return out

    def _fix_once(self, prep: Prepared, floor: int) -> Outcome:
        out = Outcome(prep.path, prep.display)
        if prep.error or prep.doc is None:
            out.error = prep.error
            return out
        doc = prep.doc
        groups = {g.key: g for g in doc.all_groups()}
        people = People(prep.display)
        forms = [f.match for fs in prep.findings.values() for f in fs if f.entity == "PERSON"]
        people.build(forms)
        new = people.assign(self.register, self.secret, floor)
        out.people = len(people.persons)
        out.new_codes = len(new)
        if self.secret is not None:
            dl = doc_lookup(self.secret, prep.display)
            for p in people.persons:
                self.register.saw(p.code, dl)
        pairs: list[tuple[str, str]] = []  # from the parts sklint check reads: swept everywhere
        extra_pairs: list[tuple[str, str]] = []  # from text only fix reads: swept only there
        first_seen: dict[str, tuple[str, int]] = {}
        covered_keys = set()
        for key, fs in prep.findings.items():
            group = groups[key]
            ptext = prep.part_text[key]
            spans = resolve([(f.start, f.end, f.entity or f"category:{f.category}", f.match) for f in fs])
            values = replacements(ptext, [(s, e, k) for s, e, k, _ in spans], people.code_for,
                                  self.opts, self.today)
            for (s, e, kind, match), value in zip(spans, values):
                loc = group.locate(ptext, s, e)
                if loc is None or not group.replace(loc[0], loc[1], value):
                    out.unplaced += 1
                    continue
                out.replaced += 1
                covered_keys.add(key)
                surface = ptext[s:e]
                into = extra_pairs if key in prep.extra else pairs
                if kind == "PERSON" and not _ambiguous(surface):
                    into.append((surface, value))
                elif kind in with_trait("fixable") and kind not in ("PERSON", "AGE") and len(surface.strip()) >= 4:
                    into.append((surface, value))
                if kind == "PERSON":
                    code = people.code_for(match)
                    if code and code not in first_seen:
                        first_seen[code] = (key, ptext.count("\n", 0, s) + 1)
        # the same strings everywhere else in the document: other occurrences the detectors did
        # not report, and text no part covers (an HTML alternative), so every copy is consistent
        for key, group in groups.items():
            use = pairs + extra_pairs if key in prep.extra else pairs
            if use:
                out.swept += sweep(group, use)
        pairs = pairs + extra_pairs
        for p in people.persons:
            if p.review and p.code in first_seen:
                part, line = first_seen[p.code]
                out.review.append(Review(p.code, part, line))
        renamed = doc.rename(lambda s: sweep_string(s, pairs)) if pairs else doc.rename(lambda s: s)
        if pairs:
            doc.properties(lambda s: sweep_string(s, pairs))
        if doc.changed() or renamed:
            try:
                data = doc.to_bytes()
                doc.verify(data)
            except Unfixable as exc:
                out.error = f"cannot be fixed: {exc}"
                return out
            except Exception as exc:  # noqa: BLE001 - a writer failure must not write a half file
                out.error = f"cannot be fixed: the rewrite failed ({type(exc).__name__})"
                return out
            out.data = data
        out.notes = list(doc.notes)
        return out

    def _diff(self, prep: Prepared, data: Optional[bytes]) -> str:
        """Unified diff of the text sklint reads, before and after."""
        from ..ingest import IngestError, read_bytes
        if data is None:
            return ""
        try:
            a = read_bytes(prep.original, prep.display, self.engine.config)
            b = read_bytes(data, prep.display, self.engine.config)
        except IngestError:
            return ""
        after = {p.id: p.text for p in b.parts}
        chunks = []
        for part in a.parts:
            new = after.get(part.id, "")
            if new == part.text:
                continue
            for line in difflib.unified_diff(part.text.splitlines(keepends=True), new.splitlines(keepends=True),
                                             f"{prep.display} ({part.id})", f"{prep.display} ({part.id}, fixed)"):
                chunks.append(line if line.endswith("\n") else line + "\n")
        return "".join(chunks)


# Words that are names and also ordinary words: only replaced where a detector reported them.
_AMBIGUOUS = {
    "may", "june", "april", "august", "will", "grace", "hope", "penny", "faith", "joy", "mark",
    "bill", "rose", "summer", "autumn", "dawn", "eve", "amber", "holly", "ivy", "iris", "daisy",
    "frank", "pat", "sue", "ray", "rob", "sandy", "crystal", "star", "chase", "art", "pearl",
    "ruby", "sky", "rain", "river", "storm", "sunny", "honey", "angel", "bob", "dot", "jolly",
    "victoria", "carol", "heather", "olive", "hazel", "robin", "jay", "drew", "lane", "hall",
    "bishop", "church", "king", "young", "green", "brown", "white", "black", "wood", "hill",
}


def _ambiguous(surface: str) -> bool:
    from .people import strip_possessive
    words = strip_possessive(" ".join(surface.split()))[0].split()
    return (len(words) == 1 and words[0].strip(".,").lower() in _AMBIGUOUS) or len(surface.strip()) < 3


def _owner(pid: str, groups: dict[str, Group]) -> Optional[str]:
    for k in groups:
        if pid.startswith(k + "/"):
            return k
    return None
