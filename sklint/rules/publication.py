"""Publication rules (issue 6) for reports, newsletters and web pages, not emails.

- SK401 small-count: a count below the disclosure threshold (default 5; presets after ONS and
  NHS small-number guidance) beside a quasi-identifier: a place, a school or school year, an age,
  a postcode, a condition or another special-category detail. "2 children aged 8 in Appleby";
  a table row "CA11 0SA    3". Policy 000 §9 (aggregate results), 002 §3.4 (statistics for
  funders in anonymous form).
- SK402 identifiable-quote: a quote attributed to a named or closely described young person:
  “…” – Tom, 12, Craven Arms. Policy 000 §9 (explicit consent for any story that could identify
  someone), 002 §3.4 (case studies in anonymous form).
- SK403 web-form-overcollection: an HTML form field that asks for a date of birth, medical,
  counselling/mental-health or safeguarding history. Policy 000 §6 (collect only what is needed
  at sign-up; avoid collecting mentoring/counselling history via web forms).

`check_publication(message, findings, ctx)` returns NEW findings only; the caller adds them. A
postcode or a name is one the detectors found (the findings: a real postcode area, a name of any
naming tradition, never the organisation's own contact or staff). The cohort words beside a
count (an age range, a school year, a school, a place, a condition) are read here, because no
detector reports them, on purpose: "aged 8-11" describes a group, not one person
(rules/identifiers/age.yaml).
"""
from __future__ import annotations

import re
import sys
from functools import lru_cache
from html.parser import HTMLParser
from typing import Any, Iterable, Optional

from ..model import Finding, Message, Part

SMALL_COUNT = ("SK401", "small-count")
IDENTIFIABLE_QUOTE = ("SK402", "identifiable-quote")
WEB_FORM = ("SK403", "web-form-overcollection")

DEFAULT_THRESHOLD = 5
# Presets: counts BELOW the threshold are reported.
#   standard / 5: the common "fewer than 5" rule used in much public-sector statistical output;
#   nhs / 8: NHS hospital-statistics style suppression of counts 1 to 7;
#   ons / 10: the stricter "fewer than 10" used for some ONS and local-authority small-area tables.
PRESETS = {"standard": 5, "5": 5, "nhs": 8, "8": 8, "ons": 10, "10": 10}

_WARNED: set[str] = set()


def _warn_once(msg: str) -> None:
    if msg not in _WARNED:
        _WARNED.add(msg)
        print(f"sklint: warning: {msg}", file=sys.stderr)


def small_count_threshold(config) -> int:
    opts: dict[str, Any] = config.rule_options("small-count") if config is not None else {}
    if "threshold" in opts:
        t = opts["threshold"]
        if isinstance(t, int) and not isinstance(t, bool) and 2 <= t <= 1000:
            return t
        _warn_once(f"rules.small-count.threshold must be a whole number from 2 to 1000 (got {t!r}); "
                   f"using {DEFAULT_THRESHOLD}")
        return DEFAULT_THRESHOLD
    if "preset" in opts:
        p = str(opts["preset"]).lower()
        if p in PRESETS:
            return PRESETS[p]
        _warn_once(f"rules.small-count.preset must be one of standard, nhs, ons (or 5, 8, 10); "
                   f"got {opts['preset']!r}; using {DEFAULT_THRESHOLD}")
    return DEFAULT_THRESHOLD


# -- shared vocabulary ---------------------------------------------------------------------------

_NUMWORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
             "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "a single": 1}
_PEOPLE = (r"(?:child(?:ren)?|kids?|young\s+(?:people|persons?|carers?|adults?)|siblings?|"
           r"brothers?|sisters?|famil(?:y|ies)|parents?|carers?|mums?|mothers?|dads?|fathers?|"
           r"grandparents?|pupils?|students?|learners?|boys?|girls?|teenagers?|teens?|bab(?:y|ies)|"
           r"toddlers?|infants?|clients?|referrals?|cases?|households?|people|persons?|adults?|"
           r"individuals?|participants?|attendees?|service\s+users?|patients?|residents?|"
           r"women|men|woman|man|mentees?|survivors?|refugees?|asylum\s+seekers?)")
