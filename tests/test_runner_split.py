"""The runner: a long text spread over worker processes gives the same findings, positions and
order as one process; results keep the input order. (No timings here: benchmarks are in bench/.)"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from sklint.config import Config
from sklint.model import Part
from sklint.pipeline import Engine
from sklint.runner import Runner, check_files
from sklint.split import chunk_part, cut_points, split_tasks

ROOT = Path(__file__).resolve().parent.parent


def _generate():
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import generate
    finally:
        sys.path.pop(0)
    return generate


def test_cut_points_on_ner_piece_boundaries():
    from sklint.detect.ner import split_chunks
    text = "".join(f"Paragraph {i} about Chloe.\nSecond line.\n\n" for i in range(10_000))
    cuts = cut_points(text, 50_000)
    pieces = {off for off, _ in split_chunks(text)}
    assert cuts[0] == 0 and cuts == sorted(set(cuts)) and len(cuts) >= 5
    assert set(cuts) <= pieces  # the NER sees the same pieces, split or not
    for c in cuts[1:]:
        assert text[c - 2:c] == "\n\n"
    ends = cuts[1:] + [len(text)]
    assert all(e - s >= 25_000 for s, e in zip(cuts, ends))
    assert cut_points("x" * 100, 4000) == [0]


def test_chunk_part_clips_and_shifts_ranges():
    p = Part("attachment:t.csv", "attachment", "a" * 100, blocks=((0, 10), (40, 60), (90, 100)),
             quoted=((50, 95),), table_headers=((45, 55, "Name"),))
    c = chunk_part(p, 50, 90)
    assert c.text == "a" * 40 and c.id == p.id
    assert c.blocks == ((0, 10),)
    assert c.quoted == ((0, 40),)
    assert c.table_headers == ((0, 5, "Name"),)


def test_split_tasks_keep_small_parts_as_context(tmp_path):
    from sklint.ingest import read_path
    g = _generate()
    p = tmp_path / "big.txt"
    p.write_text(g.Gen(2).text_of_size(130_000), encoding="utf-8")
    msg = read_path(p, Config())
    assert split_tasks(msg, 2, split_chars=200_000) is None
    tasks = split_tasks(msg, 2, split_chars=50_000)
    assert len(tasks) >= 2
    body = msg.parts[0]
    assert "".join(m.parts[-1].text for m, keep, off in tasks if keep == body.id) == body.text
    offs = [off for _, keep, off in tasks if keep == body.id]
    assert offs[0] == 0 and offs == sorted(offs)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    g = _generate()
    d = tmp_path_factory.mktemp("runner")
    small = g.write_corpus(d / "corpus", 6, seed=4)
    big = g.write_large(d, 150_000, seed=4)
    eml = d / "big.eml"  # a long email body with a subject: parts split and not split together
    gen = g.Gen(9)
    eml.write_bytes(b"From: a@example.org\nTo: b@example.com\nSubject: Notes on Chloe Hughes\n"
                    b"Content-Type: text/plain; charset=utf-8\n\n"
                    + gen.text_of_size(90_000).encode("utf-8"))
    return [small[0], big, small[1], eml, *small[2:]]


def _strip(results):
    return [(r.path, r.kind, r.error, r.findings) for r in results]


def test_split_equals_one_process_and_keeps_order(files):
    config = Config()
    one = [Engine(config).check_path(p) for p in files]
    assert sum(len(r.findings) for r in one) > 50
    many = check_files(files, config, jobs=2)
    assert [r.path for r in many] == [str(p) for p in files]
    for a, b in zip(_strip(one), _strip(many)):
        assert a == b, a[0]
    # a long-lived runner: the same again, twice, from one pool
    with Runner(config, jobs=2) as runner:
        for _ in range(2):
            assert _strip(runner.check_files(files)) == _strip(one)


def test_progress_and_jobs_one(files):
    seen = []
    res = check_files(files[:3], Config(), jobs=1, progress=seen.append)
    assert seen == [1, 1, 1] and [r.path for r in res] == [str(p) for p in files[:3]]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forked workers (Linux)")
@pytest.mark.parametrize("when", ["before", "during"])
def test_a_killed_worker_costs_time_not_findings(files, capfd, when):
    """A worker that dies (the out-of-memory killer on a small office machine) breaks the pool;
    the runner says so once and checks the rest in this process: every file, the findings of one
    process, no traceback. Killed before the work starts, and while a long text's NER is out."""
    import os
    import signal
    import threading
    config = Config()
    one = _strip([Engine(config).check_path(p) for p in files])
    capfd.readouterr()
    with Runner(config, jobs=2) as runner:
        runner.warm()
        victim = runner.pool.pids[0]
        if when == "before":
            os.kill(victim, signal.SIGKILL)
        else:
            threading.Timer(0.5, os.kill, (victim, signal.SIGKILL)).start()
        got = runner.check_files(files)
    assert _strip(got) == one
    err = capfd.readouterr().err
    assert err.count("a worker process stopped") == 1, err
    assert "Traceback" not in err
