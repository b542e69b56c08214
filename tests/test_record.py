"""The sharing record: an HMAC chain where editing, reordering, dropping or truncating any entry is
detected, and `sklint record verify` names the first broken entry."""
from __future__ import annotations

import csv
import io
import json
import os
import stat
import sys

import pytest
from click.testing import CliRunner

from sklint.serve.cli import record as record_cmd
from sklint.serve.record import (ChecklistError, SharingRecord, load_key, validate_checklist, verify)

KEY = b"k" * 32
CHECKLIST = {"recipient_verified": True, "purpose": "referral", "lawful_basis": "consent",
             "minimum_necessary": True, "secure_method": "encrypted email", "client_informed": True}


def make_log(path, n=5, key=KEY):
    rec = SharingRecord(path, key=key)
    entries = []
    for i in range(n):
        entries.append(rec.append(who=f"worker{i}@charity.org.uk", message_fingerprint=f"{i:032x}",
                                  decision="share", rules=["SK101", "SK105"], findings=[f"{i:032x}"],
                                  recipient_domains=["nhs.net"], checklist=validate_checklist(CHECKLIST, "share")))
    return entries


def lines(path):
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


def write(path, ls):
    path.write_text("".join(ls), encoding="utf-8")


def test_intact_chain(tmp_path):
    log = tmp_path / "r.jsonl"
    entries = make_log(log)
    res = verify(log, KEY)
    assert res.ok and res.entries == 5
    assert (res.head_seq, res.head_mac) == (5, entries[-1]["mac"])
    assert [e["seq"] for e in entries] == [1, 2, 3, 4, 5]
    assert entries[0]["prev_mac"] == "0" * 64
    assert all(entries[i]["prev_mac"] == entries[i - 1]["mac"] for i in range(1, 5))


@pytest.mark.parametrize("i", range(5))
def test_editing_any_entry_is_detected(tmp_path, i):
    log = tmp_path / "r.jsonl"
    make_log(log)
    ls = lines(log)
    e = json.loads(ls[i])
    e["checklist"]["lawful_basis"] = "vital-interests"
    ls[i] = json.dumps(e, sort_keys=True) + "\n"
    write(log, ls)
    res = verify(log, KEY)
    assert not res.ok and res.broken_seq == i + 1 and res.broken_line == i + 1
    assert "MAC" in res.reason


@pytest.mark.parametrize("i", range(5))
def test_editing_and_recomputing_mac_without_key_is_detected(tmp_path, i):
    """Someone without the key recomputes the MAC with a guessed key: still broken."""
    from sklint.serve.record import compute_mac
    log = tmp_path / "r.jsonl"
    make_log(log)
    ls = lines(log)
    e = json.loads(ls[i])
    e["who"] = "someone-else@charity.org.uk"
    e["mac"] = compute_mac(b"guessed-key-guessed-key", e)
    ls[i] = json.dumps(e, sort_keys=True) + "\n"
    write(log, ls)
    assert verify(log, KEY).broken_seq == i + 1


@pytest.mark.parametrize("i", range(4))
def test_reordering_is_detected(tmp_path, i):
    log = tmp_path / "r.jsonl"
    make_log(log)
    ls = lines(log)
    ls[i], ls[i + 1] = ls[i + 1], ls[i]
    write(log, ls)
    res = verify(log, KEY)
    assert not res.ok and res.broken_seq == i + 1


@pytest.mark.parametrize("i", range(5))
def test_dropping_any_entry_is_detected(tmp_path, i):
    log = tmp_path / "r.jsonl"
    entries = make_log(log)
    ls = lines(log)
    del ls[i]
    write(log, ls)
    head = (5, entries[-1]["mac"])
    res = verify(log, KEY, expect_head=head)
    assert not res.ok
    assert res.broken_seq == i + 1 or (i == 4 and "truncated" in res.reason)


def test_dropping_an_entry_and_renumbering_is_detected(tmp_path):
    log = tmp_path / "r.jsonl"
    make_log(log)
    ls = lines(log)
    del ls[2]
    for j in range(2, 4):
        e = json.loads(ls[j])
        e["seq"] -= 1
        ls[j] = json.dumps(e, sort_keys=True) + "\n"
    write(log, ls)
    res = verify(log, KEY)
    assert not res.ok and res.broken_seq == 3


def test_truncation_caught_with_noted_head(tmp_path):
    log = tmp_path / "r.jsonl"
    entries = make_log(log)
    head = (5, entries[-1]["mac"])
    write(log, lines(log)[:3])
    assert verify(log, KEY).ok  # a shorter chain is still a chain ...
    res = verify(log, KEY, expect_head=head)  # ... the noted head catches it
    assert not res.ok and "truncated" in res.reason
    write(log, [])
    assert not verify(log, KEY, expect_head=head).ok


def test_cut_off_last_line_is_detected(tmp_path):
    log = tmp_path / "r.jsonl"
    make_log(log)
    data = log.read_bytes()
    log.write_bytes(data[:-40])
    res = verify(log, KEY)
    assert not res.ok and res.broken_seq == 5


def test_wrong_key(tmp_path):
    log = tmp_path / "r.jsonl"
    make_log(log)
    res = verify(log, b"x" * 32)
    assert not res.ok and res.broken_seq == 1


