"""`.msg` files give the same findings as the equivalent `.eml` (issue 4): each real Outlook
sample is read with sklint, and an `.eml` twin is built from what extract-msg reads out of it
(subject, addresses, body, attachments) with the standard `email` package; both must give the
same findings."""
from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import extract_msg
import pytest

from sklint.config import Config
from sklint.pipeline import Engine

SAMPLES = sorted((Path(__file__).resolve().parents[2] / "shared" / "samples" / "outlook-msg").glob("*.msg"))


def _twin(path: Path) -> bytes:
    m = extract_msg.openMsg(str(path))
    try:
        e = EmailMessage()
        e["Subject"] = m.subject or ""
        if m.sender:
            e["From"] = m.sender
        if m.to:
            e["To"] = m.to.replace(";", ",")
        if m.cc:
            e["Cc"] = m.cc.replace(";", ",")
        body = m.body or ""
        if isinstance(body, bytes):
            body = body.decode("utf-8", "replace")
        e.set_content(body.replace("\r\n", "\n"))
        for a in m.attachments:
            data = a.data
            if not isinstance(data, (bytes, bytearray)):
                continue  # an embedded message: not part of this comparison
            name = a.longFilename or a.shortFilename or "attachment.bin"
            e.add_attachment(bytes(data), maintype="application", subtype="octet-stream", filename=name)
        return bytes(e)
    finally:
        m.close()


def _key(findings):
    return sorted((f.code, f.part, f.match, f.entity or "", f.category or "") for f in findings)


@pytest.fixture(scope="module")
def engine():
    return Engine(Config())


@pytest.mark.skipif(not SAMPLES, reason="../shared/samples/outlook-msg is not beside the checkout")
@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_msg_and_its_eml_twin_give_the_same_findings(engine, path):
    from_msg = engine.check_path(path)
    from_eml = engine.check_bytes(_twin(path), path.stem + ".eml")
    assert from_msg.error is None and from_eml.error is None
    assert from_msg.kind == from_eml.kind == "email"
    assert _key(from_msg.findings) == _key(from_eml.findings)
    msg, eml = from_msg.message, from_eml.message
    assert [a.email for a in msg.to] == [a.email for a in eml.to]
    assert [a.email for a in msg.cc] == [a.email for a in eml.cc]
    assert msg.subject == eml.subject

