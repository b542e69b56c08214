"""`sklint serve` over a real socket: uvicorn on a free loopback port in a thread, real HTTP with
httpx. The Engine is real (one per test module, shared by the servers, as in production one per
process); nothing of ours is mocked."""
from __future__ import annotations

import base64
import io
import json
import logging
import socket
import subprocess
import sys
import threading
import time
from email.message import EmailMessage
from pathlib import Path

import httpx
import pytest

from sklint.config import Config, from_mapping
from sklint.pipeline import Engine
from sklint.serve.app import Service, ServeSettings, check_bind, create_app
from sklint.serve.record import SharingRecord, load_key, verify

ORIGIN = "https://localhost:3000"
NHS = "943 476 5919"  # a valid NHS number (checksum) used as a certain finding
MARKER = "Zebedee-Quintrell-7781"  # a string that must never appear in logs or errors

MESSAGE = {
    "subject": "Referral",
    "body_text": f"Hello,\n\nPlease see the referral below. NHS number {NHS}.\n\nThanks",
    "body_html": f"<p>Hello,</p><p>Please see the referral below. NHS number {NHS}.</p><p>Thanks</p>",
    "from": {"name": "Sam Worker", "email": "sam@charity.org.uk"},
    "to": ["Duty Team <duty@council.gov.uk>"],
    "cc": [],
    "bcc": [],
    "attachments": [{"name": "note.txt", "content_type": "text/plain",
                     "content_base64": base64.b64encode(b"Meeting moved to Tuesday.").decode()}],
}
CHECKLIST = {
    "recipient_verified": True,
    "purpose": "Safeguarding referral to the local authority duty team",
    "lawful_basis": "legal-obligation",
    "minimum_necessary": True,
    "secure_method": "encrypted email (Egress)",
    "client_informed": False,
    "client_not_informed_reason": "informing the family could increase the risk to the child",
}


def as_rfc822(m: dict) -> bytes:
    """The same message as a mail client would write it (with Date and Message-ID)."""
    msg = EmailMessage()
    msg["Subject"] = m["subject"]
    msg["From"] = f'{m["from"]["name"]} <{m["from"]["email"]}>'
    msg["To"] = ", ".join(m["to"])
    msg["Date"] = "Sun, 22 Nov 2026 10:00:00 +0000"
    msg["Message-ID"] = "<abc123@charity.org.uk>"
    msg.set_content(m["body_text"])
    msg.add_alternative(m["body_html"], subtype="html")
    for a in m["attachments"]:
        maintype, subtype = a["content_type"].split("/")
        msg.add_attachment(base64.b64decode(a["content_base64"]), maintype=maintype, subtype=subtype,
                           filename=a["name"])
    return msg.as_bytes()


@pytest.fixture(scope="module")
def engine():
    return Engine(Config())


class Running:
    def __init__(self, url: str, service: Service, server, thread):
        self.url, self.service, self.server, self.thread = url, service, server, thread

    def client(self, **kw) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30, trust_env=False, **kw)


@pytest.fixture
def start(engine, tmp_path, monkeypatch):
    """start(serve_options, token) -> a running service on 127.0.0.1:<free port>."""
    import uvicorn
    monkeypatch.setenv("SKLINT_RECORD_KEY", "test-key-0123456789abcdef")
    running: list[Running] = []

    def _start(serve: dict | None = None, token: str | None = None, record: Path | None = None) -> Running:
        config = from_mapping({"serve": serve} if serve else {})
        settings = ServeSettings(config, token=token)
        rec = SharingRecord(record or tmp_path / "record.jsonl")
        svc = Service(config, engine=engine, record=rec, settings=settings)
        app = create_app(config, service=svc)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        server = uvicorn.Server(uvicorn.Config(app, access_log=False, log_level="warning",
                                               lifespan="on"))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        deadline = time.monotonic() + 60
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("service did not start")
            time.sleep(0.02)
        r = Running(f"http://127.0.0.1:{port}", svc, server, thread)
        running.append(r)
        return r

    yield _start
    for r in running:
        r.server.should_exit = True
        r.thread.join(timeout=10)


