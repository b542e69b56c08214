"""Coverage-guided fuzzing of the readers and the pipeline with atheris (libFuzzer for Python).

    python bench/fuzz.py --seconds 60                   # readers: read_bytes on mutated files
    python bench/fuzz.py --seconds 60 --target check    # the whole pipeline on what was read
    python bench/fuzz.py --seconds 3600 --crashes DIR   # longer, by hand; crashing inputs to DIR

The seeds are small real files of every format sklint reads (made here: email with
attachments, docx, xlsx, pptx, odt, pdf, rtf, html, csv, zip, text, and the .msg samples in
../shared when present). The first byte of each input picks the file name's extension, so a
mutated docx is also tried as a .pdf, an .eml and so on.

What counts as a crash: an exception that escapes `read_bytes` (only IngestError may), an
IngestError whose cause was raised inside sklint's own code (the catch-all in read_bytes keeps
the user from a traceback, but a KeyError in a reader is still a bug), any exception from
`Engine.check_message` (`--target check`), and one input taking more than `--slow` seconds. A
library's own error on a damaged file (zipfile.BadZipFile, a pypdf error), turned into a one-line
IngestError, is not a crash; those are counted apart.

At the end (the time budget is enforced here, not by libFuzzer, so the summary always prints) it
prints executions, distinct crashes (by exception type and the innermost sklint frame), and
exits 1 if there was any.
"""
from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import sys
import time
import traceback
import zipfile
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXTS = (".eml", ".msg", ".docx", ".xlsx", ".pptx", ".odt", ".pdf", ".rtf", ".html", ".csv", ".zip",
        ".txt", ".md", ".ics", ".json")


def seeds() -> list[bytes]:
    """Small valid files of each format, each prefixed by the byte that picks its extension."""
    import docx
    import openpyxl
    from odf.opendocument import OpenDocumentText
    from odf.text import P
    from pptx import Presentation
    sys.path.insert(0, str(ROOT / "tests"))
    from conftest import make_pdf

    def tagged(ext: str, data: bytes) -> bytes:
        return bytes([EXTS.index(ext)]) + data

    text = "Referral for Tom Hughes, DOB 14/09/2012, NHS 943 476 5919, mobile 07700 900123."
    out = [tagged(".txt", text.encode()), tagged(".md", ("# Notes\n\n" + text).encode()),
           tagged(".html", f"<html><body><h1>Team</h1><p>{text}</p><table><tr><td>Ann</td></tr></table></body></html>".encode()),
           tagged(".rtf", ("{\\rtf1\\ansi{\\fonttbl\\f0 Arial;}\\f0 " + text + "\\par}").encode()),
           tagged(".csv", ("name,dob,phone\nTom Hughes,14/09/2012,07700 900123\n").encode()),
           tagged(".pdf", make_pdf([[text], ["page two"]]))]
    b = io.BytesIO()
    d = docx.Document()
    d.add_paragraph(text)
    t = d.add_table(rows=2, cols=2)
    t.cell(0, 0).text, t.cell(1, 0).text = "Name", "Amira Hussain"
    d.save(b)
    docx_bytes = b.getvalue()
    out.append(tagged(".docx", docx_bytes))
    wb = openpyxl.Workbook()
    wb.active.append(["Name", "DOB"])
    wb.active.append(["Tom Hughes", "14/09/2012"])
    b = io.BytesIO()
    wb.save(b)
    out.append(tagged(".xlsx", b.getvalue()))
    pr = Presentation()
    slide = pr.slides.add_slide(pr.slide_layouts[1])
    slide.shapes.title.text = "Case study"
    slide.placeholders[1].text = text
    b = io.BytesIO()
    pr.save(b)
    out.append(tagged(".pptx", b.getvalue()))
    od = OpenDocumentText()
    od.text.addElement(P(text=text))
    b = io.BytesIO()
    od.save(b)
    out.append(tagged(".odt", b.getvalue()))
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("notes.txt", text)
        z.writestr("form.docx", docx_bytes)
    out.append(tagged(".zip", b.getvalue()))
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = "Helen <helen@example.org>", "a@example.org, b@example.org", "Referral"
    m.set_content(text)
    m.add_alternative(f"<p>{text}</p>", subtype="html")
    m.add_attachment(docx_bytes, maintype="application",
                     subtype="vnd.openxmlformats-officedocument.wordprocessingml.document", filename="form.docx")
    m.add_attachment(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", maintype="text", subtype="calendar",
                     filename="invite.ics")
    out.append(tagged(".eml", m.as_bytes()))
    samples = ROOT.parent / "shared" / "samples" / "outlook-msg"
    if samples.is_dir():
        for p in sorted(samples.glob("*.msg"))[:3]:
            if p.stat().st_size < 200_000:
                out.append(tagged(".msg", p.read_bytes()))
    return out


