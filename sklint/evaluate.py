"""`sklint eval CORPUS_DIR`: score findings against a labelled corpus exactly as the Scoring
section of shared/spec/corpus-format.md says.

Entity recall: a gold entity is found when some finding in the same part has a match containing
at least half of the gold text's tokens. Entity precision: a finding is correct when at least half
of its match tokens lie in a gold entity of the same part or in an `allowed` string.
Typed figures add that the types agree (POSTCODE and POSTAL_ADDRESS count as one type).
Categories: (part, category) pairs. Rules: per email, per rule named in gold `rules`.
"""
from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional

from .model import ENTITY_TYPES, FileResult

CONTRACT_RULES = ("subject-line-leak", "group-send-without-bcc", "sensitive-detail-in-email",
                  "personal-data-in-attachment")
_TOKEN = re.compile(r"\w+")


def tokens(text: str) -> list[str]:
    return [t.casefold() for t in _TOKEN.findall(text)]


def _type_key(t: str) -> str:
    return "POSTCODE" if t in ("POSTCODE", "POSTAL_ADDRESS") else t


@dataclass
class Counts:
    tp_recall: int = 0  # gold items found
    gold: int = 0
    tp_precision: int = 0  # findings correct
    predicted: int = 0

    @property
    def recall(self) -> float:
        return self.tp_recall / self.gold if self.gold else 1.0

    @property
    def precision(self) -> float:
        return self.tp_precision / self.predicted if self.predicted else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class EvalResult:
    untyped: Counts = field(default_factory=Counts)
    typed: Counts = field(default_factory=Counts)
    per_type: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    categories: Counts = field(default_factory=Counts)
    per_category: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    rules: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))  # tp fp fn tn
    misses: list[str] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)
    unread: int = 0
    documents: int = 0
    verdicts: "Verdicts" = field(default_factory=lambda: Verdicts())

    def rule_counts(self, rule: str) -> tuple[float, float]:
        c = self.rules[rule]
        rec = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 1.0
        prec = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 1.0
        return rec, prec

    @property
    def rule_accuracy(self) -> float:
        total = sum(sum(c.values()) for c in self.rules.values())
        right = sum(c["tp"] + c["tn"] for c in self.rules.values())
        return right / total if total else 1.0

    def summary_line(self) -> str:
        return (f"entity recall {self.untyped.recall:.3f} precision {self.untyped.precision:.3f} | "
                f"typed F1 {self.typed.f1:.3f} | category F1 {self.categories.f1:.3f} | "
                f"rule accuracy {self.rule_accuracy:.3f} | unread {self.unread}/{self.documents}")


_SEV = {"info": 0, "warning": 1, "error": 2}


@dataclass
class Verdicts:
    """What a person at the Send button experiences (corpus-format.md, Verdicts): each email is
    held when any finding is at warning or above."""
    must_hold: int = 0
    held: int = 0  # of the must-hold emails
    must_pass: int = 0
    false_held: int = 0  # of the must-pass emails
    noise: int = 0  # warning+ findings whose match lies in an `allowed` string (every email)
    missed: list[str] = field(default_factory=list)
    false: list[str] = field(default_factory=list)

    @property
    def hold_recall(self) -> float:
        return self.held / self.must_hold if self.must_hold else 1.0

    @property
    def false_hold_rate(self) -> float:
        return self.false_held / self.must_pass if self.must_pass else 0.0

    def line(self) -> str:
        return (f"verdicts: hold recall {self.hold_recall:.3f} ({self.held}/{self.must_hold}) "
                f"false-hold rate {self.false_hold_rate:.3f} ({self.false_held}/{self.must_pass}) "
                f"| noise {self.noise}")


def _tokset(s: str) -> set[str]:
    return set(tokens(s or ""))


def correspondent_words(eml: Path) -> set[str]:
    """Words of the display names and mailboxes in From, To, Cc and Reply-To (the mailbox's local
    part split at `.`, `_` and `-`), as the spec defines them."""
    import email
    import email.policy
    import email.utils
    try:
        msg = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
        words: set[str] = set()
        for h in ("From", "To", "Cc", "Reply-To"):
            for name, addr in email.utils.getaddresses([str(v) for v in msg.get_all(h, [])]):
                local = re.sub(r"[._-]", " ", addr.split("@")[0])
                words |= _tokset(name) | _tokset(local)
        return words
    except Exception:  # noqa: BLE001 - an unreadable email has no correspondents to greet
        return set()


def gold_verdict(eml: Path, gold: dict) -> Optional[str]:
    """"hold", "pass", or None (not judged here)."""
    if any((gold.get("rules") or {}).values()) or gold.get("categories"):
        return "hold"
    words = correspondent_words(eml)
    if all(e["type"] == "PERSON" and _tokset(e["text"]) <= words for e in gold.get("entities", [])):
        return "pass"
    return None