# -- basics -----------------------------------------------------------------------------------

def test_healthz(start):
    s = start()
    with s.client() as c:
        r = c.get("/healthz")
    assert r.status_code == 200
    assert r.json()["status"] == "ok"
    assert r.json()["fail_mode"] == "open"


def test_json_shape_blocks_and_redacts(start):
    s = start()
    with s.client() as c:
        r = c.post("/v1/check", json=MESSAGE)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["verdict"] == "block"
    assert len(out["files"]) == 1
    f = out["files"][0]
    assert set(f) >= {"path", "kind", "error", "findings"}
    assert f["kind"] == "email" and f["error"] is None
    codes = {x["code"] for x in f["findings"]}
    assert "SK105" in codes  # nhs-number
    for x in f["findings"]:  # the findings contract
        assert set(x) >= {"code", "rule", "severity", "entity", "category", "part", "line", "column",
                          "start", "end", "match", "message", "suggestion"}
    assert NHS not in r.text and NHS.replace(" ", "") not in r.text  # redacted by default
    assert len(out["fingerprint"]) == 32


def test_show_matches(start):
    s = start()
    with s.client() as c:
        r = c.post("/v1/check", params={"show_matches": "true"}, json=MESSAGE)
    assert any(x["match"] == NHS for x in r.json()["files"][0]["findings"])


def test_raw_rfc822_and_json_share_one_path(start):
    s = start()
    with s.client() as c:
        j = c.post("/v1/check", json=MESSAGE).json()
        r = c.post("/v1/check", content=as_rfc822(MESSAGE), headers={"Content-Type": "message/rfc822"})
    assert r.status_code == 200, r.text
    raw = r.json()
    assert raw["verdict"] == j["verdict"] == "block"
    assert raw["fingerprint"] == j["fingerprint"]  # Date, Message-ID, boundaries do not count
    key = lambda out: sorted((x["code"], x["part"], x["start"]) for x in out["files"][0]["findings"])
    assert key(raw) == key(j)


def test_clean_message_sends(start):
    s = start()
    with s.client() as c:
        r = c.post("/v1/check", json={"subject": "Rota", "body_text": "The office is closed on Friday.",
                                      "to": ["team@charity.org.uk"]})
    assert r.status_code == 200
    assert r.json()["verdict"] == "send"


def test_policy_block_on_never_warns(start):
    s = start(serve={"block-on": "never", "warn-on": "warning"})
    with s.client() as c:
        assert c.post("/v1/check", json=MESSAGE).json()["verdict"] == "warn"


def test_cloud_attachment_not_inspected_warns(start):
    s = start()
    msg = {"subject": "Rota", "body_text": "See attached.", "to": ["team@charity.org.uk"],
           "attachments": [{"name": "rota.xlsx", "content_type": "application/vnd.ms-excel"}]}
    with s.client() as c:
        out = c.post("/v1/check", json=msg).json()
    assert out["verdict"] == "warn"
    assert out["files"][0]["not_inspected"] == ["rota.xlsx"]


# -- token ------------------------------------------------------------------------------------

