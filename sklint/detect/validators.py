"""Check-digit and shape validators for identifier candidates, named from rules/identifiers/*.yaml.

Each validator takes the matched text (as found in the document) and returns True when the
candidate really has the shape of the identifier. They are pure functions, no I/O, no state.
`VALIDATORS` is the one table the YAML `validator:` key names.
"""
from __future__ import annotations

import re
from datetime import date
from typing import Callable

import phonenumbers

_DIGITS = re.compile(r"\d")


def digits(text: str) -> str:
    return "".join(_DIGITS.findall(text))


def nhs_mod11(text: str) -> bool:
    """NHS number: 10 digits, the last a modulus-11 check digit over the first nine
    (weights 10..2); a remainder giving 10 is never issued."""
    d = digits(text)
    if len(d) != 10 or len(set(d)) == 1:
        return False
    total = sum(int(c) * w for c, w in zip(d[:9], range(10, 1, -1)))
    check = 11 - total % 11
    if check == 11:
        check = 0
    if check == 10:
        return False
    return check == int(d[9])


def luhn(text: str) -> bool:
    """Payment card number: 13-19 digits passing the Luhn check, with a known issuer prefix
    (Visa 4, Mastercard 51-55/2221-2720, Amex 34/37, Maestro/Discover 5018.../6)."""
    d = digits(text)
    if not 13 <= len(d) <= 19 or len(set(d)) == 1:
        return False
    if not (d[0] in "456" or d[:2] in ("34", "37") or 2221 <= int(d[:4]) <= 2720):
        return False
    total = 0
    for i, c in enumerate(reversed(d)):
        n = int(c)
        if i % 2 == 1:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


_IBAN_LEN = {"GB": 22, "IE": 22, "DE": 22, "FR": 27, "ES": 24, "IT": 27, "NL": 18, "BE": 16,
             "PL": 28, "PT": 25, "GI": 23, "JE": 22, "GG": 22, "IM": 22}


def iban_mod97(text: str) -> bool:
    """IBAN: country code, two check digits, BBAN; the ISO 7064 mod-97 remainder is 1."""
    s = re.sub(r"[\s-]", "", text).upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}", s):
        return False
    want = _IBAN_LEN.get(s[:2])
    if want is not None and len(s) != want:
        return False
    moved = s[4:] + s[:4]
    num = "".join(str(int(c, 36)) for c in moved)
    return int(num) % 97 == 1


# HMRC: first letter not D F I Q U V; second not D F I O Q U V; these pairs never issued.
_NI_BAD_PAIRS = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}
_NI_RE = re.compile(r"([A-CEGHJ-PR-TW-Z])([A-CEGHJ-NPR-TW-Z])(\d{6})([A-D])")


def ni_prefix(text: str) -> bool:
    """National Insurance number: two prefix letters HMRC issues, six digits, suffix A-D."""
    s = re.sub(r"\s", "", text).upper()
    m = _NI_RE.fullmatch(s)
    return bool(m) and m.group(1) + m.group(2) not in _NI_BAD_PAIRS


# Postcode areas in use (Royal Mail).
_AREAS = set("""AB AL B BA BB BD BF BH BL BN BR BS BT BX CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH
DL DN DT DY E EC EH EN EX FK FY G GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT KW KY L LA LD
LE LL LN LS LU M ME MK ML N NE NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM S SA SE SG SK SL SM SN
SO SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA WC WD WF WN WR WS WV YO ZE""".split())
_PC_RE = re.compile(r"([A-Z]{1,2})(\d[A-Z\d]?)\s*(\d)([ABD-HJLNP-UW-Z]{2})")


def uk_postcode(text: str) -> bool:
    """Full UK postcode: a real postcode area, a district, then the inward code digit plus two
    letters (never C I K M O V). Districts alone ("LA9") are not postcodes."""
    s = text.strip().upper()
    m = _PC_RE.fullmatch(s)
    if not m:
        return s.replace(" ", "") == "GIR0AA"
    area, district = m.group(1), m.group(2)
    if area not in _AREAS:
        return False
    if len(district) == 2 and district[1].isalpha():
        # A9A districts exist only in London-ish areas (EC1A, W1A, SW1A, E1W, N1C, NW1W, SE1P)
        return area in ("EC", "WC", "W", "SW", "E", "N", "NW", "SE")
    return True


