"""`sklint serve --install / --uninstall / --status` (issue 19): start the service at login.

For the current user only, from a template per platform:
- Linux: a systemd user unit `~/.config/systemd/user/sklint-serve.service`, enabled and started
  with `systemctl --user` where a user service manager runs (else the unit is written and the
  message says how to start the service without it);
- macOS: a LaunchAgent `~/Library/LaunchAgents/org.sklint.serve.plist` (RunAtLoad, KeepAlive),
  loaded with `launchctl bootstrap gui/UID`;
- Windows: a Task Scheduler task "sklint serve" at logon, from an XML definition given to
  `schtasks /Create /XML`.
`--status` asks the running service (`GET /healthz`) for its version, fail mode and the health of
its sharing record, and says where the start-at-login entry is.
"""
from __future__ import annotations

import json
import os
import plistlib
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence
from xml.sax.saxutils import escape

UNIT_NAME = "sklint-serve.service"
AGENT_LABEL = "org.sklint.serve"
TASK_NAME = "sklint serve"


@dataclass(frozen=True)
class Plan:
    """What --install writes and runs on this platform."""
    platform: str
    path: Path
    content: bytes


def service_argv(host: str, port: int, config_path: Optional[str], record_file: Optional[str]) -> list[str]:
    argv = [sys.executable, "-m", "sklint.serve", "serve", "--host", host, "--port", str(port)]
    if config_path:
        argv += ["--config", str(Path(config_path).resolve())]
    if record_file:
        argv += ["--record", str(Path(record_file).resolve())]
    return argv


def _quote_systemd(arg: str) -> str:
    if arg and all(c.isalnum() or c in "/._-:=" for c in arg):
        return arg
    return '"' + arg.replace("\\", "\\\\").replace('"', '\\"') + '"'


def systemd_unit(argv: Sequence[str]) -> str:
    return (
        "[Unit]\n"
        "Description=sklint pre-send check service for the Outlook add-in\n"
        "After=network.target\n\n"
        "[Service]\n"
        "Type=simple\n"
        f"ExecStart={' '.join(_quote_systemd(a) for a in argv)}\n"
        "Restart=on-failure\n"
        "RestartSec=5\n"
        "NoNewPrivileges=true\n\n"
        "[Install]\n"
        "WantedBy=default.target\n")


def launch_agent(argv: Sequence[str]) -> bytes:
    return plistlib.dumps({
        "Label": AGENT_LABEL, "ProgramArguments": list(argv), "RunAtLoad": True, "KeepAlive": True,
        "ProcessType": "Background",
        "StandardErrorPath": str(Path.home() / "Library" / "Logs" / "sklint-serve.log"),
    })


def scheduled_task(argv: Sequence[str]) -> str:
    args = " ".join(f'"{a}"' if " " in a else a for a in argv[1:])
    return (
        '<?xml version="1.0" encoding="UTF-16"?>\n'
        '<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">\n'
        "  <RegistrationInfo><Description>sklint pre-send check service for the Outlook add-in"
        "</Description></RegistrationInfo>\n"
        "  <Triggers><LogonTrigger><Enabled>true</Enabled></LogonTrigger></Triggers>\n"
        "  <Principals><Principal id=\"Author\"><LogonType>InteractiveToken</LogonType>"
        "<RunLevel>LeastPrivilege</RunLevel></Principal></Principals>\n"
        "  <Settings><MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>"
        "<DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>"
        "<StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>"
        "<ExecutionTimeLimit>PT0S</ExecutionTimeLimit>"
        "<RestartOnFailure><Interval>PT1M</Interval><Count>3</Count></RestartOnFailure></Settings>\n"
        f"  <Actions Context=\"Author\"><Exec><Command>{escape(argv[0])}</Command>"
        f"<Arguments>{escape(args)}</Arguments></Exec></Actions>\n"
        "</Task>\n")