def score_verdict(v: Verdicts, result: FileResult, gold: dict, doc: Path) -> None:
    if doc.suffix.lower() != ".eml":
        return
    top = [f for f in result.findings if _SEV.get(f.severity, 0) >= 1]
    allowed = [t for t in (_tokset(a) for a in gold.get("allowed", [])) if t]
    v.noise += sum(1 for f in top if f.match and any(_tokset(f.match) <= a for a in allowed))
    verdict = gold_verdict(doc, gold)
    if verdict == "hold":
        v.must_hold += 1
        if top:
            v.held += 1
        else:
            v.missed.append(doc.name)
    elif verdict == "pass":
        v.must_pass += 1
        if top:
            v.false_held += 1
            v.false.append(f"{doc.name}: {', '.join(sorted({f.rule for f in top}))}")


def corpus_documents(corpus: Path) -> list[tuple[Path, Path]]:
    """(document, gold) pairs: the file beside each NAME.gold.json whose stem is NAME."""
    pairs = []
    for gold in sorted(corpus.glob("*.gold.json")):
        stem = gold.name[: -len(".gold.json")]
        docs = [p for p in gold.parent.iterdir()
                if p.name != gold.name and p.name.startswith(stem + ".") and not p.name.endswith(".gold.json")]
        if docs:
            pairs.append((sorted(docs)[0], gold))
    return pairs


def _half_in(needles: list[str], haystack: list[str]) -> bool:
    """At least half of `needles` (counted with repeats) occur in `haystack`."""
    if not needles:
        return False
    have = Counter(haystack)
    hit = 0
    for t in needles:
        if have[t] > 0:
            have[t] -= 1
            hit += 1
    return hit * 2 >= len(needles)


def _covers(match_toks: list[str], gold_toks: list[str]) -> bool:
    """The finding's match contains at least half of the gold text's tokens."""
    return _half_in(gold_toks, match_toks)


def _inside(match_toks: list[str], pool_toks: list[str]) -> bool:
    """At least half of the finding's match tokens lie in the gold (or allowed) text."""
    return _half_in(match_toks, pool_toks)


def score_document(res: EvalResult, result: FileResult, gold: dict, name: str) -> None:
    res.documents += 1
    if result.error:
        res.unread += 1
    findings = [f for f in result.findings]
    ents = [f for f in findings if f.entity]
    allowed_toks = [tokens(a) for a in gold.get("allowed", [])]
    gold_ents = gold.get("entities", [])
    # recall
    for g in gold_ents:
        gt = tokens(g["text"])
        cands = [f for f in ents if f.part == g["part"] and _covers(tokens(f.match), gt)]
        typed = [f for f in cands if _type_key(f.entity) == _type_key(g["type"])]
        res.untyped.gold += 1
        res.typed.gold += 1
        res.per_type[g["type"]].gold += 1
        if cands:
            res.untyped.tp_recall += 1
        if typed:
            res.typed.tp_recall += 1
            res.per_type[g["type"]].tp_recall += 1
        if not typed:
            got = f" (found as {cands[0].entity})" if cands else ""
            res.misses.append(f"{name}: {g['part']}: {g['type']} {g['text']!r}{got}")
    # precision
    for f in ents:
        mt = tokens(f.match)
        res.untyped.predicted += 1
        res.typed.predicted += 1
        res.per_type[f.entity].predicted += 1
        in_gold = [g for g in gold_ents if g["part"] == f.part and _inside(mt, tokens(g["text"]))]
        in_allowed = any(_inside(mt, a) for a in allowed_toks)
        if in_gold or in_allowed:
            res.untyped.tp_precision += 1
        typed_ok = in_allowed or any(_type_key(g["type"]) == _type_key(f.entity) for g in in_gold)
        if typed_ok:
            res.typed.tp_precision += 1
            res.per_type[f.entity].tp_precision += 1
        else:
            res.false_alarms.append(f"{name}: {f.part}: {f.entity} {f.match!r}"
                                    + (f" (gold type {in_gold[0]['type']})" if in_gold else ""))
    # categories
    gold_pairs = {(c["part"], c["category"]) for c in gold.get("categories", [])}
    got_pairs = {(f.part, f.category) for f in findings if f.category}
    for pair in gold_pairs:
        res.categories.gold += 1
        res.per_category[pair[1]].gold += 1
        if pair in got_pairs:
            res.categories.tp_recall += 1
            res.per_category[pair[1]].tp_recall += 1
        else:
            ev = next((c.get("evidence", "") for c in gold["categories"]
                       if (c["part"], c["category"]) == pair), "")
            res.misses.append(f"{name}: {pair[0]}: category {pair[1]} (evidence {ev!r})")
    for pair in got_pairs:
        res.categories.predicted += 1
        res.per_category[pair[1]].predicted += 1
        if pair in gold_pairs:
            res.categories.tp_precision += 1
            res.per_category[pair[1]].tp_precision += 1
        else:
            ev = next((f.match for f in findings if (f.part, f.category) == pair), "")
            res.false_alarms.append(f"{name}: {pair[0]}: category {pair[1]} {ev!r}")
    # rules
    fired = {f.rule for f in findings}
    for rule, truth in (gold.get("rules") or {}).items():
        if rule not in CONTRACT_RULES:
            continue
        got = rule in fired
        key = {(True, True): "tp", (False, True): "fp", (True, False): "fn", (False, False): "tn"}[(truth, got)]
        res.rules[rule][key] += 1
        if key == "fn":
            res.misses.append(f"{name}: rule {rule} did not fire")
        elif key == "fp":
            res.false_alarms.append(f"{name}: rule {rule} fired")