_COUNT_RX = re.compile(
    r"(?<![\w£$€#./:-])(?P<n>\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|"
    r"twelve|a\s+single)(?![\w%/:.,-]?\d)(?!\s*(?:%|per\s*cent|percent))\s+"
    r"(?P<mid>(?:(?:[A-Za-z'’-]+|(?:Year|Yr)\s?\d{1,2}|\d{1,2}-year-old)\s+){0,3}?)(?P<noun>" + _PEOPLE + r")\b", re.I)
_NOT_BEFORE = re.compile(r"(?:\b(?:year|aged?|ages|no\.?|number|page|step|week|day|room|unit|"
                         r"flat|house|q|quarter|grant|lot|in|of|out\s+of|top|than|under|over|"
                         r"about|the\s+first|the\s+last)\s*)$", re.I)
_MONTHS = {"january", "february", "march", "april", "may", "june", "july", "august", "september",
           "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
           "sep", "sept", "oct", "nov", "dec", "monday", "tuesday", "wednesday", "thursday",
           "friday", "saturday", "sunday", "spring", "summer", "autumn", "winter"}
_NOT_PLACES = {"the", "a", "an", "our", "their", "his", "her", "this", "that", "these", "those",
               "total", "year", "term", "england", "wales", "scotland", "britain", "uk",
               "united", "great", "europe", "english", "person", "group", "groups", "session",
               "sessions", "school", "schools", "care", "hospital", "touch", "addition",
               "particular", "general", "future", "time", "all", "some", "each", "every",
               "need", "contact", "partnership", "support", "it", "i", "we", "they", "he", "she"}
_AGE_RX = re.compile(r"\baged?\s+\d{1,2}(?:\s*(?:-|–|to|and)\s*\d{1,2})?\b|"
                     r"\b\d{1,2}(?:\s*(?:-|–|to)\s*\d{1,2})?[- ]years?[- ]olds?\b|"
                     r"\b(?:under|over)[- ]\d{1,2}s\b", re.I)
_SCHOOL_YEAR_RX = re.compile(r"\b(?:Year|Yr)\s?\d{1,2}\b|\bReception\s+class\b")
_SCHOOL_RX = re.compile(r"\b(?:St\.?\s+)?(?:[A-Z][\w'’.-]*\s+){1,4}(?:Primary|Secondary|Junior|"
                        r"Infants?|High|Grammar|Academy|School|College|Nursery|CE|C\s?of\s?E)\b")
_DISTRICT_RX = re.compile(r"\b(?:[A-PR-UWYZ][A-HK-Y]\d{1,2}|[BEGLMNSW]\d{1,2})[A-Z]?\b")
_PLACE_RX = re.compile(r"\b(?:in|from|at|near|around|across|living\s+in|based\s+in)\s+"
                       r"(?P<place>[A-Z][a-z'’-]+(?:[ -](?:[A-Z][a-z'’-]+|upon|on|under|in|le|by|"
                       r"next|the|-)){0,3})")
_CLAUSE_SPLIT = re.compile(r"[.;:!?\n]|\s(?:and|but|while|whereas|whilst)\s|\s[–—]\s")
_PLACE_HEADER = re.compile(r"\b(?:towns?|villages?|areas?|wards?|locations?|places?|parish(?:es)?|"
                           r"neighbourhoods?|localit(?:y|ies)|schools?|postcodes?|districts?|"
                           r"conditions?|diagnos[ie]s|ages?|ethnicity|religion)\b", re.I)


@lru_cache(maxsize=8)
def _term_rx(terms: tuple[str, ...]) -> Optional[re.Pattern[str]]:
    cs, ci = [], []
    for t in terms:
        t = t.strip()
        if len(t) < 3:
            continue
        body = re.escape(t).replace(r"\*", r"\w*").replace(r"\ ", r"[\s-]+")
        (cs if any(c.isupper() for c in t[1:]) else ci).append(body)
    parts = []
    if ci:
        parts.append(r"(?i:\b(?:" + "|".join(sorted(ci, key=len, reverse=True)) + r")\b)")
    if cs:
        parts.append(r"\b(?:" + "|".join(sorted(cs, key=len, reverse=True)) + r")\b")
    return re.compile("|".join(parts)) if parts else None


