"""A self-contained HTML review page, written only to a file (`--output report.html`).

By default the page holds no text of the documents at all: for each file, one row per problem
(two rules on the same words are one row naming both) with the rule, where to find it (part,
line and column, and "page 3" or "sheet 'Referrals', cell B4" where that means more), what it
is (the kind of data, never the words), the policy clause and what to do. With --show-matches
the page shows each document's text with the findings highlighted, and says at its top that it is
as confidential as the documents themselves.

No scripts, no external resources (a Content-Security-Policy forbids them).
"""
from __future__ import annotations

import html
import re
from typing import Iterable

from .. import __version__
from ..model import SEVERITY_RANK, FileResult, Finding
from ._common import rule_url, safe_message, shown
from .text import group

MAX_PART_CHARS = 400_000  # text shown per part; findings beyond are still listed

CSS = """
:root{--err:#b3261e;--warn:#8a5300;--info:#0b57a4;--bg:#fff;--fg:#1b1b1b;--mute:#5f6368}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:var(--fg);background:var(--bg)}
header.top{padding:16px 24px;background:#f4f1ea;border-bottom:1px solid #ddd}
header.top h1{margin:0 0 4px;font-size:20px}
main{padding:8px 24px 48px;max-width:1100px}
.note{color:var(--mute)}
section.doc{border:1px solid #ddd;border-radius:6px;margin:20px 0;padding:0 16px 12px}
section.doc h2{font-size:17px;margin:12px 0 4px;word-break:break-all}
.counts span{margin-right:12px}
.error-box{background:#fdecea;border-left:4px solid var(--err);padding:8px 12px}
.warning-box{background:#fff4d6;border-left:4px solid var(--warn);padding:8px 12px}
h3{font-size:14px;margin:14px 0 4px;color:var(--mute)}
pre.text{white-space:pre-wrap;word-wrap:break-word;background:#fafafa;border:1px solid #eee;padding:10px;font:13px/1.5 ui-monospace,Menlo,Consolas,monospace;max-height:70vh;overflow:auto}
mark{padding:0 2px;border-radius:3px}
mark.sev-error{background:#f9d0cc;outline:1px solid var(--err)}
mark.sev-warning{background:#ffe8b3;outline:1px solid var(--warn)}
mark.sev-info{background:#d6e6fb;outline:1px solid var(--info)}
mark.redacted{font-style:italic}
sup.ref a{text-decoration:none;font-size:11px}
table.findings{border-collapse:collapse;width:100%;font-size:13px}
table.findings th,table.findings td{border-bottom:1px solid #eee;text-align:left;padding:4px 6px;vertical-align:top}
td.sev-error{color:var(--err);font-weight:600}td.sev-warning{color:var(--warn);font-weight:600}td.sev-info{color:var(--info)}
code{font-size:12px}
"""


def _esc(s: str) -> str:
    return html.escape(s, quote=True)


def _kind_label(f: Finding) -> str:
    """What was found, without the words: "PERSON", "HEALTH", or the rule's name."""
    return (f.entity or f.category or f.rule).replace("_", " ").lower()


def _clusters(findings: list[tuple[int, Finding]], length: int) -> list[tuple[int, int, list[tuple[int, Finding]]]]:
    spans = sorted(((f.start, f.end, n, f) for n, f in findings
                    if f.start is not None and f.end is not None and 0 <= f.start < f.end <= length),
                   key=lambda t: (t[0], -t[1]))
    out: list[tuple[int, int, list[tuple[int, Finding]]]] = []
    for s, e, n, f in spans:
        if out and s < out[-1][1]:
            cs, ce, members = out[-1]
            out[-1] = (cs, max(ce, e), members + [(n, f)])
        else:
            out.append((s, e, [(n, f)]))
    return out


def _part_html(text: str, findings: list[tuple[int, Finding]], show_matches: bool, doc_id: int) -> str:
    cut = len(text) > MAX_PART_CHARS
    view = text[:MAX_PART_CHARS]
    pieces, pos = [], 0
    for s, e, members in _clusters(findings, len(view)):
        pieces.append(_esc(view[pos:s]))
        worst = max(members, key=lambda m: SEVERITY_RANK.get(m[1].severity, 0))[1].severity
        titles = "; ".join(f"{f.code} {f.rule}: {safe_message(f, show_matches)}" for _, f in members)
        if show_matches:
            inner, cls = _esc(view[s:e]), ""
        else:
            labels = sorted({(f.entity or f.category or f.rule) for _, f in members})
            inner, cls = _esc(f"[{' / '.join(labels)}: {e - s} chars hidden]"), " redacted"
        refs = "".join(f'<a href="#f{doc_id}-{n}">{n}</a>' for n, _ in members)
        pieces.append(f'<mark class="sev-{worst}{cls}" title="{_esc(titles)}" '
                      f'id="m{doc_id}-{members[0][0]}">{inner}</mark><sup class="ref">{refs}</sup>')
        pos = e
    pieces.append(_esc(view[pos:]))
    tail = f'\n<span class="note">[… text cut after {MAX_PART_CHARS:,} characters]</span>' if cut else ""
    return f'<pre class="text">{"".join(pieces)}{tail}</pre>'