def plan(argv: Sequence[str], platform: Optional[str] = None) -> Plan:
    platform = platform or sys.platform
    if platform.startswith("linux"):
        base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
        return Plan("linux", base / "systemd" / "user" / UNIT_NAME, systemd_unit(argv).encode("utf-8"))
    if platform == "darwin":
        return Plan("darwin", Path.home() / "Library" / "LaunchAgents" / f"{AGENT_LABEL}.plist",
                    launch_agent(argv))
    if platform in ("win32", "cygwin"):
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home())
        return Plan("win32", base / "sklint" / "sklint-serve-task.xml",
                    scheduled_task(argv).encode("utf-16"))
    raise RuntimeError(f"sklint serve --install does not know how to start a service on {platform}")


def _run(cmd: list[str]) -> tuple[bool, str]:
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, str(exc)
    said = (p.stderr or p.stdout).strip().splitlines()
    return p.returncode == 0, said[-1] if said else ""


def user_systemd() -> bool:
    """A user service manager is running and reachable (`systemctl --user` works here)."""
    if not shutil.which("systemctl"):
        return False
    try:
        p = subprocess.run(["systemctl", "--user", "is-system-running"], capture_output=True, text=True,
                           timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return p.stdout.strip() in ("running", "degraded", "starting", "initializing")


def install(p: Plan) -> list[str]:
    """Write the entry and register it; the lines to tell the user."""
    p.path.parent.mkdir(parents=True, exist_ok=True)
    p.path.write_bytes(p.content)
    out = [f"wrote {p.path}"]
    if p.platform == "linux":
        if user_systemd():
            for cmd in (["systemctl", "--user", "daemon-reload"],
                        ["systemctl", "--user", "enable", "--now", UNIT_NAME]):
                ok, msg = _run(cmd)
                if not ok:
                    out.append(f"{' '.join(cmd)} failed: {msg}")
                    break
            else:
                out.append("enabled and started it with systemctl --user: it starts at every login")
        else:
            out.append("no user systemd here (no `systemctl --user` session): the unit is written but not "
                       "started; start the service from your login script with: " + _exec_of(p))
    elif p.platform == "darwin":
        ok, msg = _run(["launchctl", "bootstrap", f"gui/{os.getuid()}", str(p.path)])
        out.append("loaded with launchctl: it starts at every login" if ok else f"launchctl failed: {msg}")
    else:
        ok, msg = _run(["schtasks", "/Create", "/TN", TASK_NAME, "/XML", str(p.path), "/F"])
        out.append("registered with Task Scheduler: it starts at every logon" if ok else f"schtasks failed: {msg}")
    return out


def _exec_of(p: Plan) -> str:
    for line in p.content.decode("utf-8", "replace").splitlines():
        if line.startswith("ExecStart="):
            return line[len("ExecStart="):]
    return ""


def uninstall(p: Plan) -> list[str]:
    out = []
    systemd = p.platform == "linux" and user_systemd()  # asked once: it runs a command
    if systemd:
        _run(["systemctl", "--user", "disable", "--now", UNIT_NAME])
    elif p.platform == "darwin":
        _run(["launchctl", "bootout", f"gui/{os.getuid()}", str(p.path)])
    elif p.platform == "win32":
        _run(["schtasks", "/Delete", "/TN", TASK_NAME, "/F"])
    if p.path.exists():
        p.path.unlink()
        out.append(f"removed {p.path}")
        if systemd:
            _run(["systemctl", "--user", "daemon-reload"])
    else:
        out.append(f"nothing to remove: {p.path} is not there")
    return out


def status(host: str, port: int, p: Plan, timeout: float = 2.0) -> tuple[bool, list[str]]:
    """(running, lines): what the service says about itself, and the start-at-login entry."""
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '') else host}:{port}/healthz"
    lines = [f"start at login: {'installed, ' + str(p.path) if p.path.exists() else 'not installed'}"]
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:  # noqa: S310 - loopback by default
            data = json.loads(r.read().decode("utf-8"))
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return False, [f"not running: nothing answers at {url} ({reason})"] + lines
    return True, [f"running at {url.rsplit('/', 1)[0]}: sklint {data.get('sklint_version')}, "
                  f"fail mode {data.get('fail_mode')}, sharing record {data.get('record')}"] + lines
