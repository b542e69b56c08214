"""JUnit XML (what Jenkins, GitLab and Azure Pipelines show as test results): one test suite per
file, one test case per finding; warnings and errors are failures, info notes pass with the note
in system-out; a file that could not be read is an error; a clean file is one passing case."""
from __future__ import annotations

from typing import Iterable
from xml.etree import ElementTree as ET

from ..model import FileResult
from ._common import display_path, summary_line


def _clean(s: str) -> str:
    # XML 1.0 cannot hold most control characters.
    return "".join(ch for ch in s if ch in "\t\n\r" or ord(ch) >= 0x20)


def render(results: Iterable[FileResult], show_matches: bool = False, colour: bool = False) -> str:
    root = ET.Element("testsuites", name="sklint")
    total = fails = errs = 0
    for r in results:
        path = _clean(display_path(r.path))
        suite = ET.SubElement(root, "testsuite", name=path)
        s_tests = s_fail = s_err = 0
        if r.error:
            case = ET.SubElement(suite, "testcase", classname=path, name="read file")
            ET.SubElement(case, "error", message=_clean(r.error), type="unreadable").text = _clean(r.error)
            s_tests, s_err = 1, 1
        elif not r.findings:
            ET.SubElement(suite, "testcase", classname=path, name="no findings")
            s_tests = 1
        for f in r.findings if not r.error else ():
            s_tests += 1
            where = f.part + (f":{f.line}:{f.column}" if f.line is not None else "")
            case = ET.SubElement(suite, "testcase", classname=path,
                                 name=_clean(f"{f.code} {f.rule} at {where}"))
            text = _clean(f"{path}:{where}: {f.code} {f.rule} {f.severity}: "
                          f"{summary_line(f, path, show_matches)}")
            if f.severity in ("warning", "error"):
                s_fail += 1
                ET.SubElement(case, "failure", message=_clean(summary_line(f, path, show_matches)),
                              type=f"{f.code} {f.severity}").text = text
            else:
                ET.SubElement(case, "system-out").text = text
        suite.set("tests", str(s_tests))
        suite.set("failures", str(s_fail))
        suite.set("errors", str(s_err))
        suite.set("skipped", "0")
        total, fails, errs = total + s_tests, fails + s_fail, errs + s_err
    root.set("tests", str(total))
    root.set("failures", str(fails))
    root.set("errors", str(errs))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
