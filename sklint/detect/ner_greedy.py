"""Greedy decoding of spaCy's transition-based NER, with the per-token work done in bulk.

spaCy's `EntityRecognizer` reads a text token by token. At each token it sums three
precomputed feature vectors (the token, the first token of the open entity, the previous
token), takes the maxout, scores the 74 actions with a small matrix product, and takes the
best valid action (B-, I-, L-, U- a label, or O). In the compiled loop of spaCy 3.8 every step
also takes the GIL and packs the output layer again, so the loop costs ~30 us a token, about
half of the whole NER.

Almost every token is read with no entity open, and then the features do not depend on any
earlier decision: they are (token, padding, padding). So this module scores every token's
"no entity open" state with one matrix product and walks the text in Python only where an
action other than O is chosen, computing the open-entity steps (a few per entity) one by one
exactly as spaCy does. The arithmetic is spaCy's own, in the same order (the same float32
feature sums, maxout and output layer), and the validity rules are those of spaCy's
BiluoPushDown for documents without preset entities. tests/test_ner.py checks that the
entities are identical to spaCy's on the corpora.

Only the standard greedy `ner` component of a pipeline that holds nothing else is decoded here
(`GreedyNer.for_pipe` returns None otherwise, and spaCy's own path is used).
"""
from __future__ import annotations

import re
from typing import Optional, Sequence

import numpy as np

_CLASS = re.compile(r"^(?:([BILU])-(.*)|(O))$")
_ATTRS = ["IDX", "LENGTH", "IS_SPACE", "SENT_START"]


def _gemm_fn():
    """The matrix product spaCy's decoding loop uses (BLIS), so the scores are computed the
    same way; numpy's when BLIS is not there."""
    try:
        import blis.py

        def gemm(a: np.ndarray, b: np.ndarray) -> np.ndarray:  # a @ b.T
            return blis.py.gemm(np.ascontiguousarray(a), b, trans2=True)
        return gemm
    except Exception:  # pragma: no cover - blis comes with thinc
        return lambda a, b: a @ b.T


