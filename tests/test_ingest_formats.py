"""Each format read from a real file built in the test (email package, python-docx, openpyxl,
python-pptx, odfpy, a hand-written PDF, RTF, zip)."""
from __future__ import annotations

import io
import zipfile
from email.message import EmailMessage
from email.headerregistry import Address as HAddress

import docx
import openpyxl
import pytest

from conftest import make_pdf
from sklint.ingest import IngestError, read_bytes, read_path

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def make_docx(paragraphs=("Referral for Amira Hussain",), table=None, header=None, footer=None,
              comment=None) -> bytes:
    d = docx.Document()
    for p in paragraphs:
        para = d.add_paragraph(p)
    if table:
        t = d.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, val in enumerate(row):
                t.cell(r, c).text = val
    if header:
        d.sections[0].header.paragraphs[0].text = header
    if footer:
        d.sections[0].footer.paragraphs[0].text = footer
    if comment:
        d.add_comment(para.runs, text=comment, author="HA")
    b = io.BytesIO()
    d.save(b)
    return b.getvalue()


def make_xlsx(rows) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Attendance"
    for r in rows:
        ws.append(r)
    b = io.BytesIO()
    wb.save(b)
    return b.getvalue()


def make_email(body="Hi Sam,\n\nSee attached.\n\nHelen", subject="Referral", html=None,
               attachments=()) -> EmailMessage:
    m = EmailMessage()
    m["From"] = HAddress("Helen Ashworth", addr_spec="Helen.Ashworth@SiblingKinship.org.uk")
    m["To"] = "Sam <sam@example.org>, jo@example.org"
    m["Cc"] = "Kiran Patel <k.patel@school.example.uk>"
    m["Bcc"] = "hidden@example.org"
    m["Subject"] = subject
    m["Date"] = "Tue, 18 Mar 2025 08:55:40 +0000"
    m["In-Reply-To"] = "<abc@example.org>"
    m["List-Id"] = "Parents <parents.example.org>"
    m["X-Mailer"] = "Thunderbird"
    m.set_content(body)
    if html is not None:
        m.add_alternative(html, subtype="html")
    for name, data, maintype, subtype in attachments:
        if isinstance(data, EmailMessage):
            m.add_attachment(data, filename=name)
        else:
            m.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return m


# -- email -------------------------------------------------------------------------------------

def test_eml_subject_addresses_headers(config):
    m = make_email(subject="Ellie Carter – new referral (Zoë)")
    raw = m.as_bytes()
    assert b"=?utf-8?" in raw  # RFC 2047 encoded on the wire
    msg = read_bytes(raw, "draft.eml", config)
    assert msg.kind == "email" and msg.is_email
    assert msg.subject == "Ellie Carter – new referral (Zoë)"
    assert msg.part("subject").kind == "subject"
    assert msg.sender.email == "helen.ashworth@siblingkinship.org.uk"
    assert msg.sender.name == "Helen Ashworth"
    assert [a.email for a in msg.to] == ["sam@example.org", "jo@example.org"]
    assert [a.email for a in msg.cc] == ["k.patel@school.example.uk"]
    assert [a.email for a in msg.bcc] == ["hidden@example.org"]
    assert msg.header("in-reply-to") == "<abc@example.org>"
    assert msg.header("list-id") == "Parents <parents.example.org>"
    assert msg.header("x-mailer") == "Thunderbird"
    assert msg.header("subject") == msg.subject
    assert all(k == k.lower() for k, _ in msg.headers)
    assert "See attached." in msg.part("body").text


def test_eml_alternative_uses_plain(config):
    m = make_email(body="Plain: Mia Johnson aged 9\n", html="<p>HTML: <b>Mia</b> Johnson aged 9</p>")
    body = read_bytes(m.as_bytes(), "a.eml", config).part("body")
    assert "Plain: Mia Johnson aged 9" in body.text and "HTML" not in body.text
    assert body.media == "text/plain"


def test_eml_html_only_visible_text(config):
    m = EmailMessage()
    m["Subject"] = "News"
    m["From"] = "news@example.org"
    m.set_content("<html><head><style>p{color:red}</style><script>var x='secret';</script></head>"
                  "<body><h1>Thanks</h1><p>In June, <strong>&#321;ukasz Nowak</strong> &amp; "
                  "<em>Ania</em> ran.</p><div>Kacper, now aged 4</div></body></html>", subtype="html")
    body = read_bytes(m.as_bytes(), "n.eml", config).part("body")
    assert body.media == "text/html"
    assert "Łukasz Nowak & Ania ran." in body.text
    assert "secret" not in body.text and "color" not in body.text
    assert "Thanks\n" in body.text and "\nKacper, now aged 4" in body.text