def test_append_continues_chain_after_reopen(tmp_path):
    log = tmp_path / "r.jsonl"
    make_log(log, 2)
    make_log(log, 2)  # a new process opening the same log
    res = verify(log, KEY)
    assert res.ok and res.entries == 4


def test_key_file_created_0600(tmp_path, monkeypatch):
    monkeypatch.delenv("SKLINT_RECORD_KEY", raising=False)
    monkeypatch.delenv("SKLINT_RECORD_KEY_FILE", raising=False)
    log = tmp_path / "sub" / "r.jsonl"
    key = load_key(log)
    kf = tmp_path / "sub" / "r.jsonl.key"
    assert kf.exists() and len(key) == 64
    if os.name == "posix":
        assert stat.S_IMODE(kf.stat().st_mode) == 0o600
    assert load_key(log) == key  # stable


def test_checklist_rules():
    with pytest.raises(ChecklistError) as e:
        validate_checklist({**CHECKLIST, "client_informed": False}, "share")
    assert any("client_not_informed_reason" in p for p in e.value.problems)
    with pytest.raises(ChecklistError):
        validate_checklist({**CHECKLIST, "lawful_basis": "because"}, "share")
    with pytest.raises(ChecklistError):
        validate_checklist({**CHECKLIST, "surprise": 1}, "share")
    ok = validate_checklist({**CHECKLIST, "client_informed": False,
                             "client_not_informed_reason": "would raise the risk"}, "share")
    assert ok["client_not_informed_reason"] == "would raise the risk"
    assert validate_checklist({"purpose": "declined"}, "not-share")["purpose"] == "declined"


# -- the commands ------------------------------------------------------------------------------

def test_cli_verify_ok_prints_head(tmp_path, monkeypatch):
    monkeypatch.setenv("SKLINT_RECORD_KEY", KEY.decode())
    log = tmp_path / "r.jsonl"
    entries = make_log(log)
    r = CliRunner().invoke(record_cmd, ["verify", "--record", str(log)])
    assert r.exit_code == 0, r.output
    assert f"head: seq=5 mac={entries[-1]['mac']}" in r.output
    r = CliRunner().invoke(record_cmd, ["verify", "--record", str(log), "--head", f"5:{entries[-1]['mac']}"])
    assert r.exit_code == 0


def test_cli_verify_names_first_broken_entry(tmp_path, monkeypatch):
    monkeypatch.setenv("SKLINT_RECORD_KEY", KEY.decode())
    log = tmp_path / "r.jsonl"
    entries = make_log(log)
    ls = lines(log)
    ls[1] = ls[1].replace("worker1", "worker9")
    ls[3] = ls[3].replace("worker3", "worker8")
    write(log, ls)
    r = CliRunner().invoke(record_cmd, ["verify", "--record", str(log)])
    assert r.exit_code == 1
    assert "BROKEN at entry seq 2 (line 2)" in r.output
    assert f"last good: seq=1 mac={entries[0]['mac']}" in r.output
    write(log, lines(log)[:1])
    r = CliRunner().invoke(record_cmd, ["verify", "--record", str(log), "--head", f"5:{entries[-1]['mac']}"])
    assert r.exit_code == 1 and "truncated" in r.output


def test_cli_export_since(tmp_path, monkeypatch):
    monkeypatch.setenv("SKLINT_RECORD_KEY", KEY.decode())
    log = tmp_path / "r.jsonl"
    make_log(log, 3)
    ls = lines(log)
    # The first entry made long ago: rewrite it properly (with the key) to an old date.
    rec_entries = [json.loads(x) for x in ls]
    from sklint.serve.record import compute_mac, GENESIS
    prev = GENESIS
    for e in rec_entries:
        if e["seq"] == 1:
            e["ts"] = "2020-01-01T09:00:00Z"
        e["prev_mac"] = prev
        e["mac"] = compute_mac(KEY, e)
        prev = e["mac"]
    write(log, [json.dumps(e, sort_keys=True) + "\n" for e in rec_entries])
    out = tmp_path / "out.csv"
    r = CliRunner().invoke(record_cmd, ["export", "--record", str(log), "--since", "2021-01-01", "-o", str(out)])
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [row["seq"] for row in rows] == ["2", "3"]
    assert rows[0]["lawful_basis"] == "consent" and rows[0]["recipient_verified"] == "yes"
    assert rows[0]["rules"] == "SK101 SK105" and rows[0]["finding_count"] == "1"
    r = CliRunner().invoke(record_cmd, ["export", "--record", str(log), "--since", "yesterday"])
    assert r.exit_code == 2


def test_export_guards_formulas(tmp_path):
    log = tmp_path / "r.jsonl"
    rec = SharingRecord(log, key=KEY)
    rec.append(who="=cmd|' /C calc'!A0", message_fingerprint="0" * 32, decision="not-share", rules=[],
               findings=[], recipient_domains=[], checklist=validate_checklist({"purpose": "+1"}, "not-share"))
    from sklint.serve.record import export_csv
    rows = list(csv.DictReader(io.StringIO(export_csv(log))))
    assert rows[0]["who"].startswith("'=") and rows[0]["purpose"] == "'+1"
