"""Click commands of the pre-send service: `serve`, `record` (verify, export), `exchange` (drafts).

sklint/cli.py registers exactly these three: `main.add_command(serve)`, `record`, `exchange`.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Optional

import click

from .record import (RecordError, export_csv, load_key, parse_since, record_path, verify)


def _config(path: Optional[str]):
    from ..config import ConfigError, load
    try:
        return load(path, start=Path.cwd())
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None


_config_opt = click.option("--config", "config_path", type=click.Path(dir_okay=False),
                           help="config file (default: the nearest sklint.toml / pyproject.toml)")
_record_opt = click.option("--record", "record_file", type=click.Path(dir_okay=False),
                           help="sharing record log (default: SKLINT_RECORD_PATH, [record] path, "
                                "or the per-user data folder)")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="address to listen on; anything but loopback needs SKLINT_SERVE_TOKEN")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(1, 65535))
@click.option("--log-level", default="info", show_default=True,
              type=click.Choice(["critical", "error", "warning", "info", "debug"]))
@_config_opt
@_record_opt
@click.option("--install", "action", flag_value="install",
              help="Start the service at every login, for you (systemd user unit, LaunchAgent or "
                   "Task Scheduler), with these options, and start it now.")
@click.option("--uninstall", "action", flag_value="uninstall", help="Remove what --install wrote.")
@click.option("--status", "action", flag_value="status",
              help="Whether the service runs, its version and its sharing record's health.")
def serve(host: str, port: int, log_level: str, config_path: Optional[str], record_file: Optional[str],
          action: Optional[str] = None):
    """Run the pre-send check service for the Outlook add-in.

    POST /v1/check takes a raw email (message/rfc822) or the add-in's JSON and answers a
    verdict (send, warn, block) with the findings; POST /v1/record stores a Data Sharing
    Checklist decision; GET /healthz. Message content is never logged.
    """
    if action:
        from . import autostart
        try:
            plan = autostart.plan(autostart.service_argv(host, port, config_path, record_file))
        except RuntimeError as exc:
            raise click.UsageError(str(exc)) from None
        if action == "status":
            running, lines = autostart.status(host, port, plan)
            for line in lines:
                click.echo(f"sklint serve: {line}")
            sys.exit(0 if running else 1)
        lines = autostart.install(plan) if action == "install" else autostart.uninstall(plan)
        for line in lines:
            click.echo(f"sklint serve: {line}")
        sys.exit(0)
    from .app import serve as run
    config = _config(config_path)
    try:
        run(config, host=host, port=port, record_path=record_file, log_level=log_level)
    except (ValueError, RecordError) as exc:
        raise click.UsageError(str(exc)) from None


@click.group()
def record():
    """The sharing record: an append-only, HMAC-chained log of sharing decisions."""


@record.command("verify")
@_config_opt
@_record_opt
@click.option("--head", "head", metavar="SEQ:MAC",
              help="a head noted earlier; the log must still contain it (catches truncation)")
def record_verify(config_path: Optional[str], record_file: Optional[str], head: Optional[str]):
    """Check every entry's MAC and the chain; name the first broken entry; print the head."""
    path = record_path(_config(config_path) if record_file is None else None, record_file)
    expect = None
    if head:
        seq, _, mac = head.partition(":")
        if not seq.isdigit() or len(mac) != 64:
            raise click.UsageError("--head: expected SEQ:MAC as printed by `sklint record verify`")
        expect = (int(seq), mac.lower())
    if not path.exists():
        raise click.UsageError(f"{path}: no sharing record here")
    try:
        key = load_key(path, create=False)
    except RecordError as exc:
        raise click.UsageError(str(exc)) from None
    res = verify(path, key, expect)
    if res.ok:
        click.echo(f"{path}: {res.entries} entries, chain intact")
        click.echo(f"head: seq={res.head_seq} mac={res.head_mac}")
        click.echo("note the head somewhere else (a ticket, an email to the data protection lead); "
                   f"later `sklint record verify --head {res.head_seq}:{res.head_mac}` also catches truncation")
        return
    where = f" (line {res.broken_line})" if res.broken_line else ""
    click.echo(f"{path}: BROKEN at entry seq {res.broken_seq}{where}: {res.reason}", err=True)
    click.echo(f"{res.entries} entries before it verify; last good: seq={res.head_seq} mac={res.head_mac}",
               err=True)
    sys.exit(1)