def test_eml_quoted_history_marked(config):
    text = ("Thanks Kiran, we will refer today.\n\nClaire\n\n"
            "On Thu, 5 Jun 2025 at 09:12, Kiran Patel <k@example.uk> wrote:\n"
            "> Mia's attendance has dropped.\n>> I visited Mia Johnson (aged 9).\n")
    body = read_bytes(make_email(body=text).as_bytes(), "r.eml", config).part("body")
    start = body.text.index("Mia Johnson")
    assert body.is_quoted(start, start + len("Mia Johnson"))
    assert not body.is_quoted(0, 6)
    outlook = "Fine by me.\n\n-----Original Message-----\nFrom: A\nSent: today\nTom Hughes aged 12\n"
    body = read_bytes(make_email(body=outlook).as_bytes(), "o.eml", config).part("body")
    s = body.text.index("Tom Hughes")
    assert body.is_quoted(s, s + 10) and not body.is_quoted(0, 4)
    fwd = "FYI\n\n---------- Forwarded message ---------\nFrom: Ruth <r@gmail.com>\nDOB 3rd April 2013\n"
    body = read_bytes(make_email(body=fwd).as_bytes(), "f.eml", config).part("body")
    s = body.text.index("3rd April 2013")
    assert body.is_quoted(s, s + 14)
    lone = "Just a line starting\n> quoted line with 07700 900123\nback to normal\n"
    body = read_bytes(make_email(body=lone).as_bytes(), "q.eml", config).part("body")
    s = body.text.index("07700")
    e = body.text.index("back")
    assert body.is_quoted(s, s + 5) and not body.is_quoted(e, e + 4)