def test_token_required(start):
    s = start(token="s3cret-token-value")
    with s.client() as c:
        assert c.get("/healthz").status_code == 200  # liveness needs no token
        r = c.post("/v1/check", json=MESSAGE)
        assert r.status_code == 401
        assert r.json()["error"] == "unauthorized"
        assert r.headers["www-authenticate"] == "Bearer"
        assert c.post("/v1/check", json=MESSAGE,
                      headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert c.post("/v1/check", json=MESSAGE,
                      headers={"Authorization": "Basic s3cret-token-value"}).status_code == 401
        ok = c.post("/v1/check", json=MESSAGE, headers={"Authorization": "Bearer s3cret-token-value"})
        assert ok.status_code == 200
        assert c.post("/v1/record", json={}, headers={"Authorization": "Bearer nope"}).status_code == 401


def test_refuses_non_loopback_bind_without_token():
    with pytest.raises(ValueError, match="without a token"):
        check_bind("0.0.0.0", None)
    check_bind("0.0.0.0", "a-token")  # allowed with a token (and TLS in front)
    check_bind("127.0.0.1", None)
    check_bind("::1", None)
    # and the command says so, without binding anything
    p = subprocess.run([sys.executable, "-m", "sklint.serve", "serve", "--host", "0.0.0.0", "--port", "1"],
                       capture_output=True, text=True, timeout=120,
                       env={k: v for k, v in __import__("os").environ.items() if k != "SKLINT_SERVE_TOKEN"})
    assert p.returncode == 2
    assert "without a token" in p.stderr


def test_wrong_host_header_refused(start):
    """Without a token the service answers only to loopback Host names (no DNS rebinding)."""
    s = start()
    with s.client() as c:
        r = c.get("/healthz", headers={"Host": "attacker.example"})
        assert r.status_code == 421
        assert c.get("/healthz", headers={"Host": "localhost:8765"}).status_code == 200


# -- size -------------------------------------------------------------------------------------

def test_413_by_content_length(start):
    s = start(serve={"max-request-bytes": 2000})
    big = dict(MESSAGE, body_text="x" * 5000)
    with s.client() as c:
        r = c.post("/v1/check", json=big)
    assert r.status_code == 413
    assert r.json()["error"] == "too-large"


def test_413_chunked_without_length(start):
    s = start(serve={"max-request-bytes": 2000})

    def chunks():
        for _ in range(10):
            yield b"A" * 500

    with s.client() as c:
        r = c.post("/v1/check", content=chunks(), headers={"Content-Type": "message/rfc822"})
    assert r.status_code == 413


# -- CORS and Private Network Access ----------------------------------------------------------

def test_preflight_with_private_network(start):
    s = start()
    with s.client() as c:
        r = c.options("/v1/check", headers={
            "Origin": ORIGIN, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
            "Access-Control-Request-Private-Network": "true"})
    assert r.status_code == 204
    assert r.headers["access-control-allow-origin"] == ORIGIN
    assert r.headers["access-control-allow-private-network"] == "true"
    assert "POST" in r.headers["access-control-allow-methods"]
    assert "authorization" in r.headers["access-control-allow-headers"].lower()


def test_cors_only_for_the_addin_origin(start):
    s = start(serve={"allowed-origins": ["https://addin.charity.org.uk"]})
    with s.client() as c:
        pre = c.options("/v1/check", headers={"Origin": "https://evil.example",
                                              "Access-Control-Request-Method": "POST"})
        assert pre.status_code == 403
        assert "access-control-allow-origin" not in pre.headers
        post = c.post("/v1/check", json=MESSAGE, headers={"Origin": "https://evil.example"})
        assert post.status_code == 403
        assert "access-control-allow-origin" not in post.headers
        good = c.post("/v1/check", json=MESSAGE, headers={"Origin": "https://addin.charity.org.uk"})
        assert good.status_code == 200
        assert good.headers["access-control-allow-origin"] == "https://addin.charity.org.uk"


# -- junk gets clear 4xx, never a 500, never an echo ------------------------------------------

@pytest.mark.parametrize("body,ctype,status", [
    (b'{"subject": "' + MARKER.encode(), "application/json", 400),
    (b"[1, 2, 3]", "application/json", 400),
    (b"", "application/json", 400),
    (b"\xff\xfe" + MARKER.encode(), "application/json", 400),
    (json.dumps({"subject": MARKER, "body": "x"}).encode(), "application/json", 400),
    (json.dumps({"subject": 5}).encode(), "application/json", 400),
    (json.dumps({"to": [MARKER]}).encode(), "application/json", 400),
    (json.dumps({"to": "a@b.org"}).encode(), "application/json", 400),
    (json.dumps({"attachments": [{"name": "a.pdf", "content_base64": MARKER + "!!"}]}).encode(),
     "application/json", 400),
    (json.dumps({"attachments": [{"content_base64": ""}]}).encode(), "application/json", 400),
    (MARKER.encode(), "text/plain", 415),
    (b"", "message/rfc822", 400),
])
def test_junk_is_4xx_json(start, body, ctype, status):
    s = start()
    with s.client() as c:
        r = c.post("/v1/check", content=body, headers={"Content-Type": ctype})
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    assert set(r.json()) >= {"error", "message"}
    assert MARKER not in r.text
    assert "Traceback" not in r.text


def test_binary_rfc822_is_not_a_500(start):
    s = start()
    with s.client() as c:
        r = c.post("/v1/check", content=bytes(range(256)) * 20, headers={"Content-Type": "message/rfc822"})
    assert r.status_code < 500


def test_unknown_paths_and_methods(start):
    s = start()
    with s.client() as c:
        r = c.get("/v1/check")
        assert r.status_code == 405 and r.json()["error"] == "method-not-allowed"
        r = c.get("/admin")
        assert r.status_code == 404 and r.json()["error"] == "not-found"


def test_content_never_logged(start, caplog):
    s = start()
    caplog.set_level(logging.DEBUG)
    msg = dict(MESSAGE, subject=f"About {MARKER}", body_text=f"{MARKER}.\nNHS number {NHS}.")
    with s.client() as c:
        assert c.post("/v1/check", json=msg).status_code == 200
        c.post("/v1/check", content=b'{"subject": "' + MARKER.encode(), headers={"Content-Type": "application/json"})
    text = "\n".join(r.getMessage() for r in caplog.records
                     if not r.name.startswith(("httpx", "httpcore")))  # the client side
    assert "check: verdict=block" in text
    assert MARKER not in text and NHS not in text


# -- the sharing record ------------------------------------------------------------------------

def test_record_then_next_check_passes(start, tmp_path):
    log = tmp_path / "record.jsonl"
    s = start(record=log)
    with s.client() as c:
        first = c.post("/v1/check", json=MESSAGE).json()
        assert first["verdict"] == "block" and first["recorded"] is None
        fp = first["fingerprint"]

        bad = c.post("/v1/record", json={"message_fingerprint": fp, "who": "sam@charity.org.uk",
                                         "checklist": {**CHECKLIST, "recipient_verified": False,
                                                       "lawful_basis": "because"}})
        assert bad.status_code == 422
        probs = " ".join(bad.json()["problems"])
        assert "recipient_verified" in probs and "lawful_basis" in probs

        ok = c.post("/v1/record", json={"message_fingerprint": fp, "who": "sam@charity.org.uk",
                                        "checklist": CHECKLIST})
        assert ok.status_code == 201, ok.text
        assert ok.json()["seq"] == 1

        again = c.post("/v1/check", json=MESSAGE).json()
        assert again["verdict"] == "send"
        assert again["policy_verdict"] == "block"
        assert again["recorded"]["seq"] == 1
        assert any("recorded" in x for x in again["reasons"])
        assert again["files"][0]["findings"]  # still listed

        changed = c.post("/v1/check", json=dict(MESSAGE, to=["someone@else.org"])).json()
        assert changed["verdict"] == "block"  # a different recipient is a different decision

    entry = json.loads(log.read_text().splitlines()[0])
    assert entry["rules"] and "SK105" in entry["rules"]
    assert entry["recipient_domains"] == ["council.gov.uk"]
    assert entry["checklist"]["lawful_basis"] == "legal-obligation"
    text = log.read_text()
    assert NHS not in text and "Please see the referral" not in text and "duty@" not in text
    assert verify(log, load_key(log)).ok


def test_record_unknown_fingerprint_and_message_reattached(start, tmp_path):
    s = start(record=tmp_path / "r.jsonl")
    with s.client() as c:
        fp = c.post("/v1/check", json=MESSAGE).json()["fingerprint"]
    s2 = start(record=tmp_path / "r.jsonl")  # a restarted service: no memory of the check
    with s2.client() as c:
        r = c.post("/v1/record", json={"message_fingerprint": fp, "checklist": CHECKLIST})
        assert r.status_code == 409 and r.json()["error"] == "not-checked"
        r = c.post("/v1/record", json={"message_fingerprint": fp, "checklist": CHECKLIST,
                                       "message": dict(MESSAGE, subject="Changed")})
        assert r.status_code == 409 and r.json()["error"] == "message-changed"
        r = c.post("/v1/record", json={"message_fingerprint": fp, "checklist": CHECKLIST,
                                       "who": "sam@charity.org.uk", "message": MESSAGE})
        assert r.status_code == 201
        assert c.post("/v1/check", json=MESSAGE).json()["verdict"] == "send"


def test_decision_not_to_share_does_not_unblock(start):
    s = start()
    with s.client() as c:
        fp = c.post("/v1/check", json=MESSAGE).json()["fingerprint"]
        r = c.post("/v1/record", json={"message_fingerprint": fp, "decision": "not-share",
                                       "checklist": {"purpose": "Asked for a full case file; declined"}})
        assert r.status_code == 201
        assert c.post("/v1/check", json=MESSAGE).json()["verdict"] == "block"


# -- hostile requests (issue 15) and ordinary mail at Send (issue 14) ------------------------------

@pytest.mark.parametrize("body", [
    b"[" * 100_000 + b"]" * 100_000,
    b'{"subject": ' + b"[" * 5_000 + b"]" * 5_000 + b"}",
    b'{"subject": "Rota", "body_text": ' + b"9" * 5_000 + b"}",
    b'{"subject": "Rota", "body_text": "caf\\ud800e", "to": ["a@b.org.uk"]}',
    b'{"subject": {"a": 1}, "body_text": "x"}',
    b'{"subject": "Rota", "body_text": "x", "to": [5]}',
    b'{"subject": 1e999999, "body_text": "x"}',
], ids=["nested-100k", "nested-in-field", "5000-digits", "lone-surrogate", "object-for-text",
        "number-for-address", "huge-exponent"])
def test_hostile_json_is_4xx_never_5xx(start, body, caplog):
    s = start()
    with caplog.at_level(logging.DEBUG):
        with s.client() as c:
            r = c.post("/v1/check", content=body, headers={"Content-Type": "application/json"})
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:200])
    assert r.headers["content-type"].startswith("application/json")
    assert len(r.text) < 400
    assert "9999999999" not in caplog.text and "ud800" not in caplog.text