_BUILTIN_CONDITIONS = (
    "autism", "autistic", "ADHD", "learning disability", "learning disabilities", "disability",
    "disabled", "cerebral palsy", "Down syndrome", "Down's syndrome", "cancer", "leukaemia",
    "diabetes", "epilepsy", "stroke", "life-limiting", "terminal", "mental health", "self-harm",
    "eating disorder", "child protection", "looked after", "in care", "young carer*",
    "bereaved", "bereavement", "refugee*", "asylum", "excluded", "exclusion", "SEND", "EHCP",
)


def _condition_rx(ctx) -> Optional[re.Pattern[str]]:
    terms = list(_BUILTIN_CONDITIONS)
    reg = getattr(ctx, "registry", None)
    if reg is not None:
        for name in ("health", "safeguarding", "ethnicity", "religion", "sexual-orientation"):
            r = reg.get(name)
            if r is not None and isinstance(r.data, dict):
                terms += [t for t in (r.data.get("terms") or []) if isinstance(t, str)]
    cfg = getattr(ctx, "config", None)
    for _cat, extra in getattr(cfg, "category_terms", ()) or ():
        terms += list(extra)
    return _term_rx(tuple(sorted(set(terms))))


def _org_words(ctx) -> set[str]:
    cfg = getattr(ctx, "config", None)
    org = getattr(cfg, "organisation", None)
    words = set()
    if org is not None and org.name:
        words |= {w.lower() for w in re.findall(r"[A-Za-z]+", org.name)}
    return words


def _places(clause: str, org_words: set[str]) -> list[tuple[int, int]]:
    out = []
    for m in _PLACE_RX.finditer(clause):
        place = m.group("place").rstrip(" -")
        first = place.split()[0].lower().strip("'’")
        if first in _MONTHS or first in _NOT_PLACES or first in org_words:
            continue
        out.append((m.start("place"), m.start("place") + len(place)))
    return out


def _qi_kinds(clause: str, cond_rx, org_words: set[str], postcodes: list[tuple[int, int]]
              ) -> list[tuple[str, int, int]]:
    """The quasi-identifiers in a clause: the postcodes the detectors found there (`postcodes`,
    offsets in the clause), and the words that describe a cohort rather than one person, which
    no identifier detector reports on purpose (an age range, a school year, a school, a place, a
    condition)."""
    found: list[tuple[str, int, int]] = []
    for m in _AGE_RX.finditer(clause):
        found.append(("age", m.start(), m.end()))
    for m in _SCHOOL_YEAR_RX.finditer(clause):
        found.append(("school year", m.start(), m.end()))
    for m in _SCHOOL_RX.finditer(clause):
        found.append(("school", m.start(), m.end()))
    for s, e in postcodes:
        found.append(("postcode", s, e))
    for s, e in _places(clause, org_words):
        found.append(("place", s, e))
    if cond_rx is not None:
        for m in cond_rx.finditer(clause):
            found.append(("condition", m.start(), m.end()))
    return found


def _count_value(raw: str) -> int:
    raw = " ".join(raw.lower().split())
    return int(raw) if raw.isdigit() else _NUMWORDS.get(raw, 0)


def _finding(rule: tuple[str, str], ctx, part: Part, start: Optional[int], end: Optional[int],
             message: str, suggestion: Optional[str], confidence: float,
             line: Optional[int] = None, column: Optional[int] = None) -> Finding:
    code, name = rule
    sev = "warning"
    reg = getattr(ctx, "registry", None)
    r = reg.get(code) if reg is not None else None
    if r is not None:
        sev = r.severity
    match = part.text[start:end] if start is not None and end is not None else ""
    return Finding(code=code, rule=name, severity=sev, part=part.id, start=start, end=end,
                   match=match, message=message, suggestion=suggestion, confidence=confidence,
                   line=line, column=column, source="rule")


# -- SK401 small-count ---------------------------------------------------------------------------

def _clause_bounds(text: str, pos: int, lo: int, hi: int) -> tuple[int, int]:
    start = lo
    for m in _CLAUSE_SPLIT.finditer(text, lo, pos):
        start = m.end()
    m = _CLAUSE_SPLIT.search(text, pos, hi)
    end = m.start() if m else hi
    return start, end


