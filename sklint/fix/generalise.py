"""What each identifier becomes: SKC codes for people (a custom presidio-anonymizer operator),
bands, outward codes and typed placeholders for the rest, generic phrases for special-category
detail. Every replacement is plain ASCII without commas or quotes, so it is safe inside CSV cells,
and none of them is itself an identifier, so fixing a fixed file changes nothing."""
from __future__ import annotations

import datetime as _dt
import re
from typing import Any, Callable, Optional

from presidio_anonymizer import AnonymizerEngine
from presidio_anonymizer.entities import OperatorConfig, RecognizerResult
from presidio_anonymizer.operators import Operator, OperatorType

DEFAULTS = {"date-of-birth": "age-band", "age": "band", "postal-address": "remove",
            "postcode": "outward", "generalise-categories": False, "prefix": "SKC"}
CHOICES = {"date-of-birth": ("age-band", "year", "remove"), "age": ("band", "remove"),
           "postal-address": ("remove", "town"), "postcode": ("outward", "remove")}

def placeholder(entity: str) -> str:
    """What `sklint fix` writes for an entity where nothing better applies: its identifier rule's
    `traits: placeholder` (sklint/entities.py)."""
    from ..entities import placeholders
    return placeholders().get(entity, "[removed]")
CATEGORY_PHRASE = {
    "HEALTH": "has a health condition",
    "SAFEGUARDING": "a safeguarding concern",
    "SEXUAL_ORIENTATION": "personal relationship detail",
    "RELIGION": "religious belief",
    "ETHNICITY": "ethnic background",
    "POLITICAL_OPINION": "political opinion",
    "TRADE_UNION": "trade union membership",
    "GENETIC_BIOMETRIC": "a genetic test result",
    "CRIMINAL_OFFENCE": "a criminal justice matter",
}


_CAT_WORDS = "|".join(re.escape(v) for v in CATEGORY_PHRASE.values())


def fixed_marker_re(prefix: str = "SKC") -> re.Pattern[str]:
    # text sklint fix itself writes: never a finding to rewrite again
    from ..entities import placeholders
    words = "|".join(re.escape(v[1:-1]) for v in placeholders().values())
    return re.compile(rf"\b{re.escape(prefix)}-\d{{3,7}}\b|\[(?:{words})\]|\[(?:under 5|primary school age|secondary school age|sixth-form age|young adult|in their \d+s)\]"
                      rf"|\[born \d{{4}}\]|\[(?:{_CAT_WORDS}|sensitive detail)\]")


class FixError(Exception):
    pass


def options_from(config_section: dict[str, Any], generalise_categories: Optional[bool] = None) -> dict:
    opts = dict(DEFAULTS)
    for k, v in config_section.items():
        if k in CHOICES and v not in CHOICES[k]:
            raise FixError(f"[fix] {k} = {v!r}: must be one of {', '.join(CHOICES[k])}")
        opts[k] = v
    if generalise_categories is not None and generalise_categories:
        opts["generalise-categories"] = True
    if not re.fullmatch(r"[A-Z][A-Z0-9]{0,7}", str(opts["prefix"])):
        raise FixError(f"[fix] prefix = {opts['prefix']!r}: expected 1-8 capital letters or digits")
    return opts


# -- bands and dates -------------------------------------------------------------------------

_NUM_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty".split())}
_MONTHS = {m: i + 1 for i, m in enumerate(
    "jan feb mar apr may jun jul aug sep oct nov dec".split())}


def age_of(text: str) -> Optional[int]:
    m = re.search(r"\d{1,3}", text)
    if m:
        return int(m.group(0))
    for w, n in _NUM_WORDS.items():
        if re.search(rf"\b{w}\b", text, re.IGNORECASE):
            return n
    return None


def band(age: int) -> str:
    """A broad age group that never repeats the exact age: under 5, primary school age (5-10),
    secondary school age (11-15), sixth-form age (16-17), young adult (18-24), then decades."""
    if age < 5:
        return "under 5"
    if age <= 10:
        return "primary school age"
    if age <= 15:
        return "secondary school age"
    if age <= 17:
        return "sixth-form age"
    if age <= 24:
        return "young adult"
    return f"in their {age // 10 * 10}s"


def parse_date(text: str) -> Optional[_dt.date]:
    t = text.strip()
    m = re.search(r"(\d{4})-(\d{1,2})-(\d{1,2})", t)
    try:
        if m:
            return _dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        m = re.search(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2,4})", t)
        if m:
            y = int(m.group(3))
            y = y + (2000 if y < 50 else 1900) if y < 100 else y
            return _dt.date(y, int(m.group(2)), int(m.group(1)))  # UK day/month order
        m = re.search(r"(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?([A-Za-z]{3,9})\.?,?\s+(\d{4})", t)
        if m and m.group(2)[:3].lower() in _MONTHS:
            return _dt.date(int(m.group(3)), _MONTHS[m.group(2)[:3].lower()], int(m.group(1)))
        m = re.search(r"([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})", t)
        if m and m.group(1)[:3].lower() in _MONTHS:
            return _dt.date(int(m.group(3)), _MONTHS[m.group(1)[:3].lower()], int(m.group(2)))
    except ValueError:
        return None
    m = re.search(r"\b(19|20)\d{2}\b", t)
    if m:
        return _dt.date(int(m.group(0)), 7, 1)
    return None


