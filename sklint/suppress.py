"""Suppression: everything that decides which findings are reported, after detection and the
message rules, in this order:

1. selection: `select` / `extend-select` / `ignore` (codes, prefixes such as "SK1", names, "ALL";
   the more specific selector wins, as in ruff) and `per-file-ignores` (globs relative to the
   repository root);
2. the organisation profile: the charity's own public contact details (`public-contacts`), email
   addresses at its `domains`, and its `staff` named in their role are not personal data to leak;
3. the allowlist: exact strings, regular expressions (full match), fingerprints;
4. inline comments in Markdown and HTML: `<!-- sklint: ignore[SK101] -->` covers the next block,
   `<!-- sklint: ignore-file -->` the whole file (both also without `[...]`, meaning every rule);
5. severity overrides (`[severity]`), the most specific key winning.

A suppression comment that silenced nothing is reported as an `info` finding (SK905
unused-suppression). Info findings (SK9xx) are never dropped by the organisation profile or the
allowlist; only selection and `ignore-file` remove them.
"""
from __future__ import annotations

import fnmatch
import re
import sys
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Iterable, Optional

from .fingerprint import finding_fingerprint, get_key, relative_path
from .model import SEVERITY_RANK, Finding, Message

UNUSED_CODE, UNUSED_NAME = "SK905", "unused-suppression"
MARKDOWN_EXT = {".md", ".markdown"}
HTML_EXT = {".html", ".htm"}
PLAIN_EXT = {".txt", ".csv"}


# -- selection ---------------------------------------------------------------------------------

def selector_specificity(selector: str, code: str, name: str) -> Optional[int]:
    """How specifically `selector` names the rule (code, name): None when it does not match.
    "ALL" < "SK" < "SK1" < "SK10" < "SK101" == "person-name"."""
    sel = selector.strip()
    if not sel:
        return None
    if sel.upper() == "ALL":
        return 0
    if sel == name:
        return 100
    up = sel.upper()
    if up == code.upper():
        return 100
    if re.fullmatch(r"SK\d{0,2}", up) and code.upper().startswith(up):
        return len(up)
    return None


def _best(selectors: Iterable[str], code: str, name: str) -> Optional[int]:
    best = None
    for s in selectors:
        spec = selector_specificity(s, code, name)
        if spec is not None and (best is None or spec > best):
            best = spec
    return best


def rule_enabled(code: str, name: str, config, is_info: bool = False) -> bool:
    """Ruff's rule: the most specific of select/extend-select/ignore decides; a tie goes to
    ignore. With no matching selector a rule is on unless `select` was given. Info notes (what
    could not be read, unused suppressions) stay on unless a selector turns them off."""
    on = _best(tuple(config.select) + tuple(config.extend_select), code, name)
    off = _best(config.ignore, code, name)
    if off is not None and (on is None or off >= on):
        return False
    if on is not None:
        return True
    return is_info or not config.select


def _glob_match(glob: str, rel: str) -> bool:
    g = glob.strip()
    while g.startswith("./"):
        g = g[2:]
    if fnmatch.fnmatchcase(rel, g):
        return True
    if "**/" in g and fnmatch.fnmatchcase(rel, g.replace("**/", "")):
        return True
    if "/" not in g and fnmatch.fnmatchcase(rel.rsplit("/", 1)[-1], g):
        return True
    return fnmatch.fnmatchcase(rel, g.rstrip("/") + "/*")


def per_file_ignored(rel: str, code: str, name: str, config) -> bool:
    for glob, selectors in config.per_file_ignores:
        negate = glob.startswith("!")
        hit = _glob_match(glob[1:] if negate else glob, rel)
        if hit != negate and _best(selectors, code, name) is not None:
            return True
    return False


def severity_for(finding: Finding, config, rule_kind: Optional[str]) -> str:
    best, sev = -1, finding.severity
    for key, value in config.severity:
        spec = selector_specificity(key, finding.code, finding.rule)
        if spec is not None and spec > best:
            best, sev = spec, value
    if best < 0:
        return sev  # no override names this rule: keep what detection and context decided
    # Identifier and category findings are personal data: a `severity` override never makes
    # them `info` (use fail-on or ignore); the message's own context may (sklint/context.py).
    if (finding.entity or finding.category or rule_kind in ("identifier", "category")) \
            and sev == "info":
        sev = "warning"
    return sev