@record.command("export")
@_config_opt
@_record_opt
@click.option("--since", "since", metavar="DATE", help="only entries on or after DATE (YYYY-MM-DD)")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="CSV file to write (default: standard output)")
def record_export(config_path: Optional[str], record_file: Optional[str], since: Optional[str],
                  output: Optional[str]):
    """Write the record as CSV for the data protection lead (no message content is in it)."""
    path = record_path(_config(config_path) if record_file is None else None, record_file)
    try:
        since_dt = parse_since(since) if since else None
    except ValueError as exc:
        raise click.UsageError(f"--since: {exc}") from None
    if not path.exists():
        raise click.UsageError(f"{path}: no sharing record here")
    text = export_csv(path, since_dt)
    broken = None
    try:
        res = verify(path, load_key(path, create=False))
        broken = None if res.ok else f"entry seq {res.broken_seq}: {res.reason}"
    except RecordError as exc:
        broken = f"not verified: {exc}"
    if output:
        Path(output).write_text(text, encoding="utf-8", newline="")
    else:
        click.echo(text, nl=False)
    if broken:
        click.echo(f"warning: the record's chain is broken ({broken}); run `sklint record verify`",
                   err=True)
        sys.exit(1)


@click.group()
def exchange():
    """On-premises Exchange (EWS). Exchange Online has blocked EWS since 1 October 2026."""


@exchange.command("drafts")
@click.option("--server", required=True,
              help="Exchange server name (https://SERVER/EWS/Exchange.asmx) or the full EWS URL")
@click.option("--user", required=True, help="logon name: DOMAIN\\user or user@domain")
@click.option("--mailbox", help="primary SMTP address of the mailbox (default: --user if it is an address)")
@click.option("--auth", "auth_type", default="ntlm", show_default=True,
              type=click.Choice(["ntlm", "basic", "digest"]))
@click.option("--exchange-version", default="2016", show_default=True,
              type=click.Choice(["2013", "2016", "2019"]),
              help="the server's Exchange version (fixed, so nothing is probed)")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 1000),
              help="at most this many drafts, newest first")
@click.option("--tag", "tag", metavar="CATEGORY", help="set this Outlook category on each checked draft")
@click.option("--format", "fmt", default="text", show_default=True, type=click.Choice(["text", "json"]))
@click.option("--show-matches", is_flag=True, help="print matched text (default: redacted)")
@click.option("--ca-bundle", type=click.Path(exists=True, dir_okay=False),
              help="CA certificates to trust for the server's TLS certificate")
@_config_opt
def exchange_drafts(server, user, mailbox, auth_type, exchange_version, limit, tag, fmt,
                    show_matches, ca_bundle, config_path):
    """Check the drafts of an on-premises Exchange mailbox and print the report.

    The password comes from SKLINT_EWS_PASSWORD, else it is asked for.
    """
    from .exchange import ExchangeError, check_drafts, render
    password = os.environ.get("SKLINT_EWS_PASSWORD")
    if not password:
        password = click.prompt(f"Password for {user}", hide_input=True, err=True)
    config = _config(config_path)
    try:
        results = check_drafts(config, server=server, user=user, password=password, mailbox=mailbox,
                               auth_type=auth_type, exchange_version=exchange_version, limit=limit,
                               tag=tag, ca_bundle=ca_bundle)
    except ExchangeError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    click.echo(render(results, fmt, show_matches or config.show_matches), nl=False)
    from ..model import SEVERITY_RANK
    fail = SEVERITY_RANK[config.fail_on]
    if any(r.error for r in results):
        sys.exit(2)
    if any(SEVERITY_RANK[f.severity] >= fail for r in results for f in r.findings):
        sys.exit(1)


@click.group()
def main():  # pragma: no cover - used only by `python -m sklint.serve`
    """sklint pre-send service commands (also registered in the main `sklint` CLI)."""


main.add_command(serve)
main.add_command(record)
main.add_command(exchange)

__all__ = ["serve", "record", "exchange"]
