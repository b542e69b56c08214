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
    r"""One regex for a cue list. The word-boundary lookbehind is shared by every branch and
    written once, in front: the same language as one `(?<!\w)` per branch, but a position inside
    a word is rejected once instead of once per branch (several times faster on long text)."""
    parts = []
    for it in items:
        if not it:
            continue
        parts.append(rf"(?:{it})(?!\w)" if bounded else f"(?:{it})")
    if not parts:
        return None
    body = "|".join(parts)
    return re.compile(rf"(?<!\w)(?:{body})" if bounded else body, re.I)


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
        pat_source: dict[str, tuple[str, str]] = {}
        # named word lists, pooled over every category file, used in patterns and cues as
        # {{name}}: one alternation, longest first ("Sri Lankan" before "Sri")
        lists: dict[str, list[str]] = {}
        for rule in rules:
            for k, v in (rule.data.get("lists") or {}).items():
                lists.setdefault(k, []).extend([v] if isinstance(v, str) else v or ())
        self.lists = {k: "(?:" + "|".join(sorted(set(v), key=len, reverse=True)) + ")"
                      for k, v in lists.items()}
        self.words = {k: frozenset(x.lower() for x in v) for k, v in lists.items()}
        x = self.expand
        self.fields: dict[str, Optional[re.Pattern]] = {}
        self.rule_of: dict[str, tuple[str, str, str]] = {}
        for rule in rules:
            d = rule.data
            cat = rule.category
            by_cat[cat] = rule
            self.rule_of[cat] = (rule.code, rule.name, rule.severity)
            for key, weight in WEIGHTS.items():
                for t in d.get(key) or ():
                    self.trie.add(t, _Entry(cat, rule.code, rule.name, rule.severity, weight, t))
            for p in d.get("patterns") or ():
                if isinstance(p, str):
                    p = {"pattern": p}
                name = f"p{len(pats)}"
                pat = x(p["pattern"])
                pats.append(f"(?P<{name}>(?:{pat})(?!\\w))")
                pat_source[name] = (rule.name, p["pattern"])
                self.entries[name] = _Entry(cat, rule.code, rule.name, rule.severity,
                                            float(p.get("weight", 1.0)), p["pattern"])
            for k, v in (d.get("shared_context") or {}).items():
                shared.setdefault(k, []).extend(x(c) for c in v or ())
            ctx = d.get("context") or {}
            self.cat_cues[cat] = {k: _alternation(x(c) for c in v or ()) for k, v in ctx.items()
                                  if k not in ("penalties", "fields")}
            labels = [x(c) for c in ctx.get("fields") or ()]
            self.fields[cat] = (re.compile(r"[ \t*#>|]*(?:" + "|".join(labels) + r")[ \t]*[:*]?[ \t]*", re.I)
                                if labels else None)
            pen = dict(DEFAULT_PENALTIES)
            pen.update(ctx.get("penalties") or {})
            self.penalties[cat] = pen
        for cat, terms in extra_terms:
            rule = by_cat.get(cat)
            if rule is None:
                continue
            for t in terms:
                self.trie.add(t, _Entry(cat, rule.code, rule.name, rule.severity, 1.0, t))
        # the shared lookbehind is written once, in front (see _alternation)
        try:
            self.patterns = re.compile("(?<!\\w)(?:" + "|".join(pats) + ")", re.I) if pats else None
        except re.error:  # name the pattern at fault (each is compiled alone only now: it is slow)
            for name, (rule_name, src) in pat_source.items():
                try:
                    re.compile(self.expand(src), re.I)
                except re.error as exc:
                    raise re.error(f"{rule_name}: bad pattern {src!r}: {exc}") from None
            raise
        self.anchors = _alternation(shared.get("anchors", ()))
        self.not_anchors = _alternation(shared.get("not_anchors", ()))
        self.negation = _alternation(shared.get("negation", ()))
        self.hypothetical = _alternation(shared.get("hypothetical", ()))
        self.aggregate = _alternation(shared.get("aggregate", ()))
        self.shared_generic = _alternation(shared.get("generic", ()))


    def expand(self, pattern: str) -> str:
        """Replace each {{name}} with its pooled word list."""
        return _LIST_REF.sub(lambda m: self.lists[m.group(1)], pattern)


_LIST_REF = re.compile(r"\{\{(\w+)\}\}")
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


