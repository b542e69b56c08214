"""sklint fix, per format, on real files built here (email package, python-docx, openpyxl), with
the real pipeline. No mocks."""
from __future__ import annotations

import email
import io
import os
import shutil
import subprocess
from email import policy
from email.message import EmailMessage
from pathlib import Path

import docx
import openpyxl
import pytest
from click.testing import CliRunner

from sklint.cli import main
from sklint.fix.formats import CsvDoc, DocxDoc, HtmlDoc, load
from sklint.fix.generalise import band, generalise, options_from, parse_date
from sklint.fix.people import People, parse_form
from sklint.fix.safety import safe_filename, safe_relpath

KEY = "test-register-key-0123456789abcdef"
ENV = {"SKLINT_REGISTER_KEY": KEY, "SKLINT_REVEAL_PASSPHRASE": ""}

REFERRAL = (
    "Referral for Kayden Brooks, aged 13, date of birth 3/4/2011.\n"
    "Address: 27 Fellside Road, Sedbergh LA9 4DH. NHS number 484 019 1611.\n"
    "Her mother Leanne Brooks is on 07700 900987.\n"
    "Kayden said he is scared to go home. Our reference is SK/FAM/0417.\n"
)


def run(args, env=ENV):
    r = CliRunner().invoke(main, args, env=env)
    return r


def fix_dir(tmp_path: Path, files: dict[str, bytes], *extra) -> tuple[Path, object]:
    src = tmp_path / "in"
    src.mkdir(exist_ok=True)
    for name, data in files.items():
        (src / name).write_bytes(data)
    out = tmp_path / "out"
    r = run(["fix", str(src), "--output", str(out), "--register", str(tmp_path / "reg.sqlite"), *extra])
    return out, r


def _assert_clean(text: str) -> None:
    for s in ("Kayden", "Brooks", "3/4/2011", "Fellside", "LA9 4DH", "484 019 1611", "07700 900987",
              "SK/FAM/0417"):
        assert s not in text, s


# -- plain formats ------------------------------------------------------------------------------

def test_txt(tmp_path):
    out, r = fix_dir(tmp_path, {"referral.txt": REFERRAL.encode()})
    assert r.exit_code == 0, r.output
    text = (out / "referral.txt").read_text()
    _assert_clean(text)
    assert "SKC-" in text and "[phone removed]" in text and "[NHS number removed]" in text
    assert "LA9" in text  # the outward code stays
    assert "scared to go home" in text  # everything else kept
    # one person, one code: "Kayden Brooks" and "Kayden" share it
    lines = text.splitlines()
    code = lines[0].split("Referral for ")[1].split(",")[0]
    assert lines[3].startswith(code + " said")
    # names never in the report
    assert "Kayden" not in r.output and "Brooks" not in r.output


def test_md_keeps_markup(tmp_path):
    md = "# Case study\n\n**Kayden Brooks** (aged 13) joined in May.\n\n- Kayden's mum rang 07700 900987\n"
    out, r = fix_dir(tmp_path, {"story.md": md.encode()})
    assert r.exit_code == 0, r.output
    text = (out / "story.md").read_text()
    assert text.startswith("# Case study\n\n**SKC-")
    assert "'s mum rang [phone removed]" in text
    _assert_clean(text)


def test_html_keeps_tags_and_entities(tmp_path):
    page = ("<html><head><title>Thank you</title><style>p{color:red}</style></head><body>"
            "<p>Thank you to <b>Kayden</b> <i>Brooks</i>, aged 13, from Kendal &amp; district.</p>"
            "<p>Call Leanne Brooks on 07700&nbsp;900987.</p></body></html>")
    out, r = fix_dir(tmp_path, {"blog.html": page.encode()})
    assert r.exit_code == 0, r.output
    html = (out / "blog.html").read_text()
    assert "<style>p{color:red}</style>" in html and "&amp; district" in html
    assert "<b>SKC-" in html and "<i></i>" in html  # replacement across the <b>/<i> nodes
    _assert_clean(html)


