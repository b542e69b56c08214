"""Word lists for the PERSON detector: titles, relations, the words that look like names but are
not (places, organisations, months, job titles, eponymous conditions), and a first-name gazetteer.

The gazetteer is read lazily, once per process, from the installed `gender-guesser` package
(GPL-3.0; its name list comes from Jörg Michael's `gender` dictionary, about 45,000 given names
from 54 countries, including Polish, Turkish, Welsh and Irish spellings). If that package is
missing the detector still works, without the gazetteer's help. Extra names can be listed one per
line in rules/names/first-names.txt.
"""
from __future__ import annotations

import re
import threading
from functools import lru_cache
from pathlib import Path

from ..diskcache import disk_cached

TITLES = {
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "sir", "dame", "lady", "lord",
    "judge", "rev", "revd", "reverend", "cllr", "councillor", "master", "mme", "mlle", "madam",
    "señor", "senor", "herr", "frau", "doctor",
}
# Words that can sit between a title and the name without being the name ("Mr Justice Collins").
ROLE_WORDS = {
    "justice", "chief", "chancellor", "advocate", "general", "president", "judge", "lord",
    "lady", "sir", "baron", "baroness", "registrar", "deputy", "district", "circuit", "recorder",
    "master", "of", "the", "and", "commissioner", "attorney", "solicitor", "secretary", "state",
    "high", "sheriff", "mayor", "bishop", "dean", "mr", "mrs", "ms", "dr", "miss",
}
# Judicial post-nominals: "Tugendhat J", "Auld LJ", "Bennathan QC".
POST_NOMINALS = {"J", "LJ", "LJJ", "QC", "KC", "MR", "JJ", "CJ", "MP", "OBE", "MBE", "CBE", "KBE"}

SALUTATIONS = (
    "dear", "hi", "hiya", "hello", "hey", "morning", "good morning", "good afternoon",
    "good evening", "afternoon", "evening", "thanks", "thank you", "many thanks", "cheers",
    "regards", "kind regards", "best wishes", "best", "warm wishes", "love", "with thanks",
    "all the best", "take care", "speak soon", "yours", "sincerely",
)

RELATIONS = (
    "sister", "brother", "son", "daughter", "mum", "mom", "mummy", "mother", "dad", "daddy",
    "father", "nan", "nana", "nanna", "gran", "granny", "grandma", "grandmother", "grandad",
    "granddad", "grandpa", "grandfather", "grandson", "granddaughter", "aunt", "auntie", "aunty",
    "uncle", "cousin", "wife", "husband", "partner", "spouse", "stepdad", "stepmum", "stepfather",
    "stepmother", "stepbrother", "stepsister", "sibling", "siblings", "niece", "nephew",
    "boyfriend", "girlfriend", "friend", "carer", "twin", "baby", "child", "children",
    "fiancé", "fiancée", "fiance", "fiancee", "widow", "widower", "ex-partner", "ex-husband",
    "ex-wife", "parent", "parents", "kids", "kid", "boy", "girl", "toddler",
)

