"""The identifier engine (sklint.detect.patterns) on parts shaped like the readers make them:
table columns, CSV text, config case-reference patterns, suggestions, compile-once caching."""
from __future__ import annotations

from sklint.config import Config
from sklint.detect import DetectContext
from sklint.detect.patterns import age_band, compiled_rules, detect_identifiers
from sklint.model import Part
from sklint.registry import load_registry


def _ctx(config: Config | None = None) -> DetectContext:
    return DetectContext(config=config or Config(), registry=load_registry(), nlp=None)


def _found(part: Part, config: Config | None = None) -> list[tuple[str, str]]:
    return [(f.entity, f.match) for f in detect_identifiers(part, _ctx(config))]


def _table_part(rows: list[list[str]]) -> Part:
    """Cells one per line, as the docx reader gives them, with table_headers from row 0."""
    text, headers, pos = "", [], 0
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            if r > 0:
                headers.append((pos, pos + len(cell), rows[0][c]))
            text += cell + "\n"
            pos += len(cell) + 1
    return Part("attachment:t.docx", "attachment", text, media="docx", table_headers=tuple(headers))


def test_age_column_bare_numbers():
    part = _table_part([["Young person", "Age", "Town"], ["Aisha Begum", "13", "Barrow"],
                        ["Callum Reid", "15", "Kendal"]])
    got = _found(part)
    assert ("AGE", "13") in got and ("AGE", "15") in got


def test_age_band_column_is_not_an_age():
    part = _table_part([["Code", "Age band", "Sessions"], ["SKC-003", "11-13", "10"]])
    assert not [e for e, _ in _found(part) if e == "AGE"]


def test_dob_column_in_csv_attachment_without_headers_from_reader():
    text = ("Name,DOB,Postcode,Parent/carer phone,1 Mar,15 Mar\n"
            "Ava Thompson,2014-06-21,LA9 5QR,07700 900118,Y,Y\n"
            "Harrison Bell,2013-11-02,LA9 7AZ,07700 900902,Y,N\n")
    got = _found(Part("attachment:club.csv", "attachment", text, media="text/csv", filename="club.csv"))
    assert ("DATE_OF_BIRTH", "2014-06-21") in got and ("DATE_OF_BIRTH", "2013-11-02") in got
    assert ("POSTCODE", "LA9 5QR") in got and ("PHONE_NUMBER", "07700 900902") in got


def test_markdown_table_dob_column():
    text = "| Name | Date of birth |\n|---|---|\n| Sam | 14/02/2012 |\n"
    assert ("DATE_OF_BIRTH", "14/02/2012") in _found(Part("body", "body", text))


def test_dates_without_birth_context_are_not_dob():
    text = "Date of referral: 19 March 2025. Meeting 03/04/2025. Paid 2025-03-14."
    assert not [e for e, _ in _found(Part("body", "body", text)) if e == "DATE_OF_BIRTH"]


def test_nhs_needs_context_and_check_digit():
    assert ("NHS_NUMBER", "484 019 1611") in _found(Part("body", "body", "NHS number: 484 019 1611"))
    assert _found(Part("body", "body", "Remittance ref 4840191611")) == []


def test_case_38_style_references_are_quiet():
    text = ("Registered charity no. 1123456\nCompany no. 08812345\nGift Aid reference: XT60417\n"
            "- grant LCF-2024-088 (remittance ref 0004471932)\n- Invoice INV-20417\n"
            "- Order 204-5567123-8890112\n- Purchase order PO 4500123456\n"
            "- Payroll, BACS batch 000417\nSKC-001 SKC-047\n")
    assert _found(Part("body", "body", text)) == []


def test_config_case_reference_patterns():
    text = "Panel discussed TVTF00931 today."  # no case/ref context: the defaults stay quiet
    assert not [e for e, _ in _found(Part("body", "body", text)) if e == "CASE_REFERENCE"]
    cfg = Config(case_reference_patterns=(r"TVTF\d{5}",))
    assert ("CASE_REFERENCE", "TVTF00931") in _found(Part("body", "body", text), cfg)
    # the defaults do know a family file reference with one-letter segments
    assert ("CASE_REFERENCE", "TVT-F-00931") in _found(Part("body", "body", "Family file TVT-F-00931 discussed."))


def test_address_stops_before_postcode():
    got = _found(Part("body", "body", "Address: 14 Howgill Street, Sedbergh, Cumbria LA10 5AW"))
    assert ("POSTAL_ADDRESS", "14 Howgill Street, Sedbergh, Cumbria") in got
    assert ("POSTCODE", "LA10 5AW") in got


def test_finding_fields_and_suggestions():
    text = "Kayden, DOB 3/4/2011 (aged 13), lives near LA9 4DH; mobile 07700 900987."
    fs = {f.entity: f for f in detect_identifiers(Part("body", "body", text), _ctx())}
    assert fs["DATE_OF_BIRTH"].suggestion == "born 2011"
    assert fs["AGE"].suggestion == "aged 10-14"
    assert fs["POSTCODE"].suggestion == "LA9"
    assert fs["PHONE_NUMBER"].suggestion == "[phone removed]"
    for f in fs.values():
        assert f.source == "pattern" and f.severity in ("warning", "error")
        assert text[f.start:f.end] == f.match and f.code.startswith("SK1")


def test_role_address_has_lower_confidence():
    fs = detect_identifiers(Part("body", "body", "info@charity.org.uk or jo.bloggs@outlook.com"), _ctx())
    conf = {f.match: f.confidence for f in fs}
    assert conf["info@charity.org.uk"] < conf["jo.bloggs@outlook.com"]


def test_age_bands():
    assert age_band(3) == "aged 0-4" and age_band(12) == "aged 10-14" and age_band(34) == "aged 30-39"


def test_rules_compiled_once_per_registry():
    reg = load_registry()
    assert compiled_rules(reg) is compiled_rules(reg)


def test_offsets_are_code_points_after_non_ascii():
    text = "Zoë Hartley (14) – Siân’s mobile 07700 900823"
    for f in detect_identifiers(Part("body", "body", text), _ctx()):
        assert text[f.start:f.end] == f.match