# -- organisation profile ------------------------------------------------------------------------

_EMAIL_RX = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_PHONE_RX = re.compile(r"\+?\(?\d[\d \t()\-.]{7,}\d")
_TITLES = {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "rev", "sir"}


def _norm_text(s: str) -> str:
    s = unicodedata.normalize("NFKC", s).casefold()
    s = re.sub(r"['’]s\b", "", s)
    return re.sub(r"[\W_]+", " ", s).strip()


def phone_digits(s: str) -> str:
    """A phone number's digits in national form (+44 / 0044 become 0), for comparing numbers."""
    d = re.sub(r"\D", "", s)
    if d.startswith("0044"):
        d = "0" + d[4:]
    elif d.startswith("44") and len(d) >= 12:
        d = "0" + d[2:]
    return d


@dataclass(frozen=True)
class _Profile:
    texts: tuple[str, ...]
    phones: frozenset[str]
    emails: frozenset[str]
    domains: tuple[str, ...]
    org_name: str
    staff_full: frozenset[str]
    staff_parts: frozenset[str]


@lru_cache(maxsize=8)
def _profile(org) -> _Profile:
    phones, emails = set(), set()
    for c in org.public_contacts:
        for m in _EMAIL_RX.finditer(c):
            emails.add(m.group(0).casefold())
        for m in _PHONE_RX.finditer(c):
            d = phone_digits(m.group(0))
            if len(d) >= 7:
                phones.add(d)
    full, parts = set(), set()
    for name in org.staff:
        n = _norm_text(name)
        toks = [t for t in n.split() if t not in _TITLES]
        if not toks:
            continue
        full.add(" ".join(toks))
        full.add(n)
        parts.add(toks[0])
        parts.add(toks[-1])
        if len(toks) > 1:
            full.add(f"{toks[0][0]} {toks[-1]}")  # "S. Bevan"
            for t in _TITLES:
                full.add(f"{t} {toks[-1]}")  # "Mrs Bevan"
    return _Profile(
        texts=tuple(t for t in (_norm_text(c) for c in org.public_contacts) if t),
        phones=frozenset(phones), emails=frozenset(emails),
        domains=tuple(d.lower().lstrip("@") for d in org.domains if d),
        org_name=_norm_text(org.name or ""), staff_full=frozenset(full),
        staff_parts=frozenset(parts))


def organisation_allows(f: Finding, org) -> bool:
    """True when the finding is the organisation's own public detail or a staff member's name."""
    if f.severity == "info" or f.code.upper().startswith("SK9") or not f.match:
        return False
    if not f.entity:
        return False
    prof = _profile(org)
    m = f.match.strip()
    if f.entity == "EMAIL_ADDRESS":
        e = m.casefold().strip("<>.,;:")
        if e in prof.emails:
            return True
        dom = e.rpartition("@")[2]
        return any(dom == d or dom.endswith("." + d) for d in prof.domains)
    if f.entity == "PHONE_NUMBER":
        return phone_digits(m) in prof.phones
    nm = _norm_text(m)
    if not nm:
        return False
    if f.entity == "PERSON":
        if nm in prof.staff_full:
            return True
        toks = [t for t in nm.split() if t not in _TITLES]
        if toks and len(toks) == 1 and toks[0] in prof.staff_parts:
            return True
        if nm in prof.texts:
            return True
        return False
    padded = f" {nm} "
    for c in prof.texts:
        if nm == c:
            return True
        if f.entity in ("POSTAL_ADDRESS", "POSTCODE") and f" {nm} " in f" {c} ":
            return True
        if f.entity in ("POSTAL_ADDRESS", "POSTCODE") and f" {c} " in padded:
            rest = padded.replace(f" {c} ", " ")
            if prof.org_name:
                rest = rest.replace(f" {prof.org_name} ", " ")
            if not rest.strip():
                return True
    return False


# -- allowlist ---------------------------------------------------------------------------------

_WARNED: set[str] = set()


