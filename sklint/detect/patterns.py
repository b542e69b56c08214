"""Identifier detectors driven by rules/identifiers/*.yaml: regex candidates, then a validator,
then context words (required or confidence-raising), negative context, and table columns.

Each YAML rule with `extends: pattern` may carry:

    defines: {SP: '...'}      named regex fragments; `{{SP}}` in a pattern is replaced by (?:...)
    patterns:                 list of candidate patterns, tried in order
      - id: national          short name (tests, debugging)
        regex: '...'          Python `re`; a group named `m` is the reported span, else the match
        flags: [IGNORECASE]   optional re flags
        confidence: 0.9       optional, default 0.85
        context: required     required | optional | none (default: the rule's context.required)
        validator: phone_gb   optional, overrides the rule's validator
        name_group: name      optional: a group that must look like a person's name
    validator: phone_gb       name in sklint.detect.validators.VALIDATORS
    context:                  words that make the match personal data
      words: [...]            regex fragments, matched case-insensitively as whole words
      window: 40              characters looked at before the match
      window_after: 0         ... and after it
      required: false         true: no finding without a context word (or a context header)
      headers: [...]          table column headers that count as context (Part.table_headers)
    negative_context:         words that make the match something else (an invoice number ...)
      words: [...]
      window: 30
    exclude: [...]            regexes; a match whose text fully matches one is never reported
    columns:                  cells under a matching table header are findings on their own
                              (headers from Part.table_headers, else inferred from CSV/pipe tables)
      headers: [...]          regexes, full match against the header, case-insensitive
      cell: '...'             regex, full match against the stripped cell text
    name_stoplist: [...]      capitalised words that are not names (for name_group)
    confidence_rules:         [{match: regex, confidence: 0.4}] lower/raise by the matched text
    requires_any: ['@']       cheap prefilter: skip the rule when none of these strings occur
    priority: 50              when two rules claim overlapping text the higher priority wins
    message: '...'            the finding's message
    suggestion: '...'         a placeholder, or {age_band} {outward} {birth_year}

Everything is compiled once per registry (and once per set of configured case-reference
patterns) and cached for the life of the process.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable, Optional

from ..model import Finding, Part
from .validators import VALIDATORS, digits, parse_date

_FLAGS = {"IGNORECASE": re.IGNORECASE, "MULTILINE": re.MULTILINE, "DOTALL": re.DOTALL,
          "VERBOSE": re.VERBOSE}
_DEFAULT_CONFIDENCE = 0.85


@dataclass
class _Pattern:
    id: str
    regex: re.Pattern
    confidence: float
    context: str  # required | optional | none
    validator: Optional[Callable[[str], bool]]
    name_group: Optional[str]


@dataclass
class _Rule:
    code: str
    name: str
    entity: str
    severity: str
    message: str
    suggestion: str
    priority: int
    patterns: list[_Pattern]
    context_re: Optional[re.Pattern]
    window: int
    window_after: int
    context_headers: Optional[re.Pattern]
    negative_re: Optional[re.Pattern]
    negative_window: int
    exclude: Optional[re.Pattern]
    column_headers: Optional[re.Pattern]
    column_cell: Optional[re.Pattern]
    column_validator: Optional[Callable[[str], bool]]
    name_stoplist: frozenset
    confidence_rules: list[tuple[re.Pattern, float]] = field(default_factory=list)
    requires_any: tuple[str, ...] = ()


def _words_re(words: list[str]) -> Optional[re.Pattern]:
    if not words:
        return None
    # a space in a context word matches any run of whitespace (wrapped lines, table cells)
    alts = "|".join("(?:" + re.sub(r"(?<!\\) ", r"\\s+", w) + ")" for w in words)
    return re.compile(rf"(?<![\w]){'(?:' + alts + ')'}(?![\w])", re.IGNORECASE)


def _full_re(items: list[str]) -> Optional[re.Pattern]:
    if not items:
        return None
    return re.compile("(?:" + "|".join(f"(?:{i})" for i in items) + r")\Z", re.IGNORECASE)


def _expand(regex: str, defines: dict[str, str]) -> str:
    """Replace {{NAME}} with the rule's `defines` entry NAME (non-capturing), repeatedly."""
    for _ in range(5):
        new = re.sub(r"\{\{(\w+)\}\}", lambda m: "(?:" + defines[m.group(1)] + ")", regex)
        if new == regex:
            break
        regex = new
    return regex


