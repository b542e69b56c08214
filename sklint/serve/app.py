"""`sklint serve`: the pre-send check as a small local HTTP service for the Outlook add-in.

    POST /v1/check    raw RFC 822 (Content-Type: message/rfc822) or the JSON shape below
    POST /v1/record   a Data Sharing Checklist decision for a checked message
    GET  /healthz     liveness, version, fail mode

JSON shape of /v1/check (issue 7):

    {"subject": "...", "body_text": "...", "body_html": "...", "from": "a@b",
     "to": [...], "cc": [...], "bcc": [...],
     "attachments": [{"name": "x.docx", "content_type": "...", "content_base64": "..."}]}

Addresses are "Name <a@b>" strings or {"name"/"displayName", "email"/"emailAddress"} objects.
It is turned into an RFC 822 message with the `email` package and checked exactly like a raw
one, so both shapes share one engine path: `Engine.check_bytes(data, "message.eml")`.

Answer: {"verdict": "send"|"warn"|"block", "files": [<one file of the findings contract>],
"fingerprint": "<keyed hash of the message>", ...}. Matches are redacted unless
`?show_matches=true`.

Speed: `sklint serve` loads the Engine once at startup (warm), then, with two or more cores
([serve] ner-helper), forks one helper process that reads part of each long message's NER in
parallel (helper.py; the findings are those of one process).

Safety: the Engine is built once at startup (warm). Message content is never logged: uvicorn's
access log is off, our log lines carry counts and timings only, and errors never echo the body
or a traceback. With SKLINT_SERVE_TOKEN set every request except /healthz and CORS preflights
needs `Authorization: Bearer <token>` (compared in constant time). Without a token the service
only binds loopback and only answers requests whose Host is loopback (no DNS rebinding).
Browsers may call it only from the configured add-in origins ([serve] allowed-origins), and the
Private Network Access preflight is answered so Outlook on the web may reach 127.0.0.1.
"""
from __future__ import annotations

import base64
import binascii
import gc
import getpass
import hmac
import ipaddress
import json
import logging
import os
import re
import threading
import time
from collections import OrderedDict
from contextlib import asynccontextmanager
from email import policy as email_policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any, Optional

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from ..config import Config
from ..model import SEVERITY_RANK, FileResult
from ..report.jsonfmt import file_to_dict
from .record import (DECISIONS, ChecklistError, RecordError, SharingRecord, finding_fingerprint,
                     message_identity, validate_checklist)

log = logging.getLogger("sklint.serve")

TOKEN_ENV = "SKLINT_SERVE_TOKEN"
DEFAULT_ORIGINS = ("https://localhost:3000",)  # the add-in's dev origin (office-addin-dev-certs)
DEFAULT_MAX_BYTES = 36 * 1024 * 1024  # ~25 MB of attachments once base64-encoded
# Seconds from a request's arrival after which no further window of its text is read (see
# pipeline.Engine.read_within); the answer is then at least `warn`, "not fully checked". The
# add-in waits 4 s; the long lane reads windows of 100,000 characters (about 1 s each here), so
# a 1 MB body is answered in about 2.5 s (bench/hostile.py --serve).
DEFAULT_CHECK_SECONDS = 1.5
# Messages with more text than this are checked in a lane of their own (their own engine and
# lock), so a long message never makes a short one wait behind it.
LARGE_CHARS = 100_000
LARGE_WINDOW_CHARS = 100_000  # ...read a window of this many characters at a time (about 1 s)
# Why an attachment may be left unread without a warning: sklint reads no pictures or sound, and
# a warning on every logo or photo would teach people to ignore it.
_NOT_READ_BY_DESIGN = ("not-inspected: image", "not-inspected: audio/video", "not-inspected: empty attachment")
FAIL_MODES = ("open", "closed")
POLICY_LEVELS = ("info", "warning", "error", "never")
MESSAGE_NAME = "message.eml"
JSON_KEYS = {"subject", "body_text", "body_html", "from", "to", "cc", "bcc", "attachments"}
LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", "[::1]"}


