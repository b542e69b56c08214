"""PERSON detection: spaCy NER plus name rules, NLP run once per part (one nlp.pipe call per
message).

Evidence, strongest first:
- rules: a title with a name ("Mrs O'Neill", "Mr J. Wołąsiewicz", "Judge Clarke"), judicial
  post-nominals ("Tugendhat J"), salutations and sign-offs ("Dear Siobhán,", "Thanks,\\nPriya"),
  relations ("his sister Chloe", "Mum (Sarah)"), a name with an age ("Jess, 12, from Penrith",
  "Kieran (14)"), form fields ("Child's name: AMIRA HUSSAIN"), and table or CSV columns headed
  Name/Child/Client/Young person;
- the NER's PERSON spans, cleaned (no salutation, no possessive, never across a line) and checked
  against what is not a person (streets, churches, wards, organisations, months, verbs, money,
  job titles, "Mum", eponymous conditions, SKC codes);
- a first-name gazetteer for names the NER labels as a place or organisation ("Jayden" as GPE)
  or misses, used only where the word is not also an ordinary word in the same text;
- propagation: once "Kayden Brooks" is a person, other mentions of "Kayden", "Brooks" and
  "Mrs Brooks" anywhere in the message are persons too.
"""
from __future__ import annotations

import bisect
import re
from functools import lru_cache
import unicodedata
from typing import Iterable, Optional

from ..model import Finding, Message, Part
from .name_lexicon import (COUNTRIES, EPONYMOUS_CONDITIONS, GROUP_WORDS, JOB_SLOT_WORDS, JOB_WORDS, MONTHS,
                           NOT_NAMES, ORG_WORDS, PLACE_ORG_PREFIX, PLACE_ORG_SUFFIX, POST_NOMINALS,
                           RELATIONS, ROLE_WORDS, SALUTATIONS, TITLES, UP, common_first_names,
                           english_words, first_names, given_syllables, surnames, uk_places)

CODE, RULE, ENTITY = "SK101", "person-name", "PERSON"

# Words that strong context (a title, "Dear", a relation, an age) may still turn into a name:
# "Mrs May", "his brother Will". Weak evidence (NER, gazetteer, propagation) never does.
SOFT_NOT_NAMES = {"will", "may", "penny", "bill", "grant", "chase", "summer", "autumn", "june",
                  "april", "august", "sterling", "christian", "lord", "lady", "sir"} | MONTHS
HARD_NOT_NAMES = NOT_NAMES - SOFT_NOT_NAMES
PARTICLES = {"van", "von", "de", "der", "den", "da", "di", "du", "la", "le", "bin", "ibn", "al",
             "el", "ter", "ten", "dos", "das", "del", "della", "af", "zu", "ben", "bint", "abu"}

_WORD = rf"[{UP}][\w'’]*(?:[-‑][\w'’]+)*"
_INITIAL = rf"[{UP}]\.(?:[ ]?-?[{UP}]\.)*"
TOKEN_RE = re.compile(rf"(?P<init>{_INITIAL})|(?P<word>{_WORD})|(?P<part>[a-z]{{2,4}}\b)")
GAP_RE = re.compile(r"[ \t\u00a0]{1,3}")
TITLE_RE = re.compile(
    r"(?<![\w.])(?P<title>" + "|".join(sorted((t.capitalize() for t in TITLES), key=len, reverse=True))
    + r"|MR|MRS|MS|DR|MISS)\.?(?=[ \t\u00a0])")
POSTNOM_RE = re.compile(rf"(?<![\w.])(?P<name>{_WORD})[ \t](?:{'|'.join(sorted(POST_NOMINALS, key=len, reverse=True))})\.?(?![\w])")
_SAL = "|".join(sorted((re.escape(s) for s in SALUTATIONS), key=len, reverse=True))
SALUTATION_RE = re.compile(rf"(?im)^[ \t>]{{0,8}}(?:{_SAL})[ \t]{{0,8}},?[ \t]{{1,8}}(?=[{UP}])")
SIGNOFF_RE = re.compile(rf"(?im)^[ \t>]{{0,8}}(?:{_SAL})[ \t]{{0,8}}[,!.]?[ \t]{{0,8}}\n[ \t>]{{0,8}}(?=[{UP}])")
_REL = "|".join(sorted((re.escape(r) for r in RELATIONS), key=len, reverse=True))
RELATION_RE = re.compile(rf"(?i)(?<![\w-])(?:{_REL})\b[ \t]{{0,8}}[,:]?[ \t]{{0,8}}\(?[ \t]{{0,8}}(?=[{UP}])")
_NUMWORD = ("one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
            "fifteen|sixteen|seventeen|eighteen|nineteen")
AGE_AFTER_RE = re.compile(
    rf"(?<=[\w'’])(?:,[ \t]{{0,8}}\d{{1,2}}[ \t]{{0,8}}(?:,|\)|$|\n|[ \t]{{1,8}}from\b|[ \t]{{1,8}}(?:and|with)\b)"
    rf"|[ \t]{{0,8}}\([ \t]{{0,8}}(?:aged[ \t]{{0,8}})?\d{{1,2}}[ \t]{{0,8}}\)"
    rf"|[ \t]{{0,8}}\([^()\n]{{0,60}}?\baged[ \t]{{1,8}}\d{{1,2}}\b[^()\n]{{0,30}}\)"
    rf"|[ \t]{{0,8}}\((?:[^()\n]{{0,30}}?['’]s[ \t]{{1,8}}|(?:his|her|their|my|our)[ \t]{{1,8}})?(?:(?:older|younger|"
    rf"big|little|twin|baby|half|step)[- \t]?)?(?:{_REL})\b"
    rf"|,?[ \t]{{1,8}}aged[ \t]{{1,8}}(?:\d{{1,2}}|{_NUMWORD})\b"
    rf"|[ \t]{{1,8}}(?:is|was|turned|turns|who[ \t]{{1,8}}is)[ \t]{{1,8}}(?:aged[ \t]{{1,8}})?(?:\d{{1,2}}|{_NUMWORD})\b"
    rf"(?![ \t]{{0,8}}(?:%|per|pence|p\b|pounds|hours|minutes|days|weeks|months|times|sessions)))",
    re.M)
_FIELD = (r"(?:(?:full|first|given|last|family|sur|child'?s?|young[ \t]person'?s?|client'?s?|"
          r"parent'?s?|carer'?s?|sibling'?s?|mother'?s?|father'?s?|patient'?s?|pupil'?s?|"
          r"student'?s?|donor'?s?|member'?s?|contact)[ \t]{0,8})?(?:name|names|forename|surname)"
          r"(?:[ \t]{1,8}of[ \t]{1,8}(?:the[ \t]{1,8})?(?:young[ \t]person|child|client|parent|carer|sibling|"
          r"referrer|pupil|patient))?"
          r"|young[ \t]person|child|client|parent(?:[ \t]{0,8}/[ \t]{0,8}carer)?|carer|mother|father|"
          r"mum|dad|sibling|brother|sister|emergency[ \t]contact|next[ \t]of[ \t]kin|"
          r"volunteer|mentee|patient|pupil|student|guardian|attendee|participant|service[ \t]user|"
          r"donor|supporter|applicant|employee|tenant|resident")
FIELD_RE = re.compile(rf"(?im)^[ \t*•\-]{{0,8}}(?:{_FIELD})[ \t]{{0,8}}(?:[:\-–—][ \t]{{0,24}}|\n[ \t]{{0,24}})(?=[{UP}])")
NAME_HEADER_RE = re.compile(
    r"(?i)\b(name|names|forename|surname|child|children|client|young\s?person|pupil|student|"
    r"parent|carer|mentee|mentor|volunteer|sibling|attendee|participant|member|patient|guardian|"
    r"donor|supporter|person|who|contact|mother|father|family|employee|staff)\b")
NOT_NAME_HEADER_RE = re.compile(
    r"(?i)\b(school|organisation|organization|org|venue|town|area|address|e-?mail|phone|tel|"
    r"mobile|number|no|id|code|ref|reference|date|dob|birth|age|condition|needs|notes?|group|"
    r"role|type|status|postcode|relationship|consent|diagnosis|medical|details|field)\b")
LOCATIVE = {"in", "at", "from", "to", "near", "around", "across", "into", "towards", "via", "of",
            "outside", "inside", "through", "between", "nr", "on", "visiting", "visited"}


