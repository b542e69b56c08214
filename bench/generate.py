"""A seeded, reproducible synthetic corpus in the shape of a small UK charity's outgoing mail and
documents, for the benchmarks (bench/run.py) and the Spark test.

Everything is invented: names are drawn from small lists (with non-ASCII ones: Zoë, Siobhán,
Łukasz, ...), mobiles use Ofcom's drama range 07700 900xxx, NHS numbers pass the mod-11 check,
postcodes are well-formed, DOBs and ages agree with each other.

    python bench/generate.py OUT_DIR --docs 200 --seed 1      # a corpus: .eml, .md, .txt, .csv
    python bench/generate.py OUT_DIR --sizes 200K,400K,2M,20M  # also single large texts
    python bench/generate.py OUT_DIR --email                   # also a ~1.5 KB email (small.eml)

The same seed always gives byte-identical files.
"""
from __future__ import annotations

import argparse
import csv
import io
import random
from email.message import EmailMessage
from email.utils import format_datetime
from datetime import datetime, timedelta, timezone
from pathlib import Path

FIRST = ["Kayden", "Chloe", "Mason", "Jayden", "Amelia", "Oliver", "Isla", "Harry", "Leanne",
         "Craig", "Sarah", "Tom", "Priya", "Aisha", "Mohammed", "Ewan", "Rhiannon", "Callum",
         "Zoë", "Siobhán", "Łukasz", "Chloé", "Aoife", "Niamh", "Dawid", "Zofia", "Bartłomiej",
         "Eilidh", "Seán", "Renée", "Jess", "Olivia", "Freya", "Noah", "Alfie", "Grace", "Ruby",
         "Kwame", "Adebayo", "Mei", "Ravi", "Hannah", "Bethany", "Liam", "Ellie", "Josh", "Ayşe"]
SURNAMES = ["Brooks", "Doyle", "Dunmore", "Ashworth", "Hughes", "O'Neill", "Patel", "Khan",
            "Williams", "Jones", "Davies", "Evans", "Thomas", "Roberts", "Walker", "Wright",
            "Nowak", "Kowalski", "Wiśniewski", "Ó Briain", "MacLeod", "Ferguson", "Okafor",
            "Mensah", "Chen", "Sharma", "Begum", "Ahmed", "Taylor", "Jackson", "Hargreaves",
            "Pryce", "Llewellyn", "Fitzgerald", "Müller", "Quinn", "Bailey"]
TITLES = ["Mr", "Mrs", "Ms", "Miss", "Dr"]
STREETS = ["Fellside Road", "Castle Street", "Hope Street", "Station Road", "Church Lane",
           "Victoria Terrace", "Mill Lane", "Queen's Drive", "Bridge End", "Beech Grove",
           "Gas Works Lane", "Brewery Fields", "Corporation Road", "Y Stryd Fawr"]
TOWNS = [("Kendal", "LA9"), ("Penrith", "CA11"), ("Ludlow", "SY8"), ("Carlisle", "CA1"),
         ("Leeds", "LS6"), ("Manchester", "M14"), ("Shrewsbury", "SY1"), ("Hereford", "HR4"),
         ("Cardiff", "CF24"), ("Glasgow", "G12"), ("Bristol", "BS5"), ("Norwich", "NR2")]
RELATIONS = ["his sister", "her brother", "their mum", "his dad", "her step-dad", "his nan",
             "her foster carer", "his older brother", "her younger sister"]
CONDITIONS = ["cerebral palsy", "epilepsy", "autism", "ADHD", "type 1 diabetes", "leukaemia",
              "cystic fibrosis", "Down syndrome", "anxiety", "depression", "an eating disorder",
              "muscular dystrophy", "a brain tumour", "sickle cell disease"]
