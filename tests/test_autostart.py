"""`sklint serve --install / --status / --uninstall` (issue 19) through the real CLI.

On this Linux machine there is no user service manager, so --install writes the systemd user
unit and says how to start the service without one; the unit is checked with
`systemd-analyze verify` where that exists, and the service is started exactly as the unit's
ExecStart says so that --status reports it running. The macOS LaunchAgent and the Windows
Task Scheduler definition are checked as generated files."""
from __future__ import annotations

import os
import plistlib
import shlex
import shutil
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from sklint.serve import autostart


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _sklint(args, env):
    return subprocess.run([sys.executable, "-m", "sklint", *args], capture_output=True, text=True,
                          env=env, timeout=120)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the systemd user unit is Linux's")
def test_install_status_uninstall_on_linux(tmp_path):
    port = _free_port()
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config"), "SKLINT_RECORD_PATH": str(tmp_path / "record.log"),
           "SKLINT_RECORD_KEY": "test-record-key-0123456789abcdef0123"}
    r = _sklint(["serve", "--install", "--port", str(port)], env)
    assert r.returncode == 0, r.stderr
    unit = tmp_path / "config" / "systemd" / "user" / "sklint-serve.service"
    assert unit.is_file() and str(unit) in r.stdout
    text = unit.read_text(encoding="utf-8")
    exec_start = next(ln for ln in text.splitlines() if ln.startswith("ExecStart="))[len("ExecStart="):]
    argv = shlex.split(exec_start)
    assert argv[:4] == [sys.executable, "-m", "sklint.serve", "serve"] and str(port) in argv
    if shutil.which("systemd-analyze"):
        v = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60)
        assert v.returncode == 0, v.stdout + v.stderr
    if not autostart.user_systemd():
        assert "no user systemd here" in r.stdout and exec_start in r.stdout
    # not running yet (unless a user systemd started it)
    s = _sklint(["serve", "--status", "--port", str(port)], env)
    if s.returncode == 1:
        assert "not running" in s.stdout and "installed" in s.stdout
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(120):
            s = _sklint(["serve", "--status", "--port", str(port)], env)
            if s.returncode == 0:
                break
            time.sleep(0.5)
    else:
        proc = None
    try:
        assert s.returncode == 0, s.stdout + s.stderr
        assert "running at http://127.0.0.1:" in s.stdout and "sklint 0." in s.stdout
        assert "fail mode open" in s.stdout and "sharing record ok" in s.stdout
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)
    u = _sklint(["serve", "--uninstall", "--port", str(port)], env)
    assert u.returncode == 0 and "removed" in u.stdout and not unit.exists()
    s = _sklint(["serve", "--status", "--port", str(port)], env)
    assert s.returncode == 1 and "not installed" in s.stdout
    u = _sklint(["serve", "--uninstall"], env)
    assert u.returncode == 0 and "nothing to remove" in u.stdout


def test_the_macos_launch_agent_and_the_windows_task_as_generated():
    argv = autostart.service_argv("127.0.0.1", 8765, None, None)
    mac = autostart.plan(argv, "darwin")
    assert mac.path.name == "org.sklint.serve.plist" and "LaunchAgents" in str(mac.path)
    agent = plistlib.loads(mac.content)
    assert agent["Label"] == "org.sklint.serve" and agent["ProgramArguments"] == argv
    assert agent["RunAtLoad"] is True and agent["KeepAlive"] is True
    win = autostart.plan(argv, "win32")
    root = ET.fromstring(win.content.decode("utf-16").replace('encoding="UTF-16"', ""))
    ns = {"t": "http://schemas.microsoft.com/windows/2004/02/mit/task"}
    assert root.find("t:Triggers/t:LogonTrigger/t:Enabled", ns).text == "true"
    assert root.find("t:Actions/t:Exec/t:Command", ns).text == argv[0]
    assert root.find("t:Actions/t:Exec/t:Arguments", ns).text.split() == argv[1:]
    assert root.find("t:Principals/t:Principal/t:RunLevel", ns).text == "LeastPrivilege"
