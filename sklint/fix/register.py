"""The pseudonym register: which SKC code belongs to which person, kept so that only the data
protection lead can read names back.

A local SQLite file, created with mode 0600. Each row holds:

- `lookup`: HMAC-SHA256 of the normalised full name under a secret key (`SKLINT_REGISTER_KEY`
  or `--key-file`). `fix` finds an existing code by recomputing it; the name itself is never
  stored in the clear and the HMAC cannot be reversed without the key.
- `sealed`: the name encrypted to the register's public key (X25519 + HKDF-SHA256 + AES-256-GCM,
  a sealed box with the code as associated data). `fix` only ever holds the public key, so it
  can add names but never read them back. The private key is written once, at creation, to
  `PATH.revealkey` (PKCS#8 PEM, mode 0600, passphrase-protected when one is given) and belongs
  with the data protection lead.

Nothing in this module logs or prints a name; error messages name codes and files only.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import hmac
import json
import os
import re
import sqlite3
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

SCHEMA_VERSION = "1"
SEAL_VERSION = b"\x01"
KEY_CHECK = b"sklint-register-key-check-v1"
MIN_KEY_BYTES = 16
TITLES = {"mr", "mrs", "ms", "miss", "mx", "dr", "master", "prof", "sir", "dame", "rev", "revd",
          "lady", "lord", "mister"}


class RegisterError(Exception):
    """A register that cannot be used; the message never contains a name."""


# -- keys and names ----------------------------------------------------------------------------

def load_secret(key_file: Optional[str] = None, env: Optional[dict] = None) -> Optional[bytes]:
    """The HMAC secret: the contents of `key_file`, else SKLINT_REGISTER_KEY, else None."""
    env = os.environ if env is None else env
    if key_file:
        try:
            data = Path(key_file).read_bytes().strip()
        except OSError as exc:
            raise RegisterError(f"{key_file}: cannot read the key file: {exc.strerror}") from None
    elif env.get("SKLINT_REGISTER_KEY"):
        data = env["SKLINT_REGISTER_KEY"].strip().encode("utf-8")
    else:
        return None
    if len(data) < MIN_KEY_BYTES:
        raise RegisterError(f"the register key must be at least {MIN_KEY_BYTES} bytes long "
                            "(generate one with: python -c 'import secrets; print(secrets.token_urlsafe(32))')")
    return data


def fold(text: str) -> str:
    """Case- and accent-insensitive form of a name piece: 'Zoë' -> 'zoe', "O'Brien" -> 'obrien'."""
    t = unicodedata.normalize("NFKD", text)
    t = "".join(c for c in t if not unicodedata.combining(c))
    t = t.casefold().replace("'", "").replace("\u2019", "")
    t = re.sub(r"[^\w]+|_", " ", t)
    return " ".join(t.split())


def normalise_full_name(first: str, last: str) -> str:
    return f"{fold(first)} {fold(last)}".strip()


def name_lookup(secret: bytes, normalised: str, scope: str = "full") -> bytes:
    return hmac.new(secret, f"{scope}\x00{normalised}".encode("utf-8"), hashlib.sha256).digest()


def doc_lookup(secret: bytes, doc_id: str) -> bytes:
    return hmac.new(secret, f"doc\x00{doc_id}".encode("utf-8"), hashlib.sha256).digest()


def _hkdf(shared: bytes, eph_pub: bytes, recipient: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=b"sklint-register-seal-v1" + eph_pub + recipient).derive(shared)


def seal(public_raw: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """Encrypt to an X25519 public key (anonymous sender): version | eph_pub | nonce | ct+tag."""
    eph = X25519PrivateKey.generate()
    eph_pub = eph.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    key = _hkdf(eph.exchange(X25519PublicKey.from_public_bytes(public_raw)), eph_pub, public_raw)
    nonce = os.urandom(12)
    return SEAL_VERSION + eph_pub + nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def unseal(private: X25519PrivateKey, blob: bytes, aad: bytes) -> bytes:
    if not blob or blob[:1] != SEAL_VERSION or len(blob) < 1 + 32 + 12 + 16:
        raise RegisterError("a sealed entry has an unknown format")
    eph_pub, nonce, ct = blob[1:33], blob[33:45], blob[45:]
    recipient = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    key = _hkdf(private.exchange(X25519PublicKey.from_public_bytes(eph_pub)), eph_pub, recipient)
    try:
        return AESGCM(key).decrypt(nonce, ct, aad)
    except InvalidTag:
        raise RegisterError("this reveal key does not belong to this register") from None


def load_reveal_key(path: str, passphrase: Optional[bytes]) -> X25519PrivateKey:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise RegisterError(f"{path}: cannot read the reveal key: {exc.strerror}") from None
    try:
        key = serialization.load_pem_private_key(data, password=passphrase or None)
    except TypeError:
        if passphrase:
            raise RegisterError(f"{path}: the reveal key is not passphrase-protected; "
                                "unset SKLINT_REVEAL_PASSPHRASE") from None
        raise RegisterError(f"{path}: the reveal key is protected by a passphrase "
                            "(set SKLINT_REVEAL_PASSPHRASE or answer the prompt)") from None
    except ValueError:
        raise RegisterError(f"{path}: not a reveal key, or the passphrase is wrong") from None
    if not isinstance(key, X25519PrivateKey):
        raise RegisterError(f"{path}: not a sklint reveal key")
    return key


def reveal_key_is_encrypted(path: str) -> bool:
    try:
        return b"ENCRYPTED" in Path(path).read_bytes()[:64]
    except OSError:
        return False


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)
    os.chmod(path, 0o600)


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- the register ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Entry:
    code: str
    num: int
    kind: str  # "full" (resolved by full name) or "local" (first name or ambiguous form, one document)
    first_seen: str
    documents: int
    review: bool
    forgotten: Optional[str]


_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS people (
    num INTEGER PRIMARY KEY,
    code TEXT UNIQUE NOT NULL,
    lookup BLOB UNIQUE,
    kind TEXT NOT NULL,
    sealed BLOB,
    first_seen TEXT NOT NULL,
    review INTEGER NOT NULL DEFAULT 0,
    forgotten TEXT
);
CREATE TABLE IF NOT EXISTS seen (num INTEGER NOT NULL, doc BLOB NOT NULL, PRIMARY KEY (num, doc));
"""