MEDS = ["methylphenidate", "sertraline", "fluoxetine", "insulin", "melatonin", "lamotrigine"]
ORGS = ["Sibling Kinship", "Eden Family Link", "Teme Valley Together"]
DOMAINS = ["siblingkinship.org.uk", "edenfamilylink.org.uk", "temevalleytogether.org.uk"]
FILLER = [
    "We met in the community room at the library and the session ran for about an hour.",
    "The group talked about school, friendships and what they were looking forward to over the holidays.",
    "Thank you again to the volunteers who gave up their Saturday to help with the family day.",
    "Attendance this quarter was steady and most young people came to at least four sessions.",
    "Our funder has asked for a short update on outcomes by the end of the month.",
    "The minibus is booked for the trip to the lakes; please bring a packed lunch and a waterproof.",
    "Room bookings for the spring term are now confirmed on Tuesday and Thursday evenings.",
    "Please remember to log every contact on the case system within 24 hours.",
    "The trustees approved the budget for next year at the meeting on Wednesday.",
    "We are recruiting two new volunteer mentors; DBS checks will be arranged by the office.",
    "Abuse can take many forms, and every volunteer should know how to raise a concern.",
    "Twelve young people reported feeling less isolated after joining the sibling group.",
]


def nhs_number(rng: random.Random) -> str:
    while True:
        digits = [rng.randint(0, 9) for _ in range(9)]
        if digits[0] == 0:
            continue
        total = sum(d * (10 - i) for i, d in enumerate(digits))
        check = 11 - total % 11
        if check == 11:
            check = 0
        if check == 10:
            continue
        s = "".join(map(str, digits)) + str(check)
        return f"{s[:3]} {s[3:6]} {s[6:]}"


def ni_number(rng: random.Random) -> str:
    first = rng.choice("ABCEGHJKLMNOPRSTWXYZ")
    second = rng.choice("ABCEGHJKLMNPRSTWXYZ")
    if first + second in ("BG", "GB", "KN", "NK", "NT", "TN", "ZZ"):
        second = "A"
    num = "".join(str(rng.randint(0, 9)) for _ in range(6))
    return f"{first}{second} {num[:2]} {num[2:4]} {num[4:]} {rng.choice('ABCD')}"


