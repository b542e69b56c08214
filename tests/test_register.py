"""The pseudonym register: file mode, HMAC lookups, sealed names, reveal, forget, rekey."""
from __future__ import annotations

import sqlite3
import stat

import pytest
from click.testing import CliRunner

from sklint.cli import main
from sklint.fix.register import Register, RegisterError, load_reveal_key, load_secret, name_lookup

KEY = b"test-register-key-0123456789abcdef"
ENV = {"SKLINT_REGISTER_KEY": KEY.decode(), "SKLINT_REVEAL_PASSPHRASE": ""}


def _fixed_register(tmp_path, env=ENV):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("Kayden Brooks, aged 13, rang 07700 900987.\n")
    reg = tmp_path / "reg" / "people.sqlite"
    r = CliRunner().invoke(main, ["fix", str(tmp_path / "in"), "--output", str(tmp_path / "out"),
                                  "--register", str(reg)], env=env)
    assert r.exit_code == 0, r.output
    code = (tmp_path / "out" / "a.txt").read_text().split(",")[0]
    return reg, code, r


def test_register_created_0600_with_reveal_key(tmp_path):
    reg, code, r = _fixed_register(tmp_path)
    assert stat.S_IMODE(reg.stat().st_mode) == 0o600
    key = reg.with_name(reg.name + ".revealkey")
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert "data protection lead" in r.output.lower()
    # no name anywhere in the register file, nor in what fix printed
    raw = reg.read_bytes()
    assert b"Kayden" not in raw and b"Brooks" not in raw
    assert "Kayden" not in r.output
    assert code.startswith("SKC-")


def test_list_reveal_forget(tmp_path):
    reg, code, _ = _fixed_register(tmp_path)
    runner = CliRunner()
    r = runner.invoke(main, ["register", "list", "--register", str(reg)], env=ENV)
    assert r.exit_code == 0 and code in r.output and "Kayden" not in r.output
    r = runner.invoke(main, ["register", "reveal", code, "--register", str(reg),
                             "--reveal-key", str(reg) + ".revealkey"], env=ENV)
    assert r.exit_code == 0, r.output
    assert "Kayden Brooks" in r.output
    # without the key: refused; with another register's key: refused
    r = runner.invoke(main, ["register", "reveal", code, "--register", str(reg)], env=ENV)
    assert r.exit_code != 0 and "Kayden" not in r.output
    other = Register.open(str(tmp_path / "other.sqlite"), KEY)
    other.close()
    r = runner.invoke(main, ["register", "reveal", code, "--register", str(reg),
                             "--reveal-key", str(tmp_path / "other.sqlite.revealkey")], env=ENV)
    assert r.exit_code == 2 and "does not belong" in r.output
    r = runner.invoke(main, ["register", "forget", code, "--yes", "--register", str(reg)], env=ENV)
    assert r.exit_code == 0, r.output
    r = runner.invoke(main, ["register", "reveal", code, "--register", str(reg),
                             "--reveal-key", str(reg) + ".revealkey"], env=ENV)
    assert r.exit_code == 2 and "erased" in r.output
    # the code is retired, never reused; the same name now gets a new code
    reg2 = Register.open(str(reg), KEY)
    assert reg2.max_num() >= int(code[4:])
    reg2.close()


def test_passphrase_protected_reveal_key(tmp_path):
    env = dict(ENV, SKLINT_REVEAL_PASSPHRASE="correct horse battery")
    reg, code, _ = _fixed_register(tmp_path, env)
    with pytest.raises(RegisterError):
        load_reveal_key(str(reg) + ".revealkey", None)
    with pytest.raises(RegisterError):
        load_reveal_key(str(reg) + ".revealkey", b"wrong")
    r = CliRunner().invoke(main, ["register", "reveal", code, "--register", str(reg),
                                  "--reveal-key", str(reg) + ".revealkey"], env=env)
    assert r.exit_code == 0 and "Kayden Brooks" in r.output


def test_wrong_register_key_refused(tmp_path):
    reg, code, _ = _fixed_register(tmp_path)
    with pytest.raises(RegisterError, match="different register key"):
        Register.open(str(reg), b"another-key-0123456789abcdef")


def test_lookup_is_keyed_hmac(tmp_path):
    reg, code, _ = _fixed_register(tmp_path)
    conn = sqlite3.connect(reg)
    lookups = {bytes(r[0]) for r in conn.execute("SELECT lookup FROM people WHERE lookup IS NOT NULL")}
    conn.close()
    assert name_lookup(KEY, "kayden brooks") in lookups
    assert name_lookup(b"x" * 32, "kayden brooks") not in lookups


def test_short_key_refused():
    with pytest.raises(RegisterError):
        load_secret(env={"SKLINT_REGISTER_KEY": "short"})


def test_rekey(tmp_path):
    reg, code, _ = _fixed_register(tmp_path)
    new_key = tmp_path / "new.key"
    new_key.write_text("a-brand-new-register-key-987654321")
    r = CliRunner().invoke(main, ["register", "rekey", "--register", str(reg), "--reveal-key",
                                  str(reg) + ".revealkey", "--new-key-file", str(new_key),
                                  "--new-reveal-key", str(tmp_path / "new.revealkey")], env=ENV)
    assert r.exit_code == 0, r.output
    r2 = Register.open(str(reg), b"a-brand-new-register-key-987654321")
    assert r2.find(name_lookup(b"a-brand-new-register-key-987654321", "kayden brooks")) == code
    assert r2.reveal(code, load_reveal_key(str(tmp_path / "new.revealkey"), None))["name"] == "Kayden Brooks"
    with pytest.raises(RegisterError):
        r2.reveal(code, load_reveal_key(str(reg) + ".revealkey", None))
    r2.close()