def test_clean_email_with_a_signature_sends(start):
    """The verdict a person meets at Send: greeting the recipient, one's own sign-off, role and
    the charity's number in the signature hold nothing."""
    s = start()
    body = ("Hi Meredith,\n\nThe hall is booked for the volunteers' evening on 12 March, 7pm. "
            "Could you bring the urn?\n\nMany thanks,\nOluwadamilare Hughes-Okonjo\n"
            "Volunteer Coordinator\nRiverbend Family Link\nTel 01539 720418\n"
            "Registered charity no. 1190001\n")
    msg = {"subject": "Volunteers' evening", "body_text": body,
           "from": {"name": "Oluwadamilare Hughes-Okonjo", "email": "o.hughes-okonjo@riverbend.org.uk"},
           "to": ["Meredith Pascoe <meredith.pascoe@eastshirehalls.co.uk>"]}
    with s.client() as c:
        r = c.post("/v1/check", json=msg)
    assert r.status_code == 200
    out = r.json()
    assert out["verdict"] == "send", out


def test_forged_record_line_is_never_used(start, tmp_path):
    """A line appended by hand with a made-up MAC does not let a blocked message through, before
    or after a restart, and /healthz says the record is broken (without its content)."""
    log_path = tmp_path / "forged.jsonl"
    s = start(record=log_path)
    with s.client() as c:
        first = c.post("/v1/check", json=MESSAGE).json()
        assert first["verdict"] == "block"
        assert c.get("/healthz").json()["record"] == "ok"
        forged = {"seq": 1, "ts": "2026-12-07T10:00:00Z", "who": "x", "message_fingerprint": first["fingerprint"],
                  "decision": "share", "rules": [], "findings": [], "recipient_domains": [],
                  "checklist": {}, "prev_mac": "0" * 64, "mac": "f" * 64}
        with log_path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(forged) + "\n")
        assert c.post("/v1/check", json=MESSAGE).json()["verdict"] == "block"
        health = c.get("/healthz").json()["record"]
        assert health.startswith("broken") and first["fingerprint"] not in health
    s2 = start(record=log_path)  # restarted
    with s2.client() as c:
        assert c.post("/v1/check", json=MESSAGE).json()["verdict"] == "block"
        assert c.get("/healthz").json()["record"].startswith("broken")