def _warn_once(msg: str) -> None:
    if msg not in _WARNED:
        _WARNED.add(msg)
        print(f"sklint: warning: {msg}", file=sys.stderr)


@lru_cache(maxsize=32)
def _compiled_by_index(patterns: tuple[str, ...]) -> tuple[Optional[re.Pattern[str]], ...]:
    """The patterns compiled, None in the place of an invalid one (warned about once)."""
    out: list[Optional[re.Pattern[str]]] = []
    for i, p in enumerate(patterns):
        try:
            out.append(re.compile(p))
        except re.error as exc:
            _warn_once(f"allowlist-regex entry {i + 1} is not a valid regular expression ({exc}); ignored")
            out.append(None)
    return tuple(out)


def _ws(s: str) -> str:
    return " ".join(s.split()).casefold()


def allowlisted(f: Finding, config, rel: str, root: Optional[str]) -> bool:
    return allowlist_hit(f, config, rel, root) is not None


def allowlist_hit(f: Finding, config, rel: str, root: Optional[str]) -> Optional[str]:
    """The allowlist entry that allows this finding, as "allowlist 2", "allowlist-regex 1" or
    "allowlist-fingerprints 3" (1-based, in config order; never the entry's text), or None."""
    if not f.match or f.code.upper().startswith("SK9"):
        return None
    m = f.match
    if config.allowlist:
        w = _ws(m)
        for i, s in enumerate(config.allowlist):
            if _ws(s) == w:
                return f"allowlist {i + 1}"
    if config.allowlist_regex:
        for i, rx in enumerate(_compiled_by_index(tuple(config.allowlist_regex))):
            if rx is not None and (rx.fullmatch(m) or rx.fullmatch(m.strip())):
                return f"allowlist-regex {i + 1}"
    if config.allowlist_fingerprints:
        key = get_key()
        if key is None:
            _warn_once("allowlist-fingerprints is set but SKLINT_BASELINE_KEY is not, so those "
                       "entries cannot match anything")
            return None
        fp = finding_fingerprint(key, f, rel, root)
        for i, x in enumerate(config.allowlist_fingerprints):
            if x == fp:
                return f"allowlist-fingerprints {i + 1}"
    return None


def allowlist_entries(config) -> list[str]:
    """Every allowlist entry as allowlist_hit names it."""
    return ([f"allowlist {i + 1}" for i in range(len(config.allowlist))]
            + [f"allowlist-regex {i + 1}" for i in range(len(config.allowlist_regex))]
            + [f"allowlist-fingerprints {i + 1}" for i in range(len(config.allowlist_fingerprints))])


# -- inline comments -----------------------------------------------------------------------------

_DIRECTIVE = re.compile(
    r"<!--\s*sklint:\s*(?P<kind>ignore-file|ignore)\b\s*(?:\[(?P<codes>[^\]]*)\])?(?P<rest>.*?)-->",
    re.S | re.I)
_PLAIN_FILE = re.compile(r"(?im)^[^\n]*\bsklint:\s*ignore-file\b(?:\[(?P<codes>[^\]]*)\])?")


@dataclass
class _Directive:
    kind: str  # "ignore" | "ignore-file"
    codes: tuple[str, ...]  # empty: every rule
    text: str  # the directive as written (codes only: nothing personal)
    start: Optional[int] = None  # text offsets of the comment (Markdown)
    end: Optional[int] = None
    line: Optional[int] = None  # source position of the comment (1-based)
    column: Optional[int] = None
    # what a block directive covers: text offsets (Markdown) or source positions (HTML)
    cover_text: Optional[tuple[int, int]] = None
    cover_src: Optional[tuple[tuple[int, int], tuple[int, int]]] = None
    used: int = 0

    def applies(self, f: Finding) -> bool:
        return not self.codes or _best(self.codes, f.code, f.rule) is not None


def _codes(raw: Optional[str]) -> tuple[str, ...]:
    if not raw:
        return ()
    return tuple(c.strip() for c in re.split(r"[,\s]+", raw) if c.strip())


def _label(kind: str, codes: tuple[str, ...]) -> str:
    return f"sklint: {kind}" + (f"[{', '.join(codes)}]" if codes else "")