def test_eml_attachments_recursive_and_named(config):
    inner = make_email(body="Inner body about Finley", subject="Inner subject",
                       attachments=[("notes.txt", b"Finley has epilepsy", "text", "plain")])
    m = make_email(attachments=[
        ("referral.docx", make_docx(table=[["Name", "DOB"], ["Amira Hussain", "14.09.2012"]]),
         "application", "vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("list.csv", b"Name,Age\nTom,12\n", "text", "csv"),
        ("list.csv", b"Name,Age\nJess,11\n", "text", "csv"),
        ("fwd.eml", inner, None, None),
        ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image", "png"),
    ])
    msg = read_bytes(m.as_bytes(), "out.eml", config)
    ids = [p.id for p in msg.parts]
    assert ids[:2] == ["subject", "body"]
    assert "attachment:referral.docx" in ids
    assert "attachment:list.csv" in ids and "attachment:list.csv#2" in ids
    assert "attachment:fwd.eml" in ids and "attachment:fwd.eml/notes.txt" in ids
    docx_part = msg.part("attachment:referral.docx")
    assert docx_part.filename == "referral.docx" and docx_part.kind == "attachment"
    assert "Amira Hussain" in docx_part.text
    assert "Tom,12" in msg.part("attachment:list.csv").text
    assert "Jess,11" in msg.part("attachment:list.csv#2").text
    assert "Inner body about Finley" in msg.part("attachment:fwd.eml").text
    assert "Inner subject" in msg.part("attachment:fwd.eml").text
    assert msg.part("attachment:fwd.eml/notes.txt").text == "Finley has epilepsy"
    atts = {a.part_id: a for a in msg.attachments}
    assert set(atts) >= {"attachment:referral.docx", "attachment:list.csv", "attachment:list.csv#2",
                         "attachment:fwd.eml", "attachment:fwd.eml/notes.txt", "attachment:photo.png"}
    assert atts["attachment:referral.docx"].content_type == DOCX_MIME
    assert atts["attachment:referral.docx"].size > 1000 and atts["attachment:referral.docx"].inspected
    assert not atts["attachment:photo.png"].inspected
    assert any(n.part == "attachment:photo.png" and n.code == "not-inspected" and "image" in n.message
               for n in msg.notes)


def test_msg_attachment_inside_eml(config):
    from pathlib import Path
    sample = Path("/work/shared/samples/outlook-msg/strangeDate.msg")
    if not sample.exists():
        pytest.skip("sample missing")
    m = make_email(attachments=[("old.msg", sample.read_bytes(), "application", "vnd.ms-outlook")])
    msg = read_bytes(m.as_bytes(), "x.eml", config)
    assert "John Doe" in msg.part("attachment:old.msg").text


# -- plain text and encodings --------------------------------------------------------------------

def test_txt_and_md_verbatim(config):
    text = "# Minutes\r\n\r\nTom, 12, Craven Arms said *thanks*.\n\tIndented £5 – done\n"
    for name in ("notes.txt", "notes.md"):
        msg = read_bytes(text.encode("utf-8"), name, config)
        assert msg.kind == "text"
        assert [p.id for p in msg.parts] == ["body"]
        assert msg.part("body").text == text


@pytest.mark.parametrize("encoding,bom", [
    ("utf-8", b"\xef\xbb\xbf"), ("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"),
    ("utf-16-le", b""), ("utf-16-be", b"")])
def test_text_boms_and_utf16(config, encoding, bom):
    text = "Zoë Hartley, DOB 3/4/2011 – Łódź\n"
    msg = read_bytes(bom + text.encode(encoding), "a.txt", config)
    assert msg.part("body").text == text


def test_cp1252_fallback_without_loss(config):
    data = "Siobhán paid £20 – thanks".encode("cp1252") + b" \x81\x8d end"
    text = read_bytes(data, "a.txt", config).part("body").text
    assert text == "Siobhán paid £20 – thanks \x81\x8d end"
    mixed = "Zoë ".encode("utf-8") + "Siân".encode("cp1252")
    assert read_bytes(mixed, "m.txt", config).part("body").text == "Zoë Siân"


# -- HTML, CSV -------------------------------------------------------------------------------------

def test_html_visible_text_and_source_positions(config):
    src = ("<!DOCTYPE html>\n<html><head><title>Blog</title>\n<style>.x{}</style>\n"
           "<script>alert('no')</script></head>\n<body>\n<h1>Thank you</h1>\n"
           "<p>We thank <b>Mark</b> and Lisa&nbsp;Whitfield &amp; Poppy,\n   now seven years old.</p>\n"
           "<!-- Hidden comment Ted -->\n<table><tr><th>Name</th><th>Age</th></tr>"
           "<tr><td>Harry</td><td>9</td></tr></table>\n</body></html>\n")
    msg = read_bytes(src.encode(), "blog.html", config)
    assert msg.kind == "web-page"
    part = msg.part("body")
    t = part.text
    assert "alert" not in t and ".x{}" not in t and "Ted" not in t
    assert "We thank Mark and Lisa\u00a0Whitfield & Poppy," in t
    assert "Blog" in t
    lines = src.splitlines()
    for needle in ("Mark", "Whitfield", "Poppy", "now seven", "Harry"):
        line, col = part.line_col(t.index(needle))
        assert lines[line - 1][col - 1:].startswith(needle), needle
    s = t.index("Harry")
    assert (s, s + 5, "Name") in part.table_headers
    s9 = t.index("9", s)
    assert (s9, s9 + 1, "Age") in part.table_headers


def test_csv_verbatim_with_headers(config):
    src = ('Name,DOB,Notes\r\nAva Thompson,2014-06-21,"Asthma, inhaler"\r\n'
           '"Bell, Harrison",2013-11-02,"said ""hi""\non two lines"\r\n')
    msg = read_bytes(src.encode(), "list.csv", config)
    assert msg.kind == "spreadsheet"
    part = msg.part("body")
    assert part.text == src
    heads = {part.text[s:e]: h for s, e, h in part.table_headers}
    assert heads["2014-06-21"] == "DOB"
    assert heads["Ava Thompson"] == "Name"
    assert heads["Bell, Harrison"] == "Name"
    assert heads["Asthma, inhaler"] == "Notes"
    assert heads["2013-11-02"] == "DOB"
    semi = read_bytes(b"Name;Age\nTom;12\n", "s.csv", config).part("body")
    assert {semi.text[s:e]: h for s, e, h in semi.table_headers} == {"Tom": "Name", "12": "Age"}


# -- Office, ODF, RTF, PDF ------------------------------------------------------------------------

def test_docx_paragraphs_tables_headers_footers_comments(config):
    data = make_docx(paragraphs=("Referral form", "Amira is 12 years old."),
                     table=[["Name", "DOB", "Age"], ["Amira Hussain", "14.09.2012", "12"]],
                     header="Confidential header Yusuf", footer="Ref SK/FAM/0452",
                     comment="Check with Samira Hussain")
    msg = read_bytes(data, "referral.docx", config)
    assert msg.kind == "document"
    part = msg.part("body")
    t = part.text
    for s in ("Referral form", "Amira is 12 years old.", "Amira Hussain", "14.09.2012",
              "Confidential header Yusuf", "Ref SK/FAM/0452", "Check with Samira Hussain"):
        assert s in t.split("\n"), s
    s = t.index("14.09.2012")
    assert (s, s + 10, "DOB") in part.table_headers
    s = t.index("\n12\n") + 1
    assert (s, s + 2, "Age") in part.table_headers
    assert (s, s + 2) in part.blocks
    assert part.media == "docx"


def test_docx_key_value_table_has_row_label(config):
    data = make_docx(paragraphs=("Form",), table=[["Field", "Details"], ["Date of birth", "3/4/2011"]])
    part = read_bytes(data, "form.docx", config).part("body")
    s = part.text.index("3/4/2011")
    heads = {h for a, b, h in part.table_headers if (a, b) == (s, s + 8)}
    assert heads == {"Details", "Date of birth"}


def test_xlsx_rows_and_headers(config):
    import datetime
    data = make_xlsx([["Name", "DOB", "Postcode"], ["Ava Thompson", datetime.date(2014, 6, 21), "LA9 5QR"],
                      ["Rhys Morgan", "2013-01-02", None], [None, None, None], ["Lucy", 11.0, "CA11 7LU"]])
    msg = read_bytes(data, "list.xlsx", config)
    assert msg.kind == "spreadsheet"
    part = msg.part("body")
    assert "Ava Thompson | 21/06/2014 | LA9 5QR" in part.text
    assert "Lucy | 11 | CA11 7LU" in part.text
    heads = {part.text[s:e]: h for s, e, h in part.table_headers}
    assert heads["21/06/2014"] == "DOB" and heads["LA9 5QR"] == "Postcode" and heads["Rhys Morgan"] == "Name"


def test_pptx_text_tables_notes(config):
    from pptx import Presentation
    from pptx.util import Inches
    prs = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[1])
    slide.shapes.title.text = "Case study: Tom"
    slide.placeholders[1].text = "Tom, 12, from Craven Arms"
    tbl = slide.shapes.add_table(2, 2, Inches(1), Inches(4), Inches(4), Inches(1)).table
    tbl.cell(0, 0).text, tbl.cell(0, 1).text = "Name", "Age"
    tbl.cell(1, 0).text, tbl.cell(1, 1).text = "Jess", "11"
    slide.notes_slide.notes_text_frame.text = "Speaker note: Jess's mum has cancer"
    b = io.BytesIO()
    prs.save(b)
    part = read_bytes(b.getvalue(), "deck.pptx", config).part("body")
    for s in ("Case study: Tom", "Tom, 12, from Craven Arms", "Jess", "Speaker note: Jess's mum has cancer"):
        assert s in part.text
    s = part.text.index("\n11") + 1
    assert (s, s + 2, "Age") in part.table_headers


