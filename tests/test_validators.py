"""Unit tests for sklint.detect.validators: check digits and shapes, good and bad."""
from __future__ import annotations

from datetime import date

import pytest

from sklint.detect.validators import (
    VALIDATORS, age_valid, date_valid, email_shape, iban_mod97, luhn, nhs_mod11, ni_prefix,
    parse_date, phone_gb, sort_code_account, uk_postcode,
)


@pytest.mark.parametrize("text", ["484 019 1611", "692 174 2180", "9434765919", "943-476-5919"])
def test_nhs_valid(text):
    assert nhs_mod11(text)


@pytest.mark.parametrize("text", ["484 019 1612", "0004471932", "1111111111", "123456789", "12345678901"])
def test_nhs_invalid(text):
    assert not nhs_mod11(text)


def test_nhs_check_digit_ten_is_never_issued():
    # 1 0 0 0 0 0 0 0 1: 1*10 + 1*2 = 12, remainder 1 -> check digit 10 -> never valid
    for last in range(10):
        assert not nhs_mod11(f"100000001{last}")


@pytest.mark.parametrize("text", ["4111 1111 1111 1111", "5555555555554444", "378282246310005",
                                  "4012-8888-8888-1881"])
def test_luhn_valid(text):
    assert luhn(text)


@pytest.mark.parametrize("text", ["4111 1111 1111 1112", "7741 0093 2211", "2025031100448",
                                  "1234567812345670", "0000000000000000"])
def test_luhn_invalid(text):
    assert not luhn(text)


@pytest.mark.parametrize("text", ["GB82 WEST 1234 5698 7654 32", "GB82WEST12345698765432",
                                  "DE89 3704 0044 0532 0130 00"])
def test_iban_valid(text):
    assert iban_mod97(text)


@pytest.mark.parametrize("text", ["GB82 WEST 1234 5698 7654 33", "GB82 WEST 1234", "XX00 0000 0000 0000"])
def test_iban_invalid(text):
    assert not iban_mod97(text)


@pytest.mark.parametrize("text", ["JK 48 27 16 B", "WL552084C", "AB123456C", "ZR 10 20 30 D"])
def test_ni_valid(text):
    assert ni_prefix(text)


@pytest.mark.parametrize("text", ["QQ 12 34 56 C", "GB123456A", "DA123456B", "AO123456A",
                                  "AB123456E", "NT123456A", "AB12345C"])
def test_ni_invalid(text):
    assert not ni_prefix(text)


@pytest.mark.parametrize("text", ["LA9 4DH", "CA11 0SA", "SW1A 1AA", "M1 1AE", "B33 8TH", "LA96QR",
                                  "EC1A 1BB", "GIR 0AA"])
def test_postcode_valid(text):
    assert uk_postcode(text)


@pytest.mark.parametrize("text", ["LA9", "Year 8", "QQ1 1AA", "LA9 4CI", "LA9 4D", "XR51234", "LA9A 1AA"])
def test_postcode_invalid(text):
    assert not uk_postcode(text)


@pytest.mark.parametrize("text", ["07700 900412", "015394 12345", "+44 (0)1768 555123", "01229 581 233",
                                  "+447700900456", "0044 7700 900789", "(0161) 496 0000", "07911 123456"])
def test_phone_valid(text):
    assert phone_gb(text)


@pytest.mark.parametrize("text", ["0004471932", "7741 0093 2211", "999", "08812345", "+1 212 555 0100",
                                  "2025031100448"])
def test_phone_invalid(text):
    assert not phone_gb(text)


def test_sort_code_account():
    assert sort_code_account("30-94-57")
    assert sort_code_account("71234568")
    assert not sort_code_account("00-00-00")
    assert not sort_code_account("12345")


@pytest.mark.parametrize("text, want", [
    ("3/4/2011", date(2011, 4, 3)), ("14.09.2012", date(2012, 9, 14)), ("2014-06-21", date(2014, 6, 21)),
    ("3rd April 2013", date(2013, 4, 3)), ("2 May 1996", date(1996, 5, 2)), ("3.4.11", date(2011, 4, 3)),
    ("April 3rd, 2013", date(2013, 4, 3)), ("12 Jan 2010", date(2010, 1, 12)), ("1st of March 2009", date(2009, 3, 1)),
])
def test_parse_date(text, want):
    assert parse_date(text) == want


@pytest.mark.parametrize("text", ["31/02/2011", "2014-13-01", "3 Smarch 2011", "12/03", "99.99.9999"])
def test_parse_date_rejects(text):
    assert parse_date(text) is None


def test_date_valid_rejects_future_and_ancient():
    assert date_valid("3/4/2011")
    assert not date_valid("3/4/2999")
    assert not date_valid("3/4/1850")


def test_age_and_email():
    assert age_valid("aged 13") and age_valid("six-year-old") and not age_valid("aged 300")
    assert email_shape("ruth.carter62@gmail.com")
    assert not email_shape("report@v2") and not email_shape("a@b.c1")


def test_every_validator_named_in_rules_exists():
    from sklint.registry import load_registry
    for rule in load_registry().rules:
        names = [rule.data.get("validator")] + [p.get("validator") for p in rule.data.get("patterns") or []]
        for n in names:
            assert n is None or n in VALIDATORS, f"{rule.code}: unknown validator {n}"