# -- long messages and unread attachments (issue 15) --------------------------------------------

def _long_body(chars: int) -> str:
    from test_hostile import long_text
    return f"Hello,\n\nNHS number {NHS}.\n\n" + long_text(chars)


def test_long_message_answers_within_its_time_and_says_what_was_not_checked(start):
    s = start({"check-seconds": 0.5})
    msg = dict(MESSAGE, body_html="", attachments=[], body_text=_long_body(1_000_000))
    with s.client() as c:
        r = c.post("/v1/check", json=msg)
    assert r.status_code == 200
    out = r.json()
    assert out["verdict"] in ("warn", "block")
    assert any("the body was not fully checked" in x and "time limit" in x for x in out["reasons"])
    assert any(f["rule"] == "limit-reached" for f in out["files"][0]["findings"])


def test_a_short_check_does_not_wait_behind_a_long_one(start):
    s = start({"check-seconds": 4})
    long_msg = dict(MESSAGE, body_html="", attachments=[], body_text=_long_body(1_500_000))
    done: dict[str, float] = {}

    def post(name, m):
        with s.client() as c:
            assert c.post("/v1/check", json=m).status_code == 200
        done[name] = time.monotonic()
    big = threading.Thread(target=post, args=("long", long_msg))
    big.start()
    time.sleep(0.5)  # the long one is being checked
    post("short", MESSAGE)
    big.join()
    assert done["short"] < done["long"]  # answered while the long one was still being read