# Words after a capitalised name-like word that make the whole thing a place or an organisation.
PLACE_ORG_SUFFIX = {
    "street", "st", "road", "rd", "lane", "ln", "avenue", "ave", "close", "drive", "way",
    "crescent", "terrace", "place", "square", "gardens", "grove", "row", "walk", "mews", "park",
    "parade", "hill", "rise", "view", "court", "green", "wharf", "bridge", "yard", "estate",
    "church", "chapel", "cathedral", "abbey", "mosque", "synagogue", "temple", "parish",
    "ward", "wards", "hospice", "hospital", "surgery", "clinic", "practice", "infirmary",
    "school", "academy", "college", "primary", "secondary", "university", "nursery",
    "centre", "center", "hall", "halls", "rooms", "room", "house", "suite", "unit", "library",
    "trust", "foundation", "charity", "society", "association", "club", "group", "network",
    "ltd", "limited", "llp", "plc", "inc", "co", "company", "corporation", "partners",
    "partnership", "council", "services", "service", "fund", "appeal", "campaign", "award",
    "awards", "prize", "syndrome", "disease", "dystrophy", "muscular", "palsy", "foods",
    "bank", "building", "buildings", "lodge", "farm", "cottage", "manor", "barracks", "station",
    "airport", "prison", "institute", "institution", "project", "programme", "team", "cafe",
    "café", "pub", "inn", "hotel", "arms", "shop", "store", "stores", "market", "museum",
    "theatre", "cinema", "stadium", "leisure", "sports", "festival", "fair", "day", "week",
    "act", "convention", "protocol", "regulations", "rules", "agreement", "treaty", "report",
    "review", "inquiry", "commission", "committee", "tribunal", "division", "department",
    "ministry", "office", "agency", "authority", "board", "government", "republic", "county",
    "borough", "city", "town", "village", "valley", "river", "lake", "forest", "bay", "island",
    "islands", "mountain", "mountains", "district", "region", "province", "kingdom", "union",
    "law", "code", "method", "test", "scale", "model", "house", "homes", "home", "care",
    "pharmacy", "medical", "health", "nhs", "fellowship", "ministries", "mission", "news",
    "times", "post", "gazette", "herald", "press", "radio", "tv", "online", "uk", "ltd.",
    "magistrates", "magistrates'", "ombudsman", "directorate", "chambers", "a/s", "as", "ab",
    "gmbh", "sa", "bv", "nv", "ag", "oy", "spa", "sons", "bros", "brothers", "newspaper",
    "counts", "matters", "together", "link", "kinship", "minds", "lives", "futures",
    "box", "orchestra", "band", "choir", "ensemble", "quartet", "incorporated", "investments",
    "industries", "holdings", "consulting", "solutions", "systems", "technologies", "strasse",
    "straße", "gate", "gade", "vej", "utca", "ulica", "calle", "rue", "via", "avenida",
}
PLACE_ORG_PREFIX = {"st", "st.", "saint", "the", "hmp", "hm", "fort", "mount", "lake", "port",
                    "new", "north", "south", "east", "west", "upper", "lower", "great", "little",
                    "royal", "national", "university", "bank", "club", "team", "operation",
                    "project", "camp", "hurricane", "storm"}

EPONYMOUS_CONDITIONS = {
    "duchenne", "rett", "angelman", "down", "asperger", "aspergers", "tourette", "tourettes",
    "crohn", "crohns", "alzheimer", "alzheimers", "parkinson", "parkinsons", "huntington",
    "huntingtons", "hodgkin", "hodgkins", "perthes", "becker", "prader", "willi", "noonan",
    "marfan", "kawasaki", "addison", "addisons", "cushing", "graves", "bell", "hirschsprung",
    "batten", "sanfilippo", "hunter", "hurler", "pompe", "fabry", "gaucher", "tay", "sachs",
    "wilms", "ewing", "ewings", "kaposi", "guillain", "barre", "barré", "creutzfeldt",
    "jakob", "meniere", "ménière", "raynaud", "raynauds", "sjogren", "sjögren", "stills",
    "menkes", "klinefelter", "edwards", "patau", "dravet", "lennox", "gastaut", "west",
    "williams", "turner", "fragile", "apert", "crouzon", "pfeiffer", "treacher", "collins",
}

# Month names and their abbreviations in English. Written out, not taken from `calendar`:
# calendar.month_name follows the machine's locale, and these are words of English text.
MONTHS = {"january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december", "jan", "feb", "mar", "apr", "jun",
          "jul", "aug", "sep", "sept", "oct", "nov", "dec"}
WEEKDAYS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
            "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun"}

