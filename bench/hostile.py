"""Hostile and broken files: how long `sklint check` takes on each, and on all of them at once.

    python bench/hostile.py                 # write the files to /tmp/sklint-hostile/, time each
    python bench/hostile.py --out DIR --only text-19mb.txt,one-name-8mb.txt
    python bench/hostile.py --no-each       # only the whole-folder run
    python bench/hostile.py --serve         # hostile requests to a real `sklint serve`

Each file is checked by the real CLI in a fresh process (`sklint check FILE --format json`),
under /usr/bin/time for its peak memory; then the whole folder in one run (`--jobs 2`). The table
gives wall time, peak RSS (MB), exit code and the limit notes the report carries; the folder run
also its peak PSS summed over every process (sampled every 0.2 s). Nothing here
asserts a time: tests/test_hostile.py checks the behaviour on smaller versions of the same kinds.

The kinds are generic (nothing from any held-out set): huge ordinary text, one enormous line of
one repeated name, markup and RTF nested hundreds of thousands deep, Office and zip bombs, an
email nested hundreds deep and one that carries itself as an attachment, many members and pages,
and truncated, encrypted, empty and binary files.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import random
import subprocess
import sys
import time
import zipfile
from email.message import EmailMessage
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate import Gen  # noqa: E402
from run import _children, _pss_kb  # noqa: E402  (the memory sampling of bench/run.py)


def _docx(text: str = "Referral notes for the group.") -> bytes:
    import docx
    d = docx.Document()
    d.add_paragraph(text)
    b = io.BytesIO()
    d.save(b)
    return b.getvalue()


def _swap_member(data: bytes, member: str, fn) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            blob = src.read(info)
            z.writestr(info.filename, fn(blob) if info.filename == member else blob)
    return out.getvalue()


def _pdf(pages: int) -> bytes:
    import pypdf
    w = pypdf.PdfWriter()
    for _ in range(pages):
        w.add_blank_page(width=200, height=200)
    b = io.BytesIO()
    w.write(b)
    return b.getvalue()


def mime_nested(depth: int) -> bytes:
    lines = [b"From: a@example.org", b"To: b@example.org", b"Subject: nested", b"MIME-Version: 1.0"]
    for i in range(depth):
        lines += [b'Content-Type: multipart/mixed; boundary="b%d"' % i, b"", b"--b%d" % i]
    lines += [b"Content-Type: text/plain", b"", b"innermost text"]
    lines += [b"--b%d--" % i for i in reversed(range(depth))]
    return b"\r\n".join(lines) + b"\r\n"


def self_attached(levels: int) -> bytes:
    """An email that carries a copy of itself, which carries a copy of itself, ..."""
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = "a@example.org", "b@example.org", "Fwd: fwd"
    m.set_content("See the message below.")
    for _ in range(levels):
        outer = EmailMessage()
        outer["From"], outer["To"], outer["Subject"] = "a@example.org", "b@example.org", "Fwd: fwd"
        outer.set_content("See the message below.")
        outer.add_attachment(m)
        m = outer
    return m.as_bytes()


def nested_zip(levels: int) -> bytes:
    data, name = b"innermost", "x.txt"
    for i in range(levels):
        b = io.BytesIO()
        with zipfile.ZipFile(b, "w") as z:
            z.writestr(name, data)
        data, name = b.getvalue(), f"level{i}.zip"
    return data


def many_members(n: int, size: int, seed: int = 3) -> bytes:
    text = Gen(seed).text_of_size(size).encode()
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        for i in range(n):
            z.writestr(f"notes-{i:03d}.txt", text)
    return b.getvalue()


def many_attachments(n: int) -> bytes:
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = "a@example.org", "b@example.org", "files"
    m.set_content("Files attached.")
    for i in range(n):
        m.add_attachment(f"file {i}".encode(), maintype="text", subtype="plain", filename=f"f{i}.txt")
    return m.as_bytes()


def billion_laughs_docx() -> bytes:
    doctype = (b'<!DOCTYPE w:document [<!ENTITY a "lollollollollollollollollollol">'
               + b"".join(b'<!ENTITY %s "%s">' % (bytes([98 + i]), (b"&%s;" % bytes([97 + i])) * 10)
                          for i in range(8)) + b"]>")

    def swap(blob):
        head, rest = blob.split(b"?>", 1)
        return head + b"?>" + doctype + rest.replace(b"PLACEHOLDER", b"&i;")
    return _swap_member(_docx("PLACEHOLDER"), "word/document.xml", swap)


def expanding_docx(mb: int) -> bytes:
    """A docx whose document.xml unpacks to `mb` MB of repeated paragraphs."""
    para = b"<w:p><w:r><w:t>Notes from the sibling group session this week.</w:t></w:r></w:p>"
    body = para * (mb * 1024 * 1024 // len(para))
    return _swap_member(_docx(), "word/document.xml",
                        lambda blob: blob.replace(b"</w:body>", body + b"</w:body>"))


def build(out: Path, only: set[str] | None = None) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(7)
    kinds = {
        "text-19mb.txt": lambda: Gen(19).text_of_size(19 * 1024 * 1024).encode(),
        "one-name-8mb.txt": lambda: b"Aoife " * (8 * 1024 * 1024 // 6),
        "nested-html-1mb.html": lambda: (b"<html><body>" + b"<div>" * 90_000 + b"Siobhan Quinn, 07700 900123"
                                         + b"</div>" * 90_000 + b"</body></html>"),
        "nested-rtf-1mb.rtf": lambda: b"{\\rtf1 " + b"{" * 500_000 + b"text" + b"}" * 500_000 + b"}",
        "docx-ratio-bomb.docx": lambda: _swap_member(
            _docx(), "word/document.xml", lambda b: b.replace(b"</w:body>", b" " * (300 * 1024 * 1024) + b"</w:body>")),
        "docx-laughs.docx": billion_laughs_docx,
        "docx-expands-60mb.docx": lambda: expanding_docx(60),
        "zip-200x1mb.zip": lambda: many_members(200, 1024 * 1024),
        "zip-nested-40.zip": lambda: nested_zip(40),
        "mime-nested-500.eml": lambda: mime_nested(500),
        "self-attached-60.eml": lambda: self_attached(60),
        "attachments-12000.eml": lambda: many_attachments(12_000),
        "pages-6000.pdf": lambda: _pdf(6000),
        "wide-1-line.csv": lambda: b",".join(b"x%d" % i for i in range(400_000)) + b"\n",
        "truncated.docx": lambda: _docx("Referral for the family")[:900],
        "corrupt.pdf": lambda: b"%PDF-1.7\n" + bytes(rng.getrandbits(8) for _ in range(20_000)),
        "junk.txt": lambda: bytes(rng.getrandbits(8) for _ in range(200_000)),
        "empty.eml": lambda: b"",
        "nul-bytes.txt": lambda: b"\0" * 1_000_000,
        "wrong-extension.xlsx": lambda: b"Just a plain text note about the group.\n",
        "long-words-5mb.txt": lambda: (b"x" * 100_000 + b" ") * 50,
    }
    paths = []
    for name, make in kinds.items():
        if only and name not in only:
            continue
        p = out / name
        if not p.exists():
            p.write_bytes(make())
        paths.append(p)
    return paths


def _descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += _children(p)
    return out


def _pss_mb(pids: list[int]) -> float:
    return sum(_pss_kb(p) for p in pids) / 1024


class TreePss:
    """Peak PSS summed over a process tree (shared model pages counted once), sampled."""

    def __init__(self, pid: int, interval: float = 0.2):
        import threading
        self.pid, self.interval, self.peak = pid, interval, 0.0
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, _pss_mb(_descendants(self.pid)))
            self._stop.wait(self.interval)

    def stop(self) -> float:
        self._stop.set()
        self._t.join()
        return self.peak


def run(args: list[str], timeout: float) -> tuple[float, float, int, str]:
    """Wall seconds, peak RSS in MB (largest process of the tree: GNU time's %M), exit code, stdout."""
    t = time.monotonic()
    proc = subprocess.Popen(["/usr/bin/time", "-f", "%M", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)
    global LAST_TREE_PSS
    sampler = TreePss(proc.pid)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)  # the whole tree: sklint and its workers, not only /usr/bin/time
        proc.communicate()
        LAST_TREE_PSS = sampler.stop()
        return time.monotonic() - t, float("nan"), -1, ""
    LAST_TREE_PSS = sampler.stop()
    wall = time.monotonic() - t
    try:
        rss = int(err.decode().strip().splitlines()[-1]) / 1024
    except (ValueError, IndexError):
        rss = float("nan")
    return wall, rss, proc.returncode, out.decode("utf-8", "replace")


LAST_TREE_PSS = 0.0  # peak PSS (MB) summed over the last run's process tree


def limits_in(report: str) -> str:
    try:
        data = json.loads(report)
    except ValueError:
        return "(no JSON report)"
    out = []
    for f in data.get("files", []):
        if f.get("error"):
            out.append("error: " + f["error"][:70])
        n = sum(1 for x in f.get("findings", []) if x["rule"] in ("limit-reached", "not-inspected"))
        if n:
            out.append(f"{n} limit/not-inspected")
        out.append(f"{len(f.get('findings', []))} findings")
    return "; ".join(out)


def serve_kinds(a) -> None:
    """The service's hostile requests, through a real `sklint serve` on loopback."""
    import base64
    import socket
    import tempfile
    import threading
    import httpx
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    env = dict(os.environ, SKLINT_RECORD_KEY="bench-key-0123456789abcdef")
    rec = Path(tempfile.mkdtemp()) / "record.jsonl"
    proc = subprocess.Popen([sys.executable, "-m", "sklint", "serve", "--port", str(port), "--record", str(rec)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    client = httpx.Client(base_url=url, timeout=300, trust_env=False)
    try:
        t0 = time.monotonic()
        while True:
            try:
                if client.get("/healthz").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() - t0 > 120:
                raise SystemExit("service did not start")
            time.sleep(0.2)
        pss = TreePss(proc.pid)
        text = Gen(5).text_of_size(1_000_000)
        small = {"subject": "Rota", "body_text": "Hi Sam,\n\n" + "Can you swap Tuesday with me? The hall is "
                 "booked from six and the kit is in the cupboard by the door. " * 20 + "\n\nThanks, Jo",
                 "to": ["sam@example.org"], "from": {"name": "Jo", "email": "jo@example.org"}}

        def post(body, **kw):
            t = time.monotonic()
            r = client.post("/v1/check", **kw) if body is None else client.post("/v1/check", content=body, **kw)
            ok = r.headers.get("content-type", "").startswith("application/json")
            verdict = r.json().get("verdict", r.json().get("error")) if ok else r.text[:40]
            return time.monotonic() - t, r.status_code, verdict
        zip200 = many_members(200, 1024 * 1024)
        cases = [
            ("JSON nested 100,000 deep", b"[" * 100_000 + b"]" * 100_000, "application/json"),
            ("a number of 5,000 digits", b'{"subject": ' + b"9" * 5000 + b"}", "application/json"),
            ("a lone surrogate escape", b'{"subject": "\\ud800", "body_text": "x"}', "application/json"),
            ("wrong types", b'{"subject": ["a"], "to": 5}', "application/json"),
        ]
        print(f"{'request':44} {'s':>6} {'HTTP':>4}  verdict/error")
        for name, body, ctype in cases:
            dt, st, v = post(body, headers={"Content-Type": ctype})
            print(f"{name:44} {dt:6.2f} {st:4}  {v}", flush=True)
        dt, st, v = post(None, json=dict(small))
        print(f"{'2 KB email alone':44} {dt:6.2f} {st:4}  {v}")
        res = {}

        def big():
            res["big"] = post(None, json=dict(small, body_text=text))
        th = threading.Thread(target=big)
        th.start()
        time.sleep(0.5)
        res["small"] = post(None, json=dict(small))
        th.join()
        print(f"{'1 MB body':44} {res['big'][0]:6.2f} {res['big'][1]:4}  {res['big'][2]}")
        print(f"{'2 KB email sent 0.5 s after the 1 MB one':44} {res['small'][0]:6.2f} {res['small'][1]:4}  {res['small'][2]}")
        att = [{"name": "notes.zip", "content_type": "application/zip",
                "content_base64": base64.b64encode(zip200).decode()}]
        dt, st, v = post(None, json=dict(small, attachments=att))
        print(f"{'zip of 200 x 1 MB members attached':44} {dt:6.2f} {st:4}  {v}")
        damaged = [{"name": "form.docx", "content_type": "application/octet-stream",
                    "content_base64": base64.b64encode(b"PK\x03\x04" + b"\0" * 64).decode()}]
        dt, st, v = post(None, json=dict(small, attachments=damaged))
        print(f"{'damaged .docx attached':44} {dt:6.2f} {st:4}  {v}")
        print(f"service peak PSS (service and helper): {pss.stop():.0f} MB")
    finally:
        client.close()
        os.killpg(proc.pid, 15)
        proc.wait(timeout=30)
        err = proc.stderr.read().decode("utf-8", "replace")
        print("tracebacks in the service log:", err.count("Traceback"))


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=Path("/tmp/sklint-hostile"))
    ap.add_argument("--only", default="")
    ap.add_argument("--no-each", action="store_true")
    ap.add_argument("--no-all", action="store_true")
    ap.add_argument("--timeout", type=float, default=900)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--serve", action="store_true", help="the service's hostile requests instead")
    a = ap.parse_args(argv)
    if a.serve:
        serve_kinds(a)
        return
    only = set(a.only.split(",")) - {""} or None
    paths = build(a.out, only)
    exe = [sys.executable, "-m", "sklint", "check", "--format", "json"]
    print(f"load before: {open('/proc/loadavg').read().split()[:3]}")
    if not a.no_each:
        print(f"{'file':26} {'MB':>7} {'s':>7} {'RSS MB':>7} {'exit':>4}  report")
        for p in paths:
            wall, rss, code, out = run([*exe, str(p)], a.timeout)
            print(f"{p.name:26} {p.stat().st_size / 1e6:7.1f} {wall:7.1f} {rss:7.0f} {code:4}  {limits_in(out)}",
                  flush=True)
    if not a.no_all and not only:
        wall, rss, code, out = run([*exe, "--jobs", str(a.jobs), str(a.out)], a.timeout)
        print(f"all {len(paths)} files, --jobs {a.jobs}: {wall:.1f} s, peak RSS {rss:.0f} MB "
              f"(largest process), peak PSS {LAST_TREE_PSS:.0f} MB (all processes), exit {code}")
    print(f"load after: {open('/proc/loadavg').read().split()[:3]}")


if __name__ == "__main__":
    main()