def _markdown_directives(text: str) -> list[_Directive]:
    out = []
    for m in _DIRECTIVE.finditer(text):
        kind, codes = m.group("kind").lower(), _codes(m.group("codes"))
        d = _Directive(kind, codes, _label(kind, codes), m.start(), m.end())
        if kind == "ignore":
            d.cover_text = _markdown_block(text, m.start(), m.end())
        out.append(d)
    return out


_BLANK = re.compile(r"\n[ \t]*\n")


def _markdown_block(text: str, cs: int, ce: int) -> tuple[int, int]:
    """The block a comment covers: the paragraph it trails, else the next block (up to a blank
    line)."""
    line_start = text.rfind("\n", 0, cs) + 1
    if text[line_start:cs].strip():
        prev = None
        for prev in _BLANK.finditer(text, 0, cs):
            pass
        start = prev.end() if prev else 0
    else:
        start = ce
        while start < len(text) and text[start] in " \t\r\n":
            start += 1
    nxt = _BLANK.search(text, max(start, ce))
    end = nxt.start() if nxt else len(text)
    return start, end


class _HtmlEvents(HTMLParser):
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
            "source", "track", "wbr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.events: list[tuple[str, tuple[int, int], str]] = []

    def _pos(self) -> tuple[int, int]:
        line, col = self.getpos()
        return line, col + 1

    def handle_starttag(self, tag, attrs):
        self.events.append(("void" if tag in self.VOID else "start", self._pos(), tag))

    def handle_startendtag(self, tag, attrs):
        self.events.append(("void", self._pos(), tag))

    def handle_endtag(self, tag):
        self.events.append(("end", self._pos(), tag))

    def handle_comment(self, data):
        self.events.append(("comment", self._pos(), data))

    def handle_data(self, data):
        if data.strip():
            self.events.append(("data", self._pos(), ""))


def _html_directives(source: str) -> list[_Directive]:
    p = _HtmlEvents()
    try:
        p.feed(source)
        p.close()
    except Exception:  # noqa: BLE001 - a page that does not parse has no directives we can place
        return []
    ev = p.events
    out = []
    for i, (kind, pos, data) in enumerate(ev):
        if kind != "comment":
            continue
        m = _DIRECTIVE.match(f"<!--{data}-->")
        if not m:
            continue
        dkind, codes = m.group("kind").lower(), _codes(m.group("codes"))
        d = _Directive(dkind, codes, _label(dkind, codes), line=pos[0], column=pos[1])
        if dkind == "ignore":
            d.cover_src = _html_cover(ev, i)
        out.append(d)
    return out


_FAR = (1 << 30, 0)


def _html_cover(ev, i: int) -> tuple[tuple[int, int], tuple[int, int]]:
    """From the comment to the end of the next element; when text or a closing tag comes first,
    to the end of the enclosing element."""
    start = ev[i][1]
    j = i + 1
    while j < len(ev) and ev[j][0] == "comment":
        j += 1
    if j < len(ev) and ev[j][0] == "start":
        depth = 0
        for k in range(j, len(ev)):
            kind = ev[k][0]
            if kind == "start":
                depth += 1
            elif kind == "end":
                depth -= 1
                if depth <= 0:
                    return start, ev[k][1]
        return start, _FAR
    if j < len(ev) and ev[j][0] == "void":
        nxt = ev[j + 1][1] if j + 1 < len(ev) else _FAR
        return start, nxt
    depth = 0
    for k in range(j, len(ev)):
        kind = ev[k][0]
        if kind == "start":
            depth += 1
        elif kind == "end":
            depth -= 1
            if depth < 0:
                return start, ev[k][1]
    return start, _FAR


def _suffix(message: Message, path: Optional[str]) -> str:
    for cand in (message.source, path):
        if cand:
            suf = Path(str(cand)).suffix.lower()
            if suf:
                return suf
    return ""