# Words that are never a person's name on their own here, whatever the NER says.
NOT_NAMES = {
    # kinship and address words
    "mum", "mom", "mummy", "dad", "daddy", "nan", "nana", "gran", "granny", "grandma", "grandad",
    "grandpa", "auntie", "aunty", "uncle", "sis", "bro", "baby", "sir", "madam", "mr", "mrs", "ms",
    "miss", "mx", "dr", "lord", "lady", "dame", "judge", "team", "all", "everyone", "folks",
    # form labels, contact words, roles and job titles
    "tel", "telephone", "phone", "mobile", "mob", "fax", "email", "e-mail", "address", "dob",
    "postcode", "postcodes", "zip", "eircode",
    "name", "names", "driver", "drivers", "manager", "coordinator", "co-ordinator", "officer",
    "worker", "lead", "trustee", "trustees", "chair", "chairman", "chairwoman", "chairperson",
    "treasurer", "secretary", "mentor", "mentors", "mentee", "volunteer", "volunteers",
    "counsellor", "counselor", "therapist", "teacher", "headteacher", "head", "nurse", "doctor",
    "consultant", "director", "ceo", "admin", "administrator", "assistant", "receptionist",
    "caseworker", "keyworker", "practitioner", "paediatrician", "psychiatrist", "psychologist",
    "gp", "dsl", "senco", "lado", "social", "parent", "parents", "carer", "carers", "guardian",
    "client", "clients", "others", "adviser", "advisor", "advisers", "ombudsman", "child", "children", "pupil", "student", "applicant", "applicants",
    "claimant", "defendant", "respondent", "appellant", "complainant", "victim", "witness",
    "plaintiff", "petitioner", "government", "court", "president", "registrar", "agent",
    "counsel", "solicitor", "barrister", "lawyer", "minister", "prosecutor", "police",
    "sergeant", "constable", "inspector", "detective", "officer", "staff", "member", "members",
    # function words and discourse that NER sometimes tags after a capital letter
    "the", "a", "an", "and", "or", "but", "he", "she", "they", "we", "you", "i", "it", "his",
    "her", "their", "our", "my", "your", "this", "that", "these", "those", "there", "here",
    "yes", "no", "ok", "okay", "please", "thanks", "thank", "regards", "dear", "hi", "hello",
    "hey", "cheers", "best", "love", "wishes", "kind", "many", "re", "fw", "fwd", "subject",
    "to", "from", "cc", "bcc", "sent", "date", "attachment", "note", "notes", "update", "urgent",
    # verbs, money, seasons, festivals and other capitalised common words that are also names
    "will", "may", "might", "can", "could", "should", "would", "must", "shall", "did", "does",
    "penny", "pence", "pound", "pounds", "bill", "bills", "charity", "chase", "grant", "grants", "sterling", "summer", "autumn", "winter",
    "spring", "christmas", "easter", "eid", "diwali", "ramadan", "hanukkah", "advent", "lent",
    "halloween", "new", "year", "bank", "holiday", "holidays", "half", "term", "god", "jesus",
    "allah", "christ", "bible", "quran", "koran", "skc", "nhs", "camhs", "mash", "ofsted", "dbs",
    "gdpr", "covid", "zoom", "teams", "whatsapp", "facebook", "instagram", "tiktok", "google",
    "gmail", "hotmail", "outlook", "yahoo", "iphone", "android", "lego", "minecraft", "fortnite",
    "roblox", "xbox", "playstation", "nintendo", "netflix", "youtube", "amazon", "tesco",
    "asda", "morrisons", "sainsbury", "sainsburys", "aldi", "lidl", "costa", "greggs",
    "article", "articles", "section", "paragraph", "chapter", "schedule", "annex", "appendix",
    "page", "part", "item", "rule", "rules", "order", "act", "convention", "protocol", "law",
    "state", "states", "kingdom", "republic", "european", "english", "british", "welsh",
    "scottish", "irish", "polish", "turkish", "french", "german", "muslim", "christian",
    "jewish", "hindu", "sikh", "catholic", "protestant", "anglican", "methodist", "baptist",
    "autism", "adhd", "asd", "epilepsy", "cancer", "leukaemia", "sertraline", "fluoxetine",
    "ritalin", "melatonin", "paracetamol", "calpol", "inhaler", "epipen",
    "biscuit", "dog", "cat", "puppy", "kitten", "pet",
    "congratulations", "welcome", "well", "done", "great", "good", "sorry", "oh", "wow",
    "morning", "afternoon", "evening", "night", "today", "tomorrow", "yesterday", "tonight",
    "north", "south", "east", "west", "central", "upper", "lower",
} | MONTHS | WEEKDAYS

_UPPERS = "".join(ch for ch in map(chr, range(0x41, 0x2000)) if ch.isupper() and ch.isalpha())
UP = re.escape(_UPPERS)  # a character class body of upper-case letters (Latin, Greek, Cyrillic)


