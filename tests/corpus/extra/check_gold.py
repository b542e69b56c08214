#!/usr/bin/env python3
"""Check the gold files of this corpus against their documents.

Parses every document the way the corpus format describes (email package with
policy.default; python-docx paragraphs and table cells; HTML text content via
html.parser; .md/.txt/.csv as UTF-8) and asserts that

* every gold entity `text` and category `evidence` occurs in its part, inside one
  segment (a line of plain text, a paragraph or table cell of a .docx, one text
  node of HTML), so no span crosses a paragraph, cell or element boundary;
* parts exist, types and categories are known, no (type, text, part) is listed twice,
  no labelled string is also in `allowed`;
* every .eml judges all four rules and they follow the labels as the dev README says;
  other documents have empty `rules`;
* NHS numbers pass the mod-11 check, NI numbers have valid prefixes and suffixes,
  postcodes are well-formed full postcodes.

It also prints warnings (not failures) for a shorter PERSON form that never occurs
outside a longer labelled form, and for a labelled string that also occurs,
unlabelled, in another part of the same document.

Usage: python check_gold.py [CORPUS_DIR]   (default: the folder this file is in)
"""
import io
import json
import os
import re
import sys
from email import policy
from email.parser import BytesParser
from html.parser import HTMLParser

ENTITY_TYPES = {"PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "POSTAL_ADDRESS", "POSTCODE",
                "DATE_OF_BIRTH", "AGE", "NHS_NUMBER", "NI_NUMBER", "BANK_DETAILS", "CASE_REFERENCE"}
CATEGORIES = {"HEALTH", "SAFEGUARDING", "SEXUAL_ORIENTATION", "RELIGION", "ETHNICITY",
              "POLITICAL_OPINION", "TRADE_UNION", "GENETIC_BIOMETRIC", "CRIMINAL_OFFENCE"}
RULES = {"subject-line-leak", "group-send-without-bcc", "sensitive-detail-in-email",
         "personal-data-in-attachment"}
KINDS = {"email", "report", "newsletter", "web-page", "form", "case-study", "minutes"}
DOC_EXT = {".eml", ".txt", ".md", ".html", ".docx", ".csv"}


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.chunks, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.chunks.append(data)


def html_segments(html):
    p = _Text()
    p.feed(html)
    p.close()
    return p.chunks


def text_segments(text):
    return text.splitlines()


def docx_segments(data):
    import docx
    d = docx.Document(io.BytesIO(data) if isinstance(data, bytes) else data)
    segs = [p.text for p in d.paragraphs]
    for t in d.tables:
        for row in t.rows:
            for cell in row.cells:
                segs.append(cell.text)
                segs.extend(p.text for p in cell.paragraphs)
    return segs


def file_segments(name, data):
    ext = os.path.splitext(name)[1].lower()
    if ext == ".docx":
        return docx_segments(data)
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    if ext in (".html", ".htm"):
        return html_segments(text)
    return text_segments(text)


def email_parts(path):
    with open(path, "rb") as f:
        msg = BytesParser(policy=policy.default).parse(f)
    parts = {"subject": [str(msg["subject"] or "")], "body": []}
    for part in msg.walk():
        if part.is_multipart():
            continue
        fn = part.get_filename()
        if fn or part.get_content_disposition() == "attachment":
            content = part.get_content()
            parts["attachment:" + fn] = file_segments(fn, content)
            continue
        ctype = part.get_content_type()
        if ctype == "text/plain":
            parts["body"].extend(text_segments(part.get_content()))
        elif ctype == "text/html":
            parts["body"].extend(html_segments(part.get_content()))
    return msg, parts


def nhs_ok(s):
    d = re.sub(r"\D", "", s)
    if len(d) != 10:
        return False
    r = 11 - sum(int(c) * w for c, w in zip(d[:9], range(10, 1, -1))) % 11
    r = 0 if r == 11 else r
    return r != 10 and r == int(d[9])


def ni_ok(s):
    t = re.sub(r"\s", "", s).upper()
    m = re.fullmatch(r"([A-Z])([A-Z])\d{6}([A-D])", t)
    if not m:
        return False
    a, b = m.group(1), m.group(2)
    if a in "DFIQUV" or b in "DFIQUVO":
        return False
    return a + b not in {"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"}


POSTCODE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}$")


