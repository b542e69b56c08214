"""Where a person finds a finding (sklint/locate.py): pages, paragraphs, table columns, cells."""
from sklint.locate import frame, place
from sklint.model import Part


def test_pdf_pages_docx_paragraphs_and_table_columns():
    pdf = Part("body", "body", "first page\n\f\nsecond page\n\f\nthird", media="pdf")
    assert [place(pdf, pdf.text.index(w)) for w in ("first", "second", "third")] == \
        ["page 1", "page 2", "page 3"]
    text = "Intro\nName\nNotes\nOttoline B\ncarer"
    cells = ((6, 10, "Name"), (11, 16, "Notes"), (17, 27, "Name"), (28, 33, "Notes"), (28, 33, "Ottoline B"))
    doc = Part("body", "body", text, media="docx", table_headers=cells)
    assert place(doc, 0) == "paragraph 1"
    assert place(doc, text.index("Ottoline")) == "table, column 'Name'"
    assert place(doc, text.index("carer")) == "table, column 'Notes'"  # not its row header
    sheet = Part("body", "body", "Sheet: Referrals\nName | Phone\nAda Obi | 07700 900123", media="xlsx",
                 places=((17, "Referrals", 1), (30, "Referrals", 3)))
    assert place(sheet, sheet.text.index("07700")) == "sheet 'Referrals', cell B3"
    assert place(Part("body", "body", "plain"), 0) is None


def test_frame_is_the_line_cut_around_a_long_match():
    line = "x" * 500 + " Ottoline Brackenbury " + "y" * 500
    part = Part("body", "body", "before\n" + line + "\nafter")
    s = part.text.index("Ottoline")
    text, a, b = frame(part, s, s + len("Ottoline Brackenbury"))
    assert len(text) <= 160 and text[a:b] == "Ottoline Brackenbury"