def _table_rows(part: Part) -> list[tuple[int, int]]:
    """Row spans of a table part from its per-cell column headers: a row ends where a column
    header comes round again."""
    cells = sorted(getattr(part, "table_headers", ()) or ())
    rows: list[tuple[int, int]] = []
    seen: set[str] = set()
    start = end = None
    for c_start, c_end, header in cells:
        if start is None or header in seen or c_start < (end or 0):
            if start is not None:
                rows.append((start, end))
            start, seen = c_start, set()
        seen.add(header)
        end = c_end
    if start is not None:
        rows.append((start, end))
    return rows


WINDOW_CHARS = 200_000  # a long part is read in windows of about this size: memory stays bounded


def detect_categories(part: Part, ctx, persons=()) -> list[Finding]:
    """Category findings of one part. A part longer than two windows is cut at paragraph
    boundaries and read window by window (categories are judged per sentence and its
    neighbours, so a paragraph cut loses nothing a reader would join), keeping memory bounded
    on a 20 MB file."""
    text = part.text or ""
    if len(text) <= 2 * WINDOW_CHARS:
        return _detect_categories(part, ctx, persons)
    from dataclasses import replace
    from .ner import split_chunks
    out: list[Finding] = []
    for off, piece in split_chunks(text, WINDOW_CHARS):
        end = off + len(piece)
        sub = replace(
            part, text=piece, anchors=(),
            blocks=tuple((a - off, b - off) for a, b in part.blocks if off <= a and b <= end),
            table_headers=tuple((a - off, b - off, h) for a, b, h in part.table_headers
                                if off <= a and b <= end),
            quoted=tuple((max(a, off) - off, min(b, end) - off) for a, b in part.quoted
                         if a < end and b > off))
        local = [p.with_(start=p.start - off, end=p.end - off) for p in persons or ()
                 if p.start is not None and off <= p.start and p.end <= end]
        for f in _detect_categories(sub, ctx, local):
            out.append(f.with_(start=f.start + off, end=f.end + off))
    return out


def _detect_categories(part: Part, ctx, persons=()) -> list[Finding]:
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
    if "SEXUAL_ORIENTATION" in comp.rule_of:
        hits.extend(_same_sex_partners(norm, sents, comp.rule_of["SEXUAL_ORIENTATION"]))
    if "SAFEGUARDING" in comp.rule_of and "parse" not in getattr(ctx, "without", ()):
        hits.extend(_harm_done(norm, sents, comp, ctx, persons))
    if not hits:
        return []
    hit_starts: dict[str, list[int]] = {}
    for h in hits:
        hit_starts.setdefault(h[2].category, []).append(h[0])
    for v in hit_starts.values():
        v.sort()

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
    # a table row (CSV line, docx/xlsx row) that names a person is about that person in every cell
    for r_start, r_end in _table_rows(part):
        if any(r_start <= p.start < r_end for p in persons or () if p.start is not None):
            for k in range(sent_of(r_start), sent_of(max(r_start, r_end - 1)) + 1):
                anchored[k] = True
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
        field = _field_value(comp.fields.get(e.category), norm, start, end, hit_starts[e.category])
        if flags[si] or field:
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
        # a field's own label ("Ethnic group:") is not generic text about its value
        gs = start if field else ss
        if _any_in(gen_shared, gs, se) or _any_in(cspans(e.category, "generic"), gs, se):
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


# -- form fields ------------------------------------------------------------------------------

_LIST_SEP = re.compile(r"/|\bor\b|\band\b|;", re.I)
_MAX_VALUE_WORDS = 6


def _line(text: str, pos: int) -> tuple[int, int]:
    a = text.rfind("\n", 0, pos) + 1
    b = text.find("\n", pos)
    return a, (len(text) if b < 0 else b)