class ApiError(Exception):
    """A 4xx answer with a stable error code and a one-line message (never message content)."""

    def __init__(self, status: int, code: str, message: str, **extra: Any):
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra


def error_response(status: int, code: str, message: str, headers: Optional[dict] = None,
                   **extra: Any) -> JSONResponse:
    return JSONResponse({"error": code, "message": message, **extra}, status_code=status,
                        headers=headers)


# -- settings ---------------------------------------------------------------------------------

class ServeSettings:
    """The [serve] table, checked once."""

    def __init__(self, config: Config, token: Optional[str] = None):
        opts = config.section("serve")
        self.block_on = opts.get("block-on", "error")
        self.warn_on = opts.get("warn-on", "warning")
        self.fail_mode = opts.get("fail-mode", "open")
        for key, val, allowed in (("block-on", self.block_on, POLICY_LEVELS),
                                  ("warn-on", self.warn_on, POLICY_LEVELS),
                                  ("fail-mode", self.fail_mode, FAIL_MODES)):
            if val not in allowed:
                raise ValueError(f"[serve] {key} = {val!r}: must be one of {', '.join(allowed)}")
        self.allowed_origins = tuple(o.rstrip("/") for o in opts.get("allowed-origins", DEFAULT_ORIGINS))
        self.max_bytes = int(opts.get("max-request-bytes", DEFAULT_MAX_BYTES))
        if self.max_bytes <= 0:
            raise ValueError("[serve] max-request-bytes must be positive")
        self.check_seconds = opts.get("check-seconds", DEFAULT_CHECK_SECONDS)
        if isinstance(self.check_seconds, bool) or not isinstance(self.check_seconds, (int, float)) \
                or self.check_seconds <= 0:
            raise ValueError("[serve] check-seconds must be a positive number")
        self.token = token if token is not None else (os.environ.get(TOKEN_ENV) or None)
        self.loopback_only = True  # set by serve() from the bind address
        from .helper import helper_wanted
        self.ner_helper = helper_wanted(config)

    def verdict(self, result: FileResult) -> str:
        top = max((SEVERITY_RANK[f.severity] for f in result.findings), default=-1)
        if self.block_on != "never" and top >= SEVERITY_RANK[self.block_on]:
            return "block"
        if self.warn_on != "never" and top >= SEVERITY_RANK[self.warn_on]:
            return "warn"
        return "send"


def is_loopback_host(host: str) -> bool:
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# -- JSON -> RFC 822 --------------------------------------------------------------------------

_CTYPE = re.compile(r"^[A-Za-z0-9][\w.+-]*/[A-Za-z0-9][\w.+-]*$")


def _address(value: Any, where: str) -> Address:
    if isinstance(value, dict):
        name = value.get("name", value.get("displayName", "")) or ""
        email = value.get("email", value.get("emailAddress", value.get("address", ""))) or ""
        if not isinstance(name, str) or not isinstance(email, str):
            raise ApiError(400, "bad-request", f"{where}: name and email must be text")
    elif isinstance(value, str):
        from email.utils import parseaddr
        name, email = parseaddr(value)
        if not email and value.strip():
            raise ApiError(400, "bad-request", f"{where}: not an email address")
    else:
        raise ApiError(400, "bad-request", f"{where}: expected an address string or object")
    email = email.strip()
    if not email or "@" not in email or any(c in email for c in "\r\n<>,; "):
        raise ApiError(400, "bad-request", f"{where}: not an email address")
    try:
        return Address(display_name=" ".join(name.split()), addr_spec=email)
    except (ValueError, IndexError, TypeError):
        raise ApiError(400, "bad-request", f"{where}: not an email address") from None