def test_csv_cells(tmp_path):
    data = ('Name,DOB,Postcode,Phone,Notes\r\n'
            'Kayden Brooks,2011-04-03,LA9 4DH,07700 900987,"Epilepsy, needs meds"\r\n'
            '"Leanne Brooks",,LA9 4DH,07700 900123,parent\r\n')
    out, r = fix_dir(tmp_path, {"list.csv": data.encode()})
    assert r.exit_code == 0, r.output
    text = (out / "list.csv").read_text()
    import csv
    rows = list(csv.reader(io.StringIO(text)))
    assert [len(row) for row in rows] == [5, 5, 5]  # no value moved to another column
    assert rows[1][0].startswith("SKC-") and rows[1][2] == "LA9" and rows[1][4] == "Epilepsy, needs meds"
    assert rows[1][3] == "[phone removed]"
    _assert_clean(text)


def test_csv_escape_unit():
    doc = CsvDoc(b'a,"b ""x"" c",d\n')
    g = doc.groups[0]
    s = g.text.index("x")
    assert g.replace(s, s + 1, 'say "hi", ok')
    assert doc.to_bytes() == b'a,"b ""say ""hi"", ok"" c",d\n'


def test_xlsx_cells(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Members"
    ws.append(["Name", "Age", "Phone", "Notes"])
    ws.append(["Kayden Brooks", 13, "07700 900987", "Lives at 27 Fellside Road, Kendal"])
    ws["A2"].font = openpyxl.styles.Font(bold=True)
    buf = io.BytesIO()
    wb.save(buf)
    out, r = fix_dir(tmp_path, {"members.xlsx": buf.getvalue()})
    assert r.exit_code == 0, r.output
    wb2 = openpyxl.load_workbook(out / "members.xlsx")
    ws2 = wb2["Members"]
    assert ws2["A2"].value.startswith("SKC-") and ws2["A2"].font.bold
    assert ws2["C2"].value == "[phone removed]"
    assert ws2["A1"].value == "Name"


# -- docx -----------------------------------------------------------------------------------------

def make_docx() -> bytes:
    d = docx.Document()
    d.sections[0].header.paragraphs[0].text = "Referral: Kayden Brooks"
    d.sections[0].footer.paragraphs[0].text = "Call 07700 900987"
    p = d.add_paragraph()
    p.add_run("Referral for ")
    r1 = p.add_run("Kay")
    r1.bold = True
    r2 = p.add_run("den Bro")
    r2.italic = True
    p.add_run("oks, aged 13, date of birth 3/4/2011.")
    d.add_paragraph("His mother Leanne Brooks is on 07700 900987. Kayden is scared to go home.")
    t = d.add_table(rows=2, cols=3)
    for c, v in zip(t.rows[0].cells, ("Name", "NHS number", "Postcode")):
        c.text = v
    for c, v in zip(t.rows[1].cells, ("Kayden Brooks", "484 019 1611", "LA9 4DH")):
        c.text = v
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _docx_text(data: bytes) -> str:
    d = docx.Document(io.BytesIO(data))
    parts = [p.text for p in d.paragraphs]
    for t in d.tables:
        for row in t.rows:
            parts += [c.text for c in row.cells]
    for s in d.sections:
        parts += [p.text for p in s.header.paragraphs] + [p.text for p in s.footer.paragraphs]
    return "\n".join(parts)


def test_docx_runs_tables_headers_footers(tmp_path):
    out, r = fix_dir(tmp_path, {"referral.docx": make_docx()})
    assert r.exit_code == 0, r.output
    data = (out / "referral.docx").read_bytes()
    d = docx.Document(io.BytesIO(data))  # opens with python-docx
    text = _docx_text(data)
    _assert_clean(text)
    first = d.paragraphs[0]
    # the code went into the first run the name touched, which keeps its bold; the rest of the
    # name was removed from the other runs, whose formatting is unchanged
    assert first.runs[1].bold and first.runs[1].text.startswith("SKC-")
    assert first.runs[2].italic and first.runs[2].text == ""
    assert first.runs[3].text.startswith(", [secondary school age]")
    assert "scared to go home" in text
    assert d.tables[0].rows[1].cells[1].text == "[NHS number removed]"
    assert d.sections[0].header.paragraphs[0].text.startswith("Referral: SKC-")
    assert d.sections[0].footer.paragraphs[0].text == "Call [phone removed]"


def test_docx_converts_to_pdf(tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed here: apt-get install libreoffice-writer-nogui")
    out, r = fix_dir(tmp_path, {"referral.docx": make_docx()})
    assert r.exit_code == 0, r.output
    pdf_dir = tmp_path / "pdf"
    env = dict(os.environ, HOME=str(tmp_path))  # a private LibreOffice profile
    proc = subprocess.run([soffice, "--headless", "--norestore", "--convert-to", "pdf", "--outdir",
                           str(pdf_dir), str(out / "referral.docx")], capture_output=True, timeout=180, env=env)
    pdf = pdf_dir / "referral.pdf"
    assert pdf.is_file(), proc.stderr.decode(errors="replace")
    assert pdf.read_bytes().startswith(b"%PDF")


# -- eml ---------------------------------------------------------------------------------------------

def make_eml(att_name: str = "referral.docx") -> bytes:
    m = EmailMessage()
    m["From"] = "dsl@siblingkinship.org.uk"
    m["To"] = "duty@council.gov.uk"
    m["Subject"] = "Referral – Kayden Brooks DOB 3/4/2011"
    plain = "Dear team,\n\n" + REFERRAL + "\nRegards,\nDSL\n"
    m.set_content(plain)
    m.add_alternative("<html><body><p>Dear team,</p><p>" + REFERRAL.replace("\n", "<br>") +
                      "</p></body></html>", subtype="html")
    m.add_attachment(make_docx(), maintype="application",
                     subtype="vnd.openxmlformats-officedocument.wordprocessingml.document", filename=att_name)
    m.add_attachment("Kayden Brooks, 07700 900987\n".encode(), maintype="text", subtype="plain",
                     filename="notes.txt")
    return bytes(m)


def test_eml_subject_bodies_attachments(tmp_path):
    out, r = fix_dir(tmp_path, {"referral.eml": make_eml()})
    assert r.exit_code == 0, r.output
    msg = email.message_from_bytes((out / "referral.eml").read_bytes(), policy=policy.default)
    subject = str(msg["subject"])
    assert "Kayden" not in subject and "SKC-" in subject
    code = "SKC-" + subject.split("SKC-")[1][:3]
    plain = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    _assert_clean(plain)
    _assert_clean(html)
    assert code in plain and code in html  # the alternatives agree
    atts = list(msg.iter_attachments())
    assert [a.get_filename() for a in atts] == ["referral.docx", "notes.txt"]
    d = docx.Document(io.BytesIO(atts[0].get_content()))
    _assert_clean("\n".join(p.text for p in d.paragraphs))
    assert code in atts[1].get_content()


def test_eml_unsafe_attachment_names(tmp_path):
    for bad in ("../../etc/evil.docx", "/abs/path/x.docx", "CON.docx", "C:\\Windows\\nul.docx"):
        name = safe_filename(bad)
        assert "/" not in name and "\\" not in name and not name.startswith(".")
        assert name.split(".")[0].upper() not in ("CON", "NUL")
    out, r = fix_dir(tmp_path, {"evil.eml": make_eml("../../../../tmp/evil-Kayden Brooks.docx")})
    assert r.exit_code == 0, r.output
    msg = email.message_from_bytes((out / "evil.eml").read_bytes(), policy=policy.default)
    names = [a.get_filename() for a in msg.iter_attachments()]
    assert all("/" not in n and ".." not in n for n in names)
    assert not any("Kayden" in n for n in names)
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert all(w.startswith(("in/", "out/", "reg.sqlite")) for w in written), written


def test_safe_relpath():
    assert str(safe_relpath("../a/./b/NUL.txt")) == "a/b/_NUL.txt"
    with pytest.raises(Exception):
        safe_relpath("../..")


# -- behaviour ---------------------------------------------------------------------------------------

def test_same_child_same_code_across_documents(tmp_path):
    a = "Report one: Kayden Brooks attended 12 sessions.\n"
    b = "Report two: we worked with Kayden Brooks and Mia Khan this term.\n"
    out, r = fix_dir(tmp_path, {"a.txt": a.encode(), "b.txt": b.encode()})
    assert r.exit_code == 0, r.output
    ca = (out / "a.txt").read_text().split(": ")[1].split(" ")[0]
    tb = (out / "b.txt").read_text()
    assert ca.startswith("SKC-") and f"with {ca} and SKC-" in tb
    # a later run, another document: the register gives the same code again
    (tmp_path / "in2").mkdir()
    (tmp_path / "in2" / "c.txt").write_text("Kayden Brooks moved on.\n")
    r = run(["fix", str(tmp_path / "in2"), "--output", str(tmp_path / "out2"), "--register",
             str(tmp_path / "reg.sqlite")])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "out2" / "c.txt").read_text().startswith(ca + " moved on")


def test_second_fix_is_no_op(tmp_path):
    files = {"r.txt": REFERRAL.encode(), "r.docx": make_docx(), "r.eml": make_eml()}
    out, r = fix_dir(tmp_path, files)
    assert r.exit_code == 0, r.output
    r2 = run(["fix", str(out), "--output", str(tmp_path / "again"), "--register", str(tmp_path / "reg.sqlite")])
    assert r2.exit_code == 0, r2.output
    for name in files:
        assert (tmp_path / "again" / name).read_bytes() == (out / name).read_bytes(), name


def test_new_codes_after_codes_in_documents(tmp_path):
    files = {"a.txt": b"SKC-031 joined in May.\n", "b.txt": b"Kayden Brooks joined too.\n"}
    out, r = fix_dir(tmp_path, files)
    assert r.exit_code == 0, r.output
    assert (out / "a.txt").read_bytes() == files["a.txt"]  # an existing code is never re-coded
    assert (out / "b.txt").read_text().startswith("SKC-032 joined")


def test_first_name_alone_not_merged(tmp_path):
    files = {"a.txt": b"Tom Hughes came to the group.\nTom enjoyed it.\n",
             "b.txt": b"Tom said he enjoyed the trip to the coast with his sister.\n"}
    out, r = fix_dir(tmp_path, files)
    assert r.exit_code == 0, r.output
    ta, tb = (out / "a.txt").read_text(), (out / "b.txt").read_text()
    ca = ta.split(" ")[0]
    assert ta.splitlines()[1].startswith(ca + " enjoyed")  # "Tom" joins "Tom Hughes" in its document
    if "Tom" not in tb:  # the detectors reported the bare "Tom": it has a code of its own
        assert not tb.startswith(ca)
        assert "review:" in r.output


def test_unsupported_format_exit_2_others_processed(tmp_path):
    from tests.conftest import make_pdf
    out, r = fix_dir(tmp_path, {"a.pdf": make_pdf([["Kayden Brooks"]]), "b.txt": REFERRAL.encode()})
    assert r.exit_code == 2
    assert "cannot be fixed" in r.output and ".pdf" in r.output
    assert (out / "b.txt").is_file() and not (out / "a.pdf").exists()


def test_diff_writes_nothing(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "r.txt").write_text(REFERRAL)
    before = sorted(tmp_path.rglob("*"))
    r = run(["fix", str(src), "--diff", "--register", str(tmp_path / "reg.sqlite")])
    assert r.exit_code == 0, r.output
    assert "-Referral for Kayden Brooks" in r.output and "+Referral for SKC-" in r.output
    assert sorted(tmp_path.rglob("*")) == before


def test_in_place_with_backup(tmp_path):
    src = tmp_path / "site"
    src.mkdir()
    (src / "r.txt").write_text(REFERRAL)
    r = run(["fix", str(src), "--in-place", "--backup", str(src / "bak"), "--register", str(tmp_path / "reg.sqlite")])
    assert r.exit_code == 2 and "inside" in r.output
    assert (src / "r.txt").read_text() == REFERRAL
    r = run(["fix", str(src), "--in-place", "--register", str(tmp_path / "reg.sqlite")])
    assert r.exit_code == 2
    r = run(["fix", str(src), "--in-place", "--backup", str(tmp_path / "bak"), "--register", str(tmp_path / "reg.sqlite")])
    assert r.exit_code == 0, r.output
    _assert_clean((src / "r.txt").read_text())
    assert (tmp_path / "bak" / "r.txt").read_text() == REFERRAL
    assert oct((tmp_path / "bak" / "r.txt").stat().st_mode & 0o777) == "0o600"


def test_first_fix_makes_its_own_register_and_key_and_says_where(tmp_path):
    """Issue 17: no register, no key, no ceremony: the first run creates both in the user's data
    folder (the key readable by the user only), a second run gives the same codes, and
    --no-register writes nothing there."""
    import os
    import stat
    import subprocess
    import sys
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if k not in ("SKLINT_REGISTER_KEY",)}
    env.update({"SKLINT_DATA_DIR": str(data), "SKLINT_REVEAL_PASSPHRASE": ""})
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "r.txt").write_text(REFERRAL)

    def fix(*args):
        return subprocess.run([sys.executable, "-m", "sklint", "fix", *args], capture_output=True,
                              text=True, env=env, cwd=tmp_path, timeout=300)

    r = fix(str(tmp_path / "a"), "--output", str(tmp_path / "o1"))
    assert r.returncode == 0, r.stdout + r.stderr
    key, register = data / "register.key", data / "register.sqlite"
    assert key.is_file() and register.is_file()
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and stat.S_IMODE(register.stat().st_mode) == 0o600
    assert str(key) in r.stderr and str(register) in r.stderr
    first = (tmp_path / "o1" / "r.txt").read_text()
    r = fix(str(tmp_path / "a"), "--output", str(tmp_path / "o2"))
    assert r.returncode == 0 and (tmp_path / "o2" / "r.txt").read_text() == first
    assert "created" not in r.stderr
    before = sorted(p.name for p in data.iterdir())
    r = fix(str(tmp_path / "a"), "--output", str(tmp_path / "o3"), "--no-register")
    assert r.returncode == 0 and "SKC-" in (tmp_path / "o3" / "r.txt").read_text()
    assert sorted(p.name for p in data.iterdir()) == before
    # a register somewhere else with no key given and none in the data folder: a clear error
    key.unlink()
    r = fix(str(tmp_path / "a"), "--output", str(tmp_path / "o4"), "--register", str(register))
    assert r.returncode == 2 and "key" in r.stderr and "Traceback" not in r.stderr