def _small_counts_prose(part: Part, threshold: int, cond_rx, org_words,
                        postcodes: list[tuple[int, int]]) -> list[tuple[int, int, list[str], int]]:
    text = part.text
    out = []
    for m in _COUNT_RX.finditer(text):
        n = _count_value(m.group("n"))
        if not 1 <= n < threshold:
            continue
        before = text[max(0, m.start() - 20):m.start()]
        if _NOT_BEFORE.search(before):
            continue
        if re.search(r"\b(?:\d+|one)\s+(?:in|of|out\s+of)\s*$", before, re.I):
            continue  # "1 in 5 children"
        mid = m.group("mid").lower()
        if re.search(r"\b(?:of|times|hours?|days?|weeks?|months?|sessions?|minutes?)\b|"
                     r"\byears?\b(?!\s?\d)", mid):
            continue  # "2 of our families", "3 sessions with children"
        line_lo = text.rfind("\n", 0, m.start()) + 1
        line_hi = text.find("\n", m.end())
        line_hi = len(text) if line_hi == -1 else line_hi
        cs, ce = _clause_bounds(text, m.start(), line_lo, line_hi)
        # the count's own clause, from the count on (and a few words before it)
        clause = text[cs:ce]
        pcs = [(s - cs, e - cs) for s, e in postcodes if cs <= s and e <= ce]
        qis = [(k, cs + s, cs + e) for k, s, e in _qi_kinds(clause, cond_rx, org_words, pcs)]
        qis = [q for q in qis if not (m.start("n") <= q[1] < m.end("n"))]
        if not qis:
            continue
        s = min([m.start()] + [q[1] for q in qis])
        e = max([m.end()] + [q[2] for q in qis])
        out.append((s, e, sorted({q[0] for q in qis}), n))
    return out


_CELL_SPLIT = re.compile(r"\t+|\s{2,}|\s*\|\s*|\s*,\s*")


def _small_counts_table(part: Part, threshold: int, cond_rx, org_words,
                        postcodes: list[tuple[int, int]]) -> list[tuple[int, int, list[str], int]]:
    text = part.text
    out = []
    header = ""
    pos = 0
    for line in text.split("\n"):
        lstart = pos
        pos += len(line) + 1
        raw = line.strip().strip("|").strip()
        if not raw:
            continue
        cells = [c for c in _CELL_SPLIT.split(raw) if c.strip()]
        if len(cells) < 2:
            header = raw
            continue
        if re.fullmatch(r"[-:| ]+", raw):
            continue
        nums = [c for c in cells[1:] if re.fullmatch(r"\d{1,3}", c.strip())]
        if not nums:
            if not any(re.search(r"\d", c) for c in cells):
                header = raw  # a table header row
            continue
        label = cells[0].strip()
        small = [int(c) for c in nums if 1 <= int(c) < threshold]
        if not small or re.fullmatch(r"\d+", label):
            continue
        kinds = []
        ls = lstart + line.find(label)
        if any(ls <= s and e <= ls + len(label) for s, e in postcodes):
            kinds.append("postcode")
        elif _DISTRICT_RX.fullmatch(label):
            kinds.append("postcode district")
        if _AGE_RX.search(label) or re.fullmatch(r"(?:aged?\s*)?\d{1,2}(?:\s*-\s*\d{1,2})?", label, re.I) \
                and _PLACE_HEADER.search(header or "") and "age" in header.lower():
            kinds.append("age")
        if _SCHOOL_YEAR_RX.search(label):
            kinds.append("school year")
        if _SCHOOL_RX.search(label):
            kinds.append("school")
        if cond_rx is not None and cond_rx.search(label):
            kinds.append("condition")
        if not kinds and header and _PLACE_HEADER.search(header) and \
                re.fullmatch(r"[A-Z][\w'’.-]*(?:[ -][A-Za-z][\w'’.-]*){0,3}", label) and \
                label.split()[0].lower() not in _NOT_PLACES | {"other", "unknown", "total", "not"}:
            kinds.append("place")
        if not kinds:
            continue
        le = lstart + len(line.rstrip())
        out.append((ls, le, kinds, min(small)))
    return out