def build_message(data: Any) -> tuple[bytes, list[str]]:
    """The JSON shape as RFC 822 bytes, and the names of attachments sent without content
    (cloud attachments), which could not be inspected."""
    if not isinstance(data, dict):
        raise ApiError(400, "bad-request", "expected a JSON object")
    unknown = sorted(set(data) - JSON_KEYS)
    if unknown:
        raise ApiError(400, "bad-request", f"unknown field(s): {', '.join(unknown)}; "
                       f"expected {', '.join(sorted(JSON_KEYS))}")
    for key in ("subject", "body_text", "body_html"):
        if data.get(key) is not None and not isinstance(data[key], str):
            raise ApiError(400, "bad-request", f"{key}: expected text")
    msg = EmailMessage(policy=email_policy.default)
    msg["Subject"] = " ".join((data.get("subject") or "").splitlines())
    if data.get("from"):
        msg["From"] = _address(data["from"], "from")
    for key in ("to", "cc", "bcc"):
        val = data.get(key) or []
        if not isinstance(val, list):
            raise ApiError(400, "bad-request", f"{key}: expected a list of addresses")
        if val:
            msg[key.capitalize()] = [_address(v, f"{key}[{i}]") for i, v in enumerate(val)]
    text, html = data.get("body_text") or "", data.get("body_html") or ""
    if html and text:
        msg.set_content(text)
        msg.add_alternative(html, subtype="html")
    elif html:
        msg.set_content(html, subtype="html")
    else:
        msg.set_content(text)
    skipped: list[str] = []
    atts = data.get("attachments") or []
    if not isinstance(atts, list):
        raise ApiError(400, "bad-request", "attachments: expected a list")
    for i, att in enumerate(atts):
        where = f"attachments[{i}]"
        if not isinstance(att, dict):
            raise ApiError(400, "bad-request", f"{where}: expected an object")
        extra = sorted(set(att) - {"name", "content_type", "content_base64"})
        if extra:
            raise ApiError(400, "bad-request", f"{where}: unknown field(s): {', '.join(extra)}")
        name = att.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ApiError(400, "bad-request", f"{where}.name: expected a file name")
        name = " ".join(name.splitlines()).strip()
        ctype = att.get("content_type") or "application/octet-stream"
        if not isinstance(ctype, str):
            raise ApiError(400, "bad-request", f"{where}.content_type: expected text")
        ctype = ctype.split(";")[0].strip().lower()
        if not _CTYPE.match(ctype) or ctype.startswith("multipart/"):
            ctype = "application/octet-stream"
        b64 = att.get("content_base64")
        if b64 is None:
            skipped.append(name)
            continue
        if not isinstance(b64, str):
            raise ApiError(400, "bad-request", f"{where}.content_base64: expected base64 text")
        try:
            content = base64.b64decode("".join(b64.split()), validate=True)
        except (binascii.Error, ValueError):
            raise ApiError(400, "bad-request", f"{where}.content_base64: not valid base64") from None
        if ctype == "message/rfc822":
            inner = BytesParser(policy=email_policy.default).parsebytes(content)
            msg.add_attachment(inner, filename=name)
        else:
            maintype, subtype = ctype.split("/", 1)
            if maintype == "message":
                maintype, subtype = "application", "octet-stream"
            msg.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    # MIME boundaries stay random: the fingerprint (record.message_identity) ignores them.
    return msg.as_bytes(), skipped


# -- the service ------------------------------------------------------------------------------