def age_on(born: _dt.date, today: _dt.date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


# -- the replacement of one span ----------------------------------------------------------------

def generalise(entity: str, text: str, opts: dict, today: Optional[_dt.date] = None) -> str:
    today = today or _dt.date.today()
    if entity == "DATE_OF_BIRTH":
        mode = opts["date-of-birth"]
        d = parse_date(text)
        if mode == "remove" or d is None:
            return placeholder(entity)
        if mode == "year":
            return f"[born {d.year}]"
        a = age_on(d, today)
        return f"[{band(a)}]" if a >= 0 else placeholder(entity)
    if entity == "AGE":
        a = age_of(text)
        if opts["age"] == "remove" or a is None:
            return placeholder(entity)
        return f"[{band(a)}]"
    if entity == "POSTCODE":
        compact = re.sub(r"\s+", "", text.upper())
        if opts["postcode"] == "outward" and re.fullmatch(r"[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}", compact):
            return compact[:-3]
        return placeholder(entity)
    if entity == "POSTAL_ADDRESS":
        if opts["postal-address"] == "town":
            town = _town(text)
            if town:
                return town
        return placeholder(entity)
    return placeholder(entity)


_STREETISH = re.compile(r"\d|\b(road|rd|street|st|lane|ln|avenue|ave|close|drive|dr|way|court|ct|"
                        r"crescent|place|terrace|gardens|grove|hill|row|walk|square|mews|flat|"
                        r"apartment|house|cottage|farm)\b", re.I)
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.I)


def _town(address: str) -> str:
    parts = [p.strip() for p in re.split(r"[,\n]", _POSTCODE.sub("", address)) if p.strip()]
    keep = [p for p in parts if not _STREETISH.search(p)]
    if not keep or len(keep) == len(parts):
        return ""
    return " ".join(keep)


def category_phrase(category: str) -> str:
    return f"[{CATEGORY_PHRASE.get(category, 'sensitive detail')}]"


# -- presidio-anonymizer operators --------------------------------------------------------------

class SkcOperator(Operator):
    """Custom presidio-anonymizer operator: a person's surface form -> its SKC code, keeping a
    possessive ("Kayden's" -> "SKC-001's")."""

    def operate(self, text: str = None, params: dict = None) -> str:
        resolve: Callable[[str], Optional[str]] = params["resolve"]
        code = resolve(text)
        if code is None:
            return placeholder("PERSON")
        from .people import strip_possessive
        _, suffix = strip_possessive(" ".join(text.split()))
        return code + suffix

    def validate(self, params: dict = None) -> None:
        if not params or not callable(params.get("resolve")):
            raise ValueError("skc operator needs a 'resolve' callable")

    def operator_name(self) -> str:
        return "skc"

    def operator_type(self) -> OperatorType:
        return OperatorType.Anonymize


class GeneraliseOperator(Operator):
    """Custom presidio-anonymizer operator: an identifier -> its generalised form by type."""

    def operate(self, text: str = None, params: dict = None) -> str:
        kind = params["entity"]
        if kind.startswith("category:"):
            return category_phrase(kind.split(":", 1)[1])
        return generalise(kind, text, params["options"], params.get("today"))

    def validate(self, params: dict = None) -> None:
        if not params or "entity" not in params or "options" not in params:
            raise ValueError("generalise operator needs 'entity' and 'options'")

    def operator_name(self) -> str:
        return "generalise"

    def operator_type(self) -> OperatorType:
        return OperatorType.Anonymize


_ENGINE: Optional[AnonymizerEngine] = None


def anonymizer() -> AnonymizerEngine:
    global _ENGINE
    if _ENGINE is None:
        eng = AnonymizerEngine()
        eng.add_anonymizer(SkcOperator)
        eng.add_anonymizer(GeneraliseOperator)
        _ENGINE = eng
    return _ENGINE


def replacements(text: str, spans: list[tuple[int, int, str]], resolve: Callable[[str], Optional[str]],
                 opts: dict, today: Optional[_dt.date] = None) -> list[str]:
    """The replacement text of each (start, end, kind) span of `text`, spans non-overlapping and
    sorted; kind is an entity type or "category:NAME". Computed by presidio-anonymizer with the
    two custom operators above."""
    if not spans:
        return []
    kinds = sorted({k for _, _, k in spans})
    # presidio keys operators by entity type; give each kind a distinct type name
    results = [RecognizerResult(entity_type=k, start=s, end=e, score=1.0) for s, e, k in spans]
    operators = {}
    for k in kinds:
        if k == "PERSON":
            operators[k] = OperatorConfig("skc", {"resolve": resolve})
        else:
            operators[k] = OperatorConfig("generalise", {"entity": k, "options": opts, "today": today})
    res = anonymizer().anonymize(text=text, analyzer_results=results, operators=operators,
                                 merge_entities_with_spaces=False)
    items = sorted(res.items, key=lambda it: it.start)
    if len(items) != len(spans) or any(it.entity_type != k for it, (_, _, k) in zip(items, spans)):
        # presidio merged or dropped something: compute each value directly with the same operators
        out = []
        for s, e, k in spans:
            if k == "PERSON":
                out.append(SkcOperator().operate(text[s:e], {"resolve": resolve}))
            else:
                out.append(GeneraliseOperator().operate(text[s:e], {"entity": k, "options": opts,
                                                                     "today": today}))
        return out
    return [it.text for it in items]