def _validator(name: Optional[str]) -> Optional[Callable[[str], bool]]:
    if not name:
        return None
    try:
        return VALIDATORS[name]
    except KeyError:
        raise ValueError(f"unknown validator {name!r}") from None


def _compile_rule(rule: Any) -> Optional[_Rule]:
    data: dict = rule.data
    if data.get("extends") != "pattern" or not rule.entity:
        return None
    ctx = data.get("context") or {}
    neg = data.get("negative_context") or {}
    cols = data.get("columns") or {}
    rule_validator = data.get("validator")
    default_ctx = "required" if ctx.get("required") else "optional"
    defines = data.get("defines") or {}
    pats = []
    for i, p in enumerate(data.get("patterns") or []):
        flags = 0
        for f in p.get("flags", []):
            flags |= _FLAGS[f]
        pats.append(_Pattern(
            id=p.get("id", f"p{i}"), regex=re.compile(_expand(p["regex"], defines), flags),
            confidence=float(p.get("confidence", _DEFAULT_CONFIDENCE)),
            context=p.get("context", default_ctx),
            validator=_validator(p.get("validator", rule_validator)),
            name_group=p.get("name_group"),
        ))
    return _Rule(
        code=rule.code, name=rule.name, entity=rule.entity, severity=rule.severity,
        message=data.get("message") or rule.summary, suggestion=data.get("suggestion", ""),
        priority=int(data.get("priority", 50)), patterns=pats,
        context_re=_words_re(ctx.get("words", [])), window=int(ctx.get("window", 40)),
        window_after=int(ctx.get("window_after", 0)),
        context_headers=_words_re(ctx.get("headers", [])),
        negative_re=_words_re(neg.get("words", [])), negative_window=int(neg.get("window", 30)),
        exclude=_full_re(data.get("exclude", [])),
        column_headers=_full_re(cols.get("headers", [])),
        column_cell=re.compile(cols["cell"] + r"\Z") if cols.get("cell") else None,
        column_validator=_validator(cols.get("validator", rule_validator)),
        name_stoplist=frozenset(w.lower() for w in data.get("name_stoplist", [])),
        confidence_rules=[(re.compile(c["match"], re.IGNORECASE), float(c["confidence"]))
                          for c in data.get("confidence_rules", [])],
        requires_any=tuple(data.get("requires_any", [])),
    )


@lru_cache(maxsize=8)
def compiled_rules(registry: Any) -> tuple[_Rule, ...]:
    """The pattern rules of a registry, compiled once (the registry object is the cache key)."""
    out = []
    for r in registry.rules:
        c = _compile_rule(r)
        if c is not None:
            out.append(c)
    return tuple(out)


@lru_cache(maxsize=8)
def _config_case_patterns(patterns: tuple[str, ...]) -> tuple[re.Pattern, ...]:
    return tuple(re.compile(p) for p in patterns)


# -- tables ------------------------------------------------------------------------------------

def _split_csv_line(line: str, base: int, delim: str) -> list[tuple[int, int, str]]:
    """Cells of one delimited line with their offsets (quotes stripped from the span)."""
    cells = []
    i, n = 0, len(line)
    while i <= n:
        if i < n and line[i] == '"':
            j = i + 1
            while j < n:
                if line[j] == '"':
                    if j + 1 < n and line[j + 1] == '"':
                        j += 2
                        continue
                    break
                j += 1
            cells.append((base + i + 1, base + j, line[i + 1:j]))
            k = line.find(delim, j)
            i = (k if k >= 0 else n) + 1
        else:
            k = line.find(delim, i)
            k = n if k < 0 else k
            cells.append((base + i, base + k, line[i:k]))
            i = k + 1
    return cells