def _check_small_count(message: Message, findings: list[Finding], ctx) -> list[Finding]:
    threshold = small_count_threshold(getattr(ctx, "config", None))
    cond_rx = _condition_rx(ctx)
    org_words = _org_words(ctx)
    out = []
    for part in _text_parts(message):
        pcs = sorted((f.start, f.end) for f in findings if f.entity == "POSTCODE"
                     and f.part == part.id and f.start is not None)
        spans = _small_counts_prose(part, threshold, cond_rx, org_words, pcs)
        spans += _small_counts_table(part, threshold, cond_rx, org_words, pcs)
        spans.sort()
        last_end = -1
        for s, e, kinds, n in spans:
            if s < last_end:
                continue
            last_end = e
            out.append(_finding(
                SMALL_COUNT, ctx, part, s, e,
                f"A count below {threshold} beside a quasi-identifier ({', '.join(kinds)}) can "
                f"identify the people counted; publish it as \"fewer than {threshold}\" or merge "
                f"groups", f"fewer than {threshold}", 0.7))
    return out


# -- SK402 identifiable-quote --------------------------------------------------------------------

_QUOTE_RX = re.compile(r"“(?P<c>[^”\n]{3,800})”|\"(?P<s>[^\"\n]{8,800})\"|‘(?P<q>[^’\n]{8,400}\s[^’\n]{0,400})’(?!\w)")
_BLOCKQUOTE_RX = re.compile(r"(?m)^>[ \t]?(?P<body>[^\n]*?)\s+[-–—―]{1,2}\s*(?P<attr>[^\n\"”]{2,100})$")
_AFTER_RX = re.compile(r"^[ \t]*[.,!?]?[ \t]*(?:[-–—―]{1,2}[ \t]*|,?[ \t]*(?:said|says|writes|wrote|"
                       r"told\s+us|tells\s+us|explained|explains|added|adds|shared|shares)\b[ \t]*,?[ \t]*)"
                       r"(?P<attr>[^\n]{1,120})")
_NAME_VERB_AFTER_RX = re.compile(r"^[ \t]*[.,!?]?[ \t]*(?P<attr>[A-Z][a-z'’-]+(?:\s+[A-Z][a-z'’-]+)?(?:,\s*\d{1,2},?)?)"
                                 r"\s+(?:said|says|told|tells|wrote|writes|explained|explains|added|adds)\b")
_PAREN_AFTER_RX = re.compile(r"^[ \t]*\((?P<attr>[^)\n]{2,80})\)")
_BEFORE_RX = re.compile(r"(?P<attr>[A-Z][^\n.!?\"“”]{0,80}?)[ \t]*,?[ \t]*(?:said|says|told\s+us|tells\s+us|"
                        r"wrote|writes|explained|explains|added|adds|shared)[ \t]*[:,]?[ \t]*$")
_YOUNG = re.compile(r"\b(?:boy|girl|child|kid|pupil|student|teen(?:ager)?|young\s+(?:person|carer|man|"
                    r"woman)|sibling|brother|sister|son|daughter|year[- ]old|youngster|(?:Year|Yr)\s?\d{1,2})\b",
                    re.I)
_ROLE = re.compile(r"\b(?:coordinator|co-ordinator|worker|manager|officer|volunteer|trustee|teacher|"
                   r"head(?:teacher)?|chair|lead|director|ceo|founder|parent|mum|mother|dad|father|"
                   r"carer|grandparent|grandmother|grandfather|nan|staff|mentor|counsellor|nurse|"
                   r"doctor|gp|social\s+worker|funder|partner|supporter|donor|fundraiser|mp|"
                   r"councillor|anonymous|name\s+withheld|group|survey|respondent)\b", re.I)
_NOT_NAMES = {"a", "an", "the", "one", "another", "our", "my", "parent", "mum", "dad", "mother",
              "father", "carer", "sibling", "young", "child", "anonymous", "member", "volunteer",
              "participant", "group", "older", "younger", "youngest", "oldest", "boy", "girl",
              "pupil", "student", "teenager", "brother", "sister", "service", "user", "family",
              "attendee", "year", "age", "aged", "staff", "trustee", "teacher", "feedback",
              "survey", "comment", "name", "withheld", "response", "respondent", "client",
              "mentor", "mentee", "local", "school", "he", "she", "they", "we", "i", "it",
              "someone", "everyone", "nobody", "as", "when", "after", "then", "and", "but",
              "later", "then", "also", "here", "this", "that", "what", "every"}