class Service:
    """What the endpoints share: one Engine, the settings, the record and a small cache of recent
    checks (fingerprint -> rule codes, finding hashes, recipient domains; never content)."""

    CACHE_SIZE = 512

    def __init__(self, config: Config, engine=None, record: Optional[SharingRecord] = None,
                 settings: Optional[ServeSettings] = None, record_path=None,
                 helper: bool = False):
        from .record import record_path as default_record_path
        self.config = config
        self.settings = settings or ServeSettings(config)
        self._engine = engine
        self.record = record or SharingRecord(default_record_path(config, record_path))
        self._recent: "OrderedDict[str, dict[str, Any]]" = OrderedDict()
        self._lock = threading.Lock()  # spaCy pipelines are not made for concurrent calls
        self._large_lock = threading.Lock()  # the lane of long messages: its own engine
        self._large_engine = None
        self.use_helper = helper  # serve() passes [serve] ner-helper; embedders opt in
        self._helper = None  # helper.NerHelper once started by warm()

    @property
    def engine(self):
        if self._engine is None:
            from ..pipeline import Engine
            self._engine = Engine(self.config)
        return self._engine

    @property
    def large_engine(self):
        """The engine of long messages: its own NLP pipeline, so it runs beside the other."""
        if self._large_engine is None:
            from ..pipeline import Engine
            self._large_engine = Engine(self.config, registry=self.engine.registry,
                                        window_chars=LARGE_WINDOW_CHARS)
        return self._large_engine

    @property
    def helper(self):
        return self._helper

    def _check(self, raw: bytes, arrived: float) -> FileResult:
        from ..ingest import IngestError, read_bytes
        from ..pipeline import _kind_guess
        deadline = arrived + self.settings.check_seconds
        try:
            message = read_bytes(raw, MESSAGE_NAME, self.config)
        except IngestError as exc:
            return FileResult(path=MESSAGE_NAME, kind=_kind_guess(MESSAGE_NAME), error=str(exc))
        large = sum(len(p.text) for p in message.parts) > LARGE_CHARS
        lock, engine = ((self._large_lock, self.large_engine) if large else (self._lock, self.engine))
        with lock:
            checked = engine.check_message(message, MESSAGE_NAME, deadline)
        return FileResult.of(MESSAGE_NAME, message, checked)

    def warm(self, helper: bool = True) -> None:
        """Build the engine and run one small message through it so the first real check
        does not pay for loading the NLP model; then start the NER helper process (see
        helper.py) if it is wanted. Call it again after stop_helper() to restart the helper."""
        raw, _ = build_message({"subject": "Warm-up", "body_text": "Hello, this is a warm-up check.",
                                "to": ["warm@example.org"]})
        self.check_raw(raw, show_matches=False, remember=False)
        self.large_engine.check_bytes(raw, MESSAGE_NAME)  # load the long-message lane's model too
        if helper:
            self.start_helper()

    def start_helper(self) -> None:
        if self.use_helper:
            with self._lock:
                self._start_helper()

    def _start_helper(self) -> None:
        from ..pipeline import Engine
        from .helper import NerHelper, SplitNlp
        eng = self.engine
        if not eng.nlp.enabled or (self._helper is not None and self._helper.alive):
            return
        base = eng.nlp._base if isinstance(eng.nlp, SplitNlp) else eng.nlp
        helper = NerHelper(base)
        try:
            started = helper.start()
        except Exception as exc:  # noqa: BLE001 - the service works without it
            log.warning("NER helper not started (%s); all text is read in this process",
                        type(exc).__name__)
            return
        if started:
            self._helper = helper
            self._engine = Engine(self.config, registry=eng.registry, nlp=SplitNlp(base, helper))

    def stop_helper(self) -> None:
        with self._lock:
            if self._helper is not None:
                self._helper.close()
                self._helper = None

    def check_raw(self, raw: bytes, show_matches: bool, skipped: tuple[str, ...] = (),
                  remember: bool = True, arrived: Optional[float] = None) -> dict[str, Any]:
        t0 = time.perf_counter()
        result = self._check(raw, time.monotonic() if arrived is None else arrived)
        fp, domains = message_identity(self.record.key, raw)
        verdict = self.settings.verdict(result)
        reasons = []
        if result.error:
            verdict = "block" if self.settings.fail_mode == "closed" else max_verdict(verdict, "warn")
            reasons.append("the message could not be read, so it was not checked")
        if skipped:
            verdict = max_verdict(verdict, "warn")
            reasons.append(f"{len(skipped)} attachment(s) were not sent to the service and were not checked")
        unread = not_read(result)
        if unread:
            verdict = max_verdict(verdict, "warn")
            reasons += unread
        policy_verdict = verdict
        recorded = self.record.decision_for(fp)
        if recorded and recorded.get("decision") == "share" and verdict != "send":
            verdict = "send"
            reasons.append(f"a sharing decision was recorded for this message (record entry {recorded['seq']})")
        rules = sorted({f.code for f in result.findings})
        if remember:
            entry = {"rules": rules, "domains": domains,
                     "findings": sorted({finding_fingerprint(self.record.key, f.code, f.part, f.match)
                                         for f in result.findings})}
            with self._lock:
                self._recent[fp] = entry
                self._recent.move_to_end(fp)
                while len(self._recent) > self.CACHE_SIZE:
                    self._recent.popitem(last=False)
        by_sev = {s: 0 for s in ("error", "warning", "info")}
        for f in result.findings:
            by_sev[f.severity] = by_sev.get(f.severity, 0) + 1
        ms = (time.perf_counter() - t0) * 1000
        log.info("check: verdict=%s findings=%d rules=%s %.1fms", verdict, len(result.findings),
                 ",".join(rules) or "-", ms)
        file = file_to_dict(result, show_matches)
        file["not_inspected"] = list(skipped)
        return {
            "verdict": verdict,
            "policy_verdict": policy_verdict,
            "fingerprint": fp,
            "recorded": ({"seq": recorded["seq"], "ts": recorded["ts"], "decision": recorded["decision"]}
                         if recorded else None),
            "reasons": reasons,
            "summary": {"findings": len(result.findings), **by_sev, "rules": rules},
            "fail_mode": self.settings.fail_mode,
            "sklint_version": __version__,
            "files": [file],
        }

    def recent(self, fp: str) -> Optional[dict[str, Any]]:
        with self._lock:
            return self._recent.get(fp)


