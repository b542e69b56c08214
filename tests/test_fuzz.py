"""The fuzzing harness (bench/fuzz.py) for a fixed budget: coverage-guided mutations of real files
of every format through the readers, then through the whole pipeline. Any crash fails the test
and the harness's summary names it; crashing inputs are kept under the test's tmp_path.
Longer runs by hand: `python bench/fuzz.py --seconds 3600` (see bench/README.md)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
atheris = pytest.importorskip("atheris", reason="atheris has wheels for Linux x86_64 only")


@pytest.mark.parametrize("target,seconds", [("read", 60), ("check", 60)])
def test_fuzz_budget_finds_no_crash(target, seconds, tmp_path):
    p = subprocess.run([sys.executable, str(ROOT / "bench" / "fuzz.py"), "--seconds", str(seconds),
                        "--target", target, "--crashes", str(tmp_path / "crashes"),
                        "--corpus", str(tmp_path / "corpus")],
                       capture_output=True, text=True, timeout=seconds + 240, cwd=ROOT)
    assert p.stdout.strip(), p.stderr[-2000:]
    summary = json.loads(p.stdout[p.stdout.index("{"):])
    assert summary["executions"] > 100, summary
    assert summary["read"] > 0, summary
    assert summary["distinct_crashes"] == 0 and p.returncode == 0, summary["crashes"]
