"""Scan a PySpark DataFrame of documents with sklint (extra: `pip install sklint[spark]`).

    from sklint.spark import scan, explode_findings
    out = scan(df, name="path", content="content")       # binary column (e.g. spark.read.format("binaryFile"))
    out = scan(df, name="name", text="body")              # or a string column
    out.select("path", "sklint").write.json("findings/")  # one findings-contract JSON per document
    rows = explode_findings(out)                           # one row per finding, typed

Each document goes through exactly the pipeline of `sklint check` (`Engine.check_bytes`: ingest by
name and content, detectors, message rules, suppression), and the new column holds the findings
contract of that file (`sklint.report.jsonfmt.file_to_dict`, shared/spec/findings-json.md) as a
JSON string. The name decides the format as a file name does (`.eml`, `.docx`, `.csv`, ...).

The work is a pandas UDF (Arrow batches). The Engine, with its spaCy model and rule data, is built
once per Python worker process and reused for every batch that worker gets (Spark reuses its
Python workers by default, spark.python.worker.reuse=true), so a cluster pays the model load once
per executor core, not once per document. A document that cannot be read gets `error` set in its
JSON, as `sklint check` reports it; an unexpected failure on one document is reported the same way
("internal error: ...") instead of failing the whole job.

Matches are redacted unless show_matches=True, as in `sklint check --format json`.
"""
# No `from __future__ import annotations` here: pandas_udf reads the type hints of the UDF.
import json
from typing import Optional

from .config import Config

OUTPUT_COLUMN = "sklint"

_ENGINES: dict = {}  # Config -> Engine, per Python worker process


def _engine(config: Config):
    eng = _ENGINES.get(config)
    if eng is None:
        from .pipeline import Engine
        eng = Engine(config)
        _ENGINES[config] = eng
    return eng


def check_document(name: str, data: bytes, config: Config, show_matches: bool = False) -> str:
    """The findings contract of one document as a JSON string (what each row of `scan` gets)."""
    from .model import FileResult
    from .pipeline import _kind_guess
    from .report.jsonfmt import file_to_dict
    try:
        res = _engine(config).check_bytes(data, name)
    except Exception as exc:  # noqa: BLE001 - one bad document must not stop an archive scan
        first = (str(exc).splitlines() or [""])[0]
        res = FileResult(path=name, kind=_kind_guess(name),
                         error=f"internal error: {type(exc).__name__}: {first}"[:500])
    return json.dumps(file_to_dict(res, show_matches), ensure_ascii=False)


def scan(df, name: str = "name", content: Optional[str] = None, text: Optional[str] = None,
         config: Optional[Config] = None, output: str = OUTPUT_COLUMN, show_matches: bool = False):
    """`df` with a new string column `output`: the findings JSON of each document.

    `name`: the column with the document's file name (or path; its extension picks the reader).
    `content`: a binary column with the file's bytes, or `text`: a string column (read as UTF-8).
    """
    if (content is None) == (text is None):
        raise ValueError("give exactly one of content= (binary column) or text= (string column)")
    import pandas as pd
    from pyspark.sql import functions as F
    from pyspark.sql.types import StringType

    cfg = config or Config()
    as_text = text is not None

    @F.pandas_udf(StringType())
    def _sklint(names: pd.Series, data: pd.Series) -> pd.Series:
        out = []
        for n, d in zip(names, data):
            n = "" if n is None else str(n)
            if d is None:
                d = b""
            elif as_text:
                d = str(d).encode("utf-8")
            else:
                d = bytes(d)
            out.append(check_document(n, d, cfg, show_matches))
        return pd.Series(out, dtype=object)

    return df.withColumn(output, _sklint(F.col(name), F.col(text if as_text else content)))


def findings_schema():
    """The Spark type of the findings JSON (for from_json)."""
    from pyspark.sql.types import (ArrayType, BooleanType, DoubleType, LongType, StringType,
                                   StructField, StructType)
    finding = StructType([
        StructField("code", StringType()), StructField("rule", StringType()),
        StructField("severity", StringType()), StructField("entity", StringType()),
        StructField("category", StringType()), StructField("part", StringType()),
        StructField("line", LongType()), StructField("column", LongType()),
        StructField("start", LongType()), StructField("end", LongType()),
        StructField("match", StringType()), StructField("message", StringType()),
        StructField("suggestion", StringType()), StructField("quoted", BooleanType()),
        StructField("confidence", DoubleType()),
    ])
    return StructType([
        StructField("path", StringType()), StructField("kind", StringType()),
        StructField("error", StringType()), StructField("findings", ArrayType(finding)),
    ])


def explode_findings(df, column: str = OUTPUT_COLUMN):
    """One row per finding: path, kind, error and the finding's fields (documents with no
    finding keep one row with null finding fields, so errors are not lost)."""
    from pyspark.sql import functions as F
    parsed = df.select(F.from_json(F.col(column), findings_schema()).alias("_r"))
    return parsed.select(
        F.col("_r.path").alias("path"), F.col("_r.kind").alias("kind"),
        F.col("_r.error").alias("error"),
        F.explode_outer("_r.findings").alias("f"),
    ).select("path", "kind", "error", "f.*")