def _fold(k: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", k) if not unicodedata.combining(c))


def known_first(word: str) -> bool:
    """Is this word a given name in the gazetteer (accents folded: Siân -> sian)?"""
    names = first_names()
    k = _key(word)
    return k in names or _fold(k) in names or _syllable_pair(k)


def _syllable_pair(k: str) -> bool:
    """Two syllables of romanised given names joined by a hyphen ("na-yeon", "dae-ho"), the
    whole not an English word."""
    a, sep, b = k.partition("-")
    if not sep or "-" in b:
        return False
    syl = given_syllables()
    return a != b and a in syl and b in syl and not is_english_word(k)


def _cap_word(w: str) -> bool:
    return bool(w) and w[0].isupper()


def _key(w: str) -> str:
    w = w.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    return w.strip("'")


class _Walk:
    __slots__ = ("start", "end", "words", "suffix", "tokens")

    def __init__(self, start: int):
        self.start = start
        self.end = start
        self.words: list[str] = []  # name words (not initials, not particles)
        self.tokens: list[tuple[int, int, str]] = []
        self.suffix = False  # stopped at a place/organisation word ("Hope Street")


def _family_name_follows(text: str, end: int) -> bool:
    """A word that is also a month or a verb ("Jun", "May", "Will") starts a name when a
    capitalised family name follows it ("Jun Wu", "Will Okafor"), not a date or a phrase."""
    m = re.match(rf"[ \t]({_WORD})", text[end:end + 40])
    if not m or not m.group(1)[:1].isupper() or m.group(1).isupper():
        return False
    nxt = m.group(1)
    return _key(nxt) not in NOT_NAMES and _name_class(nxt) in NAMEISH | {"word-surname"}


def walk_name(text: str, pos: int, limit: Optional[int] = None, max_tokens: int = 5,
              allow_soft: bool = False, suffix_first: bool = False) -> _Walk:
    """Consume a name-shaped run of tokens starting at `pos` (same line, single spaces)."""
    w = _Walk(pos)
    n = limit if limit is not None else len(text)
    i = pos
    while len(w.tokens) < max_tokens and i < n:
        m = TOKEN_RE.match(text, i)
        if not m or m.end() > n:
            break
        kind = m.lastgroup
        tok = m.group()
        if kind == "part":
            if tok not in PARTICLES or not w.tokens:
                break
            g = GAP_RE.match(text, m.end())
            if not g or not TOKEN_RE.match(text, g.end()) or not text[g.end()].isupper():
                break
        elif kind == "word" and len(tok) == 1 and w.words and \
                re.match(rf"[ \t]{_WORD}", text[m.end():m.end() + 40]) and \
                _key(re.match(rf"[ \t]({_WORD})", text[m.end():m.end() + 40]).group(1)) not in NOT_NAMES:
            kind = "init"
        elif kind == "word":
            k = _key(tok)
            if k in PLACE_ORG_SUFFIX and (w.words or not suffix_first) and \
                    not _surname_not_suffix(w.words, tok):
                w.suffix = True
                break
            if k in HARD_NOT_NAMES or (k in SOFT_NOT_NAMES and not allow_soft
                                       and not (not w.tokens and _family_name_follows(text, m.end()))) \
                    or k in ROLE_WORDS and not w.tokens and k not in TITLES:
                break
            if any(ch.isdigit() for ch in tok):
                break
        end = m.end()
        if kind == "word" and (tok.endswith("'s") or tok.endswith("’s")):
            w.tokens.append((m.start(), end - 2, kind))
            w.words.append(tok[:-2])
            w.end = end - 2
            return w
        w.tokens.append((m.start(), end, kind))
        if kind == "word":
            w.words.append(tok)
        w.end = end
        g = GAP_RE.match(text, end)
        if not g:
            break
        i = g.end()
    # no trailing particles
    while w.tokens and w.tokens[-1][2] == "part":
        w.tokens.pop()
        w.end = w.tokens[-1][1] if w.tokens else w.start
    if w.tokens:
        # a place/organisation word right after the run makes it a place ("Grace Darling Ward")
        rest = text[w.end:w.end + 60]
        m = re.match(rf"((?:[ \t]+(?:{_WORD}|&|and|of)){{1,3}})", rest)
        if m:
            for x in re.findall(rf"{_WORD}|and|of|&", m.group(1)):
                if x in ("and", "of", "&"):
                    if x != "of":
                        break
                    continue
                if _key(x) in PLACE_ORG_SUFFIX:
                    w.suffix = True
                    break
    return w


def _prev_word(text: str, start: int) -> str:
    m = re.search(r"([\w'’.]+)[ \t\u00a0]*$", text[max(0, start - 40):start])
    return m.group(1) if m else ""


def _line_rest(text: str, pos: int, cap: int = 300) -> str:
    """The rest of the line from pos, at most `cap` characters (never a scan to the end of an
    8 MB single-line text)."""
    chunk = text[pos:pos + cap]
    nl = chunk.find("\n")
    return chunk if nl < 0 else chunk[:nl]


_LOWER_CACHE: dict[int, tuple[str, set]] = {}
# a word written in lower case, not inside an email address or a URL ("bronwen.lloyd@gmail.com")
_LOWER_WORD_RE = re.compile(r"(?<![\w'’.@/])([a-z][a-z'’]+)\b(?![.@_]\w)")


def lower_words_of(text: str) -> set:
    """Words used in lower case in this text (cached for the last text seen)."""
    hit = _LOWER_CACHE.get(id(text))
    if hit is not None and hit[0] is text:
        return hit[1]
    words = set(_LOWER_WORD_RE.findall(text))
    _LOWER_CACHE.clear()
    _LOWER_CACHE[id(text)] = (text, words)
    return words


def _abbreviation(words: list[str]) -> bool:
    """Only abbreviations or single letters ("NI", "S", "GP"): not a name."""
    return all(len(x) <= 1 or (x.isupper() and len(x) <= 3) for x in words)


def _sentence_initial_word_doubt(text: str, w: "_Walk") -> bool:
    """One sentence-initial word that is an ordinary word used in lower case elsewhere."""
    return len(w.words) == 1 and _sentence_initial(text, w.start) and \
        _key(w.words[0]) in lower_words_of(text) and not known_first(w.words[0])


def _sentence_initial(text: str, start: int) -> bool:
    j = start - 1
    stop = max(-1, start - 200)  # bounded: a run of a million spaces is not a sentence start
    while j > stop and text[j] in " \t\u00a0\"'“‘(*#>-–•·▪◦‣●○■□➢✓":
        j -= 1
    return j < 0 or j == stop or text[j] in ".!?:;\n|"


class _Cands:
    """Collects candidate spans (start, end, source, strength) for one part."""

    def __init__(self, text: str):
        self.text = text
        self.spans: list[tuple[int, int, str, float]] = []
        self.blocked: list[tuple[int, int]] = []  # spans known not to be a person (a town after an age)

    def add_walk(self, w: _Walk, source: str, conf: float, allow_suffix: bool = False) -> None:
        if not w.tokens or (w.suffix and not allow_suffix):
            return
        if not w.words and not any(k == "init" for _, _, k in w.tokens):
            return
        if w.words and all(_key(x) in ROLE_WORDS or _key(x) in HARD_NOT_NAMES for x in w.words):
            return
        if len(w.words) == 1 and _key(w.words[0]) in EPONYMOUS_CONDITIONS and source != "title":
            return
        self.spans.append((w.start, w.end, source, conf))


APPOSITION_RE = re.compile(
    rf"(?<![\w'’.-])({_WORD}(?:[ \t]{_WORD}){{0,2}})[ \t]{{0,3}}(?:,|[–—]|-(?=[ \t]))[ \t]{{0,3}}"
    rf"(?:my|his|her|their|our|your)[ \t]{{1,3}}(?:(?:older|younger|big|little|twin|late)[ \t]{{1,3}})?"
    rf"(?:{_REL})\b(?![ \t]{{0,3}}[{UP}])")
_JOBS = "|".join(sorted(JOB_SLOT_WORDS | JOB_WORDS, key=len, reverse=True))
# a name with its role after it: "Bronwen Lloyd (sessional counsellor)", "Aled Prosser, a volunteer"
JOB_AFTER_RE = re.compile(
    rf"(?<![\w'’.-])({_WORD}(?:[ \t]{_WORD}){{0,2}})(?:[ \t]{{0,3}}\((?:[a-z][\w-]*[ \t]){{0,3}}(?:{_JOBS})s?\)"
    rf"|,[ \t]{{1,3}}(?:a|an|our|the|one[ \t]of[ \t]our)[ \t]{{1,3}}(?:[a-z][\w-]*[ \t]){{0,2}}(?:{_JOBS})\b)")
JOB_SLOT_RE = re.compile(
    rf"(?<![\w-])(?:{'|'.join(sorted(JOB_SLOT_WORDS, key=len, reverse=True))})[ \t]{{1,3}}(?=[{UP}])")
INITIAL_NAME_RE = re.compile(rf"(?<![\w.])[{UP}]\.(?:[ ]?-?[{UP}]\.)*[ \t]{_WORD}")
_NAME_QUAL = r"(?:(?:first|last|full|given|maiden|middle|married|birth|family|nick)[ \t]{1,8}|sur|nick)?"
NAMED_RE = re.compile(
    rf"(?i:\b(?:(?:my|his|her|their|your|whose|the)[ \t]{{1,8}}{_NAME_QUAL}"
    rf"name(?:[ \t]{{1,8}}is|['’]s|[ \t]{{0,8}}\?|[ \t]{{0,8}}:"
    rf"|[ \t]{{1,8}}(?:on|in)[ \t]{{1,8}}(?:the|my|your|his|her|their)[ \t]{{1,8}}[a-z]{{3,12}}[ \t]{{1,8}}(?:is|was))"
    rf"|(?:is|am|was|were|be)[ \t]{{1,8}}called|named(?:[ \t]{{1,8}}(?:him|her|them))?|"
    rf"call(?:s|ed)?[ \t]{{1,8}}(?:me|him|her)|known[ \t]{{1,8}}as|i['’]m|i[ \t]{{1,8}}am))[ \t]{{1,8}}(?=[{UP}])")


def _rule_candidates(text: str, cands: _Cands) -> None:
    # "my name is Rubija", "a boy called Kieran", "What's your last name? Boyle"
    for m in NAMED_RE.finditer(text):
        w = walk_name(text, m.end(), max_tokens=3)
        if w.words and not w.suffix:
            cands.add_walk(w, "named", 0.85)
    # titles: "Mrs O'Neill", "Mr J. De Meyer", "Mr Justice Collins", "Mrs G."
    for m in TITLE_RE.finditer(text):
        i = m.end()
        g = GAP_RE.match(text, i)
        if not g:
            continue
        pos = g.end()
        # skip role words after the title ("Mr Justice Collins" keeps Collins)
        while True:
            r = re.match(rf"({_WORD})[ \t]+", text[pos:pos + 30])
            if r and _key(r.group(1)) in ROLE_WORDS and _key(r.group(1)) not in ("of", "the", "and"):
                pos += r.end()
                continue
            break
        w = walk_name(text, pos, allow_soft=True, suffix_first=True)
        words = [x for x in w.words if _key(x) not in ROLE_WORDS]
        if not words and not any(k == "init" for _, _, k in w.tokens):
            if w.words == [] and re.match(rf"[{UP}]\b", text[g.end():g.end() + 2]):
                pass
            continue
        if w.tokens:
            w.start = m.start()
            cands.add_walk(w, "title", 0.95, allow_suffix=True)
    # initials with a surname mid-sentence: "signed by T. Hughes" (not a heading "A. Background")
    for m in INITIAL_NAME_RE.finditer(text):
        if _sentence_initial(text, m.start()):
            continue
        w = walk_name(text, m.start(), max_tokens=4)
        if w.words and not w.suffix and _key(w.words[0]) not in NOT_NAMES:
            cands.add_walk(w, "initials", 0.8)
    # judicial post-nominals: "Tugendhat J", "Auld LJ"
    for m in POSTNOM_RE.finditer(text):
        k = _key(m.group("name"))
        if k in NOT_NAMES or k in ROLE_WORDS or k in PLACE_ORG_SUFFIX or len(k) < 2:
            continue
        if _prev_word(text, m.start()).lower() in {"appendix", "annex", "schedule", "part",
                                                      "form", "section", "block", "flat", "room"}:
            continue
        end = m.end() - (1 if m.group().endswith(".") else 0)
        cands.spans.append((m.start("name"), end, "title", 0.9))
    # salutations and sign-offs
    for rx in (SALUTATION_RE, SIGNOFF_RE):
        for m in rx.finditer(text):
            pos = m.end()
            t = TITLE_RE.match(text, pos)
            if t:
                g = GAP_RE.match(text, t.end())
                pos = g.end() if g else pos
            w = walk_name(text, pos, max_tokens=3, allow_soft=True)  # "Hi Will,", "Dear May,"
            rest = _line_rest(text, w.end)
            if rx is SIGNOFF_RE:
                # the name line must be just the name
                if rest.strip(" \t,.!"):
                    continue
            elif not re.match(r"[ \t]*(?:[,!:.\-–]|$|(?:and|&)[ \t])", rest):
                continue  # "Dear Duty Social Worker", "Hi Team Leaders"
            if len(w.words) == 1 and not t and is_english_word(w.words[0]) and \
                    not known_first(w.words[0]):
                continue  # "Dear Friend", "Dear Supporter", "Hi Neighbour"
            cands.add_walk(w, "salutation", 0.9)
            # "Hi Jess and Tariq,"
            m2 = re.match(r"[ \t]*(?:and|&)[ \t]+", text[w.end:w.end + 8])
            if w.tokens and m2:
                cands.add_walk(walk_name(text, w.end + m2.end(), max_tokens=3), "salutation", 0.9)
    # relations: "his sister Chloe", "Mum (Sarah)", "her son, Dylan"
    for m in RELATION_RE.finditer(text):
        w = walk_name(text, m.end(), max_tokens=3, allow_soft=True)
        if not w.words or _key(w.words[0]) in PLACE_ORG_PREFIX or _abbreviation(w.words):
            continue
        if m.group()[0].isupper():
            # A capitalised relation word mid-sentence is part of a Title Case name ("Our July
            # Sibling Saturday", "Young Carer Referral Form"); at the start of a sentence or a
            # line it is a label ("Parent NI number") unless a given name or a bracket follows.
            if not _sentence_initial(text, m.start()):
                continue
            if not (known_first(w.words[0]) or re.search(r"[,:(]", m.group())):
                continue
        cands.add_walk(w, "relation", 0.85)
    # a relation in apposition after the name: "Clive – my husband – said", "Sarah, his mum,"
    for m in APPOSITION_RE.finditer(text):
        w = walk_name(text, m.start(), limit=m.start(1) + len(m.group(1)), max_tokens=3)
        if w.words and w.end == m.end(1) and not _sentence_initial_word_doubt(text, w) and \
                _key(w.words[0]) not in ROLE_WORDS and not _abbreviation(w.words):
            cands.add_walk(w, "relation", 0.85)
    for m in JOB_AFTER_RE.finditer(text):
        w = walk_name(text, m.start(1), limit=m.end(1), max_tokens=3)
        if w.words and w.end == m.end(1) and known_first(w.words[0]) and not w.suffix and \
                _key(w.words[0]) not in lower_words_of(text) and not _abbreviation(w.words):
            cands.add_walk(w, "named", 0.8)
    # a job noun in lower case before a given name: "counsellor Aled Prosser", "volunteer Clive"
    for m in JOB_SLOT_RE.finditer(text):
        w = walk_name(text, m.end(), max_tokens=3)
        if w.words and known_first(w.words[0]) and not w.suffix and \
                _key(w.words[0]) not in lower_words_of(text) and not _abbreviation(w.words):
            cands.add_walk(w, "named", 0.8)
    # a name with an age: "Jess, 12, from Penrith", "Kieran (14)", "Amira is 12 years old"
    for m in AGE_AFTER_RE.finditer(text):
        # walk back over at most two name words
        seg = text[max(0, m.start() - 60):m.start()]
        b = re.search(rf"((?:{_WORD})(?:[ \t](?:{_WORD}))?)$", seg)
        if not b:
            continue
        start = m.start() - len(b.group(1))
        w = walk_name(text, start, limit=m.start(), max_tokens=2)
        if w.end != m.start() or not w.words:
            continue
        k = _key(w.words[0])
        if k in NOT_NAMES or k in ROLE_WORDS or k in PLACE_ORG_SUFFIX:
            continue
        if _prev_word(text, start).lower() in LOCATIVE:
            continue
        cands.add_walk(w, "age", 0.85)
        # what follows "Name (14), " or "Name, 12, from " is a place, not a person
        after = re.match(r"[ \t]*(?:[,\-–][ \t]*)?(?:from[ \t]+|in[ \t]+)?", text[m.end():m.end() + 12])
        if after:
            p = walk_name(text, m.end() + after.end(), max_tokens=3, allow_soft=True,
                          suffix_first=True)
            if p.tokens:
                cands.blocked.append((p.start, p.end))
    # form fields: "Name: Amira Hussain", "Child's name\nAMIRA HUSSAIN"
    for m in FIELD_RE.finditer(text):
        w = walk_name(text, m.end(), max_tokens=4, allow_soft=True, suffix_first=True)
        rest = _line_rest(text, w.end)
        if rest.strip(" \t") and not re.match(r"[ \t]*[,;(|]", rest):
            continue
        if NAME_HEADER_RE.search(text[w.start:w.end]) or NOT_NAME_HEADER_RE.search(text[w.start:w.end]):
            continue  # a label under a label: a table's header row, not a value
        cands.add_walk(w, "field", 0.85)


def _cell_candidates(text: str, start: int, end: int, cands: _Cands,
                     lower_words: set[str] = frozenset()) -> None:
    s, e = start, end
    while s < e and text[s] in " \t\"'":
        s += 1
    while e > s and text[e - 1] in " \t\"'\r":
        e -= 1
    if s >= e or e - s > 60 or any(ch.isdigit() for ch in text[s:e]):
        return
    # a cell may hold "Name Surname (mum)" or "Ava Thompson; Noah Kirkby"
    for piece in re.finditer(r"[^;/,()\n]+", text[s:e]):
        ps = s + piece.start()
        while ps < e and text[ps] in " \t":
            ps += 1
        w = walk_name(text, ps, limit=s + piece.end(), max_tokens=4, allow_soft=True)
        pe = s + piece.end()
        while pe > ps and text[pe - 1] in " \t":
            pe -= 1
        if not w.words or w.end < pe:
            continue  # the cell holds more than a name ("Designated Safeguarding Lead")
        if len(w.words) == 1 and not known_first(w.words[0]) and (
                _key(w.words[0]) in lower_words
                or is_english_word(w.words[0]) and not known_surname(w.words[0])):
            continue  # an ordinary word ("Emergency")
        cands.add_walk(w, "table", 0.85)


def _table_candidates(part: Part, cands: _Cands, lower_words: set[str] = frozenset()) -> None:
    text = part.text
    for s, e, header in part.table_headers:
        if NAME_HEADER_RE.search(header or "") and not NOT_NAME_HEADER_RE.search(header or ""):
            _cell_candidates(text, s, e, cands, lower_words)
    # delimited text (CSV/TSV/pipe tables): columns whose header names people
    lines = text.split("\n")
    off = 0
    header_cols: Optional[list[int]] = None
    delim = None
    for line in lines:
        stripped = line.strip()
        if header_cols is None:
            for d in (",", "\t", "|", ";"):
                if stripped.count(d) >= 2:
                    cols = [c.strip().strip('"') for c in _split_cells(line, d)]
                    idx = [i for i, (c, _, _) in enumerate(cols_with_pos(line, d))
                           if NAME_HEADER_RE.search(c) and not NOT_NAME_HEADER_RE.search(c)
                           and len(c) < 40]
                    if idx and not any(ch.isdigit() for ch in "".join(cols)):
                        header_cols, delim = idx, d
                    break
        elif stripped.count(delim) >= 1:
            for i, (c, cs, ce) in enumerate(cols_with_pos(line, delim)):
                if i in header_cols:
                    _cell_candidates(text, off + cs, off + ce, cands, lower_words)
        elif not stripped:
            header_cols = None
        off += len(line) + 1


def _split_cells(line: str, d: str) -> list[str]:
    return [c for c, _, _ in cols_with_pos(line, d)]


def cols_with_pos(line: str, d: str) -> list[tuple[str, int, int]]:
    out = []
    i, n = 0, len(line)
    start = 0
    inq = False
    while i <= n:
        ch = line[i] if i < n else d
        if ch == '"':
            inq = not inq
        elif ch == d and not inq or i == n:
            out.append((line[start:i], start, i))
            start = i + 1
        i += 1
    return out


def _in_gloss(text: str, s: int, e: int) -> bool:
    """A foreign-language gloss or a title in brackets: "the Supreme Court (Sąd Najwyższy)",
    "(Ustawa o skardze ...)". A person in brackets stands alone: "Mum (Sarah)", "(Kieran, 14)"."""
    o = text.rfind("(", max(0, s - 3), s + 1)
    if o >= 0 and text[o + 1:s].strip(" “\"'‘"):
        o = -1
    if o < 0:
        # inside a bracketed name of four or more Title Case words ("(Tarım Reformu Genel
        # Müdürlüğü)"): an institution's own name, not a person
        o2 = text.rfind("(", max(0, s - 80), s)
        c2 = text.find(")", e, e + 80)
        if o2 < 0 or c2 < 0 or ")" in text[o2:s] or "(" in text[e:c2]:
            return False
        words = text[o2 + 1:c2].split()
        return len(words) >= 4 and all(x[:1].isupper() for x in words) and \
            not any(_key(x) in TITLES for x in words)
    c = text.find(")", e, e + 200)
    if c < 0:
        return False
    inside_after = text[e:c]
    if re.match(r"[ \t]+[a-ząćęłńóśźżäöüåæøçğışéèáíúñ]", inside_after) and \
            not re.match(r"[ \t]+(?:aged|age|who|is|was|mum|dad|and|or|b\.|born)\b", inside_after):
        return True
    before = text[max(0, o - 60):o].rstrip()
    last = re.search(rf"({_WORD})$", before)
    return bool(last and _key(last.group(1)) in PLACE_ORG_SUFFIX)


STRONG_LOCATIVE = {"in", "near", "around", "across", "into", "towards", "via", "outside", "nr",
                   "inside", "through"}


def _single_word_doubtful(text: str, w: _Walk, places: set[str], lower_words: set[str]) -> bool:
    """One NER word alone that is more likely a place, a heading or an ordinary word."""
    word = w.words[0]
    k = _key(word)
    known = known_first(word)
    prev = _prev_word(text, w.start)
    pk = prev.lower().rstrip(".,")
    if pk in STRONG_LOCATIVE or (pk in LOCATIVE and not known):
        return True
    if word in places and not known:
        return True
    if not known and (k in lower_words or _sentence_initial(text, w.start)):
        return True
    # part of a longer proper name the NER cut ("Kirkby Stephen", "Castle Street")
    j = w.start - 1
    if j > 0 and text[j] == " " and prev and prev[0].isupper() and not prev.endswith(".") and \
            _key(prev) not in NOT_NAMES and _key(prev) not in TITLES and \
            prev.lower() not in RELATIONS and not _sentence_initial(text, w.start - len(prev) - 1):
        return True
    return False


def _clean_ner(text: str, s: int, e: int, cands: _Cands, source: str, conf: float,
               places: set[str] = frozenset(), lower_words: set[str] = frozenset()) -> None:
    """Turn one NER span into name runs: never across a line or a list, no salutation."""
    for piece in re.finditer(r"[^\n\r,;/|&()]+", text[s:e]):
        ps, pe = s + piece.start(), s + piece.end()
        sub = text[ps:pe]
        # split "Jess and Tariq"
        for chunk in re.finditer(r"(?:(?!\band\b).)+", sub):
            cs, ce = ps + chunk.start(), ps + chunk.end()
            # skip leading non-name words (Dear, Mum, Thanks, lower-case words, titles kept)
            i = cs
            while i < ce:
                m = TOKEN_RE.match(text, i)
                if m is None:
                    i += 1
                    continue
                k = _key(m.group())
                if m.lastgroup == "word" and (k in NOT_NAMES or k in ROLE_WORDS) and k not in TITLES \
                        and not (k in SOFT_NOT_NAMES and _family_name_follows(text, m.end())):
                    i = m.end()
                    continue
                if m.lastgroup == "part":
                    i = m.end()
                    continue
                break
            if i >= ce:
                continue
            t = TITLE_RE.match(text, i)
            if t:
                g = GAP_RE.match(text, t.end())
                if g:
                    w = walk_name(text, g.end(), limit=ce)
                    if w.tokens:
                        w.start = i
                        cands.add_walk(w, source, conf)
                continue
            w = walk_name(text, i, limit=ce)
            if not w.words:
                continue
            if w.words and w.words[0].isupper() and len(w.words[0]) > 1 and \
                    not known_first(w.words[0]):
                continue  # ALL-CAPS headings the NER calls a person
            if _prev_word(text, w.start).lower().rstrip(".") in PLACE_ORG_PREFIX and \
                    _prev_word(text, w.start) not in ("The",) and not (
                        _prev_word(text, w.start) == "the" and
                        all(name_class(x, lower_words) in ("first", "surname") and
                            not is_english_word(x) for x in w.words)):
                continue
            if len(w.tokens) == 1 and len(w.words) == 1 and \
                    _single_word_doubtful(text, w, places, lower_words):
                continue
            if w.words and not any(known_first(x) for x in w.words) and \
                    all(_key(x) in lower_words for x in w.words):
                continue  # ordinary words in Title Case ("Bereavement Allowance", "Legal Adviser")
            if w.words and all(is_english_word(x) and not known_first(x) for x in w.words) and \
                    not (len(w.words) == 1 and known_surname(w.words[0])):
                continue  # English words and no name among them ("Record Keeping", "Progress")
            if _in_gloss(text, w.start, w.end):
                continue
            cands.add_walk(w, source, conf)


FIRST_VERB_RE = re.compile(
    rf"(?<![\w'’.-])({_WORD})(?=['’]s\b|[ \t]{{1,3}}(?:is|was|has|had|said|says|told|who|will|would|"
    rf"can|could|did|does|went|goes|feels|felt|loves|likes|wants|asked|seems|seemed|gets|got|"
    rf"finishes|finished|starts|started|attends|attended|enjoys|enjoyed|came|comes|lives|lived|"
    rf"needs|needed|loves|loved|joined|joins|struggles|struggled)\b)")


def _ents_near(ents: list, starts: list[int], s: int, e: int, reach: int = 400):
    """The sorted entities that may overlap [s, e) (an entity is at most `reach` long)."""
    i = bisect.bisect_left(starts, s - reach)
    j = bisect.bisect_left(starts, e)
    return ents[i:j]


def _gazetteer_candidates(text: str, ents: list[tuple[int, int, str]], cands: _Cands,
                          lower_words: set[str], places_strict: set[str] = frozenset(),
                          geo_strict: set[str] = frozenset()) -> None:
    names = first_names()
    if not names:
        return
    for s, e, label in ents:
        if label == "PERSON":
            continue
        if label not in ("GPE", "ORG", "NORP", "LOC", "PRODUCT", "FAC", "WORK_OF_ART"):
            continue
        span = text[s:e]
        if not re.fullmatch(_WORD, span):
            continue
        k = _key(span)
        if not known_first(span) or k in NOT_NAMES or k in lower_words or span.isupper():
            continue
        if _prev_word(text, s).lower() in LOCATIVE or \
                _prev_word(text, s).lower().rstrip(".") in PLACE_ORG_PREFIX:
            continue
        after = text[e:e + 20]
        if not re.match(r"(?:['’]s\b|[ \t]+(?:is|was|has|had|said|says|told|and|who|will|would|"
                        r"can|could|did|does|went|goes|feels|felt|loves|likes|wants|asked|"
                        r"seems|seemed|gets|got)\b)", after):
            continue
        if span in geo_strict or _is_uk_place([span]):
            continue
        w = walk_name(text, s, limit=e)
        cands.add_walk(w, "gazetteer", 0.7)
    # A given name the NER left unlabelled, followed by what people do ("Oisín is welcome",
    # "Oisín finishes at 3.20", "Oisín's dad").
    ent_union = _Union((a, b) for a, b, _ in ents)
    for m in FIRST_VERB_RE.finditer(text):
        s, e = m.start(1), m.end(1)
        span = m.group(1)
        if ent_union.overlaps(s, e):
            continue
        k = _key(span)
        if not known_first(span) or k in NOT_NAMES or k in lower_words or span.isupper() or \
                k in PLACE_ORG_SUFFIX or k in ROLE_WORDS or k in EPONYMOUS_CONDITIONS:
            continue
        prev = _prev_word(text, s)
        if prev.lower() in LOCATIVE or prev.lower().rstrip(".") in PLACE_ORG_PREFIX:
            continue
        if span in geo_strict or _is_uk_place([span]):
            continue
        if prev[:1].isupper() and text[s - 1:s] == " " and not _sentence_initial(text, s - len(prev) - 1) \
                and _key(prev) not in NOT_NAMES and _key(prev) not in TITLES and not known_first(prev):
            continue  # the end of a longer proper name ("Grace Darling")
        w = walk_name(text, s, limit=e)
        cands.add_walk(w, "gazetteer", 0.7)
    # Full names the NER missed: a given name followed by a capitalised surname, mid-sentence.
    covered = sorted(ents)
    ent_starts = [s for s, _, _ in covered]
    for m in re.finditer(rf"(?<![\w'’.-])({_WORD})[ \t]({_WORD})(?![\w'’-]|['’](?![sS]\b))", text):
        a, b = m.group(1), m.group(2)
        if b.endswith(("'s", "’s")):
            b = b[:-2]
        ka, kb = _key(a), _key(b)
        if not known_first(a) or ka in HARD_NOT_NAMES or kb in NOT_NAMES or ka in lower_words \
                or (ka in SOFT_NOT_NAMES and (known_first(b) or _sentence_initial(text, m.start()))):
            continue
        if a.isupper() != b.isupper() or kb in ROLE_WORDS or \
                kb in PLACE_ORG_SUFFIX and not _surname_not_suffix([a], b):
            continue
        # the small model calls foreign full names places ("Emmie Ström's" as GPE): a given name
        # and a listed surname, neither an English word nor a UK place, are a person anyway
        cb = name_class(b, lower_words)
        sure = name_class(a, lower_words) == "first" and cb in ("surname", "unknown", "first") \
            and not is_english_word(a) and not _is_uk_place([a, b])
        if sure and cb == "first" and any(  # two given names: a place unless the NER says firm
                s < m.end() and m.start() < e and lab in ("GPE", "LOC", "FAC")
                for s, e, lab in _ents_near(covered, ent_starts, m.start(), m.end())):
            sure = False
        if not sure and ent_union.overlaps(m.start(), m.end()) and any(
                s < m.end() and m.start() < e and lab != "PERSON" and not (
                    s == m.start() and e == m.end() and lab in ("ORG", "NORP", "PRODUCT", "WORK_OF_ART"))
                for s, e, lab in _ents_near(covered, ent_starts, m.start(), m.end())):
            continue
        pk = _prev_word(text, m.start()).lower().rstrip(".")
        if pk in PLACE_ORG_PREFIX or pk in STRONG_LOCATIVE or \
                (pk in LOCATIVE and (cb not in ("surname", "unknown", "first")
                                     or _is_uk_place([a, b]))):
            continue
        if kb in lower_words or not sure and (a in places_strict or b in places_strict):
            continue
        if not m.group(2).endswith(("'s", "’s")) and re.match(rf"[ \t]+[{UP}]", text[m.end():m.end() + 2]):
            continue  # a longer Title Case run: an event, a place, an organisation
        w = walk_name(text, m.start(), max_tokens=2)
        if len(w.words) == 2 and w.end == m.start(2) + len(b):
            cands.add_walk(w, "gazetteer", 0.6)


def _merge(spans: Iterable[tuple[int, int, str, float]]) -> list[tuple[int, int, str, float]]:
    out: list[list] = []
    for s, e, src, c in sorted(spans, key=lambda x: (x[0], -x[1])):
        if out and s < out[-1][1]:
            last = out[-1]
            if e > last[1]:
                last[1] = e
            if c > last[3]:
                last[2], last[3] = src, c
            continue
        out.append([s, e, src, c])
    return [tuple(x) for x in out]  # type: ignore[misc]


def _name_keys(text: str, s: int, e: int) -> set[str]:
    out = set()
    for m in TOKEN_RE.finditer(text, s, e):
        if m.lastgroup == "init" and len(m.group()) >= 4 and "." in m.group()[1:]:
            # a person known by initials ("Mr D.R." -> "D.R.")
            out.add(m.group())
            continue
        if m.lastgroup != "word":
            continue
        k = _key(m.group())
        if len(k) < 2 or k in NOT_NAMES or k in TITLES or k in ROLE_WORDS or \
                k in PLACE_ORG_SUFFIX or k in EPONYMOUS_CONDITIONS:
            continue
        out.add(m.group().replace("’s", "").replace("'s", ""))
    return out


def _propagate(text: str, keys: set[str], cands: _Cands) -> None:
    if not keys:
        return
    forms = set()
    for k in keys:
        forms.add(k)
        forms.add(k.upper())
    alt = "|".join(sorted((re.escape(f) for f in forms), key=len, reverse=True))
    for m in re.finditer(rf"(?<![\w'’.-])(?:{alt})(?![\w-]|['’](?![sS]\b))", text):
        s = m.start()
        # a preceding title joins the name ("Mrs Brooks")
        seg = text[max(0, s - 8):s]
        t = re.search(r"(?:^|(?<=[^\w]))(Mr|Mrs|Ms|Miss|Mx|Dr|MR|MRS|MS|DR)\.?[ \t]$", seg)
        start = s - (len(seg) - t.start(1)) if t else s
        w = walk_name(text, s, max_tokens=1)
        if not w.tokens or w.suffix:
            continue
        if w.end < m.end():
            w.end = m.end()
        prev = _prev_word(text, start)
        if prev.lower().rstrip(".") in {"st", "saint", "hmp", "fort", "mount", "lake", "port"}:
            continue
        if start == s and prev.lower() in STRONG_LOCATIVE:
            continue
        w.start = start
        cands.add_walk(w, "propagated", 0.8)


LIST_LINE_RE = re.compile(
    rf"(?m)^[ \t>]{{0,8}}(?:[-•*·]|\d{{1,2}}[.)])?[ \t]{{0,8}}(?P<name>{_WORD}(?:[ \t]{_WORD}){{1,2}})"
    rf"[ \t]{{0,8}}(?:[–—:(,]|-[ \t])")


COORD_RE = re.compile(
    rf"(?<![\w'’.-])(?:{_WORD}(?:[ \t]{_WORD})?[ \t]{{0,2}},[ \t]{{1,3}}){{1,12}}{_WORD}(?:[ \t]{_WORD})?"
    rf"[ \t]{{0,2}},?[ \t]{{1,3}}(?:and|&)[ \t]{{1,3}}{_WORD}(?:[ \t]{_WORD})?(?![\w'’-])")
MIDDLE_INITIAL_RE = re.compile(
    rf"(?<![\w'’.-])({_WORD})[ \t]([{UP}])\.?[ \t]({_WORD})(?![\w'’-])")


def _coordination_candidates(text: str, cands: _Cands, lower_words: set[str],
                             places: set[str], ents: list = ()) -> None:
    """Names in a list: "Gaetane, Hannah, Anthony, Derek, Anna and Andrew". When most items of a
    comma-and list are given names or names already found, the others are names too."""
    found = None
    ents_sorted = sorted(ents)
    starts = [s for s, _, _ in ents_sorted]
    for m in COORD_RE.finditer(text):
        items = []
        for it in re.finditer(rf"{_WORD}(?:[ \t]{_WORD})?", m.group()):
            if it.group() in ("and",):
                continue
            items.append((m.start() + it.start(), m.start() + it.end(), it.group()))
        if len(items) < 3:
            continue
        if found is None:
            found = _Union((a, b) for a, b, _, _ in cands.spans)
        # a firm or a band named after its founders ("Clark, Romero and Hall Orchestra"), or a
        # list after a locative ("at Jones, Mitchell and Williams")
        tail = walk_name(text, items[-1][0], max_tokens=3)
        if tail.suffix or _prev_word(text, m.start()).lower() in LOCATIVE:
            continue
        if FIRM_AFTER_RE.match(text, m.end()):
            continue  # one firm: "Lopez, Santos and Coleman is a design agency"
        def good(s, e, t):
            ws = t.split()
            return found.overlaps(s, s + 1) or \
                (known_first(ws[0]) and _key(ws[0]) not in lower_words and not _is_uk_place(ws[:1])
                 and t not in places)
        n_good = sum(1 for it in items if good(*it))
        classes = [name_class(t.split()[0], lower_words) for _, _, t in items]
        n_known = sum(1 for c in classes if c in ("first", "surname", "word-surname"))
        n_nameish = sum(1 for c in classes if c in NAMEISH)
        n_place = sum(1 for s, e, _ in items if _ent_labels(ents_sorted, starts, s, e) & {"GPE", "LOC", "FAC"})
        if (n_good < 3 or n_good * 3 < len(items) * 2) and \
                (n_known < 1 or n_nameish < 2 or None in classes or n_place * 2 > len(items)):
            continue
        for s, e, t in items:
            w = walk_name(text, s, limit=e, max_tokens=2)
            if not w.words or w.end != e or w.suffix or _key(w.words[0]) in lower_words or \
                    _is_uk_place(w.words) or (t in places and not (
                        n_good >= 3 and name_class(w.words[0], lower_words) == "first")):
                continue
            cands.add_walk(w, "list", 0.7)
    # a given name, a middle initial and a surname: "Julieta S Almeida", "Ravil G. Yefimov"
    for m in MIDDLE_INITIAL_RE.finditer(text):
        a, b = m.group(1), m.group(3)
        if not (known_first(a) or name_class(a, lower_words) in NAMEISH and
                name_class(b, lower_words) in NAMEISH) or _key(a) in NOT_NAMES or _key(a) in lower_words or \
                _key(b) in NOT_NAMES or _key(b) in PLACE_ORG_SUFFIX or _key(b) in ROLE_WORDS or \
                a.isupper() or b.isupper() or _key(b) in lower_words:
            continue
        w = walk_name(text, m.start(), max_tokens=4)
        if len(w.tokens) >= 3 and len(w.words) >= 2 and not w.suffix:
            cands.add_walk(w, "list", 0.7)


# ---------------------------------------------------------------------------------------------
# Person slots: where English grammar puts a person ("said Maslin", "Shovda told her",
# "Danial, can I ...", "Ella: ...", "Abramovich and Wilson were"). A word in such a slot is a
# name when it is a known given name or surname, or no English word at all; an ordinary word
# ("Also, can I", "Background: ...") never is.

def known_surname(word: str) -> bool:
    """Is this word a family name in the surname list (accents folded)?"""
    names = surnames()
    k = _key(word)
    return k in names or _fold(k) in names


@lru_cache(maxsize=65536)
def is_english_word(word: str) -> bool:
    """An English word, inflected forms and British spellings included ("schools", "studies",
    "neighbours", "organised")."""
    k = _key(word)
    forms = {k, k.replace("-", "")}
    # British spellings of an American list: neighbour(s), organise(d), centre(s), catalogue
    if "our" in k:
        forms.add(k.replace("our", "or"))
    m = _BRITISH_END_RE.search(k)
    if m:
        forms.add(k[:m.start()] + _BRITISH_END[m.group(1)] + m.group(2))
    return any(_english_form(f) for f in forms)


_BRITISH_END = {"is": "iz", "isation": "ization", "tre": "ter", "ogue": "og", "ence": "ense",
                "ys": "yz"}
_BRITISH_END_RE = re.compile(r"(isation|is|tre|ogue|ence|ys)(e|es|ed|ing|s|d|)$")


def _english_form(k: str) -> bool:
    words = english_words()
    if k in words:
        return True
    for suf, rep in (("ies", "y"), ("es", ""), ("s", ""), ("ied", "y"), ("ed", ""), ("ed", "e"),
                     ("ing", ""), ("ing", "e"), ("ly", ""), ("ers", ""), ("er", ""), ("ers", "e"),
                     ("er", "e")):
        if k.endswith(suf) and len(k) - len(suf) >= 3 and k[:-len(suf)] + rep in words:
            return True
    # doubled consonants: "stopped", "running"
    for suf in ("ed", "ing", "er"):
        if k.endswith(suf) and len(k) - len(suf) >= 4 and k[-len(suf) - 1] == k[-len(suf) - 2] \
                and k[:-len(suf) - 1] in words:
            return True
    return False


def name_class(word: str, lower_words: set[str]) -> Optional[str]:
    """'first', 'surname' or 'unknown' for a word that may be a name; 'word-surname' for a
    surname that is also an English word ("Brown"); None for anything else, and for a word
    this text also uses in lower case."""
    if _key(word) in lower_words:
        return None
    return _name_class(word)


@lru_cache(maxsize=65536)
def _name_class(word: str) -> Optional[str]:
    k = _key(word)
    if len(k) < 2 or k in NOT_NAMES or k in COUNTRIES or k in ROLE_WORDS or k in PLACE_ORG_SUFFIX or \
            k in PLACE_ORG_PREFIX or k in GROUP_WORDS or k in ORG_WORDS or \
            k in TITLES or k in JOB_WORDS or k in JOB_SLOT_WORDS:
        return None
    if k in EPONYMOUS_CONDITIONS:
        return "word-surname"  # "Becker", "Graves": a surname, or a condition's name
    if (word.isupper() and len(word) > 1) or any(ch.isdigit() for ch in word):
        return None
    first = known_first(word)
    if not first and _is_uk_place([word]):
        return None
    word_like = is_english_word(word)
    if first and (not word_like or k in common_first_names() or _fold(k) in common_first_names()):
        return "first"
    if known_surname(word):
        return "word-surname" if word_like else "surname"
    if first:
        return "word-surname"  # a rare given name that is also a word ("Soon"): context decides
    return None if word_like else "unknown"


NAMEISH = {"first", "surname", "unknown"}
_SPEECH = ("said|says|told|tells|asked|asks|shouted|shouts|yelled|whispered|replied|replies|"
           "explained|wrote|writes|smiled|laughed|cried|texted|phoned|rang|emailed|messaged|"
           "married|lives|lived|spent|began|begins|feels|felt|thinks|thought|hopes|hoped|"
           "wants|wanted|loves|loved|hates|hated|misses|missed|admitted|insisted|agreed|"
           "complained|disclosed|reported|refused|promised|apologised|apologized")
SLOT_LEFT_RE = re.compile(
    rf"(?<![\w'’-])(?:(?P<speech>(?i:said|says|told|tells|asked|asks|shouted|yelled|whispered|"
    rf"replied|spoke|speak|speaking|talked|talk|talking|chatted|thanked|texted|emailed|"
    rf"messaged))|(?i:met|meet|meeting|contacted|phoned|rang|visited|married|introduced|"
    rf"follow(?:ed|ing)?[ \t]+up))(?:[ \t]+(?i:at|to|with))?[ \t]+(?=[{UP}])")
# "said Maslin to Antonio": the one spoken to
SAID_TO_RE = re.compile(
    rf"(?<![\w'’-])(?i:said|says|shouted|whispered|replied|wrote|explained)[ \t]+{_WORD}"
    rf"(?:[ \t]{_WORD})?[ \t]+to[ \t]+(?=[{UP}])")
SLOT_RIGHT_RE = re.compile(
    rf"(?<![\w'’.-])({_WORD})(?=[ \t]{{1,3}}(?:{_SPEECH}|had[ \t]given|has[ \t]given|was[ \t]born)\b)")
VOC_START_RE = re.compile(
    rf"(?:^|(?<=[.!?][ \t])|(?<=[.!?][ \t]{{2}})|(?<=\n))[ \t\"“']{{0,4}}({_WORD})[ \t]{{0,2}},[ \t]{{1,3}}"
    rf"(?=(?i:can|could|would|will|please|i|we|you|thanks|thank|just|sorry|hope|are|do|did|"
    rf"have|how|what|when|where|why|is|it['’]s|i['’]m|let['’]s|don['’]t|great|good|well|"
    rf"welcome|lovely)\b)")
VOC_END_RE = re.compile(
    rf"(?:,|\b(?i:done|thanks|thank[ \t]you|cheers|bye|congratulations|congrats|hi|hello|hey|"
    rf"night|morning|love[ \t]you|miss[ \t]you))[ \t]{{1,3}}({_WORD}(?:[ \t]{_WORD})?)[ \t]{{0,2}}"
    rf"(?:([!?])|\.(?=[ \t]*(?:\n|$)))")
SPEAKER_RE = re.compile(rf"(?m)^[ \t>]{{0,8}}({_WORD}(?:[ \t]{_WORD})?)[ \t]{{0,2}}:[ \t]+(?=\S)")
PAIR_RE = re.compile(
    rf"(?<![\w'’.-])({_WORD})[ \t]{{1,3}}(?:and|&)[ \t]{{1,3}}({_WORD})(?=[ \t]{{1,3}}(?:were|are|have|"
    rf"had|both|said|say|told|met|went|came|live|lived|joined|founded|started|became|agreed|felt|"
    rf"feel|want|wanted|need|needed|who)\b)")
_LOW = r"[^\W\d_A-Z][^\W\d_]*(?:['’-][^\W\d_]+)*"
LOWER_NAMED_RE = re.compile(
    rf"(?i:\b(?:my|his|her|their|your)[ \t]{{1,8}}{_NAME_QUAL}name[ \t]{{1,8}}is|call(?:s|ed)?[ \t]{{1,8}}me|"
    rf"i[ \t]{{1,8}}am[ \t]{{1,8}}called|i['’]m[ \t]{{1,8}}called)[ \t]{{1,8}}(?={_LOW})")
LOWER_FIELD_RE = re.compile(
    rf"(?m)^[ \t]{{0,8}}(?i:full[ \t]{{1,3}}|first[ \t]{{1,3}}|last[ \t]{{1,3}}|sur)?(?i:name)[ \t]{{0,8}}:[ \t]{{0,24}}"
    rf"((?:{_LOW}|[a-z]\.?)(?:[ \t]{{1,3}}(?:{_LOW}|[a-z]\.?)){{0,3}})[ \t]*$")
LOWER_TITLE_RE = re.compile(rf"(?<![\w.])(?:mr|mrs|ms|miss|mx)\.[ \t]{{1,3}}(?=[^\W\d_])")
LINE_NAME_RE = re.compile(
    rf"(?m)^[ \t>]{{0,8}}({_WORD}[ \t]{{1,3}}(?:[{UP}]\.?[ \t]{{1,3}})?{_WORD})[ \t]*$"
    rf"|^[ \t>]{{0,8}}({_LOW}[ \t]{{1,3}}(?:[a-z]\.?[ \t]{{1,3}})?{_LOW})[ \t]*$")
MID_NAME_RE = re.compile(rf"(?<![\w'’.@/-])({_WORD})(?:['’]s)?(?![\w'’@-]|[ \t]{{1,3}}[{UP}]|\.\w)")
LOWER_LINE_RE = re.compile(r"(?m)^[^A-Z\n@/\\]{8,400}$")
_LOWER_NAME_TOKEN_RE = re.compile(r"(?<![\w'’.@/-])[a-z][a-z'’-]+(?![\w@/-]|\.\w)")
_LOWER_TOKEN_RE = re.compile(rf"[a-z]\.(?=[ \t])|{_LOW}")


def _lower_run(text: str, pos: int, lower_words: set[str], need_known: bool = True,
               max_tokens: int = 4) -> Optional[tuple[int, int]]:
    """A run of lower-case name tokens from pos ("lena andersson", "eric g. samoylova"):
    the first a known given name or surname (unless need_known is false), the rest initials,
    known names or no English word. None when no such run starts at pos."""
    end = pos
    i = pos
    n = 0
    while n < max_tokens:
        m = _LOWER_TOKEN_RE.match(text, i)
        if not m:
            break
        tok = m.group()
        k = _key(tok)
        if len(k) > 1:
            if k in NOT_NAMES or k in ROLE_WORDS or k in PARTICLES and n == 0:
                break
            cls = name_class(tok, frozenset())
            if n == 0 and need_known and cls not in NAMEISH:
                return None
            if cls is None or (cls == "word-surname" and (n == 0 or is_english_word(tok)
                                                           and not known_surname(tok))):
                if n == 0:
                    return None
                break
        elif n == 0:
            return None
        end = m.end()
        n += 1
        g = GAP_RE.match(text, end)
        if not g:
            break
        i = g.end()
    # no trailing initial
    while end > pos and re.search(r"(?:^|[ \t])[a-z]\.?$", text[pos:end]):
        end = pos + re.search(r"[ \t]*[a-z]\.?$", text[pos:end]).start()
    return (pos, end) if end > pos else None


def _ent_labels(ents_sorted, starts, s: int, e: int) -> set[str]:
    return {lab for a, b, lab in _ents_near(ents_sorted, starts, s, e) if a < e and s < b}


def _slot_walk(text: str, pos: int, lower_words: set[str], cands: _Cands, ents_sorted, starts,
               source: str = "slot", conf: float = 0.7, allow_word: bool = False,
               max_tokens: int = 3, trust_ner: bool = True, trust_orgs: Optional[bool] = None,
               ner_agree: bool = False) -> bool:
    """A name run in a person slot at pos: every word name-like, the first not an ordinary
    word (unless allow_word), no place the NER named."""
    w = walk_name(text, pos, max_tokens=max_tokens)
    if not w.words or w.suffix:
        return False
    if ner_agree and not allow_word and "PERSON" in _ent_labels(ents_sorted, starts, w.start, w.end):
        allow_word = True  # the NER agrees: a surname that is also a word ("Kuba, can I")
    ok_end = None
    for i, (ts, te, kind) in enumerate(w.tokens):
        if kind != "word":
            ok_end = te
            continue
        cls = name_class(text[ts:te].rstrip("'’"), lower_words)
        if cls is None or (i == 0 and cls == "word-surname" and not allow_word):
            break
        ok_end = te
    if ok_end is None:
        return False
    w2 = walk_name(text, pos, limit=ok_end, max_tokens=max_tokens)
    if not w2.words:
        return False
    if _is_uk_place(w2.words):
        return False
    labels = _ent_labels(ents_sorted, starts, w2.start, w2.end) if trust_ner else set()
    if labels & {"GPE", "LOC", "FAC"}:
        return False
    if (trust_ner if trust_orgs is None else trust_orgs) and \
            labels & {"ORG", "PRODUCT", "WORK_OF_ART", "NORP"} and \
            name_class(w2.words[0], lower_words) == "unknown" and len(w2.words) == 1:
        return False
    cands.add_walk(w2, source, conf)
    return True


# chat words that the given-name gazetteer also lists
CHAT_WORDS = {"ya", "yah", "hun", "hon", "tho", "ur", "u", "lol", "omg", "idk", "tbh", "btw", "imo",
              "ngl", "rn", "fr", "bc", "cuz", "coz", "pls", "plz", "thx", "ty", "xx", "xxx", "x",
              "haha", "hehe", "lmao", "innit", "bruv", "fam", "babe", "bae", "sis", "bro", "hiya"}


def _slot_candidates(text: str, ents: list[tuple[int, int, str]], cands: _Cands,
                     lower_words: set[str]) -> None:
    ents_sorted = sorted(ents)
    starts = [s for s, _, _ in ents_sorted]
    # after a verb of speech or contact: "said Maslin", "spoke to Aled", "follow up with Priya"
    for m in SLOT_LEFT_RE.finditer(text):
        if _slot_walk(text, m.end(), lower_words, cands, ents_sorted, starts,
                      trust_ner=m.group("speech") is None,
                      allow_word=m.group("speech") is not None) and m.group("speech"):
            t = SAID_TO_RE.match(text, m.start())
            if t:
                _slot_walk(text, t.end(), lower_words, cands, ents_sorted, starts,
                           trust_ner=False, allow_word=True)
    # before one: "Shovda told her", "says Becker" is above; "Walker began writing"
    for m in SLOT_RIGHT_RE.finditer(text):
        s = m.start(1)
        prev = _prev_word(text, s)
        if prev[:1].isupper() and text[s - 1:s] == " " and not prev.endswith("."):
            continue  # the end of a longer Title Case run: the NER's business
        if prev.lower() in LOCATIVE or prev.lower().rstrip(".") in PLACE_ORG_PREFIX:
            continue
        # what people do: the small model's place label on a given name is not trusted
        first = name_class(m.group(1), lower_words) == "first"
        _slot_walk(text, s, lower_words, cands, ents_sorted, starts, max_tokens=1,
                   trust_ner=not first, trust_orgs=not first)
    # spoken to: "Danial, can I ...", "Don't go to town, Brandon!"
    for m in VOC_START_RE.finditer(text):
        _slot_walk(text, m.start(1), lower_words, cands, ents_sorted, starts, max_tokens=1,
                   ner_agree=True)
    for m in VOC_END_RE.finditer(text):
        s = m.start(1)
        if m.group(2) is None and not known_first(m.group(1).split()[0]):
            continue
        if _LIST_BACK_RE.search(text[max(0, s - 160):s]):
            continue  # a list of places: "in Kendal, Penrith"
        _slot_walk(text, s, lower_words, cands, ents_sorted, starts, max_tokens=2, ner_agree=True)
    # speaker labels: "Ella: What a wife.", or any name-like label in a transcript
    labels = list(SPEAKER_RE.finditer(text))
    # a transcript: two or more speakers with two or more turns each (a form's labels come once)
    turns: dict[str, int] = {}
    for m in labels:
        turns[_key(m.group(1))] = turns.get(_key(m.group(1)), 0) + 1
    transcript = sum(1 for n in turns.values() if n >= 2) >= 2
    for m in labels:
        first = m.group(1).split()[0]
        quoted = text[m.end():m.end() + 1] in "\"“'‘"
        if (transcript and turns[_key(m.group(1))] >= 2) or quoted or \
                name_class(first, lower_words) == "first":
            _slot_walk(text, m.start(1), lower_words, cands, ents_sorted, starts, max_tokens=2,
                       trust_ner=not quoted)
    # two people doing something together: "Abramovich and Wilson were precision engineers"
    for m in PAIR_RE.finditer(text):
        a, b = m.group(1), m.group(2)
        ca, cb = name_class(a, lower_words), name_class(b, lower_words)
        if ca is None or cb is None or not ({ca, cb} & NAMEISH):
            continue
        if _prev_word(text, m.start()).lower() in LOCATIVE:
            continue
        for s in (m.start(1), m.start(2)):
            _slot_walk(text, s, lower_words, cands, ents_sorted, starts, allow_word=True,
                       max_tokens=1, trust_ner=False)
    # a line that is just a name: a sign-off, a list entry ("Dreux Joly", "naomi ryan")
    for m in LINE_NAME_RE.finditer(text):
        g = 1 if m.group(1) else 2
        words = [x for x in re.findall(r"[^\W\d_][\w'’-]*", m.group(g)) if len(x) > 1]
        if len(words) < 2 or _is_uk_place(words):
            continue
        classes = [name_class(x, lower_words if g == 1 else frozenset()) for x in words]
        if not all(c in NAMEISH for c in classes) or not {"first", "surname"} & set(classes):
            continue
        if g == 1:
            _slot_walk(text, m.start(1), lower_words, cands, ents_sorted, starts, max_tokens=3)
        else:
            cands.spans.append((m.start(2), m.end(2), "slot", 0.7))
    # lower-case names after a strong cue: "my name is lena andersson", "call me višeslav",
    # "name: hyuuma t. maida", "mr. elliott"
    for m in LOWER_NAMED_RE.finditer(text):
        run = _lower_run(text, m.end(), lower_words)
        if run:
            cands.spans.append((run[0], run[1], "named", 0.8))
    for m in LOWER_FIELD_RE.finditer(text):
        run = _lower_run(text, m.start(1), lower_words, need_known=False)
        if run and run[1] == m.end(1):
            cands.spans.append((run[0], run[1], "field", 0.8))
    # a known given name or surname alone mid-sentence, outside any Title Case run: "Unlike the
    # Jensen novel", "the assistant to Magnus", "a huge Jouni fan"
    for m in MID_NAME_RE.finditer(text):
        s, e = m.start(1), m.end(1)
        word = m.group(1)
        if word.endswith(("'s", "’s")):
            word, e = word[:-2], e - 2
        if _sentence_initial(text, s) or name_class(word, lower_words) not in ("first", "surname") \
                or is_english_word(word) or _is_uk_place([word]) or text[s - 1:s] in "\"“‘'(":
            continue
        if text[e:e + 1] == "." and len(word) <= 4:
            continue  # an abbreviation ("App. No.")
        if re.search(rf"[{UP}][\w'’.-]*[ \t]{{0,2}}(?:,|&|\band)[ \t]{{1,3}}$", text[max(0, s - 60):s]) or \
                re.match(rf"[ \t]{{0,2}}(?:,|&|and\b)[ \t]{{0,3}}[{UP}]", text[e:e + 12]):
            continue  # one of a list of Title Case items: the list rule's business
        if re.match(r"[ \t,]{0,3}\d", text[e:e + 5]) or re.search(r"\d[ \t,]{0,3}$", text[max(0, s - 5):s]):
            continue  # in an address ("Beder, Denmark 56905")
        prev = _prev_word(text, s)
        pk = prev.lower().rstrip(".")
        if pk in PARTICLES or pk in ("dei", "degli", "des", "y"):
            continue  # "Via dei Fiorentini"
        if pk in STRONG_LOCATIVE or (pk in PLACE_ORG_PREFIX and prev != "the") or \
                pk in ("at", "on", "via") or (pk in ("from", "of") and not known_first(word)) or \
                (prev[:1].isupper() and text[s - 1:s] == " "):
            continue
        labels = _ent_labels(ents_sorted, starts, s, e)
        # the small model calls many foreign given names places or firms ("the true gender of
        # Mette"); a listed given name that is no country, after no locative, is kept
        if labels - {"PERSON"} and not (
                name_class(word, lower_words) == "first"
                and not labels & {"CARDINAL", "DATE", "MONEY", "PERCENT", "QUANTITY", "NORP"}
                and (pk not in LOCATIVE or pk == "of") and pk not in ("travelling", "traveling", "flew", "moved")):
            continue
        cands.spans.append((s, e, "slot", 0.6))
    # lower-case chat ("they had 6: silvana, adam, christopher"): a line with no capital letter
    # at all; a given name there that is no English word is a name, with the surname after it
    for lm in LOWER_LINE_RE.finditer(text):
        ls = lm.start()
        if re.search(r"\d{3}", lm.group()) or lm.group().count(" ") < 2 or \
                any(ch.isupper() for ch in lm.group()):
            continue  # an address or a number line, a word or two, or any capital: not chat
        for m in _LOWER_NAME_TOKEN_RE.finditer(lm.group()):
            tok = m.group()
            k = _key(tok)
            if not known_first(tok) or is_english_word(tok) or k in NOT_NAMES or k in CHAT_WORDS:
                continue
            run = _lower_run(text, ls + m.start(), lower_words, need_known=False, max_tokens=3)
            if run:
                cands.spans.append((run[0], run[1], "slot", 0.6))
    for m in LOWER_TITLE_RE.finditer(text):
        if text[m.end()].isupper():
            _slot_walk(text, m.end(), lower_words, cands, ents_sorted, starts, source="title",
                       conf=0.9, allow_word=True, trust_ner=False)
        else:
            run = _lower_run(text, m.end(), lower_words, need_known=False, max_tokens=3)
            if run:
                cands.spans.append((m.start(), run[1], "title", 0.9))


def _list_candidates(text: str, cands: _Cands, lower_words: set[str], places: set[str]) -> None:
    """Lines shaped alike ("  Siân Rowlands – welcome desk – 07700 …"): when most lead with a
    name already found, the others lead with a name too."""
    rows = []
    found = _Union((a, b) for a, b, _, _ in cands.spans)
    for m in LIST_LINE_RE.finditer(text):
        s, e = m.start("name"), m.end("name")
        hit = found.overlaps(s, s + 1)
        rows.append((s, e, hit))
    hits = sum(1 for r in rows if r[2])
    if hits < 2 or hits * 2 < len(rows):
        return
    for s, e, hit in rows:
        if hit:
            continue
        w = walk_name(text, s, limit=e, max_tokens=3)
        if len(w.words) < 2 or w.end != e or w.suffix:
            continue
        if any(_key(x) in lower_words or x in places or _key(x) in PLACE_ORG_PREFIX
               for x in w.words):
            continue
        cands.add_walk(w, "list", 0.7)


STRONG_SOURCES = {"named", "title", "salutation", "relation", "age", "field", "table"}
WEAK_SOURCES = {"ner", "gazetteer", "list", "propagated", "slot", "model"}

# What `sklint fix` writes in place of a person or a detail: an SKC code, "[phone removed]",
# "[primary school age]". Such a token is never a name and stands where a person stood, so what
# follows it after a comma ("SKC-073 [primary school age], Workington") is a place.
FIX_MARK_RE = re.compile(r"\b[A-Z]{2,5}-\d{3,7}\b(?:[ \t]{0,3}\[[^\[\]\n]{1,40}\])*"
                         r"|\[[^\[\]\n]{1,40}\](?:[ \t]{0,3}\[[^\[\]\n]{1,40}\])*")
# a town before a postcode or a postcode district: "Penrith CA11 9BL", "Ludlow SY8"
TOWN_POSTCODE_RE = re.compile(
    rf"(?<![\w'’-])({_WORD}(?:[ \t]{_WORD}){{0,2}})[ \t]{{1,3}}(?:[A-Z]{{1,2}}\d[A-Z\d]?"
    rf"(?:[ \t]\d[A-Z]{{2}})?)(?![\w-])")
_LIST_BACK_RE = re.compile(
    rf"\b(?:in|across|around|near|covering|between|throughout|from|to|at|visiting|including)"
    rf"[ \t]{{1,3}}(?:{_WORD}(?:[ \t]{_WORD}){{0,3}}(?:[ \t]{{0,2}},[ \t]{{1,3}}|[ \t]{{1,3}}(?:and|or|&)"
    rf"[ \t]{{1,3}}|[ \t]{{0,2}},[ \t]{{1,3}}(?:and|or)[ \t]{{1,3}}))+$")


def _place_blocks(text: str) -> list[tuple[int, int]]:
    """Spans that are places by their slot: after a fix marker and a comma, before a postcode."""
    out = []
    for m in FIX_MARK_RE.finditer(text):
        after = re.match(r"[ \t]{0,3}(?:[,\-–—][ \t]{0,3})(?:(?:from|in|at)[ \t]{1,3})?", text[m.end():m.end() + 16])
        if after:
            p = walk_name(text, m.end() + after.end(), max_tokens=3, allow_soft=True,
                          suffix_first=True)
            if p.tokens:
                out.append((p.start, p.end))
    for m in TOWN_POSTCODE_RE.finditer(text):
        out.append((m.start(1), m.end(1)))
    return out


def _header_cells(part: Part) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(header cells, cells of columns that do not hold names) of the part's tables: docx/HTML
    tables through part.table_headers, delimited text (CSV/TSV) through its first row."""
    text = part.text
    heads: list[tuple[int, int]] = []
    other: list[tuple[int, int]] = []
    # A cell's first header is its column's; any after it is its row's (the text of the row's
    # first cell). A row header is data (the name in a table's first column), not a header cell.
    column_heads = set()
    seen = set()
    for s, e, h in part.table_headers:
        if (s, e) not in seen:
            seen.add((s, e))
            column_heads.add(h or "")
    for s, e, header in part.table_headers:
        h = header or ""
        if not (NAME_HEADER_RE.search(h) and not NOT_NAME_HEADER_RE.search(h)):
            other.append((s, e))
        hs = text.find(h, max(0, s - 5000), s) if h and h in column_heads else -1
        if hs >= 0:
            heads.append((hs, hs + len(h)))
    off = 0
    header: Optional[list[bool]] = None
    delim = None
    lines = text.split("\n")
    for li, line in enumerate(lines):
        stripped = line.strip()
        if header is None:
            nxt = lines[li + 1] if li + 1 < len(lines) else ""
            for d in (",", "\t", "|", ";"):
                if stripped.count(d) >= 2:
                    # a header row: short cells, no digits, and a next row of the same shape
                    if nxt.count(d) != line.count(d) or len(line) > 2000:
                        break
                    cols = cols_with_pos(line, d)
                    names = [c.strip().strip('"') for c, _, _ in cols]
                    if any(ch.isdigit() for ch in "".join(names)) or not all(names[1:-1]) or \
                            any(len(c) > 40 for c in names):
                        break
                    header = [bool(NAME_HEADER_RE.search(c) and not NOT_NAME_HEADER_RE.search(c))
                              for c in names]
                    delim = d
                    heads.extend((off + cs, off + ce) for _, cs, ce in cols)
                    break
        elif stripped.count(delim) >= 1:
            for i, (c, cs, ce) in enumerate(cols_with_pos(line, delim)):
                if i >= len(header) or not header[i]:
                    other.append((off + cs, off + ce))
        elif not stripped:
            header = None
        off += len(line) + 1
    return heads, other


class _Union:
    """A union of spans with logarithmic look-ups (a large CSV has thousands of cells)."""

    def __init__(self, spans: Iterable[tuple[int, int]]):
        merged: list[list[int]] = []
        for a, b in sorted(spans):
            if merged and a < merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        self.starts = [a for a, _ in merged]
        self.ends = [b for _, b in merged]

    def __bool__(self) -> bool:
        return bool(self.starts)

    def inside(self, s: int, e: int) -> bool:
        i = bisect.bisect_right(self.starts, s) - 1
        return i >= 0 and e <= self.ends[i]

    def overlaps(self, s: int, e: int) -> bool:
        i = bisect.bisect_right(self.starts, s) - 1
        if i >= 0 and self.ends[i] > s:
            return True
        return i + 1 < len(self.starts) and self.starts[i + 1] < e


def _is_uk_place(words: list[str]) -> bool:
    places = uk_places()
    if not places:
        return False
    k = " ".join(words).lower()
    if k in places or _fold(k) in places or k.replace("-", " ") in places:
        return True
    return all(_key(x) in places or _key(x).replace("-", " ") in places for x in words)


FIRM_AFTER_RE = re.compile(r"[ \t]{1,3}(?:is|was|has|employs|offers|provides)\b")


def _firm_lists(text: str) -> "_Union":
    """Comma-and lists of Title Case words followed by a singular verb: one firm's name
    ("Lopez, Santos and Coleman is a design agency"). One pass over the text."""
    return _Union(m.span() for m in COORD_RE.finditer(text) if FIRM_AFTER_RE.match(text, m.end()))


def _weak_doubt(text: str, s: int, e: int, src: str, strong: bool = False,
                firms: Optional["_Union"] = None) -> bool:
    """Kinds of non-names that weak evidence (NER alone, the gazetteer, propagation, a list
    shape) mistakes for a person."""
    words = [m.group() for m in TOKEN_RE.finditer(text, s, e) if m.lastgroup == "word"]
    if not words:
        return False
    keys = [_key(x) for x in words]
    joined = " ".join(keys)
    # a foreign-language gloss of an institution: "the Supreme Court (Sąd Najwyższy)"
    if _in_gloss(text, s, e):
        return True
    # ethnic, national and religious groups; charities and helplines
    if all(k in GROUP_WORDS for k in keys) or joined in ORG_WORDS or all(k in ORG_WORDS for k in keys):
        return True
    # abbreviations and single letters ("NI", "S")
    if _abbreviation(words):
        return True
    # one of the names of a firm: "Lopez, Santos and Coleman is a design agency"
    if firms is not None and firms and firms.inside(s, e):
        return True
    # a street after a house number: "1737 Cheriton Dr", "760 Passauer Strasse 33"
    if re.search(r"(?<![\w.,/:-])\d{1,5}[A-Za-z]?[ \t]{1,3}$", text[max(0, s - 12):s]):
        return True
    # a job title: "Family Support Worker", "Sibling Groups Coordinator", "Young People's Mentor"
    nxt = re.match(rf"(?:['’]s)?((?:[ \t]{{1,3}}{_WORD}){{1,3}})", text[e:e + 60])
    if nxt and any(_key(x) in JOB_WORDS for x in re.findall(_WORD, nxt.group(1))):
        return True
    if strong:
        return False
    # a UK town, village, district or county that is not also a given name; a run of places
    if _is_uk_place(words):
        if len(words) == 1 and not known_first(words[0]):
            return True
        if len(words) > 1 and not known_first(words[-1]):
            return True
    # one of a list of places after a locative: "across Barrow, Dalton and Walney"
    if len(words) <= 2 and _LIST_BACK_RE.search(text[max(0, s - 160):s]):
        items = re.findall(rf"{_WORD}", text[max(0, s - 160):s])
        if any(_is_uk_place([x]) and not known_first(x) for x in items[-6:]) or \
                not any(known_first(x) for x in words):
            return True
    # a heading or a title alone on its line ("Referral Form"), with no given name in it
    line_s = text.rfind("\n", max(0, s - 300), s) + 1
    line_e = text.find("\n", e, e + 300)
    line_e = len(text) if line_e < 0 and len(text) - e <= 300 else line_e
    if line_e >= 0 and src != "list":
        line = text[line_s:line_e].strip(" \t#*_>•-–—:|")
        if line == text[s:e].strip() and not any(known_first(x) for x in words):
            return True
    return False


_NOT_PERSON_LABELS = {"ORG", "GPE", "FAC"}  # what the small model calls a full name it does not know
CAP_RUN_RE = re.compile(rf"(?<![\w'’@./-]){_WORD}(?:[ \t]{_WORD}){{1,2}}(?![\w'’@-])")
_SENT_END_RE = re.compile(r"[.!?\n]")


def _doubtful(text: str, ents, cands: "_Cands", lower_words: set[str]) -> list[tuple[int, int]]:
    """Capitalised spans no other evidence decided: what the small NER calls a place, a firm or
    a group though a word in it may be a name, and runs of two or three capitalised words that
    are no English words and that nothing labelled (given names the lists do not hold)."""
    covered = _Union([(c[0], c[1]) for c in cands.spans] + list(cands.blocked))
    labelled = _Union([(a, b) for a, b, _ in ents])
    out = []
    for a, b, label in ents:
        if label not in _NOT_PERSON_LABELS or covered.overlaps(a, b):
            continue
        words = [m.group() for m in TOKEN_RE.finditer(text, a, b) if m.lastgroup == "word"]
        # a full name's shape: two to four words, each capitalised and each a possible name
        classes = [name_class(w, lower_words) for w in words]
        if 2 <= len(words) <= 4 and not _is_uk_place(words) and _full_name_shape(classes):
            out.append((a, b))
    for m in CAP_RUN_RE.finditer(text):
        a, b = m.span()
        if covered.overlaps(a, b) or labelled.overlaps(a, b):
            continue
        classes = [name_class(w, lower_words) for w in m.group().split()]
        if _full_name_shape(classes) and "unknown" in classes:
            out.append((a, b))
    return out


def _full_name_shape(classes: list) -> bool:
    """Every word may be a name (a surname that is also a word counts) and one is a given name
    or no English word at all."""
    return all(c in NAMEISH or c == "word-surname" for c in classes) and \
        any(c in ("first", "unknown") for c in classes)


SHORT_TEXT = 1_000  # a text this short is read whole by the second opinion (about 0.1 s)
_LETTERS_RE = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


def _model_words_ok(words: list[str], lower_words: set[str]) -> bool:
    """A span the second opinion reads as a name, in a short text, is taken when each word may be
    a name: capitalised and a listed or unknown name (not a word this text uses in lower case),
    or in lower case and a listed given name that is no English word ("priya", not "rick")."""
    return bool(words) and all(len(w) >= 2 and _LETTERS_RE.fullmatch(w) for w in words) \
        and all((w[0].isupper() and name_class(w, lower_words) in NAMEISH | {"word-surname"})
                or (w.islower() and known_first(w) and not is_english_word(w)) for w in words)


_CONDITION_HEADS = {"syndrome", "disease", "dystrophy", "muscular", "palsy", "disorder", "sarcoma",
                    "lymphoma", "anomaly", "sign", "test", "scale"}


def _named_after(text: str, a: int, b: int) -> bool:
    """A name used for a place, a building or a condition: "... Ward", "... House", "... Primary
    School", "St ...", "... syndrome", "... muscular dystrophy"."""
    after = re.match(rf"[ \t]{{1,3}}([^\W\d_][\w'’-]*)", text[b:b + 40])
    words = re.findall(_WORD, text[a:b])
    if after and (_key(after.group(1)) in PLACE_ORG_SUFFIX or after.group(1).lower() in _CONDITION_HEADS):
        return True
    if words and _key(words[-1]) in PLACE_ORG_SUFFIX and not _surname_not_suffix(words[:-1], words[-1]):
        return True
    return bool(re.search(r"(?i)(?<![\w])(?:st\.?|saint)[ \t]{1,3}$", text[max(0, a - 10):a]))


def _surname_not_suffix(before: list[str], word: str) -> bool:
    """A place word that is also a family name ("Park", "Hall", "Green") after given names that
    no British place is named after: a person ("Hye-jin Park"), not a park ("Victoria Park").
    Places are named after established local names, which the census list of common given
    names holds; a given name outside it, no English word and no UK place, is someone's."""
    if not before or not known_surname(word):
        return False
    common = common_first_names()
    return all(known_first(x) and _key(x) not in common and not is_english_word(x)
               for x in before) and not _is_uk_place(before)


_ANY_WORD_RE = re.compile(r"[^\W\d_][\w'’-]+")


def _may_hold_name(text: str, lower_words: set[str]) -> bool:
    """Does the text hold one word _model_words_ok could take? If not, the model is not asked."""
    return any(_model_words_ok([w], lower_words) for w in set(_ANY_WORD_RE.findall(text)))


def _model_whole(text: str, cands: "_Cands", lower_words: set[str], spans) -> None:
    """The second opinion over a whole short text (a chat line, a post, a short note): where
    names are in lower case or have no capitalised context, the spans are not doubtful, they
    are simply unseen."""
    covered = _Union([(c[0], c[1]) for c in cands.spans] + list(cands.blocked))
    for a, b in spans:
        if covered.overlaps(a, b):
            continue
        a, b = _trim_span(text, a, b)
        words = text[a:b].split()
        if b <= a or not _model_words_ok(words, lower_words) or _named_after(text, a, b):
            continue
        # the start of a longer Title Case name ("Severn Siblings", "Eden Family Link") is not a
        # person; a surname after a given name is ("Hodan Mohamed", the model reading one word)
        nxt = re.match(rf"[ \t]({_WORD})", text[b:b + 40])
        if nxt and name_class(nxt.group(1), lower_words) not in NAMEISH | {"word-surname"}:
            continue
        # one word alone: not a town, not a word or a condition's name that is also a surname
        # ("Brown", "Duchenne"), and not the first word of a sentence unless a listed name
        if len(words) == 1 and (_is_uk_place(words) or name_class(words[0], lower_words) == "word-surname"
                                or (_sentence_initial(text, a) and not known_first(words[0]))):
            continue
        cands.spans.append((a, b, "model", 0.6))


def _trim_span(text: str, a: int, b: int) -> tuple[int, int]:
    """Whole words only: a model span ending inside a word ("Jonyeee" read as "Jony") is widened
    to the word; punctuation at either end is dropped."""
    while a > 0 and (text[a - 1].isalnum() or text[a - 1] in "'’-"):
        a -= 1
    while b < len(text) and (text[b].isalnum() or text[b] in "'’-"):
        b += 1
    while a < b and not text[a].isalnum():
        a += 1
    while b > a and not text[b - 1].isalnum():
        b -= 1
    if text[b - 2:b] in ("'s", "’s"):
        b -= 2
    return a, b


def _model_candidates(text: str, ents, cands: "_Cands", lower_words: set[str], model,
                      whole: Optional[list[tuple[int, int]]] = None) -> None:
    """The learned second opinion (name_model.py). A short text was read whole (`whole`, what
    the model read there: see _model_whole). In a longer one, the doubtful spans are each read
    in their sentence (at most 200 characters either side): where it reads a name over at least
    half of a span, the part it reads is a candidate (weak: the filters for places, firms and
    titles still apply). The small NER's own persons with no listed given name in them are read
    the same way, and dropped where the model reads no name at all: two models disagree and no
    name list speaks for the span."""
    if model is None:
        return
    if len(text) <= SHORT_TEXT:
        if whole:  # what the model read in the whole text (person_spans asks for all at once)
            _model_whole(text, cands, lower_words, whole)
        return
    spans = _doubtful(text, ents, cands, lower_words)
    # the small NER's own persons with no given name in them: the second opinion may veto them
    lone = [(c[0], c[1]) for c in cands.spans if c[2] == "ner" and not any(
        name_class(w, lower_words) == "first" for w in re.findall(_WORD, text[c[0]:c[1]]))]
    if not (spans or lone) or not model.available:
        return
    windows: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for a, b in spans + lone:
        left = max(0, a - 200)
        ends = [m.end() for m in _SENT_END_RE.finditer(text, left, a)]
        ws = ends[-1] if ends else left
        m = _SENT_END_RE.search(text, b, min(len(text), b + 200))
        we = m.end() if m else min(len(text), b + 200)
        windows.setdefault((ws, we), []).append((a, b))
    keys = list(windows)
    found = model.name_spans([text[ws:we] for ws, we in keys])
    lone_set = set(lone)
    vetoed = set()
    for (ws, we), names in zip(keys, found):
        for a, b in windows[(ws, we)]:
            inside = [(max(a, ws + x), min(b, ws + y)) for x, y in names if ws + x < b and ws + y > a]
            if (a, b) in lone_set:
                if not inside:
                    vetoed.add((a, b))  # neither a given name nor the learned model's reading
                continue
            if sum(y - x for x, y in inside) * 2 < b - a:
                continue
            x, y = min(x for x, _ in inside), max(y for _, y in inside)
            if _named_after(text, a, b):
                continue
            cands.spans.append((x, y, "model", 0.7))
    if vetoed:
        cands.spans = [c for c in cands.spans if not (c[2] == "ner" and (c[0], c[1]) in vetoed)]


def _filter_weak(part: Part, cands: "_Cands") -> None:
    text = part.text
    heads, other_cols = (_Union(x) for x in _header_cells(part))
    blocks = _Union(_place_blocks(text))
    firms = _firm_lists(text) if any(c[2] in WEAK_SOURCES or c[2] == "table" for c in cands.spans) \
        else None
    keep = []
    for c in cands.spans:
        s, e, src, _ = c
        if heads and heads.inside(s, e):
            continue  # a column header is never a name
        if src in WEAK_SOURCES:
            if other_cols and other_cols.inside(s, e):
                continue  # a cell of a column that holds no names ("Notes", "Area")
            if blocks and blocks.overlaps(s, e):
                continue
            if _weak_doubt(text, s, e, src, firms=firms):
                continue
        elif src == "table" and _weak_doubt(text, s, e, src, strong=True, firms=firms):
            continue
        keep.append(c)
    cands.spans = keep


# The kinds of evidence for a person's name, by the source each candidate carries, plus the
# filter of weak evidence; bench/ablation.py turns each off in turn (DetectContext.without).
EVIDENCE = ("named", "title", "salutation", "relation", "age", "field", "initials", "table", "ner",
            "gazetteer", "slot", "list", "model", "propagated", "filter")


def person_spans(message: Message, ctx) -> dict[str, list[tuple[int, int, str, float]]]:
    """PERSON spans per part id: (start, end, source, confidence)."""
    without = getattr(ctx, "without", frozenset()) or frozenset()
    parts = [p for p in message.parts if p.kind != "headers" and p.text and p.text.strip()]
    nlp = getattr(ctx, "nlp", None) if ctx is not None else None
    if nlp is not None:
        all_ents = nlp.entities([p.text for p in parts])
    else:
        all_ents = [[] for _ in parts]
    # message-wide evidence: words used in lower case, surface forms the NER calls places
    lower_words: set[str] = set()
    votes: dict[str, list[int]] = {}
    for part, ents in zip(parts, all_ents):
        lower_words |= set(_LOWER_WORD_RE.findall(part.text))
        for s, e, label in ents:
            v = votes.setdefault(part.text[s:e], [0, 0, 0])
            if label == "PERSON":
                v[0] += 1
            elif label in ("GPE", "LOC", "FAC", "ORG"):
                v[1] += 1
                if label != "ORG":
                    v[2] += 1
    places = {f for f, (p, o, g) in votes.items() if o > 0}
    geo_places = {f for f, (p, o, g) in votes.items() if g > 0}
    places_strict = {f for f, (p, o, g) in votes.items() if o > p}
    # a given name the small model calls an organisation every time ("Oisín") is still a name;
    # one it calls a place is not rescued by the gazetteer
    geo_strict = {f for f, (p, o, g) in votes.items() if g > p}
    per_part: dict[str, _Cands] = {}
    keys: set[str] = set()
    names = first_names()
    model = getattr(nlp, "names_model", None) if nlp is not None and getattr(nlp, "enabled", False) \
        and "model" not in without else None
    # the second opinion on every short part at once (batched: an email of a thousand tiny
    # attachments is a few hundred model calls, not a thousand)
    short = [p for p in parts if len(p.text) <= SHORT_TEXT and _may_hold_name(p.text, lower_words)]
    whole: dict[str, list[tuple[int, int]]] = {}
    if model is not None and short and model.available:
        whole = dict(zip((p.id for p in short), model.name_spans([p.text for p in short])))
    for part, ents in zip(parts, all_ents):
        text = part.text
        cands = _Cands(text)
        _rule_candidates(text, cands)
        _table_candidates(part, cands, lower_words)
        for s, e, label in ents:
            if label == "PERSON":
                _clean_ner(text, s, e, cands, "ner", 0.8, places, lower_words)
        _gazetteer_candidates(text, ents, cands, lower_words, places_strict, geo_strict)
        _slot_candidates(text, ents, cands, lower_words)
        _list_candidates(text, cands, lower_words, places)
        _coordination_candidates(text, cands, lower_words, geo_places, ents)
        _model_candidates(text, ents, cands, lower_words, model, whole.get(part.id))
        if without:
            cands.spans = [c for c in cands.spans if c[2] not in without]
        if "filter" not in without:
            _filter_weak(part, cands)
        if cands.blocked:
            blocked = _Union(cands.blocked)
            cands.spans = [c for c in cands.spans if c[2] in STRONG_SOURCES and c[2] != "table"
                           or not blocked.overlaps(c[0], c[1])]
        cands.spans = _merge(cands.spans)
        per_part[part.id] = cands
        for s, e, src, _ in cands.spans:
            ks = _name_keys(text, s, e)
            if src not in STRONG_SOURCES and len(ks) < 2:
                ks = {k for k in ks if known_first(k)}
            keys |= {k for k in ks if k.lower() not in lower_words and k not in places_strict}
    out: dict[str, list[tuple[int, int, str, float]]] = {}
    for part in parts:
        cands = per_part[part.id]
        n0 = len(cands.spans)
        if "propagated" not in without:
            _propagate(part.text, keys, cands)
        if cands.blocked and len(cands.spans) > n0:
            blocked = _Union(cands.blocked)
            cands.spans = cands.spans[:n0] + [
                c for c in cands.spans[n0:]
                if not blocked.overlaps(c[0], c[1])]
        if len(cands.spans) > n0 and "filter" not in without:
            new = _Cands(part.text)
            new.spans = cands.spans[n0:]
            _filter_weak(part, new)
            cands.spans = cands.spans[:n0] + new.spans
        out[part.id] = _merge(cands.spans)
    return out


def detect_persons(message: Message, ctx) -> list[Finding]:
    """PERSON findings for every part of the message (NLP once per part), with the severity and
    message of the rule's own YAML (rules/identifiers/person-name.yaml)."""
    rule = ctx.registry.get(RULE) if getattr(ctx, "registry", None) is not None else None
    sev = rule.severity if rule is not None else "error"
    text = (rule.data.get("message") if rule is not None else None) or "A person's name"
    findings: list[Finding] = []
    spans = person_spans(message, ctx)
    for part in message.parts:
        for s, e, src, conf in spans.get(part.id, ()):
            findings.append(Finding(
                code=CODE, rule=RULE, severity=sev, part=part.id, start=s, end=e,
                match=part.text[s:e], message=text,
                entity=ENTITY, suggestion=None, confidence=conf,
                source="ner" if src == "ner" else "rule"))
    return findings