def _extra_file_names() -> set[str]:
    here = Path(__file__).resolve().parent
    out: set[str] = set()
    for base in (here.parent.parent / "rules" / "names", here.parent / "ruledata" / "names"):
        f = base / "first-names.txt"
        if f.is_file():
            for line in f.read_text(encoding="utf-8").splitlines():
                line = line.split("#", 1)[0].strip()
                if line:
                    out.add(line.lower())
            break
    return out


_LOCK = threading.Lock()
# what the cached lists are made of besides their packages: this module and the extra names
_EXTRA_SOURCES = (Path(__file__).resolve(),
                  Path(__file__).resolve().parent.parent.parent / "rules" / "names" / "first-names.txt")


@lru_cache(maxsize=1)
def _given_names() -> tuple[frozenset[str], frozenset[str]]:
    with _LOCK:
        return disk_cached("first-names", ("gender-guesser",), _read_first_names, _EXTRA_SOURCES)


def first_names() -> frozenset[str]:
    """Lower-cased given names (gazetteer). Loaded once per process; empty if unavailable."""
    return _given_names()[0]


def given_syllables() -> frozenset[str]:
    """The syllables of the gazetteer's two-part given names ("Hee+Seon", "Jae+Won"): Korean and
    Chinese given names romanised with a hyphen are pairs of these ("Na-yeon")."""
    return _given_names()[1]


def _read_first_names() -> tuple[frozenset[str], frozenset[str]]:
    """(given names, the syllables of the two-part ones) from the name dictionary."""
    names: set[str] = set()
    syllables: set[str] = set()
    try:
        from importlib import resources
        data = resources.files("gender_guesser") / "data" / "nam_dict.txt"
        with data.open("r", encoding="utf-8") as fh:
            for line in fh:
                if not line or line[0] in "#=":
                    continue
                parts = line.split()
                if len(parts) < 2:
                    continue
                name = parts[1]
                if "+" in name:
                    syllables.update(p.lower() for p in name.split("+") if len(p) <= 5)
                    for rep in ("", " ", "-"):
                        names.add(name.replace("+", rep).lower())
                else:
                    names.add(name.lower())
    except (ImportError, FileNotFoundError, OSError, ModuleNotFoundError):
        pass
    names |= _extra_file_names()
    return frozenset(names), frozenset(syllables)


# Job nouns that end a Title Case run which is then a job title, not a person
# ("Family Support Worker", "Sibling Groups Coordinator"); in lower case before a name they open
# a name slot ("counsellor Aled Prosser").
JOB_WORDS = {
    "worker", "workers", "officer", "officers", "manager", "managers", "coordinator",
    "co-ordinator", "coordinators", "lead", "leads", "leader", "leaders", "adviser", "advisor",
    "assistant", "practitioner", "administrator", "director", "nurse", "visitor", "counsellor",
    "counselor", "therapist", "mentor", "mentors", "volunteer", "volunteers", "trustee",
    "trustees", "treasurer", "secretary", "chair", "facilitator", "organiser", "organizer",
    "supervisor", "specialist", "consultant", "teacher", "tutor", "keyworker", "caseworker",
    "champion", "ambassador", "apprentice", "intern", "receptionist", "fundraiser", "helper",
}
JOB_SLOT_WORDS = {
    "counsellor", "counselor", "volunteer", "mentor", "mentee", "worker", "officer", "nurse",
    "teacher", "trustee", "treasurer", "coordinator", "co-ordinator", "manager", "assistant",
    "therapist", "tutor", "supervisor", "fundraiser", "befriender", "driver", "helper", "client",
    "donor", "supporter", "participant", "member", "carer", "caseworker", "keyworker",
}

