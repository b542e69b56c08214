"""People in one document: group the forms of one person ("Tom Hughes", "Tom", "Mr Hughes",
"T. Hughes") and give each group an SKC code through the register.

- A full name (first and last name) resolves through the register by its keyed HMAC, so the same
  child named in full in two documents gets the same code.
- A shorter form joins the one full name of the document it fits (same first name, same surname,
  same initial and surname). When it fits none, or more than one, it gets a code of its own that
  is local to this document (never merged with another document's "Tom") and is listed for review.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from .register import TITLES, Register, fold, name_lookup, normalise_full_name

_TOKEN = re.compile(r"[^\W\d_]+(?:[-'\u2019][^\W\d_]+)*\.?")
_POSSESSIVE = re.compile(r"(?:['\u2019]s|s['\u2019])$")
_FAMILY = re.compile(r"^the\s+(.+?)\s+(?:family|household|twins|children|kids|boys|girls)$", re.I)


@dataclass
class Form:
    """One surface form of a name, parsed."""
    text: str
    title: str = ""
    tokens: tuple[str, ...] = ()

    @property
    def initial_first(self) -> bool:
        return bool(self.tokens) and len(self.tokens[0].rstrip(".")) == 1

    @property
    def is_full(self) -> bool:
        return len(self.tokens) >= 2 and not self.initial_first

    @property
    def first(self) -> str:
        return self.tokens[0].rstrip(".") if self.tokens else ""

    @property
    def last(self) -> str:
        return self.tokens[-1].rstrip(".") if self.tokens else ""


def strip_possessive(text: str) -> tuple[str, str]:
    """('Kayden', "'s") for "Kayden's"; the suffix is put back after the code."""
    m = _POSSESSIVE.search(text)
    if m and len(text) > len(m.group(0)) + 1:
        return text[: m.start()], text[m.start():]
    return text, ""


def parse_form(text: str) -> Form:
    t = " ".join(text.split())
    t, _ = strip_possessive(t)
    fam = _FAMILY.match(t)
    if fam:
        t = fam.group(1)
    toks = [m.group(0) for m in _TOKEN.finditer(t)]
    title = ""
    while toks and fold(toks[0].rstrip(".")) in TITLES:
        title = toks.pop(0).rstrip(".")
    return Form(text=text, title=title, tokens=tuple(toks))


@dataclass
class Person:
    key: str  # folded "first last" for full names, or a local key
    first: str
    last: str
    display: str
    full: bool
    forms: set[str] = field(default_factory=set)
    code: Optional[str] = None
    review: bool = False


class People:
    """The persons of one document and the code of each surface form."""

    def __init__(self, doc_id: str):
        self.doc_id = doc_id
        self.persons: list[Person] = []
        self.by_form: dict[str, Person] = {}

    def build(self, forms: list[str]) -> None:
        parsed = {f: parse_form(f) for f in dict.fromkeys(forms)}
        full: dict[str, Person] = {}
        for text, form in parsed.items():
            if form.is_full:
                key = normalise_full_name(form.first, form.last)
                p = full.get(key)
                if p is None:
                    p = full[key] = Person(key, form.first, form.last,
                                           " ".join(form.tokens), True)
                    self.persons.append(p)
                p.forms.add(text)
                self.by_form[text] = p
        locals_: dict[str, Person] = {}
        for text, form in parsed.items():
            if text in self.by_form:
                continue
            cands = self._candidates(form, list(full.values()))
            if len(cands) == 1:
                cands[0].forms.add(text)
                self.by_form[text] = cands[0]
                continue
            key = "local:" + (fold(" ".join(form.tokens)) or fold(text))
            p = locals_.get(key)
            if p is None:
                p = locals_[key] = Person(key, form.first, form.last, " ".join(form.tokens) or text,
                                          False, review=True)
                self.persons.append(p)
            p.forms.add(text)
            self.by_form[text] = p

    @staticmethod
    def _candidates(form: Form, full: list[Person]) -> list[Person]:
        if not form.tokens:
            return []
        if form.initial_first and len(form.tokens) >= 2:
            ini, last = fold(form.first)[:1], fold(form.last)
            return [p for p in full if fold(p.last) == last and fold(p.first).startswith(ini)]
        if len(form.tokens) == 1:
            tok = fold(form.first)
            if not form.title:
                by_first = [p for p in full if fold(p.first) == tok]
                if by_first:
                    return by_first
            return [p for p in full if fold(p.last) == tok]
        return []

    def assign(self, register: Register, secret: Optional[bytes], floor: int) -> list[Person]:
        """Give every person a code (finding or adding it in the register); returns new ones."""
        new = []
        for p in self.persons:
            if p.full:
                lookup = name_lookup(secret, p.key) if secret else None
                payload = {"kind": "full", "name": p.display, "first": p.first, "last": p.last}
            else:
                local = f"{self.doc_id}\x00{p.key[len('local:'):]}"
                lookup = name_lookup(secret, local, "local") if secret else None
                payload = {"kind": "local", "form": p.display, "doc": self.doc_id}
            code = register.find(lookup) if lookup else None
            if code is None:
                code = register.add(lookup, "full" if p.full else "local", payload, floor,
                                    review=not p.full)
                new.append(p)
            p.code = code
        return new

    def code_for(self, text: str) -> Optional[str]:
        p = self.by_form.get(text)
        return p.code if p else None
