"""SARIF 2.1.0 (what GitHub code scanning and other CI dashboards read).

Every rule is listed with its help text, policy and a link; each result carries partial
fingerprints (keyed, when SKLINT_BASELINE_KEY is set; otherwise from the path, rule and
position in the file: never from the matched text). For text formats (.txt, .md, .csv, .html)
regions are lines of the source file; for other formats the part is given as a logical location.
"""
from __future__ import annotations

import hashlib
import json
from collections import Counter
from typing import Any, Iterable
from urllib.parse import quote

from .. import __version__
from ..fingerprint import finding_fingerprint, get_key
from ..model import FileResult, Finding
from ._common import (DOCS_URL, display_path, end_column, has_source_lines, rule_url, shown,
                      summary_line)

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _rule_entry(rule) -> dict[str, Any]:
    # The rule's long documentation (`sklint rules CODE`, helpUri) holds worked examples; it is
    # not copied here, so a build log or dashboard never shows example identifiers either.
    help_text = (f"{rule.summary}\n\nPolicy: {rule.policy}\n\n"
                 f"Run `sklint rules {rule.code}` for what it finds, why, and examples.")
    help_md = (f"**{rule.code} {rule.name}**: {rule.summary}\n\n*Policy:* {rule.policy}\n\n"
               f"Run `sklint rules {rule.code}` for what it finds, why, and examples.")
    tags = ["privacy", rule.kind]
    if rule.entity:
        tags.append(rule.entity)
    if rule.category:
        tags.append(rule.category)
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary or rule.name},
        "fullDescription": {"text": f"{rule.summary or rule.name} (policy {rule.policy})"},
        "help": {"text": help_text, "markdown": help_md},
        "helpUri": rule_url(rule.code),
        "defaultConfiguration": {"level": LEVEL.get(rule.severity, "warning")},
        "properties": {"tags": tags, "policy": rule.policy},
    }


def _ad_hoc_rule(f: Finding) -> dict[str, Any]:
    return {
        "id": f.code, "name": f.rule,
        "shortDescription": {"text": f.rule},
        "fullDescription": {"text": f.rule},
        "help": {"text": f"{f.code} {f.rule}", "markdown": f"**{f.code}** {f.rule}"},
        "helpUri": rule_url(f.code),
        "defaultConfiguration": {"level": LEVEL.get(f.severity, "warning")},
    }


def _fingerprints(f: Finding, path: str, ordinal: int, key) -> dict[str, str]:
    if key is not None:
        return {"sklintValue/v1": finding_fingerprint(key, f, path)}
    raw = "\x1f".join((display_path(path), f.code, f.part, str(ordinal)))
    return {"sklintPosition/v1": hashlib.sha256(raw.encode("utf-8")).hexdigest()}


def render(results: Iterable[FileResult], show_matches: bool = False, colour: bool = False) -> str:
    from ..registry import load_registry
    reg = load_registry()
    rules = [_rule_entry(r) for r in reg.rules]
    index = {r["id"]: i for i, r in enumerate(rules)}
    key = get_key()
    out_results: list[dict[str, Any]] = []
    notifications: list[dict[str, Any]] = []
    for res in results:
        path = display_path(res.path)
        uri = quote(path, safe="/:")
        if res.error:
            notifications.append({
                "level": "error",
                "message": {"text": f"{path}: could not be read: {res.error}"},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri}}}],
            })
            continue
        seen: Counter = Counter()
        for f in res.findings:
            if f.code not in index:
                index[f.code] = len(rules)
                rules.append(_ad_hoc_rule(f))
            seen[(f.code, f.part)] += 1
            phys: dict[str, Any] = {"artifactLocation": {"uri": uri}}
            loc: dict[str, Any] = {"physicalLocation": phys}
            if has_source_lines(res.path, f):
                region: dict[str, Any] = {"startLine": max(1, f.line), "startColumn": max(1, f.column or 1)}
                ec = end_column(f)
                if ec is not None and ec > region["startColumn"]:
                    region["endColumn"] = ec
                phys["region"] = region
            else:
                loc["logicalLocations"] = [{"name": f.part, "fullyQualifiedName": f"{path}#{f.part}"}]
            props: dict[str, Any] = {"part": f.part, "quoted": f.quoted,
                                     "confidence": round(f.confidence, 3)}
            if f.entity:
                props["entity"] = f.entity
            if f.category:
                props["category"] = f.category
            if f.line is not None:
                props["partLine"], props["partColumn"] = f.line, f.column
            props["match"] = shown(f, show_matches)
            if show_matches and f.suggestion:
                props["suggestion"] = f.suggestion
            out_results.append({
                "ruleId": f.code,
                "ruleIndex": index[f.code],
                "level": LEVEL.get(f.severity, "warning"),
                "message": {"text": f"{f.code} {f.rule}: {summary_line(f, path, show_matches)}"},
                "locations": [loc],
                "partialFingerprints": _fingerprints(f, res.path, seen[(f.code, f.part)], key),
                "properties": props,
            })
    log = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "sklint",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": DOCS_URL,
                "rules": rules,
            }},
            "invocations": [{
                "executionSuccessful": not notifications,
                "toolExecutionNotifications": notifications,
            }],
            "columnKind": "unicodeCodePoints",
            "results": out_results,
        }],
    }
    return json.dumps(log, ensure_ascii=False, indent=2) + "\n"
