"""The service's NER helper process (sklint/serve/helper.py): forked after the model is loaded,
it reads part of each long request's NER; the answers are those of one process, also when the
helper dies. Real service, real model, real process; no timings here (bench/serve_bench.py)."""
from __future__ import annotations

import base64
import io
import json
import os
import signal
import socket
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from sklint.config import Config, ConfigError, from_mapping
from sklint.serve.app import Service, ServeSettings, build_message, create_app
from sklint.serve.helper import SplitNlp, can_fork
from sklint.serve.record import SharingRecord

pytestmark = pytest.mark.skipif(not can_fork(), reason="the helper is forked (Linux)")
ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT.parent / "shared" / "corpus" / "dev"


def _docx(paragraphs: list[str]) -> bytes:
    import docx
    d = docx.Document()
    for p in paragraphs:
        d.add_paragraph(p)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _messages() -> list[bytes]:
    """Raw messages: the dev and extra corpus emails and long JSON-shaped ones with a .docx."""
    paths = sorted(DEV.glob("*.eml")) if DEV.is_dir() else []
    paths += sorted((ROOT / "tests" / "corpus" / "extra").glob("*.eml"))
    raws = [p.read_bytes() for p in paths]
    para = ("Kayden Brooks (9) met his sister Chloe at the Hope Street centre on 3 March with "
            "Mrs O'Neill. Harrison Bell, Siân Rowlands and Tobi Okonkwo came later; call Leanne "
            "on 07700 900987 about the Thursday group at Kendal.")
    for n in (6, 25):
        body = "Hi Priya,\n\n" + "\n\n".join(para for _ in range(n)) + "\n\nBest wishes,\nSam\n"
        msg = {"subject": "Session notes for Chloe", "body_text": body,
               "from": {"name": "Sam Worker", "email": "sam@charity.org.uk"},
               "to": ["priya@charity.org.uk"],
               "attachments": [{"name": "notes.docx",
                                "content_type": "application/vnd.openxmlformats-officedocument."
                                                "wordprocessingml.document",
                                "content_base64": base64.b64encode(_docx([para] * n)).decode()}]}
        raws.append(build_message(msg)[0])
    assert len(raws) > 10
    return raws


