"""sklint.spark in PySpark local mode gives the same findings as `sklint check` (Engine.check_path)
on the same documents: a few of the dev corpus and generated ones (bench/generate.py)."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

pytest.importorskip("pyspark", reason="pyspark is not installed (pip install 'sklint[spark]')")
pytest.importorskip("pandas", reason="pandas is not installed (pip install 'sklint[spark]')")
pytest.importorskip("pyarrow", reason="pyarrow is not installed (pip install 'sklint[spark]')")

from sklint.config import Config  # noqa: E402
from sklint.pipeline import Engine  # noqa: E402
from sklint.report.jsonfmt import file_to_dict  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT.parent / "shared" / "corpus" / "dev"
DEV_DOCS = [
    "case-01-safeguarding-referral.eml", "case-16-referral-docx.eml", "case-17-attendance-csv.eml",
    "case-24-funder-report-leaking.docx", "case-26-case-study-leaking.txt",
    "case-28-board-minutes-leaking.md", "case-34-thank-you-blog.html", "case-39-skc-codes-only.txt",
]


def _documents(tmp: Path) -> list[Path]:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import generate
    finally:
        sys.path.pop(0)
    docs = [DEV / n for n in DEV_DOCS if (DEV / n).exists()]
    docs += generate.write_corpus(tmp / "gen", 8, seed=3)
    docs.append(generate.write_large(tmp / "gen", 60_000, seed=3))  # above the runner's split size
    bad = tmp / "gen" / "broken.docx"
    bad.write_bytes(b"this is not a zip file")
    docs.append(bad)
    return docs


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    s = (SparkSession.builder.master("local[2]").appName("sklint-test")
         .config("spark.ui.enabled", "false")
         .config("spark.sql.shuffle.partitions", "2")
         .config("spark.sql.execution.arrow.pyspark.enabled", "true")
         .config("spark.driver.bindAddress", "127.0.0.1")
         .config("spark.python.worker.reuse", "true")
         .getOrCreate())
    s.sparkContext.setLogLevel("ERROR")
    yield s
    s.stop()


def test_spark_scan_equals_check_path(spark, tmp_path):
    from sklint.spark import explode_findings, scan

    docs = _documents(tmp_path)
    names = [f"{i:02d}-{p.name}" for i, p in enumerate(docs)]  # unique names, extension kept
    df = spark.createDataFrame([(n, bytearray(p.read_bytes())) for n, p in zip(names, docs)],
                               "name string, content binary").repartition(2)
    out = scan(df, name="name", content="content", config=Config(), show_matches=True)
    collected = out.select("name", "sklint").collect()
    got = {r["name"]: json.loads(r["sklint"]) for r in collected}

    engine = Engine(Config())
    expected = {n: file_to_dict(engine.check_path(p, display=n), show_matches=True)
                for n, p in zip(names, docs)}
    assert set(got) == set(expected)
    for n in names:
        assert got[n] == expected[n], n
    assert sum(len(v["findings"]) for v in expected.values()) > 20  # the documents do leak
    # (the broken .docx is in the set: whatever ingest says of it, Spark says the same, no crash)

    # a text column gives the same as the bytes of that text
    text_docs = [(n, p.read_text(encoding="utf-8")) for n, p in zip(names, docs)
                 if p.suffix in (".txt", ".md")]
    tdf = spark.createDataFrame(text_docs, "name string, body string")
    tout = {r["name"]: json.loads(r["sklint"])
            for r in scan(tdf, name="name", text="body").collect()}
    for n, _ in text_docs:
        assert tout[n] == {**expected[n], "findings": [
            {**f, "match": r["match"], "suggestion": r["suggestion"]}  # the redacted fields
            for f, r in zip(expected[n]["findings"], tout[n]["findings"])]}
        assert all(r["suggestion"] is None for r in tout[n]["findings"])

    # one typed row per finding (from the collected JSON: the UDF does not run again)
    rows = explode_findings(spark.createDataFrame([(r["name"], r["sklint"]) for r in collected],
                                                  "name string, sklint string")).collect()
    assert len(rows) == sum(max(1, len(v["findings"])) for v in expected.values())


def test_scan_needs_one_input_column(spark):
    from sklint.spark import scan
    df = spark.createDataFrame([("a.txt", "x")], "name string, body string")
    with pytest.raises(ValueError):
        scan(df, name="name")
    with pytest.raises(ValueError):
        scan(df, name="name", text="body", content="body")