def _doc_html(doc_id: int, r: FileResult, show_matches: bool, reg) -> str:
    out = [f'<section class="doc" id="doc{doc_id}"><h2>{_esc(r.path)}</h2>']
    if r.error:
        out.append(f'<p class="error-box">Could not be read: {_esc(r.error)}</p></section>')
        return "".join(out)
    groups = group(r.findings)
    by_sev = {"error": 0, "warning": 0, "info": 0}
    for g in groups:  # one per problem, at its most severe
        by_sev[g[0].severity] = by_sev.get(g[0].severity, 0) + 1
    out.append(f'<p class="counts"><span>{_esc(r.kind)}</span>'
               f'<span>{by_sev["error"]} error</span><span>{by_sev["warning"]} warning</span>'
               f'<span>{by_sev["info"]} info</span></p>')
    numbered = [(n, f) for n, g in enumerate(groups, 1) for f in g]
    if show_matches:  # opt-in: the documents' own text, as confidential as the documents
        msg = r.message  # the message as it was checked: never read again here
        if msg is not None:
            for part in msg.parts:
                if not part.text.strip():
                    continue
                mine = [(n, f) for n, f in numbered if f.part == part.id]
                out.append(f"<h3>{_esc(part.id)}</h3>")
                out.append(_part_html(part.text, mine, show_matches, doc_id))
        else:
            out.append('<p class="note">The document text could not be shown; its findings follow.</p>')
    if groups:
        out.append('<h3>Findings</h3><table class="findings"><thead><tr><th>#</th><th>where</th>'
                   '<th>rule</th><th>severity</th><th>what</th><th>why (policy)</th><th>what to do</th>'
                   '</tr></thead><tbody>')
        for n, g in enumerate(groups, 1):
            f = g[0]
            where = _esc(f.part) + (f" {f.line}:{f.column}" if f.line is not None else "")
            if f.where:  # a sheet's name or a column's header is the document's text: hidden unless shown
                place = f.where if show_matches else re.sub(r"'[^']*'", "'…'", f.where)
                where += f"<br>{_esc(place)}"
            rules = [reg.get(x.code) if reg else None for x in g]
            policy = "<br>".join(dict.fromkeys(_esc(x.policy) for x in rules if x is not None))
            if show_matches:
                what = "<br>".join(dict.fromkeys(_esc(safe_message(x, True)) for x in g))
                what += f" <code>{_esc(shown(f, True))}</code>" if f.match else ""
            else:
                what = "<br>".join(dict.fromkeys(_esc(x.rule.replace("-", " ")) for x in g))
                what += f" <em>({_esc(_kind_label(f))}, hidden)</em>" if f.match else ""
                if f.context:
                    from ..context import REASONS
                    what += f"<br><em>{_esc(f.severity)}: {_esc(REASONS.get(f.context, f.context))}</em>"
            if f.quoted:
                what += " <em>(in quoted reply)</em>"
            todo = "<br>".join(dict.fromkeys(_esc(_advice(x, rule)) for x, rule in zip(g, rules)
                                             if _advice(x, rule)))
            if show_matches and f.suggestion:
                todo += f"<br>suggestion: <code>{_esc(f.suggestion)}</code>"
            link = (f'<a href="#m{doc_id}-{n}">{where}</a>' if f.start is not None and show_matches else where)
            codes = " ".join(f'<a href="{_esc(rule_url(x.code))}">{_esc(x.code)}</a> {_esc(x.rule)}'
                             for x in dict((x.code, x) for x in g).values())
            out.append(f'<tr id="f{doc_id}-{n}"><td>{n}</td><td>{link}</td><td>{codes}</td>'
                       f'<td class="sev-{_esc(f.severity)}">{_esc(f.severity)}</td><td>{what}</td>'
                       f'<td>{policy}</td><td>{todo}</td></tr>')
        out.append("</tbody></table>")
    else:
        out.append('<p class="note">No findings.</p>')
    out.append("</section>")
    return "".join(out)


def _advice(f: Finding, rule) -> str:
    """What to do, in the rule's own words: the advice after the first ';' of its message
    ("keep it in the secure notes system"), else the rule's suggested replacement."""
    msg = f.message or ""
    if ";" in msg:
        return msg.split(";", 1)[1].split(" (info:", 1)[0].strip()
    sugg = (rule.data.get("suggestion") if rule is not None else None) or ""
    return f"replace it: {sugg}" if sugg else ""


def render(results: Iterable[FileResult], show_matches: bool = False, colour: bool = False) -> str:
    try:
        from ..registry import load_registry
        reg = load_registry()
    except Exception:  # noqa: BLE001
        reg = None
    results = list(results)
    n_find = sum(len(group(r.findings)) for r in results)
    docs = "".join(_doc_html(i, r, show_matches, reg) for i, r in enumerate(results, 1))
    if show_matches:
        hidden = ('<p class="warning-box"><strong>This page shows the documents\' text and the '
                  'flagged words: it is as confidential as the documents themselves.</strong> Keep it '
                  'on this computer, do not email or upload it, and delete it after review.</p>')
        lead = "This page contains the documents' text."
    else:
        hidden = ('<p class="note">The documents\' text is not on this page: each problem is named by '
                  'its rule, where it is and what kind of data it is. To review with the text '
                  'highlighted, run again with <code>--show-matches</code> (that page is as '
                  'confidential as the documents).</p>')
        lead = "This page holds no text of the documents; still, it names the files checked."
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; img-src data:\">"
        '<meta name="robots" content="noindex,nofollow">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>sklint review: {len(results)} file{'s' if len(results) != 1 else ''}</title>"
        f"<style>{CSS}</style></head><body>"
        f'<header class="top"><h1>sklint review</h1><p class="note">sklint {__version__}: '
        f"{len(results)} file{'s' if len(results) != 1 else ''}, {n_find} "
        f"finding{'s' if n_find != 1 else ''}. {lead}</p>{hidden}</header><main>{docs}</main>"
        "</body></html>\n"
    )