class Register:
    """One open register. Use `Register.open(...)`; call `commit()` to keep changes."""

    def __init__(self, conn: sqlite3.Connection, path: Optional[str], secret: Optional[bytes],
                 prefix: str = "SKC"):
        self.conn = conn
        self.path = path
        self.secret = secret
        self.prefix = prefix
        self.public = bytes(self._meta("public_key") or b"")
        self.created_reveal_key: Optional[str] = None

    # -- opening --------------------------------------------------------------------------------
    @classmethod
    def open(cls, path: Optional[str], secret: Optional[bytes], *, create: bool = True,
             readonly: bool = False, passphrase: Optional[bytes] = None,
             prefix: str = "SKC") -> "Register":
        """Open (or create) the register at `path`. `path=None` gives a throw-away in-memory
        register (used by --diff when no register exists yet)."""
        if path is None:
            conn = sqlite3.connect(":memory:")
            conn.executescript(_SCHEMA)
            reg = cls(conn, None, secret, prefix)
            reg._init_keys(None, passphrase)
            return reg
        p = Path(path)
        created = False
        if not p.exists():
            if readonly or not create:
                raise RegisterError(f"{path}: no register here")
            if secret is None:
                raise RegisterError("a register key is needed: set SKLINT_REGISTER_KEY or use --key-file")
            p.parent.mkdir(parents=True, exist_ok=True)
            reveal = Path(str(p) + ".revealkey")
            if reveal.exists():
                raise RegisterError(f"{reveal}: a reveal key already exists here; move it away or "
                                    "choose another register path")
            _write_private(p, b"")
            created = True
        if p.is_file():
            mode = stat.S_IMODE(p.stat().st_mode)
            if mode & 0o077 and not readonly:
                os.chmod(p, 0o600)  # tighten a register someone copied with loose permissions
        if readonly:
            # a private in-memory copy: lookups work, nothing is ever written back
            src = sqlite3.connect(f"file:{p}?mode=ro", uri=True)
            conn = sqlite3.connect(":memory:")
            try:
                src.backup(conn)
            except sqlite3.DatabaseError:
                conn.close()
                raise RegisterError(f"{path}: not a sklint register") from None
            finally:
                src.close()
        else:
            conn = sqlite3.connect(str(p))
        conn.execute("PRAGMA secure_delete = ON")
        try:
            if not readonly:
                conn.executescript(_SCHEMA)
            reg = cls(conn, str(p), secret, prefix)
            if created:
                reg._init_keys(str(p) + ".revealkey", passphrase)
                conn.commit()
            elif reg._meta("version") is None:
                raise RegisterError(f"{path}: not a sklint register")
        except sqlite3.DatabaseError:
            conn.close()
            raise RegisterError(f"{path}: not a sklint register") from None
        if secret is not None:
            reg._check_secret()
        return reg

    def _init_keys(self, reveal_path: Optional[str], passphrase: Optional[bytes]) -> None:
        private = X25519PrivateKey.generate()
        self.public = private.public_key().public_bytes(serialization.Encoding.Raw,
                                                        serialization.PublicFormat.Raw)
        self._set_meta("version", SCHEMA_VERSION.encode())
        self._set_meta("public_key", self.public)
        self._set_meta("created", _now().encode())
        if self.secret is not None:
            self._set_meta("key_check", hmac.new(self.secret, KEY_CHECK, hashlib.sha256).digest())
        if reveal_path is not None:
            enc = (serialization.BestAvailableEncryption(passphrase) if passphrase
                   else serialization.NoEncryption())
            pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, enc)
            _write_private(Path(reveal_path), pem)
            self.created_reveal_key = reveal_path
        del private

    def _check_secret(self) -> None:
        stored = self._meta("key_check")
        mine = hmac.new(self.secret, KEY_CHECK, hashlib.sha256).digest()
        if stored is None:
            return
        if not hmac.compare_digest(bytes(stored), mine):
            raise RegisterError(f"{self.path}: this register was created with a different register key "
                                "(check SKLINT_REGISTER_KEY or --key-file)")

    def _meta(self, key: str) -> Optional[bytes]:
        try:
            row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        except sqlite3.OperationalError:
            return None
        return row[0] if row else None

    def _set_meta(self, key: str, value: bytes) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    # -- codes --------------------------------------------------------------------------------------
    def code_of(self, num: int) -> str:
        return f"{self.prefix}-{num:03d}"

    def max_num(self) -> int:
        row = self.conn.execute("SELECT MAX(num) FROM people").fetchone()
        return row[0] or 0

    def find(self, lookup: bytes) -> Optional[str]:
        row = self.conn.execute("SELECT code FROM people WHERE lookup = ? AND forgotten IS NULL",
                                (lookup,)).fetchone()
        return row[0] if row else None

    def add(self, lookup: Optional[bytes], kind: str, payload: dict, floor: int = 0,
            review: bool = False) -> str:
        """A new code, numbered after the highest in the register and after `floor` (the highest
        code already present in the documents being fixed)."""
        num = max(self.max_num(), floor) + 1
        code = self.code_of(num)
        sealed = seal(self.public, json.dumps(payload, ensure_ascii=False).encode("utf-8"),
                      code.encode()) if self.public else None
        self.conn.execute(
            "INSERT INTO people (num, code, lookup, kind, sealed, first_seen, review) VALUES (?,?,?,?,?,?,?)",
            (num, code, lookup, kind, sealed, _now(), int(review)))
        return code

    def saw(self, code: str, doc: bytes) -> None:
        row = self.conn.execute("SELECT num FROM people WHERE code = ?", (code,)).fetchone()
        if row:
            self.conn.execute("INSERT OR IGNORE INTO seen (num, doc) VALUES (?, ?)", (row[0], doc))

    def entries(self) -> list[Entry]:
        rows = self.conn.execute(
            "SELECT p.code, p.num, p.kind, p.first_seen, p.review, p.forgotten, "
            "(SELECT COUNT(*) FROM seen s WHERE s.num = p.num) FROM people p ORDER BY p.num").fetchall()
        return [Entry(code=r[0], num=r[1], kind=r[2], first_seen=r[3], review=bool(r[4]),
                      forgotten=r[5], documents=r[6]) for r in rows]

    def reveal(self, code: str, private: X25519PrivateKey) -> dict:
        row = self.conn.execute("SELECT sealed, forgotten FROM people WHERE code = ?",
                                (code.upper(),)).fetchone()
        if row is None:
            raise RegisterError(f"{code}: no such code in this register")
        if row[1] is not None:
            raise RegisterError(f"{code}: erased on {row[1]}")
        if row[0] is None:
            raise RegisterError(f"{code}: no name stored")
        return json.loads(unseal(private, bytes(row[0]), code.upper().encode()).decode("utf-8"))

    def forget(self, code: str) -> None:
        """Erasure: drop the sealed name, the lookup and the document links. The code itself stays
        as a tombstone so it is never given to anyone else."""
        row = self.conn.execute("SELECT num, forgotten FROM people WHERE code = ?", (code.upper(),)).fetchone()
        if row is None:
            raise RegisterError(f"{code}: no such code in this register")
        self.conn.execute("UPDATE people SET sealed = NULL, lookup = NULL, forgotten = ? WHERE num = ?",
                          (_now(), row[0]))
        self.conn.execute("DELETE FROM seen WHERE num = ?", (row[0],))
        self.conn.commit()
        self.conn.execute("VACUUM")  # with secure_delete, no copy of the erased row is left behind

    def rekey(self, private: X25519PrivateKey, new_secret: bytes,
              new_passphrase: Optional[bytes] = None, rotate_reveal_key: Optional[str] = None) -> int:
        """Recompute every lookup under `new_secret` (and, with `rotate_reveal_key`, re-seal every
        name to a new key pair written to that path). Returns the number of entries rewritten."""
        new_private = None
        new_public = self.public
        if rotate_reveal_key:
            new_private = X25519PrivateKey.generate()
            new_public = new_private.public_key().public_bytes(serialization.Encoding.Raw,
                                                               serialization.PublicFormat.Raw)
        n = 0
        rows = self.conn.execute("SELECT num, code, sealed FROM people WHERE sealed IS NOT NULL").fetchall()
        for num, code, sealed in rows:
            payload = json.loads(unseal(private, bytes(sealed), code.encode()).decode("utf-8"))
            lookup = lookup_for_payload(new_secret, payload)
            blob = seal(new_public, json.dumps(payload, ensure_ascii=False).encode("utf-8"), code.encode())
            self.conn.execute("UPDATE people SET lookup = ?, sealed = ? WHERE num = ?", (lookup, blob, num))
            n += 1
        self.secret = new_secret
        self._set_meta("key_check", hmac.new(new_secret, KEY_CHECK, hashlib.sha256).digest())
        if new_private is not None:
            enc = (serialization.BestAvailableEncryption(new_passphrase) if new_passphrase
                   else serialization.NoEncryption())
            _write_private(Path(rotate_reveal_key), new_private.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, enc))
            self._set_meta("public_key", new_public)
            self.public = new_public
        self.conn.commit()
        self.conn.execute("VACUUM")
        return n

    def commit(self) -> None:
        self.conn.commit()

    def rollback(self) -> None:
        self.conn.rollback()

    def close(self) -> None:
        self.conn.close()


def lookup_for_payload(secret: bytes, payload: dict) -> Optional[bytes]:
    """The lookup HMAC of a sealed payload ({"kind": "full", "first", "last"} or
    {"kind": "local", "form", "doc"})."""
    if payload.get("kind") == "full":
        return name_lookup(secret, normalise_full_name(payload["first"], payload["last"]))
    if payload.get("kind") == "local":
        return name_lookup(secret, f"{payload.get('doc', '')}\x00{fold(payload.get('form', ''))}", "local")
    return None