def test_odt(config):
    from odf.opendocument import OpenDocumentText
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import H, P
    doc = OpenDocumentText()
    doc.text.addElement(H(outlinelevel=1, text="Minutes"))
    doc.text.addElement(P(text="Priya Shah attended."))
    t = Table(name="T")
    t.addElement(TableColumn(numbercolumnsrepeated=2))
    for row in (("Name", "DOB"), ("Priya Shah", "2 May 1996")):
        tr = TableRow()
        for v in row:
            c = TableCell()
            c.addElement(P(text=v))
            tr.addElement(c)
        t.addElement(tr)
    doc.text.addElement(t)
    b = io.BytesIO()
    doc.write(b)
    part = read_bytes(b.getvalue(), "minutes.odt", config).part("body")
    assert "Minutes\nPriya Shah attended." in part.text
    s = part.text.index("2 May 1996")
    assert (s, s + 10, "DOB") in part.table_headers


def test_rtf(config):
    rtf = (rb"{\rtf1\ansi\deff0{\fonttbl{\f0 Arial;}}\f0 Referral for Zo\'eb Hartley\par "
           rb"Mobile 07700 900123\par}")
    msg = read_bytes(rtf, "letter.rtf", config)
    assert msg.kind == "document"
    t = msg.part("body").text
    assert "Referral for Zoë Hartley" in t and "Mobile 07700 900123" in t