class Gen:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)

    # -- atoms -----------------------------------------------------------------------------
    def first(self): return self.rng.choice(FIRST)
    def surname(self): return self.rng.choice(SURNAMES)
    def name(self): return f"{self.first()} {self.surname()}"
    def phone(self): return f"07700 900{self.rng.randint(0, 999):03d}"
    def landline(self): return f"01{self.rng.randint(200, 999)} {self.rng.randint(100000, 999999)}"

    def postcode(self, outward=None):
        outward = outward or self.rng.choice(TOWNS)[1]
        return f"{outward} {self.rng.randint(1, 9)}{self.rng.choice('ABDEFGHJLNPQRSTUWXYZ')}" \
               f"{self.rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"

    def address(self):
        town, out = self.rng.choice(TOWNS)
        return f"{self.rng.randint(1, 140)} {self.rng.choice(STREETS)}, {town} {self.postcode(out)}"

    def dob_age(self):
        age = self.rng.randint(6, 17)
        d = datetime(2025, 3, 1) - timedelta(days=365 * age + self.rng.randint(0, 360))
        fmt = self.rng.choice(["%d/%m/%Y", "%-d %B %Y", "%d.%m.%Y"])
        return d.strftime(fmt), age

    def email_addr(self, name, domain=None):
        domain = domain or self.rng.choice(["gmail.com", "hotmail.co.uk", "outlook.com", "yahoo.co.uk"])
        local = name.lower().replace(" ", ".").replace("'", "")
        local = local.encode("ascii", "ignore").decode() or "someone"
        return f"{local}@{domain}"

    # -- sentences and paragraphs ----------------------------------------------------------
    def sensitive_sentence(self, who):
        r = self.rng
        return r.choice([
            f"{who} told her mentor that {r.choice(RELATIONS)} has {r.choice(CONDITIONS)} and she is struggling to sleep.",
            f"{who} has a diagnosis of {r.choice(CONDITIONS)} and takes {r.choice(MEDS)} every morning.",
            f"We made a referral to children's services (MASH) today because {who} disclosed that an adult at home hit him.",
            f"{who} said she had been self-harming again and we have agreed a safety plan with her GP.",
            f"{who} is on a child protection plan and the social worker has been informed of today's disclosure.",
            f"{who}'s mum said the police attended the house last weekend after a domestic incident.",
            f"{who} is being seen by CAMHS for {r.choice(CONDITIONS)} and has missed school for two weeks.",
        ])

    def case_paragraph(self):
        r = self.rng
        n = self.name()
        dob, age = self.dob_age()
        lines = [
            f"Child: {n}",
            f"Date of birth: {dob} (aged {age})",
            f"Address: {self.address()}",
            f"NHS number: {nhs_number(r)}",
            f"Parent/carer: {self.rng.choice(TITLES)} {self.surname()}, mobile {self.phone()}",
        ]
        if r.random() < 0.3:
            lines.append(f"NI number (carer): {ni_number(r)}")
        return "\n".join(lines)

    def narrative_paragraph(self):
        r = self.rng
        who = self.first()
        parts = [self.sensitive_sentence(who)]
        parts += [r.choice(FILLER) for _ in range(r.randint(1, 3))]
        if r.random() < 0.5:
            parts.append(f"{who}, {r.randint(8, 16)}, from {r.choice(TOWNS)[0]}, joined the group in "
                         f"{r.choice(['January', 'May', 'September'])}.")
        if r.random() < 0.4:
            parts.append(f"Please call {self.name()} on {self.phone()} if anything changes.")
        r.shuffle(parts)
        return " ".join(parts)

    def filler_paragraph(self):
        return " ".join(self.rng.choice(FILLER) for _ in range(self.rng.randint(2, 5)))

    def paragraph(self):
        x = self.rng.random()
        if x < 0.15:
            return self.case_paragraph()
        if x < 0.55:
            return self.narrative_paragraph()
        return self.filler_paragraph()

    # -- documents --------------------------------------------------------------------------
    def report(self, paragraphs: int, markdown: bool) -> str:
        org = self.rng.choice(ORGS)
        out = [f"# {org}: quarterly report" if markdown else f"{org} - quarterly report", ""]
        for i in range(paragraphs):
            if markdown and i % 6 == 0:
                out += [f"## Section {i // 6 + 1}", ""]
            out += [self.paragraph(), ""]
        return "\n".join(out)

    def text_of_size(self, size: int) -> str:
        """A report-like text of about `size` characters (paragraphs separated by blank lines)."""
        org = self.rng.choice(ORGS)
        chunks = [f"{org} - case notes and reports", ""]
        n = 0
        while n < size:
            p = self.paragraph()
            chunks += [p, ""]
            n += len(p) + 2
        text = "\n".join(chunks)
        return text[:size].rsplit("\n", 1)[0] + "\n"

    def email(self, paragraphs: int) -> bytes:
        r = self.rng
        i = r.randrange(len(ORGS))
        sender = self.name()
        to = self.name()
        msg = EmailMessage()
        msg["From"] = f"{sender} <{self.email_addr(sender, DOMAINS[i])}>"
        msg["To"] = f"{to} <{self.email_addr(to)}>"
        if r.random() < 0.3:
            cc = self.name()
            msg["Cc"] = f"{cc} <{self.email_addr(cc, DOMAINS[i])}>"
        who = self.first()
        msg["Subject"] = r.choice([f"Update on {who}", "Session notes", f"Referral - {self.name()}",
                                   "Room booking", "Thursday group"])
        msg["Date"] = format_datetime(datetime(2025, 3, 1, 9, tzinfo=timezone.utc)
                                      + timedelta(minutes=r.randint(0, 90 * 24 * 60)))
        msg["Message-ID"] = f"<{r.getrandbits(64):x}@{DOMAINS[i]}>"
        body = [f"Dear {to.split()[0]},", ""]
        for _ in range(paragraphs):
            body += [self.paragraph(), ""]
        body += ["Kind regards,", "", sender, ORGS[i], f"Tel: {self.landline()}", ""]
        msg.set_content("\n".join(body))
        if r.random() < 0.2:
            msg.add_attachment(self.table(r.randint(4, 12)).encode("utf-8"), maintype="text",
                               subtype="csv", filename="attendance.csv")
        return bytes(msg)

    def small_email(self) -> bytes:
        """About 1.5 KB on disk: headers, a referral-style body, a signature."""
        r = self.rng
        sender, to = self.name(), self.name()
        msg = EmailMessage()
        msg["From"] = f"{sender} <{self.email_addr(sender, DOMAINS[0])}>"
        msg["To"] = f"{to} <{self.email_addr(to)}>"
        msg["Subject"] = "Session notes"
        msg["Date"] = "Tue, 11 Mar 2025 16:42:10 +0000"
        msg["Message-ID"] = "<small-1@siblingkinship.org.uk>"
        body = f"Dear {to.split()[0]},\n\n{self.narrative_paragraph()}\n\n{self.case_paragraph()}\n\n" \
               f"{self.filler_paragraph()}\n\nKind regards,\n\n{sender}\n{ORGS[0]}\nTel: {self.landline()}\n"
        msg.set_content(body)
        data = bytes(msg)
        while len(data) < 1400:
            body = body.replace("\n\nKind regards", f"\n\n{self.rng.choice(FILLER)}\n\nKind regards", 1)
            msg.set_content(body)
            data = bytes(msg)
        return data

    def table(self, rows: int) -> str:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["Name", "Age", "Postcode", "Mobile", "Attended", "Notes"])
        for _ in range(rows):
            _, age = self.dob_age()
            note = self.rng.choice(["", "", "asthma inhaler", "collected by nan", "new starter",
                                    f"{self.rng.choice(CONDITIONS)}"])
            w.writerow([self.name(), age, self.postcode(), self.phone(),
                        self.rng.choice(["yes", "no"]), note])
        return buf.getvalue()


