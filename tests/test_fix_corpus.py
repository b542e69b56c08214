"""Acceptance for issue 5 on the dev corpus, with the real pipeline (no mocks):

- `sklint check` on the output of `sklint fix --output` finds none of the identifiers that were in
  the input;
- the output differs from the input only at finding spans: every word outside the spans (and
  outside other occurrences of the same identifier strings) is kept, in order;
- a second `fix` of the fixed files changes nothing.

Run with `-s` to see the survival rates (also against the gold labels).
"""
from __future__ import annotations

import difflib
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from sklint.cli import main
from sklint.config import Config
from sklint.pipeline import Engine

DEV = Path("/work/shared/corpus/dev")
KEY = "corpus-test-register-key-0123456789"

pytestmark = pytest.mark.skipif(not DEV.is_dir(), reason=f"{DEV}: dev corpus not present")


def _docs() -> list[Path]:
    if not DEV.is_dir():
        return []
    out = []
    for gold in sorted(DEV.glob("*.gold.json")):
        stem = gold.name[: -len(".gold.json")]
        docs = [p for p in DEV.iterdir() if p.stem == stem and not p.name.endswith(".gold.json")]
        out += docs
    return out


DOCS = _docs()


def _ids(result) -> list:
    return [f for f in result.findings if f.entity and f.start is not None]


@pytest.fixture(scope="module")
def fixed(tmp_path_factory):
    base = tmp_path_factory.mktemp("fixcorpus")
    src = base / "in"
    src.mkdir()
    for d in DOCS:  # only the documents, not the gold files or the README
        (src / d.name).write_bytes(d.read_bytes())
    out, again = base / "out", base / "again"
    env = {"SKLINT_REGISTER_KEY": KEY, "SKLINT_REVEAL_PASSPHRASE": ""}
    runner = CliRunner()
    r1 = runner.invoke(main, ["fix", str(src), "--output", str(out), "--register", str(base / "reg.sqlite")], env=env)
    r2 = runner.invoke(main, ["fix", str(out), "--output", str(again), "--register", str(base / "reg.sqlite")], env=env)
    engine = Engine(Config())
    results = {}
    for d in DOCS:
        results[d.name] = (engine.check_path(src / d.name), engine.check_path(out / d.name))
    return {"src": src, "out": out, "again": again, "r1": r1, "r2": r2, "results": results,
            "engine": engine}


def test_fix_ran(fixed):
    assert fixed["r1"].exit_code == 0, fixed["r1"].output
    for d in DOCS:
        assert (fixed["out"] / d.name).is_file(), d.name


@pytest.mark.parametrize("doc", [d.name for d in DOCS])
def test_no_identifier_survives(fixed, doc):
    before, after = fixed["results"][doc]
    assert after.error is None, after.error
    inputs = {" ".join(f.match.split()).casefold() for f in _ids(before)}
    survivors = sorted({f.entity for f in _ids(after) if " ".join(f.match.split()).casefold() in inputs})
    assert not survivors, f"{doc}: identifiers of these types survive the fix: {survivors}"


_WORD = re.compile(r"\S+")


@pytest.mark.parametrize("doc", [d.name for d in DOCS])
def test_output_differs_only_at_findings(fixed, doc):
    before, after = fixed["results"][doc]
    parts_after = {p.id: p.text for p in after.message.parts}
    for part in before.message.parts:
        if part.id not in parts_after:
            continue
        spans = [(f.start, f.end) for f in before.findings
                 if f.part == part.id and f.start is not None and (f.entity or f.category)]
        # other occurrences of the same identifier strings are replaced too (sweep)
        for f in before.findings:
            if f.part == part.id and f.entity and f.match.strip():
                body = r"\s+".join(re.escape(w) for w in f.match.split())
                for m in re.finditer(rf"(?<!\w){body}(?!\w)", part.text):
                    spans.append((m.start(), m.end()))
        a = [(m.group(0), m.start(), m.end()) for m in _WORD.finditer(part.text)]
        b = [m.group(0) for m in _WORD.finditer(parts_after[part.id])]
        sm = difflib.SequenceMatcher(None, [w for w, _, _ in a], b, autojunk=False)
        for op, i1, i2, j1, j2 in sm.get_opcodes():
            if op in ("replace", "delete"):
                for w, s, e in a[i1:i2]:
                    assert any(s < fe and fs < e for fs, fe in spans), \
                        f"{doc} {part.id}: {w!r} (offset {s}) is outside every finding of the input but changed"


def test_second_fix_is_a_no_op(fixed):
    assert fixed["r2"].exit_code == 0, fixed["r2"].output
    changed = [d.name for d in DOCS
               if (fixed["again"] / d.name).read_bytes() != (fixed["out"] / d.name).read_bytes()]
    assert not changed, f"a second fix changed: {changed}"


def _gold_survival(fixed) -> tuple[int, int, list[str]]:
    """Gold-labelled identifiers (not the detector's) whose text is still in the fixed part."""
    total = survived = 0
    where = []
    for d in DOCS:
        gold = json.loads((DEV / (d.name[: -len(d.suffix)] + ".gold.json")).read_text())
        _, after = fixed["results"][d.name]
        texts = {p.id: p.text for p in after.message.parts}
        for ent in gold.get("entities", []):
            total += 1
            text = texts.get(ent["part"], "")
            body = r"\s+".join(re.escape(w) for w in ent["text"].split())
            if re.search(rf"(?<!\w){body}(?!\w)", text):
                survived += 1
                where.append(f"{d.name} {ent['part']} {ent['type']}")
    return survived, total, where


def test_survival_report(fixed, capsys):
    n_in = n_out = 0
    for doc, (before, after) in fixed["results"].items():
        inputs = {" ".join(f.match.split()).casefold() for f in _ids(before)}
        n_in += len(_ids(before))
        n_out += sum(1 for f in _ids(after) if " ".join(f.match.split()).casefold() in inputs)
    survived, total, where = _gold_survival(fixed)
    with capsys.disabled():
        print(f"\n[fix corpus] detector identifiers surviving: {n_out}/{n_in}"
              f" ({100 * n_out / max(1, n_in):.1f}%)")
        print(f"[fix corpus] gold identifiers surviving: {survived}/{total}"
              f" ({100 * survived / max(1, total):.1f}%)")
        by_type: dict[str, int] = {}
        for w in where:
            t = w.rsplit(" ", 1)[1]
            by_type[t] = by_type.get(t, 0) + 1
        print(f"[fix corpus] gold survivors by type: {by_type}")
    assert n_out == 0
