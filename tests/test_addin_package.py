"""`sklint addin package` (issue 19): a ready-to-upload add-in for one origin, through the real CLI.
The Node tests validate the packaged manifest.json against Microsoft's schema as well."""
from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

ORIGIN = "https://addin.riverbend.example.org"


def package(out: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sklint", "addin", "package", "--origin", ORIGIN,
                           "--out", str(out), *extra], capture_output=True, text=True, timeout=120)


def test_package_for_an_origin_unpacks_to_a_complete_addin(tmp_path):
    r = package(tmp_path / "a", "--service-url", "http://127.0.0.1:9911")
    assert r.returncode == 0, r.stderr
    out = tmp_path / "a"
    with zipfile.ZipFile(out / "sklint-addin.zip") as z:
        names = set(z.namelist())
        manifest = json.loads(z.read("manifest.json"))
        for key in ("outline", "color"):
            assert manifest["icons"][key] in names
    assert manifest == json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    text = json.dumps({k: v for k, v in manifest.items() if k != "$schema"})
    assert "localhost" not in text and ORIGIN in text
    ns = {"o": "http://schemas.microsoft.com/office/appforoffice/1.1"}
    root = ET.fromstring((out / "manifest.xml").read_bytes())
    assert root.find("o:Id", ns).text == manifest["id"]
    assert "localhost" not in (out / "manifest.xml").read_text(encoding="utf-8")
    for name in ("commands.html", "launchevent.js", "taskpane.html", "taskpane.js", "help.html"):
        body = (out / "web" / name).read_text(encoding="utf-8")
        assert "localhost:3000" not in body
    assert 'serviceUrl: "http://127.0.0.1:9911"' in (out / "web" / "launchevent.js").read_text(encoding="utf-8")
    assert (out / "web" / "assets" / "icon-80.png").is_file()
    steps = (out / "STEPS.md").read_text(encoding="utf-8")
    assert ORIGIN in steps and "Integrated apps" in steps and "24 hours" in steps
    assert len(steps.splitlines()) <= 40  # one page


def test_the_same_origin_gets_the_same_id_and_another_origin_another(tmp_path):
    assert package(tmp_path / "a").returncode == 0
    assert package(tmp_path / "b").returncode == 0
    a = json.loads((tmp_path / "a" / "manifest.json").read_text())["id"]
    b = json.loads((tmp_path / "b" / "manifest.json").read_text())["id"]
    assert a == b
    r = subprocess.run([sys.executable, "-m", "sklint", "addin", "package", "--origin",
                        "https://other.example.org", "--out", str(tmp_path / "c")],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and json.loads((tmp_path / "c" / "manifest.json").read_text())["id"] != a
    assert a != "6f0c5d1e-3a57-4b1e-9d0e-5c4b2f7a8e31"  # never the development id


def test_bad_origins_and_a_full_folder_are_refused(tmp_path):
    for bad in ("http://addin.example.org", "https://addin.example.org/path", "addin.example.org"):
        r = subprocess.run([sys.executable, "-m", "sklint", "addin", "package", "--origin", bad,
                            "--out", str(tmp_path / "x")], capture_output=True, text=True, timeout=120)
        assert r.returncode == 2 and "origin" in r.stderr.lower() and "Traceback" not in r.stderr
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("x")
    r = package(tmp_path / "full")
    assert r.returncode == 2 and "not empty" in r.stderr
