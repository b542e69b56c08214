"""Key acceptance test: every gold entity text and category evidence of the dev corpus is found
verbatim in the text of its part; the real Outlook samples read without error."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from sklint.config import Config
from sklint.ingest import read_path

DEV = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "dev"
if not DEV.is_dir():
    DEV = Path("/work/shared/corpus/dev")
MSG = DEV.parent.parent / "samples" / "outlook-msg"
GOLDS = sorted(DEV.glob("*.gold.json"))


def _document(gold: Path) -> Path:
    stem = gold.name[: -len(".gold.json")]
    docs = [p for p in gold.parent.glob(stem + ".*") if not p.name.endswith(".gold.json")]
    assert len(docs) == 1, docs
    return docs[0]


@pytest.mark.skipif(not GOLDS, reason="dev corpus not present")
@pytest.mark.parametrize("gold", GOLDS, ids=lambda p: p.name.split(".")[0])
def test_gold_strings_are_in_their_parts(gold: Path) -> None:
    data = json.loads(gold.read_text(encoding="utf-8"))
    message = read_path(_document(gold), Config())
    items = [(e["part"], e["text"]) for e in data["entities"]]
    items += [(c["part"], c["evidence"]) for c in data["categories"]]
    missing = []
    for part_id, text in items:
        part = message.part(part_id)
        if part is None or text not in part.text:
            missing.append((part_id, text))
    assert not missing, f"not found verbatim: {missing}; parts: {[p.id for p in message.parts]}"


@pytest.mark.skipif(not GOLDS, reason="dev corpus not present")
def test_dev_corpus_kinds_and_no_errors() -> None:
    for gold in GOLDS:
        doc = _document(gold)
        message = read_path(doc, Config())
        expected = {".eml": "email", ".md": "text", ".txt": "text", ".html": "web-page",
                    ".docx": "document"}[doc.suffix]
        assert message.kind == expected
        assert not [n for n in message.notes if n.code in ("format-mismatch", "limit-reached")]
        if doc.suffix == ".eml":
            assert message.is_email and message.part("body") is not None


@pytest.mark.skipif(not MSG.is_dir(), reason="Outlook samples not present")
@pytest.mark.parametrize("name", ["strangeDate.msg", "unicode.msg"])
def test_outlook_samples_read(name: str) -> None:
    message = read_path(MSG / name, Config())
    assert message.kind == "email" and message.is_email
    assert message.subject
    assert message.part("body") is not None


@pytest.mark.skipif(not MSG.is_dir(), reason="Outlook samples not present")
def test_outlook_unicode_recipients_and_tiff_attachments() -> None:
    message = read_path(MSG / "unicode.msg", Config())
    assert message.subject == "Test for TIF files"
    assert message.sender is not None and message.sender.email == "brizhou@gmail.com"
    assert [a.email for a in message.to] == ["brianzhou@me.com"]
    assert [a.email for a in message.cc] == ["brizhou@gmail.com"]
    assert len(message.attachments) == 2
    assert all(not a.inspected and a.filename.endswith(".tif") for a in message.attachments)
    notes = {(n.part, n.code) for n in message.notes}
    for a in message.attachments:
        assert (a.part_id, "not-inspected") in notes
    assert all("image" in n.message for n in message.notes)


@pytest.mark.skipif(not MSG.is_dir(), reason="Outlook samples not present")
def test_outlook_strange_date_body() -> None:
    message = read_path(MSG / "strangeDate.msg", Config())
    assert message.subject == "MSG Test File"
    assert "John Doe" in message.part("body").text
