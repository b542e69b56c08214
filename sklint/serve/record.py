"""The sharing record (policy 000 §2 rule 6 and §4, policy 003 §6.4 "record your decision").

An append-only JSON Lines log. Each line is one decision:

    {"seq": 1, "ts": "2026-11-22T10:04:05Z", "who": "sam@charity.org.uk",
     "message_fingerprint": "...", "decision": "share",
     "rules": ["SK101", "SK303"], "findings": ["<keyed hash>", ...],
     "recipient_domains": ["nhs.net"],
     "checklist": {"recipient_verified": true, "purpose": "...", "lawful_basis": "consent",
                   "minimum_necessary": true, "secure_method": "...",
                   "client_informed": false, "client_not_informed_reason": "..."},
     "prev_mac": "<mac of the entry before, 64 zeros for the first>",
     "mac": "<HMAC-SHA256 over the canonical JSON of every other field>"}

The MAC is keyed with a secret the service holds (SKLINT_RECORD_KEY, else a key file created
0600 beside the log), so an entry cannot be edited, reordered or dropped without `verify`
noticing; dropping the newest entries (truncation) is caught by comparing with a head noted
elsewhere (`sklint record verify --head SEQ:MAC`).

What is stored: rule codes, keyed hashes of findings (never their text), recipient domains,
who, when and the checklist answers. Never the message body, never a match, never an address.
"""
from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import os
import re
import secrets
import sys
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from email import policy as email_policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional

GENESIS = "0" * 64
LAWFUL_BASES = ("consent", "legal-obligation", "vital-interests", "legitimate-interests")
DECISIONS = ("share", "not-share")
RECORD_FILE = "sharing-record.jsonl"
ENV_KEY = "SKLINT_RECORD_KEY"
ENV_KEY_FILE = "SKLINT_RECORD_KEY_FILE"
ENV_PATH = "SKLINT_RECORD_PATH"


class RecordError(Exception):
    """The record cannot be used (no key, unreadable log); str() says why in one line."""