def test_generalise_categories(tmp_path):
    text = "Kayden Brooks has a diagnosis of ADHD and takes methylphenidate.\n"
    out, r = fix_dir(tmp_path, {"c.txt": text.encode()}, "--generalise-categories")
    assert r.exit_code == 0, r.output
    fixed = (out / "c.txt").read_text()
    if "methylphenidate" not in fixed:
        assert "[has a health condition]" in fixed


# -- units ---------------------------------------------------------------------------------------------

def test_generalisers():
    import datetime as dt
    opts = options_from({})
    today = dt.date(2025, 6, 1)
    assert generalise("DATE_OF_BIRTH", "3/4/2011", opts, today) == "[secondary school age]"
    assert generalise("DATE_OF_BIRTH", "3rd April 2013", options_from({"date-of-birth": "year"}), today) == "[born 2013]"
    assert generalise("DATE_OF_BIRTH", "14.09.2012", options_from({"date-of-birth": "remove"}), today) == "[date of birth removed]"
    assert generalise("AGE", "six-year-old", opts) == "[primary school age]"
    assert generalise("AGE", "aged 42", opts) == "[in their 40s]"
    assert generalise("AGE", "17-year-old", opts) == "[sixth-form age]"
    assert generalise("POSTCODE", "LA9 4DH", opts) == "LA9"
    assert generalise("POSTCODE", "LA9 4DH", options_from({"postcode": "remove"})) == "[postcode removed]"
    assert generalise("POSTAL_ADDRESS", "27 Fellside Road, Kendal, Cumbria", options_from({"postal-address": "town"})) == "Kendal Cumbria"
    assert generalise("POSTAL_ADDRESS", "27 Fellside Road, Kendal", opts) == "[address removed]"
    assert generalise("NI_NUMBER", "JK 48 27 16 B", opts) == "[NI number removed]"
    assert parse_date("2014-06-21").year == 2014 and parse_date("2 May 1996").month == 5
    assert band(13) == "secondary school age" and band(40) == "in their 40s"
    with pytest.raises(Exception):
        options_from({"age": "exact"})