def not_read(result: FileResult) -> list[str]:
    """Reasons, one per part, why some of the message was not checked: an attachment that could
    not be read or that a limit stopped (pictures, sound and empty files are not read by design),
    or text a time or size limit left unread. They name the part and the reason, never content."""
    out = []
    for f in result.findings:
        unread = f.rule == "limit-reached" or (
            f.rule == "not-inspected" and f.part.startswith("attachment:")
            and not f.message.startswith(_NOT_READ_BY_DESIGN))
        if not unread:
            continue
        where = ("attachment " + f.part.split(":", 1)[1]) if f.part.startswith("attachment:") else f"the {f.part}"
        why = f.message.split(": ", 1)[1] if f.message.startswith(f.rule + ": ") else f.message
        out.append(f"{where} was not fully checked ({why}); check it yourself before sending")
    return out


_ORDER = {"send": 0, "warn": 1, "block": 2}


def max_verdict(a: str, b: str) -> str:
    return a if _ORDER[a] >= _ORDER[b] else b


# -- the app ----------------------------------------------------------------------------------

async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refusing (413) past `limit` bytes whatever Content-Length claims."""
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            if int(declared) > limit:
                raise ApiError(413, "too-large", f"request larger than {limit} bytes")
        except ValueError:
            raise ApiError(400, "bad-request", "invalid Content-Length") from None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, "too-large", f"request larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


MAX_JSON_DEPTH = 32  # the request shape is 3 deep; anything deeper is not a message
MAX_NUMBER_DIGITS = 30


def _number(text: str) -> Any:
    if len(text) > MAX_NUMBER_DIGITS:
        raise ApiError(400, "bad-request", f"a number of more than {MAX_NUMBER_DIGITS} digits")
    return float(text) if any(c in text for c in ".eE") else int(text)


_JSON_TOKEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


def _json_depth_ok(body: bytes) -> bool:
    """Nesting depth without parsing (brackets outside strings; strings are skipped in C by the
    regex, so a megabyte of base64 costs little), so that a body nested 100,000 deep is refused
    before the parser recurses."""
    depth = 0
    for m in _JSON_TOKEN.finditer(body):
        c = m.group(0)[:1]
        if c in (b"[", b"{"):
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return False
        elif c in (b"]", b"}"):
            depth -= 1
    return True


def _check_text(obj: Any) -> None:
    """Every string is text a mail can carry: no lone surrogate escapes."""
    stack = [obj]
    while stack:
        x = stack.pop()
        if isinstance(x, str):
            try:
                x.encode("utf-8")
            except UnicodeEncodeError:
                raise ApiError(400, "bad-request", "the JSON holds a lone surrogate escape (not text)") from None
        elif isinstance(x, dict):
            stack.extend(x.keys())
            stack.extend(x.values())
        elif isinstance(x, list):
            stack.extend(x)


def _parse_json(body: bytes) -> Any:
    """The request's JSON, or a 400 that says what is wrong (never the body itself): not UTF-8,
    not JSON, nested deeper than MAX_JSON_DEPTH, a number of thousands of digits, a lone
    surrogate. A client's mistake is never a 500 (the add-in fails open on a 5xx)."""
    if not body.strip():
        raise ApiError(400, "bad-request", "empty request body")
    if not _json_depth_ok(body):
        raise ApiError(400, "bad-request", f"JSON nested more than {MAX_JSON_DEPTH} deep")
    try:
        obj = json.loads(body.decode("utf-8"), parse_int=_number, parse_float=_number)
    except UnicodeDecodeError:
        raise ApiError(400, "bad-request", "the JSON body is not UTF-8") from None
    except json.JSONDecodeError as exc:
        # position only: the message of a JSONDecodeError never carries the document
        raise ApiError(400, "bad-request", f"not valid JSON (line {exc.lineno}, column {exc.colno})") from None
    except (RecursionError, ValueError, OverflowError):
        raise ApiError(400, "bad-request", "the JSON cannot be read as a message") from None
    _check_text(obj)
    return obj