def _field_value(label: Optional[re.Pattern], text: str, start: int, end: int,
                 starts: list[int]) -> bool:
    """A filled-in form field: the hit is the whole (short) value of a field whose label names
    the category ("Ethnicity: Roma", or "Religion" on one line and "Pentecostal Christian" on the
    next). A form is about the person it is filled in for, so the field counts as an anchor. A
    list of options (the blank form's "White British / Mixed / ..." or one option per line) is
    not a value: values joined by "/", "or", "and", and a value line followed by another option
    line of the same category, are left alone."""
    if label is None:
        return False
    a, b = _line(text, start)
    prefix, rest = text[a:start], text[end:b]
    if _LIST_SEP.search(rest) or len(_WORD.findall(rest)) > _MAX_VALUE_WORDS - 1:
        return False
    if prefix.strip():
        # "Ethnicity: Roma" / "| Religion | Sikh |" on one line
        return bool(label.fullmatch(prefix)) and bool(re.search(r"[:|\t]", prefix))
    # the value alone on its line, the label alone on the line before
    pa = a - 1
    while pa > 0:
        la, lb = _line(text, pa - 1)
        if text[la:lb].strip():
            break
        pa = la - 1
    else:
        return False
    la, lb = _line(text, pa - 1)
    if not label.fullmatch(text[la:lb].rstrip()):
        return False
    # the next non-blank line must not be another option of the same category
    na = b + 1
    while na < len(text):
        xa, xb = _line(text, na)
        if text[xa:xb].strip():
            i = bisect.bisect_left(starts, xa)
            return not (i < len(starts) and starts[i] < xb)
        na = xb + 1
    return True


# -- same-sex partners ----------------------------------------------------------------------------

_PARTNER = re.compile(
    r"(?<!\w)(?:(?P<my>[Mm]y)|(?P<name>[A-Z][a-z\u00e0-\u024f'\u2019\-]+)['\u2019]s)"
    r"(?: (?:late|new|current|lovely|wonderful|long-suffering))? (?P<who>husband|wife|boyfriend)(?!\w)")
_PARTNER_SEX = {"husband": "m", "boyfriend": "m", "wife": "f"}
_MALE = re.compile(r"(?<!\w)(?:he|him|his|himself)(?!\w)", re.I)
_FEMALE = re.compile(r"(?<!\w)(?:she|her|hers|herself)(?!\w)", re.I)
_SAYS = (r"(?:says|said|laughs|laughed|adds|added|explains|explained|recalls|recalled|jokes|joked|"
         r"smiles|smiled|tells us|told us|admits|admitted|continues|continued|remembers|grins)")
_WHO = r"(?:(?P<pron>he|she)|(?P<who>[A-Z][a-z\u00e0-\u024f'\u2019\-]+))"
_ATTR_AFTER = (re.compile(rf"[ \t,.!?\u2013\u2014-]*{_WHO} {_SAYS}(?!\w)"),   # ... ," Dafydd says
               re.compile(rf"[ \t,.!?\u2013\u2014-]*{_SAYS} {_WHO}(?!\w)"))   # ... ," says Dafydd
_ATTR_BEFORE = re.compile(rf"{_WHO} {_SAYS}[:,]?\s*$")
_NOT_NAMES = frozenset({"The", "This", "That", "Our", "Your", "Their", "His", "Her", "My", "It", "Everyone"})


def _quote_around(text: str, pos: int, para: tuple[int, int]) -> Optional[tuple[int, int]]:
    """(open, close) of the quotation holding `pos` inside its paragraph, if any."""
    a, b = para
    open_at = None
    for i in range(a, pos):
        c = text[i]
        if c == "\u201c" or (c == '"' and open_at is None):
            open_at = i
        elif c == "\u201d" or c == '"':
            open_at = None
    if open_at is None:
        return None
    m = re.compile(r"[\"\u201d]").search(text, pos, b)
    return (open_at, m.start()) if m else None


def _name_gender(text: str, name: str, sents: list[tuple[int, int]], starts: list[int]) -> Optional[str]:
    """He or she, read from the pronouns in the sentence that mentions `name` and the next
    one, over every mention; only a clear majority (two or more, three to one) counts."""
    male = female = 0
    for occ in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", text):
        si = max(0, bisect.bisect_right(starts, occ.start()) - 1)
        stop = sents[min(si + 1, len(sents) - 1)][1]
        window = text[occ.end():stop]
        male += len(_MALE.findall(window))
        female += len(_FEMALE.findall(window))
    if male >= 2 and male >= 3 * female:
        return "m"
    if female >= 2 and female >= 3 * male:
        return "f"
    return None


def _attributed_gender(text, m, sents, starts) -> Optional[str]:
    if m is None:
        return None
    if m.group("pron"):
        return "m" if m.group("pron").lower() == "he" else "f"
    if m.group("who") and m.group("who") not in _NOT_NAMES:
        return _name_gender(text, m.group("who"), sents, starts)
    return None