def phone_gb(text: str) -> bool:
    """A UK phone number in national (0...) or international (+44 / 0044) form that
    libphonenumber accepts for GB. Mobiles in the 07700 900xxx drama range are not "valid" to
    libphonenumber but are phone numbers all the same: any possible 07xxx xxxxxx mobile counts."""
    raw = text.replace("(0)", " ").strip()
    d = digits(raw)
    if raw.startswith("+") or d.startswith("0044"):
        if not (d.startswith("44") or d.startswith("0044")):
            return False
    elif not re.match(r"0[1-9]", d):
        return False
    try:
        num = phonenumbers.parse(raw, "GB")
    except phonenumbers.NumberParseException:
        return False
    if num.country_code != 44:
        return False
    if phonenumbers.is_valid_number_for_region(num, "GB"):
        return True
    nsn = phonenumbers.national_significant_number(num)
    return len(nsn) == 10 and nsn.startswith("7") and phonenumbers.is_possible_number(num)


def sort_code_account(text: str) -> bool:
    """A sort code (three pairs of digits) or a UK account number (8 digits, 6-10 tolerated)
    that is not all one digit."""
    d = digits(text)
    if len(set(d)) <= 1:
        return False
    return len(d) == 6 or 6 <= len(d) <= 10


_MONTHS = {m: i for i, m in enumerate(
    "jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1)}


def parse_date(text: str) -> date | None:
    """Parse the UK date formats sklint reads: 3/4/2011, 14.09.2012, 03-04-11, 2014-06-21,
    3rd April 2013, 2 May 1996, April 3rd 2013, 3 Apr. 2013. Day first for numeric forms."""
    s = text.strip()
    m = re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", s)
    if m:
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    else:
        m = re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})", s)
        if m:
            d, mo, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        else:
            m = re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)?(?:\s+of)?\s+([A-Za-z]{3,9})\.?,?\s+(\d{4}|'?\d{2})", s)
            if m:
                d, mon, y = int(m.group(1)), m.group(2), int(m.group(3).lstrip("'"))
            else:
                m = re.fullmatch(r"([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})", s)
                if not m:
                    return None
                mon, d, y = m.group(1), int(m.group(2)), int(m.group(3))
            mo = _MONTHS.get(mon[:3].lower(), 0)
            if not mo or (len(mon) > 3 and not _month_name_ok(mon)):
                return None
    if y < 100:
        y += 2000 if y <= date.today().year % 100 else 1900
    try:
        return date(y, mo, d)
    except ValueError:
        return None


def _month_name_ok(word: str) -> bool:
    full = ("january february march april may june july august september october november "
            "december sept").split()
    return word.lower() in full


def date_valid(text: str) -> bool:
    """A real calendar date, in one of the UK formats, no later than today and not before 1900."""
    d = parse_date(text)
    return d is not None and date(1900, 1, 1) <= d <= date.today()


def age_valid(text: str) -> bool:
    """An age a person can have: 0-120 (the number in the match, or a number word)."""
    d = digits(text)
    if d:
        return 0 <= int(d) <= 120
    return True


def email_shape(text: str) -> bool:
    """An email address with a dotted domain whose last label is letters."""
    local, _, domain = text.rpartition("@")
    if not local or "." not in domain or ".." in text:
        return False
    tld = domain.rsplit(".", 1)[1]
    return tld.isalpha() and len(tld) >= 2


VALIDATORS: dict[str, Callable[[str], bool]] = {
    "nhs_mod11": nhs_mod11,
    "luhn": luhn,
    "iban_mod97": iban_mod97,
    "ni_prefix": ni_prefix,
    "uk_postcode": uk_postcode,
    "phone_gb": phone_gb,
    "sort_code_account": sort_code_account,
    "date_valid": date_valid,
    "age_valid": age_valid,
    "email_shape": email_shape,
}