def _described_elsewhere(text: str, name: str) -> bool:
    """The name appears elsewhere in the document with an age: "Oliver Bennett, aged 9"."""
    rx = re.compile(re.escape(name) + r"\b(?:\s+[A-Z][a-z'’-]+)?[^.\n]{0,12}?"
                    r"(?:,\s*aged?\s+\d{1,2}\b|\(\s*(?:aged?\s+)?\d{1,2}\s*\)|,\s*\d{1,2}\s*[,)]|"
                    r"\s+(?:is|was)\s+(?:aged?\s+)?\d{1,2}\b|,?\s+a\s+\d{1,2}[- ]year[- ]old)")
    return bool(rx.search(text))


def _analyse_attribution(attr: str, persons: list[str], text: str = "") -> Optional[list[str]]:
    """The identifying features of an attribution ("Tom, 12, Craven Arms" -> name, age, place), or
    None when it does not describe an identifiable young person. `persons` are the names the
    detectors found in it (none of staff: the organisation profile has allowed those)."""
    a = attr.strip().strip("()[]").strip()
    a = re.split(r"(?<!\bSt)(?<!\bMr)(?<!\bMs)(?<!\bDr)(?<!\bMrs)\.\s|[;)\]]", a)[0].strip(" .,:")
    if not a or len(a) > 100:
        return None
    segs = [s.strip() for s in re.split(r",|\(|\s+[-–—]\s+", a) if s.strip()]
    if not segs:
        return None
    features: list[str] = []
    role = bool(_ROLE.search(a))
    first = segs[0]
    name = persons[0] if persons and first.startswith(persons[0].split()[0]) else None
    if name:
        features.append("name")
    ages = [int(x) for x in re.findall(r"(?<![\d£$/:.])\b(\d{1,2})\b(?![\d%/:.])", a)]
    if re.search(r"\b\d{1,2}[- ]year[- ]old\b|\baged?\s+\d{1,2}\b|\b(?:Year|Yr)\s?\d{1,2}\b", a, re.I) or \
            any(3 <= x <= 25 for x in ages):
        features.append("age")
    if any(x > 25 for x in ages) and not any(3 <= x <= 25 for x in ages):
        return None  # an adult
    young = bool(_YOUNG.search(a))
    if _SCHOOL_RX.search(a):
        features.append("school")
    place = False
    for s in segs[1:]:
        s2 = s.strip()
        if re.fullmatch(r"(?:from\s+|in\s+|at\s+)?[A-Z][a-z'’-]+(?:\s+[A-Z][a-z'’-]+){0,3}", s2) and \
                not _ROLE.search(s2) and not _YOUNG.search(s2) and \
                s2.split()[-1].lower() not in _NOT_NAMES:
            place = True
    if _PLACE_RX.search(a):
        place = True
    if place:
        features.append("place")
    if role and not young and "age" not in features:
        return None  # a parent, a member of staff, a named professional
    if name and (len(features) >= 2 or young):
        return features + (["young person"] if young else [])
    if name and not role and text and _described_elsewhere(text, name.split()[0]):
        return features + ["age given elsewhere in the document"]
    if young and len([f for f in features if f in ("age", "place", "school")]) >= 2:
        return features
    return None