def test_pdf_pages(config):
    data = make_pdf([["Page one: Amira Hussain", "CA11 7LU"], ["Page two: NHS 692 174 2180"]])
    msg = read_bytes(data, "report.pdf", config)
    assert msg.kind == "document"
    part = msg.part("body")
    assert "Page one: Amira Hussain" in part.text and "Page two: NHS 692 174 2180" in part.text
    assert "\f" in part.text and len(part.blocks) == 2 and part.media == "pdf"


def test_zip_members_recursive(config):
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as z:
        z.writestr("deep/notes.txt", "Inner: Finley (14)")
    outer = io.BytesIO()
    with zipfile.ZipFile(outer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("a.txt", "Member text Tom Hughes")
        z.writestr("forms/referral.docx", make_docx(paragraphs=("Docx in zip: Amira",)))
        z.writestr("inner.zip", inner.getvalue())
        z.writestr("folder/", "")
    msg = read_bytes(outer.getvalue(), "bundle.zip", config)
    assert msg.kind == "document"
    assert msg.part("attachment:a.txt").text == "Member text Tom Hughes"
    assert "Docx in zip: Amira" in msg.part("attachment:forms/referral.docx").text
    assert msg.part("attachment:inner.zip/deep/notes.txt").text == "Inner: Finley (14)"
    # a zip attached to an email: members nested under the attachment
    m = make_email(attachments=[("bundle.zip", outer.getvalue(), "application", "zip")])
    em = read_bytes(m.as_bytes(), "e.eml", config)
    assert em.part("attachment:bundle.zip/a.txt").text == "Member text Tom Hughes"


# -- dispatch by content -----------------------------------------------------------------------

def test_extension_lies_content_wins(config):
    msg = read_bytes(make_docx(paragraphs=("Really a docx",)), "report.pdf", config)
    assert msg.kind == "document" and "Really a docx" in msg.part("body").text
    assert any(n.code == "format-mismatch" and n.part == "body" for n in msg.notes)
    msg = read_bytes(make_email(body="an email").as_bytes(), "draft.txt", config)
    assert msg.kind == "text"  # a text-family extension is trusted among text formats
    msg = read_bytes(make_email(body="an email body").as_bytes(), "draft.docx", config)
    assert msg.kind == "email" and "an email body" in msg.part("body").text
    assert any(n.code == "format-mismatch" for n in msg.notes)
    msg = read_bytes(make_xlsx([["Name"], ["Tom"]]), "list.csv", config)
    assert msg.kind == "spreadsheet" and "Tom" in msg.part("body").text
    assert any(n.code == "format-mismatch" for n in msg.notes)


def test_no_extension_sniffed(config):
    assert read_bytes(make_docx(paragraphs=("x y",)), "upload", config).kind == "document"
    assert read_bytes(make_email().as_bytes(), "upload", config).kind == "email"
    assert read_bytes(b"<!DOCTYPE html><html><body><p>Hi</p></body></html>", "upload", config).kind == "web-page"
    assert read_bytes(b"plain words", "upload", config).kind == "text"


def test_legacy_and_media_are_notes_not_errors(config):
    png = b"\x89PNG\r\n\x1a\n" + bytes(100)
    msg = read_bytes(png, "scan.png", config)
    assert msg.parts == () and any(n.code == "not-inspected" and "image" in n.message for n in msg.notes)
    mp3 = b"ID3\x03\x00\x00\x00" + bytes(100)
    msg = read_bytes(mp3, "voicemail.mp3", config)
    assert any(n.code == "not-inspected" for n in msg.notes)


def test_read_path(tmp_path, config):
    p = tmp_path / "n.txt"
    p.write_text("Hello Tom", encoding="utf-8")
    msg = read_path(p, config)
    assert msg.source == str(p) and msg.part("body").text == "Hello Tom"
    with pytest.raises(IngestError) as e:
        read_path(tmp_path / "missing.txt", config)
    assert "\n" not in str(e.value)
    with pytest.raises(IngestError):
        read_path(tmp_path, config)