def inline_directives(message: Message, path: Optional[str]) -> list[_Directive]:
    if message.is_email:
        return []
    suf = _suffix(message, path)
    body = message.part("body")
    if suf in MARKDOWN_EXT and body is not None:
        return _markdown_directives(body.text)
    if suf in HTML_EXT:
        src = message.raw  # the page's markup, as ingest read it
        if src is None and body is not None and "<!--" in body.text:
            src = body.text
        return _html_directives(src) if src else []
    if suf in PLAIN_EXT and body is not None:
        out = []
        for m in _PLAIN_FILE.finditer(body.text):
            codes = _codes(m.group("codes"))
            out.append(_Directive("ignore-file", codes, _label("ignore-file", codes),
                                  m.start(), m.end()))
        return out
    return []


def _covered(d: _Directive, f: Finding, message: Message) -> bool:
    if f.start is None or f.part != "body":
        return False
    if d.cover_text is not None:
        s, e = d.cover_text
        return s <= f.start and f.end <= e
    if d.cover_src is not None:
        part = message.part(f.part)
        if part is None:
            return False
        pos = part.line_col(f.start)
        s, e = d.cover_src
        return s <= pos < e
    return False


def _unused_finding(d: _Directive, message: Message) -> Finding:
    what = "any rule" if not d.codes else ", ".join(d.codes)
    return Finding(
        code=UNUSED_CODE, rule=UNUSED_NAME, severity="info", part="body",
        start=d.start, end=d.end, match="",
        message=f"unused suppression: `{d.text}` silenced nothing ({what}); remove it",
        line=d.line, column=d.column, source="rule")


# -- the whole step ------------------------------------------------------------------------------

def drop_allowed(message, findings, config, path, hits: Optional[set] = None) -> list[Finding]:
    """The organisation profile and the allowlist: what was never a leak. The pipeline applies
    this to the detectors' findings before the message rules, so a public contact or an
    allowlisted string cannot make a message rule fire, and then to the message rules' own
    findings (each finding passes it once). `hits` collects the allowlist entries that matched
    (see allowlist_hit)."""
    path = path or message.source
    rel = relative_path(path, config.root) if path else ""
    out = list(findings)
    org = config.organisation
    if org.public_contacts or org.domains or org.staff:
        out = [f for f in out if not organisation_allows(f, org)]
    if config.allowlist or config.allowlist_regex or config.allowlist_fingerprints:
        kept = []
        for f in out:
            hit = allowlist_hit(f, config, rel or path, config.root)
            if hit is None:
                kept.append(f)
            elif hits is not None:
                hits.add(hit)
        out = kept
    return out


def apply_suppressions(message, findings, config, registry, path) -> list[Finding]:
    path = path or message.source
    root = config.root
    rel = relative_path(path, root) if path else ""

    def kind_of(f: Finding) -> Optional[str]:
        r = registry.get(f.code) if registry is not None else None
        return r.kind if r else None

    def selected(f: Finding) -> bool:
        is_info = f.severity == "info" or f.code.upper().startswith("SK9")
        if not rule_enabled(f.code, f.rule, config, is_info):
            return False
        return not (rel and per_file_ignored(rel, f.code, f.rule, config))

    out = [f for f in findings if selected(f)]

    directives = inline_directives(message, path)
    if directives:
        file_level = [d for d in directives if d.kind == "ignore-file"]
        blocks = [d for d in directives if d.kind == "ignore"]
        kept = []
        for f in out:
            hit = None
            for d in file_level:
                if d.applies(f):
                    hit = d
                    break
            if hit is None and f.severity != "info":
                for d in blocks:
                    if d.applies(f) and _covered(d, f, message):
                        hit = d
                        break
            if hit is None:
                kept.append(f)
            else:
                hit.used += 1
        out = kept
        silenced_all = any(not d.codes for d in file_level)
        if not silenced_all:
            for d in directives:
                if d.used == 0:
                    u = _unused_finding(d, message)
                    if selected(u):
                        out.append(u)

    result = []
    for f in out:
        sev = severity_for(f, config, kind_of(f)) if config.severity else f.severity
        result.append(f if sev == f.severity else f.with_(severity=sev))
    return result


__all__ = ["allowlist_entries", "allowlist_hit", "apply_suppressions", "drop_allowed", "rule_enabled", "selector_specificity", "organisation_allows",
           "inline_directives", "SEVERITY_RANK"]