def test_people_forms():
    from sklint.fix.register import Register
    reg = Register.open(None, KEY.encode())
    p = People("doc.txt")
    p.build(["Tom Hughes", "Tom", "Mr Hughes", "T. Hughes", "Tom's", "Amy", "Kayden Brooks",
             "Leanne Brooks", "Mrs Brooks"])
    p.assign(reg, KEY.encode(), 0)
    c = p.code_for("Tom Hughes")
    assert p.code_for("Tom") == p.code_for("Mr Hughes") == p.code_for("T. Hughes") == p.code_for("Tom's") == c
    assert p.code_for("Amy") not in (None, c)
    # "Mrs Brooks" could be either Brooks: a code of its own, listed for review
    assert p.code_for("Mrs Brooks") not in (p.code_for("Kayden Brooks"), p.code_for("Leanne Brooks"))
    assert parse_form("the Nowak family").tokens == ("Nowak",)


def test_html_unit_offsets():
    doc = HtmlDoc(b"<p>A &amp; <b>Bo</b>b</p><p>x</p>")
    g = doc.groups[0]
    s = g.text.index("Bob")
    assert g.replace(s, s + 3, "SKC-001")
    assert doc.to_bytes() == b"<p>A &amp; <b>SKC-001</b></p><p>x</p>"