def _flag(request: Request, name: str) -> bool:
    return request.query_params.get(name, "").lower() in ("1", "true", "yes")


def create_app(config: Optional[Config] = None, *, service: Optional[Service] = None,
               warm: bool = True, record_path=None) -> FastAPI:
    config = config or Config()
    svc = service or Service(config, record_path=record_path)
    settings = svc.settings

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if svc.record.broken:
            log.warning("sharing record does not verify: %s; decisions after that line are "
                        "not used", svc.record.broken)
        if warm:
            t0 = time.perf_counter()
            try:
                await run_in_threadpool(svc.warm)
                log.info("engine ready in %.1fs", time.perf_counter() - t0)
            except Exception as exc:  # keep serving: checks answer 500 and the add-in fails open/closed
                log.error("engine warm-up failed (%s); checks will fail until this is fixed",
                          type(exc).__name__)
        yield
        svc.stop_helper()

    app = FastAPI(title="sklint pre-send service", version=__version__, lifespan=lifespan,
                  docs_url=None, redoc_url=None, openapi_url=None)
    app.state.service = svc

    def cors_headers(origin: Optional[str]) -> dict[str, str]:
        if origin and origin.rstrip("/") in settings.allowed_origins:
            return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
        return {"Vary": "Origin"}

    # Hand-written rather than Starlette's CORSMiddleware and TrustedHostMiddleware, on purpose:
    # those answer a refused origin or host with plain text, while the add-in needs this
    # service's JSON error shape to say why; CORSMiddleware does not answer the Private Network
    # Access preflight (Access-Control-Allow-Private-Network); and the loopback-only Host check
    # depends on whether a token is set. The browser test (pre-send-hook/test/browser.test.js)
    # exercises it through Chromium.
    @app.middleware("http")
    async def guard(request: Request, call_next):
        origin = request.headers.get("origin")
        try:
            if settings.loopback_only and not settings.token and \
                    not is_loopback_host(_host_name(request.headers.get("host", ""))):
                return error_response(421, "wrong-host", "this service answers only to localhost / 127.0.0.1")
            if origin is not None and origin.rstrip("/") not in settings.allowed_origins:
                return error_response(403, "origin-not-allowed",
                                      "this origin may not call the service; see [serve] allowed-origins")
            if request.method == "OPTIONS":  # CORS preflight (browsers send no credentials)
                if origin is None or "access-control-request-method" not in request.headers:
                    return error_response(400, "bad-request", "not a CORS preflight")
                headers = {
                    **cors_headers(origin),
                    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                    "Access-Control-Allow-Headers": "Authorization, Content-Type",
                    "Access-Control-Max-Age": "600",
                }
                if request.headers.get("access-control-request-private-network", "").lower() == "true":
                    headers["Access-Control-Allow-Private-Network"] = "true"
                return Response(status_code=204, headers=headers)
            if settings.token and request.url.path != "/healthz":
                auth = request.headers.get("authorization", "")
                scheme, _, given = auth.partition(" ")
                if scheme.lower() != "bearer" or not hmac.compare_digest(
                        given.strip().encode("utf-8"), settings.token.encode("utf-8")):
                    return error_response(401, "unauthorized", "a valid 'Authorization: Bearer <token>' is required",
                                          headers={**cors_headers(origin), "WWW-Authenticate": "Bearer"})
            response = await call_next(request)
        except ApiError as exc:
            response = error_response(exc.status, exc.code, exc.message, **exc.extra)
        except Exception as exc:  # never a traceback, never content: only the type is logged
            log.error("internal error handling %s %s: %s", request.method, request.url.path,
                      type(exc).__name__)
            response = error_response(500, "internal-error",
                                      "the service failed on this request; nothing about the message was logged")
        for k, v in cors_headers(origin).items():
            response.headers[k] = v
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError):
        return error_response(exc.status, exc.code, exc.message, **exc.extra)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        code = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http-error")
        return error_response(exc.status_code, code, str(exc.detail) if exc.status_code != 404 else
                              "no such endpoint: use POST /v1/check, POST /v1/record or GET /healthz")

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        return error_response(400, "bad-request", "the request does not have the expected shape")

    @app.get("/healthz")
    async def healthz():
        await run_in_threadpool(svc.record.refresh)
        return {"status": "ok", "sklint_version": __version__, "fail_mode": settings.fail_mode,
                "auth": bool(settings.token),
                "record": "broken: " + svc.record.broken if svc.record.broken else "ok"}

    @app.post("/v1/check")
    async def check(request: Request):
        mt = _media_type(request)
        if mt not in ("message/rfc822", "application/json"):
            raise ApiError(415, "unsupported-media-type",
                           "send Content-Type: message/rfc822 (a raw email) or application/json")
        arrived = time.monotonic()
        body = await read_body(request, settings.max_bytes)
        if mt == "message/rfc822":
            if not body.strip():
                raise ApiError(400, "bad-request", "empty message")
            raw, skipped = body, []
        else:
            raw, skipped = build_message(_parse_json(body))
        out = await run_in_threadpool(svc.check_raw, raw, _flag(request, "show_matches"), tuple(skipped),
                                      True, arrived)
        return JSONResponse(out)

    @app.post("/v1/record")
    async def record(request: Request):
        if _media_type(request) != "application/json":
            raise ApiError(415, "unsupported-media-type", "send Content-Type: application/json")
        data = _parse_json(await read_body(request, settings.max_bytes))
        if not isinstance(data, dict):
            raise ApiError(400, "bad-request", "expected a JSON object")
        unknown = sorted(set(data) - {"message_fingerprint", "decision", "who", "checklist", "message"})
        if unknown:
            raise ApiError(400, "bad-request", f"unknown field(s): {', '.join(unknown)}")
        fp = data.get("message_fingerprint")
        if not isinstance(fp, str) or not re.fullmatch(r"[0-9a-f]{32}", fp):
            raise ApiError(400, "bad-request", "message_fingerprint: expected the fingerprint /v1/check returned")
        decision = data.get("decision", "share")
        if decision not in DECISIONS:
            raise ApiError(400, "bad-request", f"decision: must be one of {', '.join(DECISIONS)}")
        who = data.get("who") or _os_user()
        if not isinstance(who, str) or len(who) > 200 or not who.strip():
            raise ApiError(400, "bad-request", "who: expected the sender's name or address")
        try:
            checklist = validate_checklist(data.get("checklist"), decision)
        except ChecklistError as exc:
            raise ApiError(422, "checklist-incomplete", "the Data Sharing Checklist is not complete",
                           problems=exc.problems) from None
        seen = svc.recent(fp)
        if seen is None and data.get("message") is not None:
            raw, skipped = build_message(data["message"])
            out = await run_in_threadpool(svc.check_raw, raw, False, tuple(skipped))
            if out["fingerprint"] != fp:
                raise ApiError(409, "message-changed", "the message changed since it was checked; check it again")
            seen = svc.recent(fp)
        if seen is None:
            raise ApiError(409, "not-checked", "this message has not been checked by this service: "
                           "POST it to /v1/check first, or include it as 'message'")
        try:
            entry = await run_in_threadpool(
                lambda: svc.record.append(who=" ".join(who.split()), message_fingerprint=fp,
                                          decision=decision, rules=seen["rules"],
                                          findings=seen["findings"], recipient_domains=seen["domains"],
                                          checklist=checklist))
        except RecordError as exc:
            raise ApiError(503, "record-unavailable", str(exc)) from None
        log.info("record: seq=%d decision=%s rules=%s", entry["seq"], decision, ",".join(seen["rules"]) or "-")
        return JSONResponse({"recorded": True, "seq": entry["seq"], "ts": entry["ts"], "mac": entry["mac"],
                             "decision": decision, "message_fingerprint": fp}, status_code=201)

    return app