# Ethnic, national and religious group words and peoples: never a person's name on their own.
GROUP_WORDS = {
    "hazara", "pashtun", "pashtuns", "tajik", "tajiks", "uzbek", "uzbeks", "baloch", "kurd",
    "kurds", "kurdish", "yazidi", "yazidis", "roma", "romani", "romany", "gypsy", "gypsies",
    "traveller", "travellers", "sinti", "arab", "arabs", "persian", "amhara", "oromo", "tigrayan",
    "tigrinya", "somali", "somalis", "eritrean", "eritreans", "ethiopian", "sudanese", "syrian",
    "syrians", "afghan", "afghans", "iraqi", "iranian", "pakistani", "bangladeshi", "indian",
    "punjabi", "gujarati", "bengali", "tamil", "tamils", "sinhalese", "nepali", "gurkha",
    "chinese", "vietnamese", "filipino", "thai", "malay", "nigerian", "ghanaian", "yoruba",
    "igbo", "hausa", "zimbabwean", "congolese", "ugandan", "kenyan", "caribbean", "jamaican",
    "african", "asian", "european", "albanian", "kosovan", "romanian", "bulgarian", "lithuanian",
    "latvian", "slovak", "czech", "hungarian", "ukrainian", "russian", "portuguese", "spanish",
    "italian", "greek", "cypriot", "turkish", "polish", "welsh", "scottish", "irish", "english",
    "british", "cornish", "manx", "ulster", "muslim", "muslims", "jewish", "jew", "jews", "hindu",
    "hindus", "sikh", "sikhs", "buddhist", "buddhists", "catholic", "catholics", "anglican",
    "methodist", "baptist", "pentecostal", "presbyterian", "quaker", "quakers", "sunni", "shia",
    "ahmadi", "ahmadiyya", "ismaili", "sufi", "alevi", "druze", "bahai", "baha'i", "rastafarian",
    "mormon", "orthodox", "coptic", "evangelical", "pagan", "jain", "zoroastrian", "hasidic",
    "haredi", "charedi", "bame", "lgbt", "lgbtq", "lgbtq+",
}

# National charities, helplines and services named in UK charity writing: organisations, not people.
ORG_WORDS = {
    "samaritans", "childline", "nspcc", "barnardo's", "barnardos", "mind", "youngminds", "shelter",
    "papyrus", "kooth", "refuge", "relate", "cruse", "mencap", "scope", "macmillan", "shout",
    "nacro", "victim support", "citizens advice", "women's aid", "age uk", "carers trust",
    "carers uk", "action for children", "the children's society", "young carers", "turn2us",
    "stepchange", "trussell", "foodbank", "beat", "sane", "calm", "ofsted", "cafcass", "unison",
    "unite", "gmb", "unicef", "oxfam", "sense", "contact", "family action", "home-start",
    "homestart", "gingerbread", "buttle", "winston's wish", "marie curie", "clic sargent",
    "young lives vs cancer", "teenage cancer trust", "rethink", "headspace", "brook", "stonewall",
}


@lru_cache(maxsize=1)
def uk_places() -> frozenset[str]:
    """Lower-cased UK place names (towns, villages, districts, counties) from
    rules/names/uk-places.txt (GeoNames, CC BY 4.0; see that file). Empty if it is missing."""
    here = Path(__file__).resolve().parent
    for base in (here.parent.parent / "rules" / "names", here.parent / "ruledata" / "names"):
        f = base / "uk-places.txt"
        if f.is_file():
            out = set()
            for line in f.read_text(encoding="utf-8").splitlines():
                line = line.split("#", 1)[0].strip()
                if line:
                    out.add(line.lower())
            return frozenset(out)
    return frozenset()


@lru_cache(maxsize=1)
def surnames() -> frozenset[str]:
    """Lower-cased family names: the 88,799 surnames of the 1990 US Census (public domain), as
    shipped by the `names` package (MIT). Read lazily, once per process; empty if unavailable.
    Many are also ordinary words ("Brown", "Hill"): callers pair this list with context."""
    with _LOCK:
        return disk_cached("surnames", ("names",), _read_surnames, _EXTRA_SOURCES)


def _read_surnames() -> frozenset[str]:
    try:
        from importlib import resources
        data = resources.files("names") / "dist.all.last"
        with data.open("r", encoding="utf-8") as fh:
            return frozenset(line.split(None, 1)[0].lower() for line in fh if line.strip())
    except (ImportError, FileNotFoundError, OSError, ModuleNotFoundError):
        return frozenset()


