"""`sklint exchange drafts`: check the Drafts folder of an on-premises Exchange mailbox over EWS.

On-premises Exchange only (Exchange Server 2013/2016/2019, Subscription Edition). Microsoft
blocked EWS in Exchange Online on 1 October 2026, so Microsoft 365 mailboxes cannot be read this
way: use the Outlook add-in (pre-send-hook/) there instead.

Nothing is discovered or probed: autodiscover is off, the EWS endpoint is given (--server) and the
server version is fixed (--exchange-version), so the only calls are GetFolder (the mailbox root
and Drafts), FindItem (the newest drafts) and GetItem (their MIME content), plus UpdateItem when
--tag sets an Outlook category. Each draft's MIME is checked by the same
`Engine.check_bytes` as every other email, so the report is the same.
"""
from __future__ import annotations

import os
from dataclasses import replace
from typing import Optional
from urllib.parse import urlsplit

from ..config import Config
from ..model import FileResult

EXCHANGE_ONLINE_HOSTS = ("outlook.office365.com", "outlook.office.com", "office365.com",
                         "outlook.com", "office.com", "microsoft.com")


class ExchangeError(Exception):
    """Could not read the mailbox; str() says why in one line (never a password)."""


def endpoint_url(server: str) -> str:
    """`mail.example.org` -> https://mail.example.org/EWS/Exchange.asmx; full URLs kept."""
    server = server.strip()
    if "://" in server:
        return server
    return f"https://{server.strip('/')}/EWS/Exchange.asmx"


def is_exchange_online(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return any(host == h or host.endswith("." + h) for h in EXCHANGE_ONLINE_HOSTS)


def _build(version: str):
    from exchangelib.version import EXCHANGE_2013, EXCHANGE_2016, EXCHANGE_2019
    return {"2013": EXCHANGE_2013, "2016": EXCHANGE_2016, "2019": EXCHANGE_2019}[version]


def connect(server: str, user: str, password: str, mailbox: Optional[str] = None,
            auth_type: str = "ntlm", exchange_version: str = "2016", ca_bundle: Optional[str] = None):
    """An exchangelib Account with autodiscover off, an explicit endpoint and a fixed version."""
    from exchangelib import BASIC, DELEGATE, DIGEST, NTLM, UTC, Account, Configuration, Credentials, Version
    url = endpoint_url(server)
    if is_exchange_online(url):
        raise ExchangeError("Exchange Online has blocked EWS since 1 October 2026; `sklint exchange` "
                            "reads on-premises Exchange only (use the Outlook add-in for Microsoft 365)")
    if urlsplit(url).scheme not in ("https", "http"):
        raise ExchangeError(f"--server: not an http(s) URL: {url}")
    mailbox = mailbox or (user if "@" in user else None)
    if not mailbox:
        raise ExchangeError("--mailbox: give the mailbox's SMTP address (the logon name is not one)")
    if ca_bundle:
        os.environ["REQUESTS_CA_BUNDLE"] = ca_bundle  # requests reads it for verify=True
    config = Configuration(
        service_endpoint=url,
        credentials=Credentials(username=user, password=password),
        auth_type={"ntlm": NTLM, "basic": BASIC, "digest": DIGEST}[auth_type],
        version=Version(build=_build(exchange_version)),
        max_connections=2,
    )
    return Account(primary_smtp_address=mailbox, config=config, autodiscover=False,
                   access_type=DELEGATE, default_timezone=UTC)


def check_drafts(config: Config, *, server: str, user: str, password: str,
                 mailbox: Optional[str] = None, auth_type: str = "ntlm",
                 exchange_version: str = "2016", limit: int = 50, tag: Optional[str] = None,
                 ca_bundle: Optional[str] = None, engine=None) -> list[FileResult]:
    """Check up to `limit` drafts, newest first. Drafts are named `Drafts/NNN (created ...)`
    in the report, never by subject (a subject can itself be the leak)."""
    from exchangelib.errors import EWSError, TransportError, UnauthorizedError
    from ..pipeline import Engine
    engine = engine or Engine(config)
    try:
        account = connect(server, user, password, mailbox, auth_type, exchange_version, ca_bundle)
        drafts = account.drafts
        qs = drafts.all().order_by("-datetime_created").only("mime_content", "categories",
                                                              "datetime_created")[:limit]
        results = []
        for n, item in enumerate(qs, 1):
            if isinstance(item, Exception):  # exchangelib yields per-item errors
                results.append(FileResult(path=f"Drafts/{n:03d}", kind="email",
                                          error=f"could not read the draft: {type(item).__name__}"))
                continue
            created = getattr(item, "datetime_created", None)
            shown = f"Drafts/{n:03d}" + (f" ({created.isoformat()})" if created else "")
            mime = item.mime_content
            if not mime:
                results.append(FileResult(path=shown, kind="email", error="the server returned no MIME content"))
                continue
            if isinstance(mime, str):
                mime = mime.encode("utf-8")
            results.append(replace(engine.check_bytes(mime, "draft.eml"), path=shown))
            if tag:
                cats = list(item.categories or [])
                if tag not in cats:
                    item.categories = cats + [tag]
                    item.save(update_fields=["categories"])
        return results
    except ExchangeError:
        raise
    except UnauthorizedError:
        raise ExchangeError(f"the server refused the credentials of {user}") from None
    except TransportError as exc:
        raise ExchangeError(f"cannot reach {endpoint_url(server)}: {type(exc).__name__}") from None
    except EWSError as exc:
        raise ExchangeError(f"Exchange answered an error: {type(exc).__name__}: {str(exc)[:200]}") from None


def render(results: list[FileResult], fmt: str = "text", show_matches: bool = False) -> str:
    from ..report import jsonfmt
    if fmt == "json":
        return jsonfmt.render(results, show_matches)
    lines = []
    for r in results:
        if r.error:
            lines.append(f"{r.path}: error: {r.error}")
        for f in r.findings:
            d = jsonfmt.finding_to_dict(f, show_matches)
            pos = f":{f.line}:{f.column}" if f.line is not None else ""
            lines.append(f"{r.path} [{f.part}{pos}] {f.code} {f.rule} ({f.severity}): {f.message}"
                         + (f"  {d['match']}" if d["match"] else ""))
    n = sum(len(r.findings) for r in results)
    lines.append(f"{len(results)} draft(s) checked, {n} finding(s)")
    return "\n".join(lines) + "\n"