def _running(pid: int) -> bool:
    """The process exists and has not ended (a zombie has ended)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def _until(cond, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while not cond() and time.monotonic() < deadline:
        time.sleep(0.05)
    return cond()


def _answer(out: dict) -> tuple:
    return out["verdict"], out["summary"], out["fingerprint"], out["files"][0]["findings"]


@pytest.fixture
def services(tmp_path, monkeypatch):
    monkeypatch.setenv("SKLINT_RECORD_KEY", "test-key-0123456789abcdef")
    made = []

    def make(helper: bool) -> Service:
        svc = Service(Config(), record=SharingRecord(tmp_path / f"record-{len(made)}.jsonl"),
                      helper=helper)
        made.append(svc)
        return svc

    yield make
    for s in made:
        s.stop_helper()


def test_helper_answers_are_one_process_answers(services):
    one, two = services(False), services(True)
    one.warm()
    two.warm()
    helper = two.helper
    assert helper is not None and helper.alive and helper.pid != os.getpid()
    assert isinstance(two.engine.nlp, SplitNlp)
    two.engine.nlp.min_chars = 0  # share every message, however short, with the helper
    for raw in _messages():
        a = one.check_raw(raw, show_matches=True)
        b = two.check_raw(raw, show_matches=True)
        assert _answer(a) == _answer(b)
    assert helper._rid > 10  # the helper did read


def test_a_dead_helper_changes_nothing_but_speed(services):
    one, two = services(False), services(True)
    one.warm()
    two.warm()
    two.engine.nlp.min_chars = 0
    raws = _messages()[-2:]
    dead = two.helper.pid
    os.kill(dead, signal.SIGKILL)
    assert _until(lambda: not _running(dead))
    for raw in raws:
        assert _answer(two.check_raw(raw, True)) == _answer(one.check_raw(raw, True))
    assert not two.helper.alive
    # restarted by the next warm-up after stop_helper()
    two.stop_helper()
    two.warm()
    # the helper dies with a request in flight: its share is read here
    nlp = two.engine.nlp
    texts = [p.text for p in one.engine.check_bytes(raws[-1], "m.eml").message.parts if p.text.strip()]
    job = nlp._start(texts, 0.5)
    assert job.rid is not None
    os.kill(two.helper.pid, signal.SIGKILL)
    assert nlp._finish(job, None) == one.engine.nlp.entities(texts)
    assert not two.helper.alive
    two.stop_helper()
    assert two.helper is None
    two.warm()
    assert two.helper.alive
    for raw in raws:
        assert _answer(two.check_raw(raw, True)) == _answer(one.check_raw(raw, True))


def test_stop_helper_ends_the_process(services):
    svc = services(True)
    svc.warm()
    pid = svc.helper.pid
    assert _running(pid)
    svc.stop_helper()
    assert not _running(pid)
    assert svc.helper is None


def test_ner_helper_setting():
    assert ServeSettings(from_mapping({"serve": {"ner-helper": False}})).ner_helper is False
    assert ServeSettings(from_mapping({"serve": {"ner-helper": True}})).ner_helper is True
    assert ServeSettings(Config()).ner_helper is ((os.cpu_count() or 1) >= 2)
    with pytest.raises(ConfigError):
        from_mapping({"serve": {"ner-helper": "yes"}})


def test_http_service_with_helper(tmp_path, monkeypatch):
    """Through create_app's lifespan: the helper starts with the app and stops with it."""
    import uvicorn
    monkeypatch.setenv("SKLINT_RECORD_KEY", "test-key-0123456789abcdef")
    svc = Service(Config(), record=SharingRecord(tmp_path / "record.jsonl"), helper=True)
    app = create_app(Config(), service=svc)
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, access_log=False, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 120
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "service did not start"
        time.sleep(0.02)
    try:
        assert svc.helper is not None and svc.helper.alive
        pid = svc.helper.pid
        raw = _messages()[-1]
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60, trust_env=False) as c:
            r = c.post("/v1/check", params={"show_matches": "true"}, content=raw,
                       headers={"Content-Type": "message/rfc822"})
        assert r.status_code == 200, r.text
        one = Service(Config(), record=SharingRecord(tmp_path / "other.jsonl"))
        assert _answer(r.json()) == _answer(json.loads(json.dumps(one.check_raw(raw, True))))
        assert svc.helper._rid >= 1
    finally:
        server.should_exit = True
        thread.join(timeout=30)
    assert _until(lambda: not _running(pid))


def _children(pid: int) -> set[int]:
    out: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out |= {int(x) for x in (task / "children").read_text().split()}
        except OSError:
            pass
    return out


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads /proc")
def test_sklint_serve_forks_its_helper_and_takes_it_down(tmp_path, monkeypatch):
    """The real entry point (`python -m sklint.serve serve`): one helper child that answers long
    messages with the one-process findings, and that exits with the service."""
    import subprocess
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, SKLINT_RECORD_PATH=str(tmp_path / "record.jsonl"),
               SKLINT_RECORD_KEY="test-key-0123456789abcdef",
               PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop("SKLINT_SERVE_TOKEN", None)
    proc = subprocess.Popen([sys.executable, "-m", "sklint.serve", "serve", "--port", str(port),
                             "--log-level", "warning"], cwd=tmp_path, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60, trust_env=False) as c:
            deadline = time.monotonic() + 120
            while True:
                try:
                    if c.get("/healthz").status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read()
                time.sleep(0.2)
            kids = _children(proc.pid)
            assert len(kids) == 1  # the NER helper
            raw = _messages()[-1]
            r = c.post("/v1/check", params={"show_matches": "true"}, content=raw,
                       headers={"Content-Type": "message/rfc822"})
        assert r.status_code == 200, r.text
        monkeypatch.setenv("SKLINT_RECORD_KEY", "test-key-0123456789abcdef")
        one = Service(Config(), record=SharingRecord(tmp_path / "other.jsonl"))
        assert _answer(r.json()) == _answer(one.check_raw(raw, True))
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    helper = kids.pop()
    deadline = time.monotonic() + 10
    while Path(f"/proc/{helper}").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not Path(f"/proc/{helper}").exists()