def _same_sex_partners(text: str, sents: list[tuple[int, int]], rule: tuple[str, str, str]):
    """A man's husband or boyfriend, a woman's wife: "Clive – my husband – said ..." in a quote
    attributed to a man, "Ben's husband". The holder's sex comes from the quote's attribution
    (he says / Dafydd says) or from the pronouns used about the named holder in the text; when
    it is not clear, nothing is inferred."""
    out = []
    starts = [a for a, _ in sents]
    for m in _PARTNER.finditer(text):
        sex = _PARTNER_SEX[m.group("who")]
        holder = None
        if m.group("name"):
            if m.group("name") not in _NOT_NAMES:
                holder = _name_gender(text, m.group("name"), sents, starts)
        else:
            pa = text.rfind("\n\n", 0, m.start())
            pb = text.find("\n\n", m.end())
            para = (pa + 2 if pa >= 0 else 0, pb if pb >= 0 else len(text))
            q = _quote_around(text, m.start(), para)
            if q is not None:
                for rx in _ATTR_AFTER:
                    holder = holder or _attributed_gender(text, rx.match(text, q[1] + 1, para[1]),
                                                          sents, starts)
                if holder is None:
                    holder = _attributed_gender(
                        text, _ATTR_BEFORE.search(text, para[0], q[0]), sents, starts)
        if holder is not None and holder == sex:
            out.append((m.start(), m.end(), _Entry("SEXUAL_ORIENTATION", *rule, 1.5, "same-sex partner")))
    return out


# -- harm done by one person to another, read from the parse ---------------------------------

_PERSON_PRONOUNS = frozenset({"i", "me", "he", "him", "she", "her", "they", "them", "us", "we",
                              "someone", "somebody", "myself", "himself", "herself"})
_MAX_PARSED = 40  # sentences parsed per part at most (each holds a harm verb)


def _harm_done(text: str, sents, comp: _Compiled, ctx, persons) -> list:
    """"Her uncle touches her", "Dad hit Kayden", "his mum's boyfriend kicks him": a verb of harm
    (safeguarding.yaml `lists: harm_verbs`) whose subject and object are both people (a pronoun,
    a name, or a person noun such as a relative, `lists: person_nouns`), read from the
    dependency parse of the sentence. Only sentences holding such a verb are parsed; "she
    touched the screen" (a thing) and "touched him on the shoulder" (a body part) are not harm."""
    verbs = comp.words.get("harm_verbs")
    nouns = comp.words.get("person_nouns", frozenset())
    nlp = getattr(ctx, "nlp", None)
    if not verbs or nlp is None or not hasattr(nlp, "parse"):
        return []
    cands = []
    for ss, se in sents:
        sent = text[ss:se]
        if len(sent) <= 400 and any(w.lower() in verbs for w in _WORD.findall(sent)):
            cands.append((ss, sent))
        if len(cands) >= _MAX_PARSED:
            break
    if not cands:
        return []
    names = [(p.start, p.end) for p in persons or () if p.start is not None]
    docs = nlp.parse([c[1] for c in cands])
    rule = comp.rule_of["SAFEGUARDING"]
    out = []
    for (ss, _sent), doc in zip(cands, docs):
        def person(tok) -> bool:
            low = tok.lower_
            if tok.tag_ in ("PRP",) and low in _PERSON_PRONOUNS:
                return True
            if low in nouns:
                return True
            a = ss + tok.idx
            return tok.tag_ in ("NNP", "NNPS") and any(s <= a < e for s, e in names)

        for tok in doc:
            if tok.lower_ not in verbs or not tok.tag_.startswith("VB"):
                continue
            subj = [c for c in tok.children if c.dep_ in ("nsubj", "nsubjpass", "agent")]
            obj = [c for c in tok.children if c.dep_ in ("dobj", "obj")]
            if not obj or not any(person(o) for o in obj):
                continue
            if subj and not any(person(x) for x in subj):
                continue
            # "touched him on the shoulder", "hit her on the arm by accident": a body part named
            if any(c.dep_ == "prep" and c.lower_ in ("on", "by") for c in tok.children) and \
                    tok.lower_.startswith("touch"):
                continue
            o = max(obj, key=lambda t: t.idx)
            a, b = ss + tok.idx, ss + o.idx + len(o.text)
            out.append((a, b, _Entry("SAFEGUARDING", *rule, 1.5, "harm done to a person")))
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