def _host_name(host: str) -> str:
    """The name of a Host header without its port ("[::1]:8765" -> "::1")."""
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0]


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return ""


def check_bind(host: str, token: Optional[str]) -> None:
    """Refuse to listen beyond loopback without a token."""
    if not is_loopback_host(host) and not token:
        raise ValueError(f"refusing to listen on {host} without a token: set {TOKEN_ENV} "
                         "(and put the service behind TLS), or bind 127.0.0.1")


def serve(config: Config, host: str = "127.0.0.1", port: int = 8765, record_path=None,
          log_level: str = "info", sockets=None) -> None:
    import uvicorn
    settings = ServeSettings(config)
    check_bind(host, settings.token)
    settings.loopback_only = is_loopback_host(host)
    svc = Service(config, settings=settings, record_path=record_path, helper=settings.ner_helper)
    logging.basicConfig(level=getattr(logging, log_level.upper(), logging.INFO),
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    # Load the model now, while this process has one thread, then move everything loaded so
    # far out of the garbage collector's sight (gc.freeze: a full collection of the model's
    # objects took ~90 ms, in the middle of a request) and fork the NER helper, which then
    # shares those pages. The warm-up in the app's lifespan finds all of it ready.
    try:
        svc.warm(helper=False)
    except Exception:  # noqa: BLE001 - the lifespan warm-up tries again and reports it
        pass
    else:
        gc.collect()
        gc.freeze()
        svc.start_helper()
    app = create_app(config, service=svc)
    uv = uvicorn.Config(app, host=host, port=port, access_log=False, log_level=log_level,
                        server_header=False, date_header=False, proxy_headers=False,
                        timeout_keep_alive=5, lifespan="on")
    server = uvicorn.Server(uv)
    server.run(sockets=sockets)