class GreedyNer:
    """Entities of spaCy Docs (tokenised, not yet annotated) as spaCy's greedy NER finds them."""

    def __init__(self, pipe):
        model = pipe.model
        self.tok2vec = model.get_ref("tok2vec")
        self.lower = model.get_ref("lower")
        upper = model.get_ref("upper")
        self.W = np.ascontiguousarray(upper.get_param("W"), dtype=np.float32)  # (classes, hidden)
        self.b = np.asarray(upper.get_param("b"), dtype=np.float32)
        self.bias = np.asarray(self.lower.get_param("b"), dtype=np.float32)  # (hidden, pieces)
        names = [pipe.moves.get_class_name(i) for i in range(pipe.moves.n_moves)]
        self.kind = []
        self.label = []
        for n in names:
            m = _CLASS.match(n)
            self.kind.append(m.group(1) or "O")
            self.label.append(m.group(2) or "")
        n_cls = len(names)
        self.O = self.kind.index("O")
        begin = np.array([k == "B" and lab != "" for k, lab in zip(self.kind, self.label)])
        unit = np.array([k == "U" and lab != "" for k, lab in zip(self.kind, self.label)])
        # with no entity open only O, B-x and U-x are valid; B-x needs a next token that does not
        # start a sentence, and neither B nor U may start on whitespace
        self.closed_ok = np.zeros((2, 2, n_cls), dtype=bool)  # [is_space][can_begin]
        for space in (0, 1):
            for can_begin in (0, 1):
                ok = np.zeros(n_cls, dtype=bool)
                ok[self.O] = True
                if not space:
                    ok |= unit
                    if can_begin:
                        ok |= begin
                self.closed_ok[space, can_begin] = ok
        # with an entity of label x open: I-x (if a next token exists that does not start a
        # sentence) and L-x
        self.in_of = {lab: i for i, (k, lab) in enumerate(zip(self.kind, self.label)) if k == "I"}
        self.last_of = {lab: i for i, (k, lab) in enumerate(zip(self.kind, self.label)) if k == "L"}
        self.gemm = _gemm_fn()

    @classmethod
    def for_pipe(cls, nlp) -> Optional["GreedyNer"]:
        """A decoder for `nlp` if it is one standard greedy NER component and nothing else."""
        try:
            if list(nlp.pipe_names) != ["ner"]:
                return None
            pipe = nlp.get_pipe("ner")
            model = pipe.model
            if type(pipe).__name__ != "EntityRecognizer" or pipe.cfg.get("beam_width", 1) != 1:
                return None
            if list(getattr(pipe, "postprocesses", ()) or ()):
                return None
            if model.name != "parser_model" or not model.attrs.get("has_upper"):
                return None
            if model.attrs.get("unseen_classes"):  # spaCy scores those against the whole batch
                return None
            lower, upper = model.get_ref("lower"), model.get_ref("upper")
            if lower.name != "precomputable_affine" or lower.get_dim("nF") != 3 or upper.name != "linear":
                return None
            names = [pipe.moves.get_class_name(i) for i in range(pipe.moves.n_moves)]
            if upper.get_dim("nO") != len(names) or not all(_CLASS.match(n) for n in names):
                return None
            if "O" not in names:
                return None
            labels = {n[2:] for n in names if n[:2] in ("B-", "I-", "L-") and n[2:]}
            kinds = {n for n in names}
            if any(f"{k}-{lab}" not in kinds for lab in labels for k in "BIL"):
                return None
            return cls(pipe)
        except Exception:  # anything unexpected: spaCy's own decoding
            return None

    def entities(self, docs: Sequence) -> list[list[tuple[int, int, str]]]:
        """(start_char, end_char, label) of each doc's entities, in order."""
        out: list[list[tuple[int, int, str]]] = [[] for _ in docs]
        live = [i for i, d in enumerate(docs) if len(d)]
        if not live:
            return out
        batch = [docs[i] for i in live]
        X = self.tok2vec.predict(batch)
        Yf = np.asarray(self.lower.predict(X))  # (tokens + 1, 3, hidden, pieces); row 0 = padding
        pad, tok = Yf[0], Yf[1:]
        closed = ((tok[:, 0] + pad[1]) + pad[2]) + self.bias
        scores = self._scores(closed.max(axis=-1))
        start = 0
        for di, doc in zip(live, batch):
            n = len(doc)
            out[di] = self._decode(doc, tok[start:start + n], scores[start:start + n])
            start += n
        return out

    def _scores(self, hidden: np.ndarray) -> np.ndarray:
        s = self.gemm(hidden, self.W)
        s += self.b
        return s

    def _decode(self, doc, tok: np.ndarray, scores: np.ndarray) -> list[tuple[int, int, str]]:
        n = len(doc)
        attrs = doc.to_array(_ATTRS)
        idx, length, space, sent = attrs[:, 0], attrs[:, 1], attrs[:, 2] != 0, attrs[:, 3]
        nxt_ok = np.ones(n, dtype=bool)  # a next token exists and does not start a sentence
        nxt_ok[-1] = False
        nxt_ok[:-1] = sent[1:] != 1
        ok = self.closed_ok[space.astype(np.intp), nxt_ok.astype(np.intp)]
        masked = np.where(ok, scores, -np.inf)
        best = masked.argmax(axis=1)  # first maximum, as spaCy's arg_max_if_valid
        ents: list[tuple[int, int, str]] = []
        free = 0
        for t in np.flatnonzero(best != self.O).tolist():
            if t < free:
                continue  # inside an entity already read
            act = int(best[t])
            lab = self.label[act]
            if self.kind[act] == "U":
                ents.append((t, t + 1, lab))
                free = t + 1
                continue
            s = t  # B-lab: read on with the entity open
            i_cls, l_cls = self.in_of[lab], self.last_of[lab]
            t += 1
            while True:
                u = ((tok[t, 0] + tok[s, 1]) + tok[t - 1, 2]) + self.bias
                sc = self._scores(u.max(axis=-1)[None, :])[0]
                if nxt_ok[t]:
                    first, second = sorted((i_cls, l_cls))
                    act = second if sc[second] > sc[first] else first
                else:
                    act = l_cls
                if act == l_cls:
                    ents.append((s, t + 1, lab))
                    free = t + 1
                    break
                t += 1
        return [(int(idx[s]), int(idx[e - 1] + length[e - 1]), lab) for s, e, lab in ents]
