"""Special-category and safeguarding detail (rules/categories/*.yaml): lexicon + sentence scoring.

A category finding must be about an identifiable person or a specific case, so a term alone is
not enough. Every hit of a term or pattern is scored in its sentence:

    score = weight of the term or pattern          (1.0 by default; `strong` 1.5; `case` 2.0)
          + anchor: 1.0 if the same sentence names an individual, 0.5 if a neighbouring one does
          - negation (before the term, same clause)          e.g. "no safeguarding concerns"
          - hypothetical (before the term, same clause, or a question)   "if a child discloses"
          - generic (anywhere in the sentence, per category) "signs of abuse", "training"
          - aggregate (anywhere in the sentence)             "12 young people", "54%"

and reported when the score reaches THRESHOLD. An *anchor* is a PERSON finding, an SKC code, a
singular pronoun (he, she, his, her, me, my ...), a kinship word with a possessive ("his mum",
"Oluwaseun's brother", "Mum"), an individual's age ("aged 9", "(14)"), a title and surname, or a
case reference. All cue lists are data: `shared_context` (pooled over every category file: the
language-level anchors, negators, hypothetical markers, aggregates) and `context` (this category
only: generic and admin cues, extra anchors).

Everything is compiled once per process (per registry and config terms): literal terms into one
token trie, patterns into one alternation of named groups, cues into one regex per kind.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Iterable, Optional

from ..model import Finding, Part

THRESHOLD = 2.0
ANCHOR_SAME = 1.0
ANCHOR_NEIGHBOUR = 0.5
WEIGHTS = {"terms": 1.0, "strong": 1.5, "case": 2.0}
DEFAULT_PENALTIES = {"negation": 2.0, "hypothetical": 1.5, "generic": 1.0, "aggregate": 2.0}
CUE_WINDOW = 10  # tokens before a hit that negation / hypothetical cues may govern

_WORD = re.compile(r"\w+")
_CLAUSE_BREAK = re.compile(r"[,;:()\u2013\u2014\[\]]|\s-\s|\bbut\b", re.I)
_QUOTE_MARK = re.compile(r"(?m)^[ \t]*(?:>[ \t]?)+")


@dataclass(frozen=True)
class _Entry:
    category: str
    code: str
    rule: str
    severity: str
    weight: float
    label: str


class _Trie:
    """Word-token trie of literal terms; a token ending in '*' matches any token with that prefix."""

    def __init__(self) -> None:
        self.root: dict = {}

    def add(self, term: str, entry: _Entry) -> None:
        toks = [t.lower() for t in re.findall(r"\w+\*?", term)]
        if not toks:
            return
        node = self.root
        for t in toks:
            if t.endswith("*"):
                node = node.setdefault("*", {}).setdefault(t[:-1], {})
            else:
                node = node.setdefault(t, {})
        node.setdefault("$", []).append(entry)

    def scan(self, tokens: list[str]) -> Iterable[tuple[int, int, _Entry]]:
        """All (first token, last token, entry) matches, overlapping ones included."""
        for i in range(len(tokens)):
            frontier = [self.root]
            j = i
            while frontier and j < len(tokens):
                tok = tokens[j]
                nxt = []
                for node in frontier:
                    child = node.get(tok)
                    if child is not None:
                        nxt.append(child)
                    for prefix, child in node.get("*", {}).items():
                        if tok.startswith(prefix):
                            nxt.append(child)
                for node in nxt:
                    for e in node.get("$", ()):
                        yield i, j, e
                frontier = nxt
                j += 1


def _alternation(items: Iterable[str], bounded: bool = True) -> Optional[re.Pattern]:
    parts = []
    for it in items:
        if not it:
            continue
        parts.append(rf"(?:(?<!\w){it}(?!\w))" if bounded else f"(?:{it})")
    if not parts:
        return None
    return re.compile("|".join(parts), re.I)


class _Compiled:
    def __init__(self, rules, extra_terms) -> None:
        self.trie = _Trie()
        self.entries: dict[str, _Entry] = {}
        pats: list[str] = []
        shared: dict[str, list[str]] = {}
        self.generic: dict[str, Optional[re.Pattern]] = {}
        self.cat_cues: dict[str, dict[str, Optional[re.Pattern]]] = {}
        self.penalties: dict[str, dict[str, float]] = {}
        by_cat = {}
        for rule in rules:
            d = rule.data
            cat = rule.category
            by_cat[cat] = rule
            for key, weight in WEIGHTS.items():
                for t in d.get(key) or ():
                    self.trie.add(t, _Entry(cat, rule.code, rule.name, rule.severity, weight, t))
            for p in d.get("patterns") or ():
                if isinstance(p, str):
                    p = {"pattern": p}
                name = f"p{len(pats)}"
                re.compile(p["pattern"], re.I)  # fail early, naming nothing else
                pats.append(f"(?P<{name}>(?<!\\w)(?:{p['pattern']})(?!\\w))")
                self.entries[name] = _Entry(cat, rule.code, rule.name, rule.severity,
                                            float(p.get("weight", 1.0)), p["pattern"])
            for k, v in (d.get("shared_context") or {}).items():
                shared.setdefault(k, []).extend(v or ())
            ctx = d.get("context") or {}
            self.cat_cues[cat] = {k: _alternation(v or ()) for k, v in ctx.items()
                                  if k not in ("penalties",)}
            pen = dict(DEFAULT_PENALTIES)
            pen.update(ctx.get("penalties") or {})
            self.penalties[cat] = pen
        for cat, terms in extra_terms:
            rule = by_cat.get(cat)
            if rule is None:
                continue
            for t in terms:
                self.trie.add(t, _Entry(cat, rule.code, rule.name, rule.severity, 1.0, t))
        self.patterns = re.compile("|".join(pats), re.I) if pats else None
        self.anchors = _alternation(shared.get("anchors", ()))
        self.not_anchors = _alternation(shared.get("not_anchors", ()))
        self.negation = _alternation(shared.get("negation", ()))
        self.hypothetical = _alternation(shared.get("hypothetical", ()))
        self.aggregate = _alternation(shared.get("aggregate", ()))
        self.shared_generic = _alternation(shared.get("generic", ()))


_CACHE: dict = {}


def _compiled(ctx) -> _Compiled:
    rules = ctx.registry.of_kind("category")
    extra = tuple(getattr(ctx.config, "category_terms", ()) or ())
    key = (id(ctx.registry), extra)
    c = _CACHE.get(key)
    if c is None:
        c = _CACHE[key] = _Compiled(rules, extra)
    return c


# -- sentences --------------------------------------------------------------------------------

_SENT_END = re.compile(r"[.!?][\"'\u201d\u2019)]*(?=\s+[\"'\u201c\u2018(]*[A-Z0-9\u00c0-\u024f])")


def sentences(text: str, blocks: tuple = ()) -> list[tuple[int, int]]:
    """Sentence-ish segments: paragraphs and block boundaries, sentence punctuation, and single
    line breaks except where the next line continues wrapped prose (starts in lower case)."""
    bounds = {0, len(text)}
    for s, e in blocks:
        bounds.add(s)
        bounds.add(e)
    for m in re.finditer(r"\n", text):
        # next line's first real character, after quote markers
        rest = _QUOTE_MARK.sub("", text[m.end():m.end() + 12], count=1).lstrip(" \t")
        if rest[:1].islower():
            continue
        bounds.add(m.end())
    for m in _SENT_END.finditer(text):
        bounds.add(m.end())
    cuts = sorted(b for b in bounds if 0 <= b <= len(text))
    out = []
    for a, b in zip(cuts, cuts[1:]):
        seg = text[a:b]
        if seg.strip():
            out.append((a, b))
    return out


# -- detection --------------------------------------------------------------------------------

def _spans(rx: Optional[re.Pattern], text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in rx.finditer(text)] if rx else []


def _clause_start(text: str, sent_start: int, pos: int) -> int:
    """Start of the clause that holds `pos` (within its sentence)."""
    seg = text[sent_start:pos]
    last = sent_start
    for m in _CLAUSE_BREAK.finditer(seg):
        last = sent_start + m.end()
    return last


def _window_start(text: str, clause_start: int, pos: int) -> int:
    words = list(_WORD.finditer(text, clause_start, pos))
    if len(words) > CUE_WINDOW:
        return words[-CUE_WINDOW].start()
    return clause_start


def _any_in(spans: list[tuple[int, int]], a: int, b: int) -> bool:
    i = bisect.bisect_left(spans, (a, -1))
    return i < len(spans) and spans[i][0] < b


def detect_categories(part: Part, ctx, persons=()) -> list[Finding]:
    text = part.text or ""
    if not text.strip():
        return []
    comp = _compiled(ctx)
    # quote markers and table/markdown pipes become spaces; offsets are kept
    norm = _QUOTE_MARK.sub(lambda m: " " * len(m.group()), text)
    sents = sentences(norm, tuple(getattr(part, "blocks", ()) or ()))
    if not sents:
        return []
    starts = [s for s, _ in sents]

    def sent_of(pos: int) -> int:
        return max(0, bisect.bisect_right(starts, pos) - 1)

    # hits: (start, end, entry)
    hits: list[tuple[int, int, _Entry]] = []
    words = list(_WORD.finditer(norm))
    toks = [w.group().lower() for w in words]
    for i, j, e in comp.trie.scan(toks):
        hits.append((words[i].start(), words[j].end(), e))
    if comp.patterns is not None:
        for m in comp.patterns.finditer(norm):
            hits.append((m.start(), m.end(), comp.entries[m.lastgroup]))
    if not hits:
        return []

    # anchors per sentence
    masked = _spans(comp.not_anchors, norm)
    anchored = [False] * len(sents)
    # an anchor that starts where a term starts is the term read as a name ("Asthma is common")
    term_starts = {h[0] for h in hits}
    anchor_spans = [sp for sp in _spans(comp.anchors, norm)
                    if not _overlaps_any(sp, masked) and sp[0] not in term_starts]
    for p in persons or ():
        if p.start is not None and p.end is not None:
            anchor_spans.append((p.start, p.end))
    for a, _b in anchor_spans:
        anchored[sent_of(a)] = True
    cat_anchor_cache: dict[str, list[bool]] = {}

    def cat_anchored(cat: str) -> list[bool]:
        if cat not in cat_anchor_cache:
            flags = list(anchored)
            rx = comp.cat_cues.get(cat, {}).get("anchors")
            for a, b in _spans(rx, norm):
                if not _overlaps_any((a, b), masked):
                    flags[sent_of(a)] = True
            cat_anchor_cache[cat] = flags
        return cat_anchor_cache[cat]

    neg = _spans(comp.negation, norm)
    hyp = _spans(comp.hypothetical, norm)
    agg = _spans(comp.aggregate, norm)
    gen_shared = _spans(comp.shared_generic, norm)
    cat_spans: dict[tuple[str, str], list[tuple[int, int]]] = {}

    def cspans(cat: str, kind: str) -> list[tuple[int, int]]:
        key = (cat, kind)
        if key not in cat_spans:
            cat_spans[key] = _spans(comp.cat_cues.get(cat, {}).get(kind), norm)
        return cat_spans[key]

    best: dict[tuple[int, str], tuple[float, int, int, _Entry]] = {}
    for start, end, e in hits:
        si = sent_of(start)
        ss, se = sents[si]
        flags = cat_anchored(e.category)
        score = e.weight
        if flags[si]:
            score += ANCHOR_SAME
        elif (si > 0 and flags[si - 1]) or (si + 1 < len(sents) and flags[si + 1]):
            score += ANCHOR_NEIGHBOUR
        pen = comp.penalties[e.category]
        cstart = _window_start(norm, _clause_start(norm, ss, start), start)
        if _any_in(neg, cstart, start) or _any_in(cspans(e.category, "negation"), cstart, start):
            score -= pen["negation"]
        sentence = norm[ss:se]
        if (_any_in(hyp, cstart, start) or _any_in(cspans(e.category, "hypothetical"), cstart, start)
                or sentence.rstrip().endswith("?")):
            score -= pen["hypothetical"]
        if _any_in(gen_shared, ss, se) or _any_in(cspans(e.category, "generic"), ss, se):
            score -= pen["generic"]
        if _any_in(agg, ss, se) or _any_in(cspans(e.category, "aggregate"), ss, se):
            score -= pen["aggregate"]
        if score < THRESHOLD:
            continue
        end = _extend_evidence(norm, end, se)
        key = (si, e.category)
        prev = best.get(key)
        if prev is None or score > prev[0] or (score == prev[0] and end - start > prev[2] - prev[1]):
            best[key] = (score, start, end, e)

    out = []
    for (_si, cat), (score, start, end, e) in sorted(best.items(), key=lambda kv: kv[1][1]):
        out.append(Finding(
            code=e.code, rule=e.rule, severity=e.severity, part=part.id, start=start, end=end,
            match=text[start:end], category=cat, confidence=round(min(1.0, score / 3.0), 2),
            message=_message(cat, part), source="lexicon",
        ))
    return out


_TRAILING_FUNCTION = re.compile(r"(?:with|of|for|on|to|from|about|as)$", re.I)
_EVIDENCE_TAIL = re.compile(r"(?:\s+[\w'\u2019\-]+){1,5}")
_TAIL_STOP = re.compile(r"[,;:.()\u2013\u2014\n]|\s(?:and|but|who|which|because|after|since|last|in|at|on)\s", re.I)


def _extend_evidence(text: str, end: int, limit: int) -> int:
    """Carry a trigger that ends in a function word ("diagnosed with", "conviction for") on to
    the words it governs, up to the end of the clause (at most five words)."""
    if not _TRAILING_FUNCTION.search(text[max(0, end - 6):end]):
        return end
    stop = _TAIL_STOP.search(text, end, limit)
    hard = stop.start() if stop else limit
    m = _EVIDENCE_TAIL.match(text, end, hard)
    return m.end() if m else end


def _overlaps_any(sp: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    a, b = sp
    return any(s < b and a < e for s, e in spans)


_LABELS = {
    "HEALTH": "Health detail", "SAFEGUARDING": "Safeguarding detail",
    "SEXUAL_ORIENTATION": "Sexual orientation", "RELIGION": "Religious belief",
    "ETHNICITY": "Ethnic origin", "POLITICAL_OPINION": "Political opinion",
    "TRADE_UNION": "Trade union membership", "GENETIC_BIOMETRIC": "Genetic or biometric data",
    "CRIMINAL_OFFENCE": "Criminal offence detail",
}


def _message(cat: str, part: Part) -> str:
    where = "the subject line" if part.kind == "subject" else (
        "an attachment" if part.kind == "attachment" else "the text")
    return (f"{_LABELS.get(cat, cat)} about an identifiable person in {where}; "
            "keep it in the secure notes system, not in email or reports")
