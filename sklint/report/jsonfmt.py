"""The JSON report: exactly the contract of shared/spec/findings-json.md (fields may be added,
never renamed or dropped). Validated against sklint/schema/findings.schema.json in the tests."""
from __future__ import annotations

import json
from typing import Any, Iterable

from .. import __version__
from ..model import FileResult, Finding
from .redact import redact


def finding_to_dict(f: Finding, show_matches: bool = False) -> dict[str, Any]:
    return {
        "code": f.code,
        "rule": f.rule,
        "severity": f.severity,
        "entity": f.entity,
        "category": f.category,
        "part": f.part,
        "line": f.line,
        "column": f.column,
        "start": f.start,
        "end": f.end,
        "match": f.match if show_matches else redact(f.match, f.entity, f.category),
        "message": f.message,
        "suggestion": f.suggestion if show_matches else None,
        "quoted": f.quoted,
        "confidence": round(f.confidence, 3),
        # why the message shows this is no disclosure (sklint/context.py), or null
        "context": f.context,
    }


def file_to_dict(result: FileResult, show_matches: bool = False) -> dict[str, Any]:
    return {
        "path": result.path,
        "kind": result.kind,
        "error": result.error,
        "findings": [finding_to_dict(f, show_matches) for f in result.findings],
    }


def report_dict(results: Iterable[FileResult], show_matches: bool = False) -> dict[str, Any]:
    files = [file_to_dict(r, show_matches) for r in results]
    return {
        "sklint_version": __version__,
        "files": files,
        "summary": {
            "files": len(files),
            "findings": sum(len(f["findings"]) for f in files),
            "errors": sum(1 for f in files if f["error"]),
        },
    }


def render(results: Iterable[FileResult], show_matches: bool = False) -> str:
    return json.dumps(report_dict(results, show_matches), ensure_ascii=False, indent=2) + "\n"