def _infer_tables(part: Part) -> tuple[tuple[int, int, str], ...]:
    """Column headers for delimited text (CSV/TSV attachments, or a CSV block pasted into a
    body) and Markdown pipe tables, when the reader gave none. A table block is a run of lines
    with the same number of delimiters; its first row is the header when no cell in it is
    mostly words (fewer than half its cells hold a digit). Linear in the text."""
    text = part.text
    name = (part.filename or part.id).lower()
    delim = "\t" if name.endswith(".tsv") else ","
    if delim not in text and "|" not in text:
        return ()
    out: list[tuple[int, int, str]] = []
    lines: list[tuple[int, str]] = []
    pos = 0
    for line in text.splitlines(keepends=True):
        lines.append((pos, line.rstrip("\r\n")))
        pos += len(line)
    i = 0
    while i < len(lines):
        off, body = lines[i]
        st = body.strip()
        if st.startswith("|") and st.count("|") >= 2:
            j = i
            header = None
            while j < len(lines) and lines[j][1].strip().startswith("|"):
                segs = _pipe_cells(*lines[j])
                if all(re.fullmatch(r":?-{2,}:?", c[2]) for c in segs if c[2]):
                    pass  # the separator row
                elif header is None:
                    header = [c[2] for c in segs]
                else:
                    out.extend((s, e, h) for (s, e, _), h in zip(segs, header))
                j += 1
            i = j
            continue
        n = body.count(delim)
        if n >= 2:
            j = i + 1
            while j < len(lines) and lines[j][1].count(delim) >= n - 1 and lines[j][1].strip():
                j += 1
            if j - i >= 2:
                head = _split_csv_line(body, off, delim)
                names = [c[2].strip() for c in head]
                numeric = sum(1 for h in names if re.search(r"\d", h))
                if all(len(h) <= 40 for h in names) and names[0] and numeric * 2 < len(names) \
                        and not re.search(r"\d", names[0]):
                    for k in range(i + 1, j):
                        cells = _split_csv_line(lines[k][1], lines[k][0], delim)
                        out.extend((s, e, h) for (s, e, _), h in zip(cells, names))
                i = j
                continue
        i += 1
    return tuple(out)


def _pipe_cells(off: int, body: str) -> list[tuple[int, int, str]]:
    first = body.index("|")
    cells = []
    cur = off + first + 1
    for seg in body[first + 1:].split("|")[:-1]:
        lead = len(seg) - len(seg.lstrip())
        cells.append((cur + lead, cur + lead + len(seg.strip()), seg.strip()))
        cur += len(seg) + 1
    return cells


class _Cells:
    def __init__(self, headers: tuple[tuple[int, int, str], ...]):
        self.cells = sorted(headers)
        self.starts = [c[0] for c in self.cells]

    def header_at(self, start: int, end: int) -> Optional[str]:
        i = bisect.bisect_right(self.starts, start) - 1
        if i >= 0:
            s, e, h = self.cells[i]
            if s <= start and end <= e:
                return h
        return None


# -- suggestions -------------------------------------------------------------------------------

_NUM_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty".split())}


def _age_of(text: str) -> Optional[int]:
    d = digits(text)
    if d:
        return int(d)
    for w, n in _NUM_WORDS.items():
        if re.search(rf"\b{w}\b", text, re.IGNORECASE):
            return n
    return None


def age_band(age: int) -> str:
    if age < 20:
        lo = age // 5 * 5
        return f"aged {lo}-{lo + 4}"
    lo = age // 10 * 10
    return f"aged {lo}-{lo + 9}"


def _suggest(template: str, match: str) -> str:
    if "{age_band}" in template:
        a = _age_of(match)
        return template.replace("{age_band}", age_band(a) if a is not None else "[age removed]")
    if "{outward}" in template:
        out = re.sub(r"\s+", "", match.upper())[:-3]
        return template.replace("{outward}", out)
    if "{birth_year}" in template:
        d = parse_date(match)
        return template.replace("{birth_year}", f"born {d.year}" if d else "[date of birth removed]")
    return template


# -- detection ---------------------------------------------------------------------------------

