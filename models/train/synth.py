"""Synthetic charity text with every person's name marked, for training the NER.

    python models/train/synth.py --n 6000 --seed 1 > synth.jsonl   # {"text": ..., "people": [[s, e], ...]}

Sentences are drawn from shapes written for this script (notes, referrals, rotas, greetings,
signatures, forwarded headers, lists and table rows, informal chat in lower case) and filled with
invented names from the naming traditions a UK charity serves. Given names come from the
`gender-guesser` name dictionary's country columns (GNU FDL; read from the installed package) and
from short lists below for traditions it does not cover; family names from the lists below.
About one sentence in five holds no person at all, only organisations, places, days and
products, so the model also learns what is *not* a name.

Every name used by `bench/names_by_tradition.py` (given or family) is left out here, so that
benchmark measures names the model has never seen. Nothing here is taken from a benchmark.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import sys
from importlib import resources
from pathlib import Path

# nam_dict.txt country columns (0-based, from column 30) used per tradition.
_COLUMNS = {
    "english": [0, 2], "irish": [1], "eastern_european": [20, 21, 22, 23, 24, 25, 26, 27, 28, 41],
    "arabic": [47], "turkish": [46], "south_asian": [50], "chinese": [49], "japanese": [51],
    "korean": [52], "vietnamese": [53], "southern_european": [3, 5, 6, 7],
}

_GIVEN_EXTRA = {
    "scottish": "Iain Ewan Catriona Mhairi Shona Alasdair Lachlan Kenneth Fiona Rona Struan Kirsten "
                "Innes Calum Eilidh Mairi Torquil Greer Alistair Finlay".split(),
    "welsh": "Gwen Carys Dylan Osian Elin Llinos Tomos Owain Gruffydd Nia Sioned Gareth Rhian "
             "Meinir Emyr Catrin Heledd Ioan Lowri Macsen".split(),
    "irish": "Saoirse Sadhbh Aisling Clodagh Gráinne Órla Máire Éabha Cian Fionn Seán Eoin Cathal "
             "Diarmuid Ruairí Donnchadh Colm Tomás Pádraic Eimear Síle Méabh".split(),
    "west_african": "Adewale Ayodele Olumide Temitope Funmilayo Bukola Oluwatobi Damilola Kehinde "
                    "Taiwo Yetunde Abimbola Segun Olamide Ifeoluwa Chinonso Obinna Ifeanyi Nnamdi "
                    "Uchenna Chiamaka Nkechi Amarachi Ebuka Kelechi Chisom Ikenna Kofi Ama Akua "
                    "Kwabena Abena Kojo Adwoa Kwaku Yaa Esi Kwesi Mariama Fatou Awa Ousmane "
                    "Lamin Binta Aminata Sekou".split(),
    "east_african": "Abdullahi Mohamud Ayaan Faadumo Hibaaq Sahra Nimco Ubah Ilhan Guled Liban "
                    "Mustafe Khadar Deeqa Ifrah Selam Yonas Dawit Meron Biniam Tsega Senait "
                    "Mulugeta Achieng Akinyi Njeri Kiprop Wambui Chebet Muthoni Nasra Sagal "
                    "Zamzam Idil Kadra".split(),
    "chinese": "Xiaoming Jing Hui Yan Fang Lei Jun Hao Yu Xin Ying Tao Bo Jie Ling Qiang Yifan "
               "Zihan Yuxuan Haoran Shu Kai Ming Xiu Qing Ruolan Zhiwei".split(),
    "japanese": "Haruto Sota Yuto Riku Aoi Hina Sakura Yui Rin Takumi Daiki Akiko Naoko Emi Kaito "
                "Ren Yuna Mio Hinata Sho Kazuki Ayaka".split(),
    "korean": "Seo-jun Ha-eun Do-yoon Ji-ho Su-bin Min-seo Jae-won Hye-jin Eun-ji Yeon-woo Ye-jin "
              "Hyun-woo Ji-hoon Soo-ah Dae-ho Na-yeon".split(),
    "vietnamese": "Anh Linh Huong Minh Tuan Duc Hieu Trang Lan Phuong Quang Hung Thu Khanh Bao "
                  "Ngoc Vy Long Nam Tam".split(),
    "caribbean": "Marcia Delroy Leroy Beverley Winston Errol Claudette Desmond Jermaine Shanice "
                 "Tyrone Kemar Andrene Tanisha".split(),
}

_FAMILY = {
    "english": "Smith Taylor Walker Wright Robinson Thompson White Hughes Edwards Green Wood "
               "Harris Lewis Martin Jackson Clarkson Hall Allen Young King Baker Cook Moss "
               "Bird Fox Little Stone Hill Cross Lane Mason Hunt Field Brook Woodward Ashworth "
               "Pilkington Whitehead Ramsbottom Greenwood".split(),
    "scottish": "MacLeod McLean Mackay Grant Ross Henderson Paterson Cameron Ferguson Reid Munro "
                "Buchanan McIntyre Lamont MacInnes Urquhart".split(),
    "welsh": "Jones Evans Davies Thomas Roberts Lewis Price Powell Pugh Howells Lloyd Meredith "
             "Probert Prosser Bevan Gwynne".split(),
    "irish": ["O'Brien", "Ó Ceallaigh", "Ní Dhomhnaill", "Mac Lochlainn", "Murphy", "Kelly",
              "O'Sullivan", "Walsh", "O'Connor", "McCarthy", "Ryan", "Lynch", "Quinn", "McLoughlin",
              "Carroll", "Connolly", "Daly", "Ó Dónaill", "Nic Amhlaoibh", "Ní Chonaill", "Dunne",
              "Geraghty", "Mac Giolla Phádraig", "Ó Ríordáin", "Flanagan", "Tierney"],
    "south_asian": "Gupta Singh Khan Hussain Ahmed Rahman Islam Miah Uddin Shah Chopra Iqbal Malik "
                   "Bibi Kumar Reddy Nair Desai Joshi Sandhu Gill Bains Rai Chowdhury Hossain "
                   "Akhtar Mahmood Qureshi Raza Parmar Solanki Thakrar Pillai Banerjee".split(),
    "west_african": "Adeleke Ogunbiyi Afolabi Oyelaran Bakare Akinola Olaniyan Adewumi Ogundipe "
                    "Fashola Okafor Nwankwo Okeke Uzoma Nwachukwu Okoro Anyanwu Chukwu Owusu "
                    "Appiah Osei Darko Agyemang Acheampong Frimpong Ofori Amoah Asamoah Diallo "
                    "Sesay Kamara Jallow Conteh Bangura".split(),
    "east_african": "Hassan Hirsi Egal Duale Aden Omar Nur Ahmed Ismail Abdullahi Gedi Samatar "
                    "Tesfay Gebremedhin Berhane Tekle Desta Alemu Girma Mwangi Odhiambo Kiprono "
                    "Wanjala Njoroge Mutua Okello Mugisha Nakato".split(),
    "eastern_european": "Kowalski Wójcik Kamiński Lewandowski Szymański Dąbrowski Kozłowski "
                        "Jankowski Mazur Krawczyk Popa Stan Dumitru Constantin Kazlauskas "
                        "Jankauskas Melnyk Bondarenko Tkachenko Novák Svoboda Dvořák Horvat "
                        "Kovačević Petrov Ivanova Nagy Tóth Szabó Berzins Ozols".split(),
    "arabic": "Abdullah Rahmani Jaber Shami Qasim Sabbagh Barakat Issa Awad Zaher Masri Aziz "
              "Hamid Karim Sharif Bakr Al-Hashimi Al-Rashid El-Masry Abu-Bakr".split(),
    "turkish": "Yilmaz Kaya Demir Sahin Celik Yildiz Aydin Ozturk Arslan Dogan Kilic Aslan".split(),
    "chinese": "Liu Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Lin Gao Luo Zheng Liang Xie "
               "Song Tang Han Feng Deng Cao Peng Cheung Wong Chan Leung Lau Ho Ng Yip Tsang Chow "
               "Lam".split(),
    "japanese": "Suzuki Takahashi Ito Yamamoto Nakamura Kobayashi Kato Yoshida Yamada Sasaki "
                "Yamaguchi Matsumoto Inoue Kimura Hayashi Shimizu Mori Abe Ikeda Hashimoto "
                "Ishikawa Ogawa Fujita Okada".split(),
    "korean": "Choi Jung Kang Cho Yoon Jang Lim Oh Seo Shin Kwon Hwang Ahn Yoo Hong Jeon Ko "
              "Moon Son Bae Baek".split(),
    "vietnamese": "Tran Le Pham Hoang Huynh Phan Vu Vo Dang Bui Do Ngo Duong Ly Trinh".split(),
    "southern_european": "Rossi Russo Ferrari Esposito Bianchi Silva Santos Ferreira Pereira "
                         "Garcia Fernandez Lopez Martinez Moreau Dubois Lefebvre".split(),
    "caribbean": "Campbell Williams Brown Francis Clarke Gordon Morgan Bailey Grant Reid Thompson "
                 "Richards Samuels Henry".split(),
}

NICKNAMES = "Jo Bex Tommo Shaz Gaz Kez Jonno Mo Rosie Millie Alfie Charlie Izzy Nat Sam Ems Abz " \
            "Lils Frankie Macca Dee Bri Stevie Tash".split()
WORD_NAMES = "Grace Hope Faith Rose Holly Ivy Daisy Summer April May June Jack Will Bill Mark " \
             "Frank Joy Amber Dawn Ruby Pearl Sky River Hunter Brook Sunny Guy Victor Rich " \
             "Honey Star Autumn Crystal Melody Rocky".split()

# Invented organisations, places and things: capitalised, never a person.
ORGS = ["Riverside Community Centre", "Northfield Academy", "St Anne's Primary", "Leeds City Council",
        "the Oak Tree Trust", "Hillview Surgery", "Brookside Youth Club", "the Children's Hospital",
        "Greenway Housing", "Kirkby Food Bank", "Sunrise Nursery", "Westgate High School",
        "the Citizens Advice office", "Mind", "Samaritans", "Age UK", "Home-Start", "Tesco",
        "Asda", "Zoom", "Microsoft Teams", "WhatsApp", "Facebook", "the council", "CAMHS",
        "Social Services", "the Job Centre", "Barclays", "Lloyds Bank", "the Red Cross"]
PLACES = ["Bradford", "Cardiff", "Glasgow", "Luton", "Preston", "Chester", "Swansea", "Belfast",
          "Hackney", "Sparkbrook", "Moss Side", "Kingston", "Victoria Road", "King Street",
          "Nelson Street", "Church Lane", "Albert Park", "Wellington Road", "Morley", "Shelf"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = ["January", "March", "April", "May", "June", "July", "August", "October", "December"]
RELATIONS = ["mum", "dad", "nan", "grandad", "aunt", "uncle", "brother", "sister", "step-dad",
             "foster carer", "social worker", "key worker", "teacher", "mentor", "son", "daughter",
             "partner", "cousin", "carer"]
ROLES = ["volunteer", "counsellor", "family support worker", "trustee", "mentor", "coordinator",
         "youth worker", "befriender"]

# {P} a person (full or given name by chance), {G} a given name, {F} a full name, {P2} another
# person; {O} organisation, {L} place, {D} day, {M} month, {R} relation, {J} role.
SHAPES = [
    "{P} rang this morning and asked if {P2} can come on {D}.",
    "Just a reminder that {P} is picking up the keys from {O}.",
    "I've had a message from {F} about the group on {D}.",
    "{P}'s {R} says she can't make it this week.",
    "Could {P} ring {P2} back when she gets a chance?",
    "{F} ({J}) will be covering the {D} session.",
    "Both {G} and {P2} said they enjoyed the trip to {L}.",
    "We met {F} and her {R} at {O} last {D}.",
    "The {R} of {F} phoned to say he is poorly.",
    "thanks {G}, see you {D}",
    "hiya {G} hope ur ok x",
    "can u ask {G} if shes coming {D}",
    "{G} said {P2} was really quiet today",
    "Dear {F},",
    "Morning {G},",
    "Hi {G} and {P2},",
    "Many thanks,\n{F}\n{J}, {O}",
    "Best wishes\n{G}",
    "Kind regards,\n{F}",
    "From: {F} <{e}@example.org>\nSent: {D} 3 {M}\nTo: {F2}",
    "-----Original Message-----\nFrom: {F}\nSubject: {D} group",
    "Present: {F}, {F2}, {F3} (chair)",
    "Apologies: {F} and {F2}",
    "Volunteers on the rota this month: {G}, {P2}, {F3} and {G4}.",
    "Name: {F}\nDate of birth: 12/04/2014\nSchool: {O}",
    "{F} | 9 | Year 4 | {L}",
    "Child: {F}   Carer: {F2}",
    "Family: {F2} (mum), {G} (11), {G4} (7)",
    "Case worker: {F}",
    "I am writing on behalf of {F}, who has been with us since {M}.",
    "It was lovely to see {G} smiling again.",
    "{F} has asked us not to share her address.",
    "Please let {F} know the venue has changed to {O}.",
    "{G} and her brother {G4} came to the drop-in at {O}.",
    "According to {F}, the bus from {L} was late again.",
    "My name is {F} and I volunteer with {O}.",
    "{J} {F} will contact you next week.",
    "Referral received from {F} at {O} on {D}.",
    "Spoke with {P} - all fine, will follow up in {M}.",
    "Lift for {G} from {L} please, {P2} can't drive this week.",
    "{F}, {F2} and {F3} have signed up for the {M} course.",
    "Happy birthday {G}!! 🎉",
    "omg {G} that's amazing news",
    "lol {G} u legend",
    "@{h} thanks for sharing {G}'s story",
    "Went to see {G} at her new place in {L} today.",
    "Is {G} ok? She seemed upset when {P2} left.",
    "The photos of {G} and {G4} can go on the board but not online.",
    "{F}'s application was approved by {O}.",
    "New starter: {F}, {J}.",
    "Tell {G} I said well done.",
    "Waiting list: {F} (referred in {M})",
    "We'd like to thank {F} and {F2} for all their help.",
    "With thanks to our {J}s {F} and {F2}.",
    "Contact {F} on the office line if you have questions.",
    "Sorry {G}, I missed your call.",
    "Call back: {F}, re housing",
    "Mr {S} and Mrs {S2} attended the meeting.",
    "Dr {S} from the surgery has written to us.",
    "Ms {F} asked for the minutes.",
]
NEGATIVE = [
    "The group meets at {O} every {D} from 4 to 6pm.",
    "{O} have confirmed the booking for {M}.",
    "Parking is available on {L} near {O}.",
    "Please bring a packed lunch on {D}.",
    "We have moved the meeting to {D} because of the bank holiday in {M}.",
    "Funding from {O} runs until {M} next year.",
    "The minibus leaves {L} at half nine.",
    "Join us on {O} at 7pm on {D}.",
    "Our {M} newsletter is attached.",
    "{O} and {O2} are running a joint event in {L}.",
    "Ofsted visited {O} in {M}.",
    "The Summer Fair raised £420 for {O}.",
    "Hope Street car park is closed until {D}.",
    "Grace Church Hall is booked for {D} evening.",
    "The {J} training is on {D} at {O}.",
    "Thank you for your support this year!",
    "Reminder: forms to the office by {D} please.",
    "{L} Carers Forum - agenda for {M}",
    "The trip to {L} is full; the waiting list opens in {M}.",
    "May half term dates are on the website.",
]


def _nam_dict_given() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {k: [] for k in _COLUMNS}
    data = resources.files("gender_guesser") / "data" / "nam_dict.txt"
    with data.open("r", encoding="utf-8") as fh:
        for line in fh:
            if not line or line[0] in "#=" or len(line) < 31:
                continue
            name = line[3:29].strip()
            if not re.fullmatch(r"[A-Z][a-z]+(\+[A-Z][a-z]+)?", name) or line[0] not in "MF?":
                continue
            freqs = line[30:85]
            for trad, cols in _COLUMNS.items():
                best = max((int(freqs[c], 16) for c in cols if c < len(freqs) and freqs[c].strip()
                            and freqs[c] in "0123456789ABCDEF"), default=0)
                if best >= 3:
                    out[trad].append(name.replace("+", "-"))
    return out


def _held_out_names() -> set[str]:
    """Every given and family name token of bench/names_by_tradition.py (left out here)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from bench.names_by_tradition import NAMES
    return {part.lower() for names in NAMES.values() for n in names for part in re.split(r"[\s-]", n)}