@lru_cache(maxsize=1)
def common_first_names() -> frozenset[str]:
    """Lower-cased given names common enough to appear in the 1990 US Census lists (5,494
    names, public domain, shipped by the `names` package): a name here is a name even where
    it is also a word ("Grace", "Jade"). Empty if unavailable."""
    with _LOCK:
        out: set[str] = set()
        try:
            from importlib import resources
            for f in ("dist.female.first", "dist.male.first"):
                with (resources.files("names") / f).open("r", encoding="utf-8") as fh:
                    out.update(line.split(None, 1)[0].lower() for line in fh if line.strip())
        except (ImportError, FileNotFoundError, OSError, ModuleNotFoundError):
            pass
        return frozenset(out)


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """Lower-case English words: the entries of Webster's Second International word list (public
    domain) written in lower case there, as shipped by the `english-words` package (MIT).
    Proper nouns of that list (capitalised there) are left out. Read lazily, once per process;
    empty if unavailable, in which case every word counts as possibly a name."""
    with _LOCK:
        return disk_cached("english-words", ("english-words",), _read_english_words, _EXTRA_SOURCES)


def _read_english_words() -> frozenset[str]:
    try:
        from english_words import get_english_words_set
        return frozenset(w for w in get_english_words_set(["web2"], lower=False, alpha=True)
                         if w.islower())
    except (ImportError, FileNotFoundError, OSError, ModuleNotFoundError, ValueError):
        return frozenset()


# The world's countries and a few regions, in English: never a person on their own, whatever
# the given-name gazetteer says ("France", "Jordan", "Georgia", "Chad", "India"). Written out:
# ISO 3166 lists (pycountry) give official names ("Myanmar", not also "Burma"; no "England",
# "Britain", "Holland") and are not installed; this is the everyday English a charity writes.
COUNTRIES = {
    "afghanistan", "albania", "algeria", "andorra", "angola", "antigua", "argentina", "armenia",
    "australia", "austria", "azerbaijan", "bahamas", "bahrain", "bangladesh", "barbados",
    "belarus", "belgium", "belize", "benin", "bhutan", "bolivia", "bosnia", "botswana", "brazil",
    "brunei", "bulgaria", "burkina", "burundi", "cambodia", "cameroon", "canada", "chad", "chile",
    "china", "colombia", "comoros", "congo", "croatia", "cuba", "cyprus", "czechia", "denmark",
    "djibouti", "dominica", "ecuador", "egypt", "eritrea", "estonia", "eswatini", "ethiopia",
    "fiji", "finland", "france", "gabon", "gambia", "georgia", "germany", "ghana", "greece",
    "grenada", "guatemala", "guinea", "guyana", "haiti", "honduras", "hungary", "iceland", "india",
    "indonesia", "iran", "iraq", "ireland", "israel", "italy", "jamaica", "japan", "jordan",
    "kazakhstan", "kenya", "kiribati", "kosovo", "kuwait", "kyrgyzstan", "laos", "latvia",
    "lebanon", "lesotho", "liberia", "libya", "liechtenstein", "lithuania", "luxembourg",
    "madagascar", "malawi", "malaysia", "maldives", "mali", "malta", "mauritania", "mauritius",
    "mexico", "micronesia", "moldova", "monaco", "mongolia", "montenegro", "morocco",
    "mozambique", "myanmar", "burma", "namibia", "nauru", "nepal", "netherlands", "holland",
    "nicaragua", "niger", "nigeria", "norway", "oman", "pakistan", "palau", "palestine", "panama",
    "paraguay", "peru", "philippines", "poland", "portugal", "qatar", "romania", "russia",
    "rwanda", "samoa", "senegal", "serbia", "seychelles", "singapore", "slovakia", "slovenia",
    "somalia", "spain", "sudan", "suriname", "sweden", "switzerland", "syria", "taiwan",
    "tajikistan", "tanzania", "thailand", "togo", "tonga", "trinidad", "tobago", "tunisia",
    "turkey", "türkiye", "turkmenistan", "tuvalu", "uganda", "ukraine", "uruguay", "uzbekistan",
    "vanuatu", "vatican", "venezuela", "vietnam", "yemen", "zambia", "zimbabwe", "england",
    "scotland", "wales", "britain", "america", "europe", "africa", "asia", "kurdistan",
    "greenland", "tibet", "crimea", "catalonia", "andalusia", "bavaria", "sicily", "sardinia",
    "corsica", "flanders", "wallonia", "lapland", "siberia", "patagonia", "caribbean",
}