def _own_frame(exc: BaseException):
    """The innermost frame of the exception's traceback that is sklint's own code, if it is the
    innermost frame of all (the exception was raised by sklint, not inside a library)."""
    tb = traceback.extract_tb(exc.__traceback__)
    if not tb:
        return None
    last = tb[-1]
    return last if "/sklint/" in last.filename.replace("\\", "/") else None


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--target", choices=("read", "check"), default="read")
    ap.add_argument("--slow", type=float, default=20.0, help="seconds one input may take")
    ap.add_argument("--crashes", type=Path, default=None, help="write crashing inputs here")
    ap.add_argument("--corpus", type=Path, default=None, help="libFuzzer corpus directory (kept between runs)")
    a, rest = ap.parse_known_args(argv)

    import atheris
    import importlib
    import pkgutil
    with atheris.instrument_imports(include=["sklint"]):  # coverage of sklint's own code
        import sklint.ingest
        for mod in pkgutil.iter_modules(sklint.ingest.__path__):
            importlib.import_module(f"sklint.ingest.{mod.name}")
        if a.target == "check":
            import sklint.pipeline  # noqa: F401 - and the detectors, rules and suppression it imports
        from sklint.config import Config
        from sklint.ingest import IngestError, read_bytes
    config = Config()
    engine = None
    if a.target == "check":
        from sklint.pipeline import Engine
        engine = Engine(config)
        engine.check_bytes(b"warm up Tom Hughes", "warm.txt")

    corpus = a.corpus or Path(os.environ.get("TMPDIR", "/tmp")) / f"sklint-fuzz-{a.target}"
    corpus.mkdir(parents=True, exist_ok=True)
    for s in seeds():
        (corpus / hashlib.sha1(s).hexdigest()).write_bytes(s)

    stats = {"executions": 0, "library_errors": 0, "read": 0, "slowest": 0.0}
    crashes: dict[str, dict] = {}
    end = time.monotonic() + a.seconds

    def record(kind: str, where: str, data: bytes, seconds: float) -> None:
        key = f"{kind} at {where}"
        if key not in crashes:
            crashes[key] = {"count": 0, "seconds": round(seconds, 2), "size": len(data)}
            if a.crashes:
                a.crashes.mkdir(parents=True, exist_ok=True)
                (a.crashes / f"crash-{hashlib.sha1(data).hexdigest()[:12]}").write_bytes(data)
        crashes[key]["count"] += 1

    def finish() -> None:
        summary = {"target": a.target, "seconds": a.seconds, **stats,
                   "slowest": round(stats["slowest"], 2), "distinct_crashes": len(crashes),
                   "crashes": crashes}
        print(json.dumps(summary, indent=1), flush=True)
        os._exit(1 if crashes else 0)

    def one(data: bytes) -> None:
        if time.monotonic() > end:
            finish()
        stats["executions"] += 1
        if not data:
            return
        name = "fuzz" + EXTS[data[0] % len(EXTS)]
        t = time.monotonic()
        try:
            msg = read_bytes(data[1:], name, config)
            stats["read"] += 1
            if engine is not None:
                engine.check_message(msg, name)
        except IngestError as exc:
            cause = exc.__context__
            if cause is not None and not isinstance(cause, IngestError):
                frame = _own_frame(cause)
                if frame is not None:
                    record(type(cause).__name__, f"{Path(frame.filename).name}:{frame.lineno}", data,
                           time.monotonic() - t)
                else:
                    stats["library_errors"] += 1
        except Exception as exc:  # noqa: BLE001 - that is the crash being looked for
            frame = (traceback.extract_tb(exc.__traceback__) or [None])[-1]
            where = f"{Path(frame.filename).name}:{frame.lineno}" if frame else "?"
            record(type(exc).__name__ + " escaped", where, data, time.monotonic() - t)
        took = time.monotonic() - t
        stats["slowest"] = max(stats["slowest"], took)
        if took > a.slow:
            record("slow input", f"{took:.0f} s", data, took)

    atheris.Setup([sys.argv[0], *rest, str(corpus), "-max_len=200000", "-rss_limit_mb=4096"], one)
    atheris.Fuzz()
    finish()
    return 0


if __name__ == "__main__":
    sys.exit(main())