def build_pools(rng: random.Random) -> dict[str, tuple[list[str], list[str]]]:
    held = _held_out_names()
    nd = _nam_dict_given()
    pools = {}
    for trad in set(_FAMILY) | set(_GIVEN_EXTRA):
        given = list(dict.fromkeys(nd.get(trad, []) + _GIVEN_EXTRA.get(trad, [])))
        if trad == "english":
            given = given + NICKNAMES + WORD_NAMES
        if trad in ("scottish", "welsh", "caribbean"):
            given += rng.sample(nd["english"], min(60, len(nd["english"])))
        family = _FAMILY.get(trad) or _FAMILY["english"]
        ok = lambda n: not any(p.lower() in held for p in re.split(r"[\s-]", n))  # noqa: E731
        pools[trad] = ([g for g in given if ok(g)], [f for f in family if ok(f)])
    return pools


class Filler:
    def __init__(self, rng: random.Random, pools):
        self.rng = rng
        self.pools = pools
        self.trads = sorted(pools)

    def person(self, trad: str | None = None):
        rng = self.rng
        trad = trad or rng.choice(self.trads)
        given, family = self.pools[trad]
        g, f = rng.choice(given), rng.choice(family)
        if trad in ("chinese", "korean", "vietnamese") and rng.random() < 0.25:
            return trad, g, f, f"{f} {g}"  # family name first, as often written
        return trad, g, f, f"{g} {f}"

    def fill(self, shape: str, lower: bool) -> tuple[str, list[tuple[int, int]]]:
        rng = self.rng
        out, people = [], []
        pos = 0
        trad = rng.choice(self.trads)
        for m in re.finditer(r"\{(\w+)\}", shape):
            out.append(shape[pos:m.start()])
            key = m.group(1)
            person = None
            if key in ("P", "P2"):
                _, g, f, full = self.person(trad if rng.random() < 0.6 else None)
                person = full if rng.random() < 0.5 else g
            elif key in ("G", "G4"):
                person = self.person(trad if rng.random() < 0.7 else None)[1]
            elif key in ("F", "F2", "F3"):
                person = self.person(trad if rng.random() < 0.6 else None)[3]
            elif key in ("S", "S2"):
                person = self.person()[2]
            text = {
                "O": lambda: rng.choice(ORGS), "O2": lambda: rng.choice(ORGS),
                "L": lambda: rng.choice(PLACES), "D": lambda: rng.choice(DAYS),
                "M": lambda: rng.choice(MONTHS), "R": lambda: rng.choice(RELATIONS),
                "J": lambda: rng.choice(ROLES),
                "e": lambda: rng.choice(["info", "office", "admin", "hello"]),
                "h": lambda: rng.choice(["kirkbyfoodbank", "oaktreetrust", "sunrisenursery"]),
            }.get(key, lambda: None)() if person is None else person
            if lower and person is not None:
                text = text.lower()
            start = sum(len(x) for x in out)
            out.append(text)
            if person is not None:
                people.append((start, start + len(text)))
            pos = m.end()
        out.append(shape[pos:])
        s = "".join(out)
        if lower and rng.random() < 0.5:
            s = s.lower()
        return s, people


def generate(n: int, seed: int):
    rng = random.Random(seed)
    filler = Filler(rng, build_pools(rng))
    for _ in range(n):
        negative = rng.random() < 0.2
        shape = rng.choice(NEGATIVE if negative else SHAPES)
        informal = shape[:1].islower() or shape.startswith(("@", "Happy", "Is "))
        lower = not negative and rng.random() < (0.5 if informal else 0.08)
        text, people = filler.fill(shape, lower)
        yield {"text": text, "people": people}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=6000)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args(argv)
    for row in generate(a.n, a.seed):
        print(json.dumps(row, ensure_ascii=False))


if __name__ == "__main__":
    main()