def format_report(res: EvalResult, verbose: bool = False) -> str:
    out = []
    out.append(f"{'type':<18}{'gold':>6}{'found':>7}{'recall':>8}{'reported':>10}{'correct':>9}{'precision':>11}")
    for t in list(ENTITY_TYPES) + sorted(k for k in res.per_type if k not in ENTITY_TYPES):
        c = res.per_type.get(t)
        if not c or (c.gold == 0 and c.predicted == 0):
            continue
        out.append(f"{t:<18}{c.gold:>6}{c.tp_recall:>7}{c.recall:>8.3f}{c.predicted:>10}{c.tp_precision:>9}{c.precision:>11.3f}")
    out.append(f"{'(typed, all)':<18}{res.typed.gold:>6}{res.typed.tp_recall:>7}{res.typed.recall:>8.3f}"
               f"{res.typed.predicted:>10}{res.typed.tp_precision:>9}{res.typed.precision:>11.3f}")
    out.append(f"{'(untyped, all)':<18}{res.untyped.gold:>6}{res.untyped.tp_recall:>7}{res.untyped.recall:>8.3f}"
               f"{res.untyped.predicted:>10}{res.untyped.tp_precision:>9}{res.untyped.precision:>11.3f}")
    out.append("")
    out.append(f"{'category':<20}{'gold':>6}{'found':>7}{'recall':>8}{'reported':>10}{'correct':>9}{'precision':>11}{'F1':>7}")
    for cat, c in sorted(res.per_category.items()):
        out.append(f"{cat:<20}{c.gold:>6}{c.tp_recall:>7}{c.recall:>8.3f}{c.predicted:>10}{c.tp_precision:>9}{c.precision:>11.3f}{c.f1:>7.3f}")
    c = res.categories
    out.append(f"{'(all)':<20}{c.gold:>6}{c.tp_recall:>7}{c.recall:>8.3f}{c.predicted:>10}{c.tp_precision:>9}{c.precision:>11.3f}{c.f1:>7.3f}")
    out.append("")
    out.append(f"{'rule':<30}{'tp':>4}{'fp':>4}{'fn':>4}{'tn':>4}{'recall':>8}{'precision':>11}")
    for rule in CONTRACT_RULES:
        if rule not in res.rules:
            continue
        cnt = res.rules[rule]
        rec, prec = res.rule_counts(rule)
        out.append(f"{rule:<30}{cnt['tp']:>4}{cnt['fp']:>4}{cnt['fn']:>4}{cnt['tn']:>4}{rec:>8.3f}{prec:>11.3f}")
    if verbose:
        out.append("")
        out.append(f"misses ({len(res.misses)}):")
        out.extend(f"  {m}: email not held" for m in res.verdicts.missed)
        out.extend("  " + m for m in res.misses)
        out.append(f"false alarms ({len(res.false_alarms)}):")
        out.extend("  " + m for m in res.false_alarms)
        out.extend(f"  {m}: clean email held" for m in res.verdicts.false)
    out.append("")
    out.append(res.summary_line())
    if res.verdicts.must_hold or res.verdicts.must_pass:
        out.append(res.verdicts.line())
    return "\n".join(out) + "\n"


def load_gold(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def evaluate(results: Iterable[tuple[FileResult, dict, str]],
             verdict_runs: Iterable[tuple[FileResult, dict, Path]] = ()) -> EvalResult:
    """Score (result, gold, name) triples; `verdict_runs` are (result, gold, document) triples of
    the corpus's emails checked with no configuration, for the verdict line."""
    res = EvalResult()
    for result, gold, name in results:
        score_document(res, result, gold, name)
    for result, gold, doc in verdict_runs:
        score_verdict(res.verdicts, result, gold, doc)
    return res