def test_load_unsupported():
    from sklint.fix.formats import Unfixable
    with pytest.raises(Unfixable, match="cannot be fixed"):
        load(b"%PDF-1.4", "x.pdf")
    assert isinstance(load(make_docx(), "a.docx"), DocxDoc)


def _cli(args):
    import os
    import subprocess
    import sys
    return subprocess.run([sys.executable, "-m", "sklint", *args], capture_output=True, text=True,
                          env={**os.environ, **ENV}, timeout=300)


def test_fix_carries_on_past_a_missing_path(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "note.txt").write_text("Please ring Tobiah Quennell's gran about Saturday.\n", encoding="utf-8")
    r = _cli(["fix", str(tmp_path / "nope.txt"), str(src), "--output", str(tmp_path / "out"),
              "--register", str(tmp_path / "reg.sqlite")])
    assert r.returncode == 2, r.stdout + r.stderr
    assert "nope.txt: no such file or folder" in r.stderr and "Traceback" not in r.stderr
    fixed = (tmp_path / "out" / "note.txt").read_text(encoding="utf-8")
    assert "Quennell" not in fixed and "SKC-" in fixed
    (tmp_path / "empty").mkdir()
    r = _cli(["fix", str(tmp_path / "empty"), "--output", str(tmp_path / "out2"),
              "--register", str(tmp_path / "reg.sqlite")])
    assert r.returncode == 2 and "no files to fix" in r.stderr