def _check_identifiable_quote(message: Message, findings: list[Finding], ctx) -> list[Finding]:
    out = []
    for part in _text_parts(message):
        text = part.text
        seen: set[tuple[int, int]] = set()
        cands: list[tuple[int, int]] = []
        for q in _QUOTE_RX.finditer(text):
            body = q.group("c") or q.group("s") or q.group("q") or ""
            if len(body.split()) < 2:
                continue
            tail = text[q.end():q.end() + 160]
            m = _AFTER_RX.match(tail) or _PAREN_AFTER_RX.match(tail) or _NAME_VERB_AFTER_RX.match(tail)
            if m:
                cands.append((q.end() + m.start("attr"), q.end() + m.end("attr")))
            head_lo = max(text.rfind("\n", 0, q.start()) + 1, q.start() - 120)
            m2 = _BEFORE_RX.search(text, head_lo, q.start())
            if m2:
                cands.append((m2.start("attr"), m2.end("attr")))
        for b in _BLOCKQUOTE_RX.finditer(text):
            if "“" in b.group(0) or '"' in b.group("body"):
                continue  # handled as a quote
            cands.append((b.start("attr"), b.end("attr")))
        for s, e in cands:
            raw = text[s:e]
            # trim the attribution to its own clause
            cut = re.search(r"(?<!\bSt)\.\s|[;\n]|\s[-–—]\s(?![A-Z][a-z]+,)", raw)
            if cut:
                raw = raw[:cut.start()]
            raw = raw.rstrip(" .,:)")
            e = s + len(raw)
            lead = len(raw) - len(raw.lstrip(" ("))
            s += lead
            if e <= s or (s, e) in seen:
                continue
            persons = [f.match for f in findings if f.entity == "PERSON" and f.part == part.id
                       and f.start is not None and s <= f.start and f.end <= e]
            feats = _analyse_attribution(text[s:e], persons, text)
            if not feats:
                continue
            seen.add((s, e))
            shown = ", ".join(f for f in feats if f != "young person")
            out.append(_finding(
                IDENTIFIABLE_QUOTE, ctx, part, s, e,
                f"A quote is attributed to an identifiable young person ({shown}); attribute it to a "
                f"group (\"a young person, older group\") or record explicit consent for this story",
                "a young person", 0.75))
    return out


# -- SK403 web-form-overcollection --------------------------------------------------------------

_ASK = {
    "date of birth": re.compile(r"date[\s_-]*of[\s_-]*birth|\bd\.?o\.?b\b|birth[\s_-]*date|birthday|"
                                r"\bborn\b|\bdob\b", re.I),
    "medical details or history": re.compile(r"medical|diagnos|medication|medicine|\billness|disabilit|"
                                  r"(?<!mental\s)\bhealth\b(?!\s*visitor)|hospital|\bgp\b|doctor|allerg|"
                                  r"nhs[\s_-]*(?:number|no\b)|symptom|treatment|impairment|"
                                  r"\behcp\b|special\s+educational\s+needs|(?<!terms\s)(?<!terms\sand\s)"
                                  r"condition(?!s\s+of)", re.I),
    "counselling or mental-health history": re.compile(
        r"counsel|therap|mental[\s_-]*health|self[\s_-]*harm|suicid|psycholog|psychiatr|camhs|"
        r"mentoring\s+history|previous\s+support|anxiety|depress|trauma|eating\s+disorder|"
        r"emotional\s+(?:wellbeing|health)", re.I),
    "safeguarding or criminal history": re.compile(
        r"social[\s_-]*(?:care|services|worker)|\bpolice\b|child[\s_-]*protection|safeguarding|"
        r"criminal|conviction|offen[cs]e", re.I),
}
_SKIP_TYPES = {"hidden", "submit", "button", "reset", "image", "search", "password"}
_BDAY = {"bday", "bday-day", "bday-month", "bday-year"}


