"""Finding fingerprints: HMAC-SHA256, under the secret in SKLINT_BASELINE_KEY, of the file's path
relative to the repository root, the rule code and the normalised matched value.

Never the value itself and never a line number: a fingerprint survives edits that move the text,
does not silence the same name in another file, and reveals nothing without the key (an unkeyed
hash of a name could be reversed by hashing a list of names).
"""
from __future__ import annotations

import hashlib
import hmac
import os
import re
import unicodedata
from pathlib import Path
from typing import Optional

from .model import Finding

KEY_ENV = "SKLINT_BASELINE_KEY"
VERSION = "v1"


class MissingKeyError(RuntimeError):
    """SKLINT_BASELINE_KEY is not set."""


def get_key(env: Optional[dict] = None) -> Optional[bytes]:
    value = (env if env is not None else os.environ).get(KEY_ENV, "")
    return value.encode("utf-8") if value else None


def require_key() -> bytes:
    key = get_key()
    if key is None:
        raise MissingKeyError(
            f"{KEY_ENV} is not set. Fingerprints are keyed hashes so that a baseline never reveals "
            f"what it accepted; set {KEY_ENV} to a long random secret (a CI secret, e.g. "
            f"`python -c \"import secrets; print(secrets.token_hex(32))\"`) and use the same value "
            f"whenever the baseline is checked.")
    return key


def key_id(key: bytes) -> str:
    """A short tag that tells whether two runs used the same key, without revealing it."""
    return hmac.new(key, b"sklint-key-id", hashlib.sha256).hexdigest()[:16]


def normalise_value(value: str, entity: Optional[str] = None) -> str:
    """The form of a matched value that is hashed: case, spacing and punctuation do not matter."""
    v = unicodedata.normalize("NFKC", value or "").casefold()
    from .entities import with_trait
    if entity in with_trait("compact"):  # numbers and codes: `traits: fingerprint: compact`
        v = re.sub(r"[^0-9a-z]", "", v)
        if entity == "PHONE_NUMBER":
            if v.startswith("0044"):
                v = "0" + v[4:]
            elif v.startswith("44") and len(v) >= 12:
                v = "0" + v[2:]
        return v
    v = re.sub(r"['’]s\b", "", v)  # possessive: "Tom's" is "Tom"
    v = re.sub(r"[\W_]+", " ", v).strip()
    return v


def relative_path(path: str | Path, root: Optional[str] = None) -> str:
    """The path relative to the repository root, with forward slashes."""
    p = Path(path)
    base = Path(root) if root else None
    if base is None:
        for d in (p.resolve().parent, *p.resolve().parents):
            if (d / ".git").exists():
                base = d
                break
    if base is not None:
        try:
            return p.resolve().relative_to(base.resolve()).as_posix()
        except ValueError:
            pass
    posix = p.as_posix()
    while posix.startswith("./"):
        posix = posix[2:]
    return posix


def fingerprint(key: bytes, rel_path: str, code: str, value: str, entity: Optional[str] = None) -> str:
    msg = "\x1f".join((VERSION, rel_path, code.upper(), normalise_value(value, entity)))
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).hexdigest()


def finding_fingerprint(key: bytes, finding: Finding, path: str | Path,
                        root: Optional[str] = None) -> str:
    return fingerprint(key, relative_path(path, root), finding.code, finding.match, finding.entity)