def test_an_attachment_fix_cannot_rewrite_is_left_out_and_the_rest_is_fixed(tmp_path):
    """Issue 17: an .ics invite naming a child no longer stops the whole message."""
    import email
    from email import policy
    from email.message import EmailMessage
    m = EmailMessage()
    m["From"], m["To"] = "Jo Bell <jo@riverbend.org.uk>", "Sam Hale <sam@eastshire.gov.uk>"
    m["Subject"], m["Date"] = "Review", "Mon, 07 Dec 2026 09:00:00 +0000"
    m.set_content("Hello,\n\nTobiah Quennell's review is on Friday; the invite is attached.\n")
    ics = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nSUMMARY:Review for Tobiah Quennell\r\n"
           "DTSTART:20261211T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    m.add_attachment(ics.encode(), maintype="text", subtype="calendar", filename="invite.ics")
    src = tmp_path / "in"
    src.mkdir()
    (src / "review.eml").write_bytes(bytes(m))
    r = _cli(["fix", str(src), "--output", str(tmp_path / "out"), "--register", str(tmp_path / "reg.sqlite")])
    assert r.returncode == 0, r.stdout + r.stderr
    assert "invite.ics: left out" in r.stdout and ".ics files cannot be fixed" in r.stdout
    out = (tmp_path / "out" / "review.eml").read_bytes()
    assert b"Quennell" not in out
    fixed = email.message_from_bytes(out, policy=policy.default)
    assert "SKC-" in fixed.get_body().get_content()
    atts = list(fixed.iter_attachments())
    assert [a.get_filename() for a in atts] == ["invite.ics.removed.txt"]
    assert "removed by sklint fix" in atts[0].get_content()