def parse_size(s: str) -> int:
    s = s.strip().upper().rstrip("B")
    mult = 1
    if s.endswith("K"):
        mult, s = 1000, s[:-1]
    elif s.endswith("M"):
        mult, s = 1000_000, s[:-1]
    return int(float(s) * mult)


def size_label(n: int) -> str:
    if n >= 1000_000 and n % 1000_000 == 0:
        return f"{n // 1000_000}M"
    if n >= 1000 and n % 1000 == 0:
        return f"{n // 1000}K"
    return str(n)


def write_corpus(out: Path, docs: int, seed: int = 1) -> list[Path]:
    """`docs` documents: ~50% emails, 20% .md reports, 15% .txt notes, 15% .csv tables."""
    g = Gen(seed)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(docs):
        x = g.rng.random()
        if x < 0.5:
            p, data = out / f"email-{i:05d}.eml", g.email(g.rng.randint(1, 5))
        elif x < 0.7:
            p, data = out / f"report-{i:05d}.md", g.report(g.rng.randint(4, 16), True).encode("utf-8")
        elif x < 0.85:
            p, data = out / f"notes-{i:05d}.txt", g.report(g.rng.randint(2, 10), False).encode("utf-8")
        else:
            p, data = out / f"table-{i:05d}.csv", g.table(g.rng.randint(5, 40)).encode("utf-8")
        p.write_bytes(data)
        paths.append(p)
    return paths


def write_large(out: Path, size: int, seed: int = 1) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    p = out / f"large-{size_label(size)}.txt"
    p.write_text(Gen(seed * 1000 + size % 997).text_of_size(size), encoding="utf-8")
    return p


def write_small_email(out: Path, seed: int = 1) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    p = out / "small.eml"
    p.write_bytes(Gen(seed + 7).small_email())
    return p


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--docs", type=int, default=0, help="number of corpus documents (in OUT/corpus)")
    ap.add_argument("--sizes", default="", help="large single texts, e.g. 200K,400K,2M,20M")
    ap.add_argument("--email", action="store_true", help="also write OUT/small.eml (~1.5 KB)")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args(argv)
    if a.docs:
        paths = write_corpus(a.out / "corpus", a.docs, a.seed)
        print(f"{len(paths)} documents in {a.out / 'corpus'}")
    for s in filter(None, a.sizes.split(",")):
        p = write_large(a.out, parse_size(s), a.seed)
        print(f"{p} ({p.stat().st_size} bytes)")
    if a.email:
        p = write_small_email(a.out, a.seed)
        print(f"{p} ({p.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