def _attachment(name: str, data: bytes, ctype: str) -> dict:
    return {"name": name, "content_type": ctype, "content_base64": base64.b64encode(data).decode()}


def test_an_attachment_that_cannot_be_read_is_never_send(start):
    import zipfile
    s = start()
    clean = {"subject": "Rota", "body_text": "Here is the rota for next week.", "body_html": "",
             "to": ["team@charity.org.uk"], "from": {"name": "Sam", "email": "sam@charity.org.uk"}}
    damaged = b"PK\x03\x04" + b"\x00" * 40 + b"damaged"
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("zeros.txt", b"\0" * (20 * 1024 * 1024))
    png = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")
    with s.client() as c:
        assert c.post("/v1/check", json=clean).json()["verdict"] == "send"
        for name, data, ctype in (("rota.docx", damaged, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
                                  ("rota.zip", bomb.getvalue(), "application/zip")):
            out = c.post("/v1/check", json=dict(clean, attachments=[_attachment(name, data, ctype)])).json()
            assert out["verdict"] == "warn", (name, out["reasons"])
            assert any(f"attachment {name}" in x and "not fully checked" in x for x in out["reasons"])
        # a picture is not read by design, and is no reason to stop someone sending
        out = c.post("/v1/check", json=dict(clean, attachments=[_attachment("logo.png", png, "image/png")])).json()
        assert out["verdict"] == "send", out["reasons"]