class _FormFields(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.labels_for: dict[str, str] = {}
        self.label_stack: list[dict] = []
        self.controls: list[dict] = []
        self.in_form = 0
        self.forms = 0
        self._text_target: list[dict] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag in ("script", "style", "template"):
            self.hidden += 1
            return
        if tag == "form":
            self.in_form += 1
            self.forms += 1
        elif tag == "label":
            lab = {"for": a.get("for", ""), "text": "", "controls": []}
            self.label_stack.append(lab)
        elif tag in ("input", "textarea", "select"):
            typ = a.get("type", "text").lower() if tag == "input" else tag
            if typ in _SKIP_TYPES:
                return
            line, col = self.getpos()
            c = {"tag": tag, "type": typ, "attrs": a, "line": line, "col": col + 1,
                 "label": "", "in_form": bool(self.in_form)}
            if self.label_stack:
                self.label_stack[-1]["controls"].append(c)
            self.controls.append(c)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template"):
            self.hidden = max(0, self.hidden - 1)
            return
        if tag == "form":
            self.in_form = max(0, self.in_form - 1)
        elif tag == "label" and self.label_stack:
            lab = self.label_stack.pop()
            text = " ".join(lab["text"].split())
            if lab["for"]:
                self.labels_for[lab["for"]] = text
            for c in lab["controls"]:
                c["label"] = text

    def handle_data(self, data):
        if self.hidden:
            return
        for lab in self.label_stack:
            lab["text"] += data


def _raw_html(message: Message) -> tuple[Optional[str], Optional[Part], bool]:
    """(HTML source, the part its text belongs to, whether part offsets index the source)."""
    body = message.part("body") or (message.parts[0] if message.parts else None)
    if message.raw is not None:  # an HTML page: its markup, as ingest read it
        return message.raw, body, body is not None and body.text == message.raw
    for part in message.parts:
        if re.search(r"<(?:form|input|textarea|select)\b", part.text, re.I):
            return part.text, part, True
    return None, body, False


def _check_web_form(message: Message, ctx) -> list[Finding]:
    source, part, verbatim = _raw_html(message)
    if not source or part is None or not re.search(r"<(?:input|textarea|select)\b", source, re.I):
        return []
    p = _FormFields()
    try:
        p.feed(source)
        p.close()
    except Exception:  # noqa: BLE001 - malformed markup: nothing we can say about its fields
        return []
    out = []
    cursor = 0
    text = part.text
    line_starts = None
    for c in p.controls:
        a = c["attrs"]
        label = c["label"] or p.labels_for.get(a.get("id", ""), "")
        described = " ".join(x for x in (label, a.get("name", "").replace("_", " "),
                                          a.get("id", "").replace("_", " "), a.get("placeholder", ""),
                                          a.get("aria-label", ""), a.get("title", "")) if x)
        if re.search(r"terms\s+(?:and|&)\s+conditions|privacy\s+(?:notice|policy)", described, re.I) \
                and c["type"] == "checkbox":
            continue
        kinds = [k for k, rx in _ASK.items() if rx.search(described)]
        if a.get("autocomplete", "").lower() in _BDAY and "date of birth" not in kinds:
            kinds.insert(0, "date of birth")
        if not kinds:
            continue
        field = a.get("name") or a.get("id") or c["tag"]
        start = end = None
        line = col = None
        if verbatim:
            if line_starts is None:
                line_starts = [0] + [i + 1 for i, ch in enumerate(source) if ch == "\n"]
            off = line_starts[c["line"] - 1] + c["col"] - 1 if c["line"] - 1 < len(line_starts) else None
            if off is not None:
                m = re.match(r"<[^>]*>", source[off:off + 2000])
                start, end = off, off + (m.end() if m else 1)
        else:
            if label:
                i = text.find(label, cursor)
                if i == -1:
                    i = text.find(label)
                if i != -1:
                    start, end = i, i + len(label)
                    cursor = end
            if start is None:
                line, col = c["line"], c["col"]
        kind = " and ".join(kinds)
        f = _finding(
            WEB_FORM, ctx, part, start, end,
            f"A web form field ({field!s:.40}) asks for {kind}; collect only what sign-up needs "
            f"and gather sensitive detail in a session or secure process (policy 000 §6)",
            "remove the field, or ask for an age band instead of a date of birth"
            if kinds == ["date of birth"] else "remove the field", 0.85, line, col)
        out.append(f)
    return out


# -- entry point -----------------------------------------------------------------------------

def _text_parts(message: Message) -> Iterable[Part]:
    for p in message.parts:
        if p.kind == "subject" or p.id == "headers" or not p.text:
            continue
        yield p


def check_publication(message: Message, findings: list[Finding], ctx) -> list[Finding]:
    """New publication findings for a non-email document (the caller merges them)."""
    if getattr(message, "is_email", False):
        return []
    out: list[Finding] = []
    out += _check_small_count(message, findings, ctx)
    out += _check_identifiable_quote(message, findings, ctx)
    out += _check_web_form(message, ctx)
    return out


__all__ = ["check_publication", "small_count_threshold", "PRESETS", "DEFAULT_THRESHOLD"]