def detect_identifiers(part: Part, ctx: Any) -> list[Finding]:
    """Every identifier (all entities but PERSON) in one part."""
    text = part.text
    if not text:
        return []
    rules = compiled_rules(ctx.registry)
    headers = part.table_headers or _infer_tables(part)
    cells = _Cells(headers) if headers else None
    cands: list[tuple[int, int, float, _Rule]] = []
    for rule in rules:
        if rule.requires_any and not any(s in text for s in rule.requires_any):
            continue
        for pat in rule.patterns:
            for m in pat.regex.finditer(text):
                if "m" in pat.regex.groupindex and m.group("m") is not None:
                    s, e = m.span("m")
                else:
                    s, e = m.span()
                if s == e:
                    continue
                conf = _accept(rule, pat, m, text, s, e, cells)
                if conf is not None:
                    cands.append((s, e, conf, rule))
        if cells is not None and rule.column_headers is not None:
            for s, e, h in headers:
                if not rule.column_headers.match(h.strip()):
                    continue
                raw = text[s:e]
                lead = len(raw) - len(raw.lstrip())
                cell = raw.strip()
                if not cell or not rule.column_cell.match(cell):
                    continue
                if rule.column_validator and not rule.column_validator(cell):
                    continue
                cands.append((s + lead, s + lead + len(cell), 0.9, rule))
    case_rule = _case_rule(rules)
    if case_rule is not None and ctx.config.case_reference_patterns:
        for rx in _config_case_patterns(tuple(ctx.config.case_reference_patterns)):
            for m in rx.finditer(text):
                if m.end() > m.start():
                    cands.append((m.start(), m.end(), 0.95, case_rule))
    return [_finding(part, s, e, conf, rule) for s, e, conf, rule in _resolve(cands)]


def _case_rule(rules: tuple[_Rule, ...]) -> Optional[_Rule]:
    for r in rules:
        if r.entity == "CASE_REFERENCE":
            return r
    return None


def _accept(rule: _Rule, pat: _Pattern, m: re.Match, text: str, s: int, e: int,
            cells: Optional[_Cells]) -> Optional[float]:
    """The confidence of a candidate, or None when it is not reported."""
    match = text[s:e]
    if rule.exclude is not None and rule.exclude.match(match):
        return None
    if pat.validator is not None and not pat.validator(match):
        return None
    if pat.name_group:
        name = m.group(pat.name_group)
        if not name or not name[0].isupper() or name.lower() in rule.name_stoplist:
            return None
    if rule.negative_re is not None:
        before = text[max(0, s - rule.negative_window):s]
        if rule.negative_re.search(before):
            return None
    conf = pat.confidence
    if pat.context != "none" and (rule.context_re is not None or rule.context_headers is not None):
        found = False
        if rule.context_re is not None:
            before = text[max(0, s - rule.window):s]
            after = text[e:e + rule.window_after] if rule.window_after else ""
            found = bool(rule.context_re.search(before) or (after and rule.context_re.search(after)))
        if not found and cells is not None and rule.context_headers is not None:
            h = cells.header_at(s, e)
            found = bool(h and rule.context_headers.search(h))
        if found:
            conf = min(1.0, conf + 0.1)
        elif pat.context == "required":
            return None
    for rx, c in rule.confidence_rules:
        if rx.search(match):
            conf = c
    return conf


def _resolve(cands: list[tuple[int, int, float, _Rule]]) -> list[tuple[int, int, float, _Rule]]:
    """One finding per span: exact duplicates merged, a match inside a longer match of the same
    rule dropped, and where two rules claim overlapping text the higher priority wins."""
    cands.sort(key=lambda c: (c[0], -(c[1] - c[0]), -c[3].priority))
    kept: list[tuple[int, int, float, _Rule]] = []
    for c in cands:
        s, e, conf, rule = c
        drop = False
        # only recent kept candidates can overlap (sorted by start)
        for i in range(len(kept) - 1, max(-1, len(kept) - 12), -1):
            ks, ke, kc, kr = kept[i]
            if ke <= s:
                continue
            if kr is rule:
                if ks <= s and e <= ke:
                    drop = True
                    break
                continue
            if rule.priority > kr.priority:
                kept.pop(i)
            else:
                drop = True
                break
        if not drop:
            kept.append(c)
    kept.sort(key=lambda c: (c[0], c[1]))
    return kept


def _finding(part: Part, s: int, e: int, conf: float, rule: _Rule) -> Finding:
    match = part.text[s:e]
    return Finding(
        code=rule.code, rule=rule.name, severity=rule.severity, part=part.id, start=s, end=e,
        match=match, message=rule.message, entity=rule.entity,
        suggestion=_suggest(rule.suggestion, match) or None, confidence=round(conf, 2),
        source="pattern",
    )