class ChecklistError(ValueError):
    """Checklist answers that do not complete the Data Sharing Checklist."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


# -- where things live ------------------------------------------------------------------------

def default_dir() -> Path:
    """Per-user data folder: %LOCALAPPDATA%\\sklint, ~/Library/Application Support/sklint,
    $XDG_DATA_HOME/sklint (~/.local/share/sklint)."""
    if sys.platform.startswith("win"):
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "sklint"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "sklint"
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "sklint"


def record_path(config=None, explicit: Optional[str] = None) -> Path:
    """--record option, else SKLINT_RECORD_PATH, else [record] path, else the data folder."""
    if explicit:
        return Path(explicit)
    if os.environ.get(ENV_PATH):
        return Path(os.environ[ENV_PATH])
    if config is not None:
        p = config.section("record").get("path")
        if p:
            path = Path(p).expanduser()
            if not path.is_absolute() and config.root:
                path = Path(config.root) / path
            return path
    return default_dir() / RECORD_FILE


def load_key(log_path: Path, create: bool = True) -> bytes:
    """The MAC key: SKLINT_RECORD_KEY (at least 16 characters), else the key file
    (SKLINT_RECORD_KEY_FILE, default `<log>.key`), created 0600 with 32 random bytes if absent."""
    env = os.environ.get(ENV_KEY)
    if env:
        if len(env) < 16:
            raise RecordError(f"{ENV_KEY} is too short: use at least 16 characters")
        return env.encode("utf-8")
    key_file = Path(os.environ.get(ENV_KEY_FILE) or str(log_path) + ".key")
    if not key_file.exists():
        if not create:
            raise RecordError(f"no record key: set {ENV_KEY} or provide the key file {key_file}")
        key_file.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            pass
        else:
            with os.fdopen(fd, "w", encoding="ascii") as fh:
                fh.write(secrets.token_hex(32) + "\n")
    try:
        raw = key_file.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise RecordError(f"cannot read the record key file {key_file}: {exc}") from None
    if len(raw) < 32:
        raise RecordError(f"the record key file {key_file} holds too short a key")
    return raw.encode("ascii")


# -- keyed fingerprints -----------------------------------------------------------------------

def _keyed(key: bytes, label: str, data: bytes, size: int = 32) -> str:
    return hmac.new(key, label.encode() + b"\0" + data, hashlib.sha256).hexdigest()[:size]


def _norm(text: str) -> str:
    return " ".join(text.replace("\r\n", "\n").split()).casefold()


def finding_fingerprint(key: bytes, code: str, part: str, match: str) -> str:
    """A keyed hash of one finding: equal findings hash equal, the text cannot be recovered
    without the key (short values such as dates of birth would fall to an unkeyed hash)."""
    return _keyed(key, "finding", "\0".join((code, part, _norm(match))).encode("utf-8"))


def message_fingerprint(key: bytes, raw: bytes) -> str:
    return message_identity(key, raw)[0]


def message_identity(key: bytes, raw: bytes) -> tuple[str, list[str]]:
    """(fingerprint, recipient domains). The fingerprint is a keyed hash of what a message says and to whom: subject, bodies, sender, recipients
    and attachment contents. Headers that change on every send (Date, Message-ID, MIME
    boundaries) are left out so the same draft sent twice has the same fingerprint."""
    try:
        msg = BytesParser(policy=email_policy.default).parsebytes(raw)
        canon: dict[str, Any] = {"subject": _norm(str(msg.get("subject", "")))}
        for field in ("from", "to", "cc", "bcc"):
            addrs = []
            for h in msg.get_all(field, []) or []:
                for a in getattr(h, "addresses", ()):
                    addrs.append(a.addr_spec.lower())
            canon[field] = sorted(addrs)
        for kind in ("plain", "html"):
            body = msg.get_body(preferencelist=(kind,))
            text = ""
            if body is not None and body.get_content_subtype() == kind:
                try:
                    text = body.get_content()
                except (LookupError, ValueError):
                    text = (body.get_payload(decode=True) or b"").decode("utf-8", "replace")
            canon[kind] = "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").strip().split("\n"))
        atts = []
        for att in msg.iter_attachments():
            payload = att.get_payload(decode=True)
            if payload is None:  # message/rfc822 and other containers
                payload = att.as_bytes()
            atts.append([att.get_filename() or "", hashlib.sha256(payload).hexdigest()])
        canon["attachments"] = sorted(atts)
        data = json.dumps(canon, sort_keys=True, ensure_ascii=False).encode("utf-8")
        domains = sorted({a.rpartition("@")[2] for f in ("to", "cc", "bcc") for a in canon[f]} - {""})
    except Exception:  # anything the parser cannot take: hash the bytes themselves
        data, domains = b"raw\0" + raw, []
    return _keyed(key, "message", data), domains


# -- the checklist ----------------------------------------------------------------------------

CHECKLIST_FIELDS = ("recipient_verified", "purpose", "lawful_basis", "minimum_necessary",
                    "secure_method", "client_informed", "client_not_informed_reason")


def validate_checklist(data: Any, decision: str) -> dict[str, Any]:
    """The Data Sharing Checklist of policy 000 §4. For a decision to share every box must be
    answered; a decision not to share needs only the purpose (what was asked for)."""
    if not isinstance(data, dict):
        raise ChecklistError(["checklist: expected an object"])
    unknown = sorted(set(data) - set(CHECKLIST_FIELDS))
    problems = [f"checklist.{k}: unknown field" for k in unknown]

    def boolean(name: str) -> Optional[bool]:
        v = data.get(name)
        if v is None:
            return None
        if not isinstance(v, bool):
            problems.append(f"checklist.{name}: expected true or false")
            return None
        return v

    def text(name: str, limit: int = 500) -> str:
        v = data.get(name, "")
        if v is None:
            v = ""
        if not isinstance(v, str):
            problems.append(f"checklist.{name}: expected text")
            return ""
        v = " ".join(v.split())
        if len(v) > limit:
            problems.append(f"checklist.{name}: longer than {limit} characters")
        return v

    out = {
        "recipient_verified": boolean("recipient_verified"),
        "purpose": text("purpose"),
        "lawful_basis": text("lawful_basis", 40) or None,
        "minimum_necessary": boolean("minimum_necessary"),
        "secure_method": text("secure_method", 200),
        "client_informed": boolean("client_informed"),
        "client_not_informed_reason": text("client_not_informed_reason"),
    }
    if out["lawful_basis"] is not None and out["lawful_basis"] not in LAWFUL_BASES:
        problems.append("checklist.lawful_basis: must be one of " + ", ".join(LAWFUL_BASES))
    if not out["purpose"]:
        problems.append("checklist.purpose: say what the sharing is for")
    if decision == "share":
        if out["recipient_verified"] is not True:
            problems.append("checklist.recipient_verified: verify the recipient's identity before sharing")
        if out["lawful_basis"] is None:
            problems.append("checklist.lawful_basis: choose the lawful basis")
        if out["minimum_necessary"] is not True:
            problems.append("checklist.minimum_necessary: share only the minimum necessary")
        if not out["secure_method"]:
            problems.append("checklist.secure_method: say how it is shared securely")
        if out["client_informed"] is None:
            problems.append("checklist.client_informed: say whether the client was informed")
        elif out["client_informed"] is False and not out["client_not_informed_reason"]:
            problems.append("checklist.client_not_informed_reason: say why the client was not informed")
    if problems:
        raise ChecklistError(problems)
    return out


# -- the log ----------------------------------------------------------------------------------

def canonical(entry: dict[str, Any]) -> bytes:
    body = {k: v for k, v in entry.items() if k != "mac"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def compute_mac(key: bytes, entry: dict[str, Any]) -> str:
    """HMAC-SHA256 over the canonical entry; `prev_mac` is part of it, which chains entries."""
    return hmac.new(key, canonical(entry), hashlib.sha256).hexdigest()


def now_utc() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    entries: int
    head_seq: int  # 0 for an empty log
    head_mac: str
    broken_seq: Optional[int] = None  # the sequence number the first broken entry should have
    broken_line: Optional[int] = None
    reason: str = ""


def _lines(path: Path) -> Iterator[tuple[int, bytes]]:
    if not path.exists():
        return
    with path.open("rb") as fh:
        for n, line in enumerate(fh, 1):
            yield n, line


def verify(path: Path, key: bytes, expect_head: Optional[tuple[int, str]] = None) -> VerifyResult:
    """Walk the chain; stop at the first entry that does not fit and say why."""
    prev_mac, seq, count = GENESIS, 0, 0
    seen_head_match = expect_head is None
    for n, raw in _lines(path):
        expected = seq + 1

        def broken(why: str) -> VerifyResult:
            return VerifyResult(False, count, seq, prev_mac, expected, n, why)

        if not raw.endswith(b"\n"):
            return broken("the last line is incomplete (cut off while writing, or truncated)")
        try:
            entry = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            return broken("not a valid JSON entry")
        if not isinstance(entry, dict) or not isinstance(entry.get("mac"), str):
            return broken("not a record entry (no mac)")
        if entry.get("seq") != expected:
            return broken(f"sequence number is {entry.get('seq')!r}, expected {expected} "
                          "(an entry was dropped, inserted or moved)")
        if entry.get("prev_mac") != prev_mac:
            return broken("prev_mac does not match the previous entry's MAC "
                          "(an entry before it was dropped, changed or moved)")
        if not hmac.compare_digest(compute_mac(key, entry), entry["mac"]):
            return broken("MAC does not match its content (the entry was edited, or the key is wrong)")
        seq, prev_mac, count = expected, entry["mac"], count + 1
        if expect_head and seq == expect_head[0]:
            if not hmac.compare_digest(prev_mac, expect_head[1]):
                return VerifyResult(False, count, seq, prev_mac, seq, n,
                                    "this entry's MAC differs from the noted head")
            seen_head_match = True
    if not seen_head_match:
        assert expect_head is not None
        return VerifyResult(False, count, seq, prev_mac, seq + 1, None,
                            f"the log ends at seq {seq} but the noted head is seq {expect_head[0]}: "
                            "entries were removed from the end (truncated)")
    return VerifyResult(True, count, seq, prev_mac)


def read_entries(path: Path) -> Iterator[dict[str, Any]]:
    for _, raw in _lines(path):
        try:
            entry = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            continue
        if isinstance(entry, dict):
            yield entry


class _FileLock:
    """An advisory lock on the log while appending (POSIX flock, Windows msvcrt)."""

    def __init__(self, fh):
        self.fh = fh

    def __enter__(self):
        try:
            import fcntl
            fcntl.flock(self.fh.fileno(), fcntl.LOCK_EX)
        except ImportError:  # pragma: no cover - Windows
            import msvcrt
            self.fh.seek(0)
            msvcrt.locking(self.fh.fileno(), msvcrt.LK_LOCK, 1)
        return self

    def __exit__(self, *exc):
        try:
            import fcntl
            fcntl.flock(self.fh.fileno(), fcntl.LOCK_UN)
        except ImportError:  # pragma: no cover - Windows
            import msvcrt
            self.fh.seek(0)
            msvcrt.locking(self.fh.fileno(), msvcrt.LK_UNLCK, 1)


class SharingRecord:
    """The log, its key and an index of the message fingerprints with a recorded decision."""

    def __init__(self, path: Path, key: Optional[bytes] = None):
        self.path = Path(path)
        self.key = key if key is not None else load_key(self.path)
        self._lock = threading.Lock()
        self._decisions: dict[str, dict[str, Any]] = {}
        self.broken: Optional[str] = None  # why the chain does not verify (no content), or None
        self._stamp: Optional[tuple[int, int]] = None
        self._load()

    def _file_stamp(self) -> Optional[tuple[int, int]]:
        try:
            st = self.path.stat()
        except OSError:
            return None
        return st.st_size, st.st_mtime_ns

    def _load(self) -> None:
        """Index the decisions of the entries whose HMAC chain verifies, up to the first that does
        not: an appended or edited line without a valid MAC is never used."""
        decisions: dict[str, dict[str, Any]] = {}
        prev_mac, seq, broken = GENESIS, 0, None
        for n, raw in _lines(self.path):
            try:
                entry = json.loads(raw.decode("utf-8")) if raw.endswith(b"\n") else None
            except (UnicodeDecodeError, json.JSONDecodeError):
                entry = None
            if not (isinstance(entry, dict) and isinstance(entry.get("mac"), str)
                    and entry.get("seq") == seq + 1 and entry.get("prev_mac") == prev_mac
                    and hmac.compare_digest(compute_mac(self.key, entry), entry["mac"])):
                broken = f"line {n} does not verify (run `sklint record verify`)"
                break
            seq, prev_mac = seq + 1, entry["mac"]
            fp = entry.get("message_fingerprint")
            if isinstance(fp, str):
                decisions[fp] = {"seq": entry.get("seq"), "ts": entry.get("ts"),
                                 "decision": entry.get("decision")}
        self._decisions, self.broken, self._stamp = decisions, broken, self._file_stamp()

    def refresh(self) -> None:
        """Verify again if the file changed since it was last read (someone else wrote to it)."""
        with self._lock:
            if self._file_stamp() != self._stamp:
                self._load()

    def decision_for(self, fingerprint: str) -> Optional[dict[str, Any]]:
        self.refresh()
        return self._decisions.get(fingerprint)

    def _tail(self, fh) -> tuple[int, str]:
        """seq and mac of the last entry (read from the end, the log may be long)."""
        fh.seek(0, os.SEEK_END)
        size = fh.tell()
        block = b""
        pos = size
        while pos > 0:
            step = min(8192, pos)
            pos -= step
            fh.seek(pos)
            block = fh.read(step) + block
            lines = block.rstrip(b"\n").split(b"\n")
            if len(lines) > 1 or pos == 0:
                last = lines[-1]
                if not last.strip():
                    return 0, GENESIS
                try:
                    entry = json.loads(last.decode("utf-8"))
                    return int(entry["seq"]), str(entry["mac"])
                except (ValueError, KeyError, TypeError, UnicodeDecodeError):
                    raise RecordError(f"{self.path}: the last entry is damaged; run `sklint record "
                                      "verify` and repair before recording more") from None
        return 0, GENESIS

    def append(self, *, who: str, message_fingerprint: str, decision: str, rules: Iterable[str],
               findings: Iterable[str], recipient_domains: Iterable[str],
               checklist: dict[str, Any]) -> dict[str, Any]:
        if decision not in DECISIONS:
            raise ValueError(f"decision must be one of {', '.join(DECISIONS)}")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
            with os.fdopen(fd, "r+b") as fh, _FileLock(fh):
                seq, prev = self._tail(fh)
                entry: dict[str, Any] = {
                    "seq": seq + 1,
                    "ts": now_utc(),
                    "who": who,
                    "message_fingerprint": message_fingerprint,
                    "decision": decision,
                    "rules": sorted(set(rules)),
                    "findings": sorted(set(findings)),
                    "recipient_domains": sorted(set(d.lower() for d in recipient_domains if d)),
                    "checklist": checklist,
                    "prev_mac": prev,
                }
                entry["mac"] = compute_mac(self.key, entry)
                line = json.dumps(entry, sort_keys=True, ensure_ascii=False) + "\n"
                fh.seek(0, os.SEEK_END)
                fh.write(line.encode("utf-8"))
                fh.flush()
                os.fsync(fh.fileno())
            if self.broken is None:  # appended to a chain that verifies: still verified
                self._decisions[message_fingerprint] = {"seq": entry["seq"], "ts": entry["ts"],
                                                        "decision": decision}
                self._stamp = self._file_stamp()
        return entry


# -- export -----------------------------------------------------------------------------------

CSV_COLUMNS = ("seq", "ts", "who", "decision", "message_fingerprint", "rules", "finding_count",
               "recipient_domains", "recipient_verified", "purpose", "lawful_basis",
               "minimum_necessary", "secure_method", "client_informed",
               "client_not_informed_reason", "mac")


def parse_since(value: str) -> datetime:
    """YYYY-MM-DD or an ISO 8601 date-time; naive values are UTC."""
    try:
        dt = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"not a date: {value!r} (use YYYY-MM-DD)") from None
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


_FORMULA = re.compile(r"^[=+\-@\t\r]")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        value = " ".join(str(v) for v in value)
    s = str(value)
    return "'" + s if _FORMULA.match(s) else s  # no spreadsheet formulas from free text


def export_csv(path: Path, since: Optional[datetime] = None) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for e in read_entries(path):
        try:
            ts = parse_since(str(e.get("ts", "")))
        except ValueError:
            ts = None
        if since is not None and (ts is None or ts < since):
            continue
        cl = e.get("checklist") or {}
        row = {**{k: e.get(k) for k in CSV_COLUMNS}, **{k: cl.get(k) for k in CHECKLIST_FIELDS}}
        row["finding_count"] = len(e.get("findings") or [])
        w.writerow([_cell(row.get(k)) for k in CSV_COLUMNS])
    return out.getvalue()