def check(corpus):
    errors, warnings, n = [], [], 0
    golds = sorted(f for f in os.listdir(corpus) if f.endswith(".gold.json"))
    docs = sorted(f for f in os.listdir(corpus)
                  if os.path.splitext(f)[1] in DOC_EXT and f != "README.md"
                  and not f.endswith(".gold.json"))
    stems = {g[: -len(".gold.json")] for g in golds}
    for d in docs:
        if os.path.splitext(d)[0] not in stems:
            errors.append(f"{d}: no gold file")
    for g in golds:
        stem = g[: -len(".gold.json")]
        cands = [d for d in docs if os.path.splitext(d)[0] == stem]
        if len(cands) != 1:
            errors.append(f"{g}: expected one document, found {cands}")
            continue
        doc = cands[0]
        n += 1
        path = os.path.join(corpus, doc)
        with open(os.path.join(corpus, g), encoding="utf-8") as f:
            gold = json.load(f)
        err = lambda m: errors.append(f"{doc}: {m}")
        warn = lambda m: warnings.append(f"{doc}: {m}")
        ext = os.path.splitext(doc)[1]
        if ext == ".eml":
            msg, parts = email_parts(path)
        else:
            with open(path, "rb") as f:
                parts = {"body": file_segments(doc, f.read())}
        if gold.get("kind") not in KINDS:
            err(f"bad kind {gold.get('kind')!r}")
        seen = set()
        allowed = set(gold.get("allowed", []))
        for e in gold.get("entities", []):
            key = (e["type"], e["text"], e["part"])
            if key in seen:
                err(f"duplicate entity {key}")
            seen.add(key)
            if e["type"] not in ENTITY_TYPES:
                err(f"bad entity type {e['type']}")
            if e["part"] not in parts:
                err(f"entity part {e['part']!r} not in document parts {list(parts)}")
                continue
            if not any(e["text"] in s for s in parts[e["part"]]):
                err(f"entity {e['type']} {e['text']!r} not found in one segment of {e['part']}")
            if e["text"] in allowed:
                err(f"entity {e['text']!r} is also in allowed")
            if e["type"] == "NHS_NUMBER" and not nhs_ok(e["text"]):
                err(f"NHS number {e['text']} fails mod-11")
            if e["type"] == "NI_NUMBER" and not ni_ok(e["text"]):
                err(f"NI number {e['text']} invalid")
            if e["type"] == "POSTCODE" and not POSTCODE.match(e["text"]):
                err(f"postcode {e['text']} not a full postcode")
        cseen = set()
        for c in gold.get("categories", []):
            key = (c["category"], c["part"])
            if key in cseen:
                err(f"two entries for category {key}")
            cseen.add(key)
            if c["category"] not in CATEGORIES:
                err(f"bad category {c['category']}")
            if c["part"] not in parts:
                err(f"category part {c['part']!r} not in document parts")
                continue
            if not any(c["evidence"] in s for s in parts[c["part"]]):
                err(f"evidence {c['evidence']!r} not found in one segment of {c['part']}")
        # allowed strings should exist somewhere
        alltext = "\n".join(s for segs in parts.values() for s in segs)
        for a in allowed:
            if a not in alltext:
                warn(f"allowed string {a!r} not in document text")
        # shorter PERSON forms
        ents = gold.get("entities", [])
        for e in ents:
            if e["type"] != "PERSON":
                continue
            longer = [x["text"] for x in ents if x["part"] == e["part"] and x["type"] == "PERSON"
                      and x["text"] != e["text"] and e["text"] in x["text"]]
            if longer:
                text = "\n".join(parts.get(e["part"], []))
                for L in sorted(longer, key=len, reverse=True):
                    text = text.replace(L, "\0")
                if not re.search(r"(?<!\w)" + re.escape(e["text"]) + r"(?!\w)", text):
                    warn(f"{e['text']!r} only occurs inside {longer} in {e['part']}")
        # labelled in one part, unlabelled in another
        labelled = {(x["text"], x["part"]) for x in ents}
        masked = {}
        for q, segs in parts.items():
            text = "\n".join(segs)
            for L in sorted((x for x, y in labelled if y == q), key=len, reverse=True):
                text = text.replace(L, "\0")
            masked[q] = text
        for (t, p) in sorted(labelled):
            for q in parts:
                if q != p and (t, q) not in labelled and t not in allowed:
                    if re.search(r"(?<!\w)" + re.escape(t) + r"(?!\w)", masked[q]):
                        warn(f"{t!r} labelled in {p} but also occurs unlabelled in {q}")
        rules = gold.get("rules", {})
        if ext == ".eml":
            if set(rules) != RULES:
                err(f"email must judge all four rules, has {sorted(rules)}")
            cats = gold.get("categories", [])
            subj = any(x["part"] == "subject" for x in ents + cats)
            att = any(x["part"].startswith("attachment:") for x in ents)
            sens = any(x["part"] != "subject" for x in cats)
            if rules.get("subject-line-leak") != subj:
                err(f"subject-line-leak should be {subj}")
            if rules.get("personal-data-in-attachment") != att:
                err(f"personal-data-in-attachment should be {att}")
            if rules.get("sensitive-detail-in-email") != sens:
                err(f"sensitive-detail-in-email should be {sens}")
            rcpt = sum(len(msg.get_all(h, [])) and len(str(msg[h]).split(",")) for h in ("To", "Cc"))
            if rules.get("group-send-without-bcc") and rcpt < 4:
                warn(f"group-send true with only {rcpt} To/Cc recipients")
        elif rules:
            err("non-email document should have empty rules")
    return n, errors, warnings


def main():
    corpus = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    n, errors, warnings = check(corpus)
    for w in warnings:
        print("warning:", w)
    for e in errors:
        print("ERROR:", e)
    print(f"{n} documents checked, {len(errors)} errors, {len(warnings)} warnings")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
