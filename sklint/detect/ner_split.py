"""Cutting the NER's work in two for two processes, with the same entities as one process.

The NER reads pieces of text (ner.split_chunks). To share one piece between two processes it is
cut at a *seam* s, a place where whitespace ends and a word starts, and read as two overlapping
texts: A = text[:b] (the seam plus SEAM_WORDS words after it) and B = text[a:] (SEAM_WORDS words
before the seam onwards). Both cuts are at word starts, so the tokens of A and B are exactly
the tokens of the whole text there (spaCy's tokenizer reads whitespace-separated runs on their
own).

Why the entities are those of the whole piece. spaCy's greedy NER decides token by token; its
decision at token t uses the vectors of t, of the first token of the open entity and of t - 1,
and whether the next token exists. A token's vector depends on the 4 tokens each side of it
(the small English NER: MaxoutWindowEncoder, depth 4, window 1; `receptive_field` checks the
loaded model) and on nothing else. So with at least 4 tokens of overlap:
  - A decides every token before the seam as the whole text does;
  - B decides every token from the seam on as the whole text does, provided the state at the
    seam is the same in B as in the whole text: no entity open.
Both conditions are read off the results: no entity of A and none of B crosses the seam. When
they hold the entities are A's before the seam and B's from it; when not (an entity across the
seam, rare at a paragraph break) the piece is read again whole (`stitch` returns None). Every
word is at least one token, so SEAM_WORDS words are at least SEAM_WORDS tokens.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional, Sequence

SEAM_WORDS = 8          # words of context each side of a seam (the NER needs 4 tokens)
MIN_SPLIT_CHARS = 400   # a piece shorter than this is never cut
_WORD = re.compile(r"\S+")
_SCAN = 4_000           # how far to look for the context words (a longer "word" stops the cut)
_SEPARATORS = ("\n\n", "\n", ". ", " ")

Ents = list[tuple[int, int, str]]


def find_seam(text: str, target: int) -> Optional[int]:
    """A seam near `target`: the start of a word right after whitespace, preferring one after a
    blank line, then after a line end, a sentence end, a space (within a quarter of the text)."""
    n = len(text)
    reach = max(200, n // 4)
    lo, hi = max(1, target - reach), min(n - 1, target + reach)
    if lo >= hi:
        return None
    for sep in _SEPARATORS:
        best = None
        left = text.rfind(sep, lo, target + len(sep))
        right = text.find(sep, target, hi)
        for j in (left, right):
            if j < 0:
                continue
            p = j + len(sep)
            while p < n and text[p].isspace():
                p += 1
            if lo <= p < hi and text[p - 1].isspace() and not text[p].isspace():
                if best is None or abs(p - target) < abs(best - target):
                    best = p
        if best is not None:
            return best
    return None


def seam_window(text: str, s: int, words: int = SEAM_WORDS) -> Optional[tuple[int, int]]:
    """(a, b) with `words` whole words of text[a:s] and of text[s:b]; a and b are word starts
    (or the ends of the text). None when the words are too long to find nearby."""
    lo = max(0, s - _SCAN)
    before = [m.start() for m in _WORD.finditer(text, lo, s)]
    if len(before) > words:
        a = before[-words]
    elif lo == 0:
        a = 0
    else:
        return None
    hi = min(len(text), s + _SCAN)
    after = [m.start() for m in _WORD.finditer(text, s, hi)]
    if len(after) > words:
        b = after[words]
    elif hi == len(text):
        b = len(text)
    else:
        return None
    return a, b


def stitch(ents_a: Ents, ents_b: Ents, s: int) -> Optional[Ents]:
    """The entities of the whole text from those of A = text[:b] and of B = text[a:] (already
    shifted by a), or None when an entity crosses the seam s in either."""
    if any(st < s < en for st, en, _ in ents_a) or any(st < s < en for st, en, _ in ents_b):
        return None
    return [x for x in ents_a if x[1] <= s] + [x for x in ents_b if x[0] >= s]


@dataclass
class Plan:
    """Which texts each side reads, and how to put the pieces' entities back together.

    `recipe[i]` for piece i is ("mine", k), ("theirs", k) or ("seam", k_mine, k_theirs, a, s):
    the index of its text in `mine` / `theirs`, and for a cut piece the offset of B and the seam.
    """
    mine: list[str] = field(default_factory=list)
    theirs: list[str] = field(default_factory=list)
    recipe: list[tuple] = field(default_factory=list)

    def assemble(self, pieces: Sequence[str], got_mine: Sequence[Ents], got_theirs: Sequence[Ents],
                 read_again) -> list[Ents]:
        """Entities per piece; `read_again(piece)` reads a piece whole when a seam failed."""
        out: list[Ents] = []
        for piece, r in zip(pieces, self.recipe):
            if r[0] == "mine":
                out.append(list(got_mine[r[1]]))
            elif r[0] == "theirs":
                out.append(list(got_theirs[r[1]]))
            else:
                _, km, kt, a, s = r
                shifted = [(st + a, en + a, lab) for st, en, lab in got_theirs[kt]]
                joined = stitch(list(got_mine[km]), shifted, s)
                out.append(joined if joined is not None else read_again(piece))
        return out


def plan(pieces: Sequence[str], share: float, may_cut: bool = True) -> Plan:
    """Give about `share` of the characters to the other process (the end of the list) and the
    rest to this one (the start), cutting at most one piece at a seam (none if not `may_cut`)."""
    total = sum(len(p) for p in pieces)
    mine_target = total * (1.0 - share)
    out = Plan()
    done = 0
    for piece in pieces:
        n = len(piece)
        if done + n <= mine_target:
            out.recipe.append(("mine", len(out.mine)))
            out.mine.append(piece)
        elif done >= mine_target:
            out.recipe.append(("theirs", len(out.theirs)))
            out.theirs.append(piece)
        else:  # the boundary falls inside this piece
            cut = None
            if may_cut and n >= MIN_SPLIT_CHARS:
                s = find_seam(piece, int(mine_target - done))
                window = seam_window(piece, s) if s is not None else None
                if window is not None and 0 < window[0] and window[1] < n:
                    cut = (window[0], s, window[1])
            if cut is not None:
                a, s, b = cut
                out.recipe.append(("seam", len(out.mine), len(out.theirs), a, s))
                out.mine.append(piece[:b])
                out.theirs.append(piece[a:])
            elif mine_target - done >= done + n - mine_target:
                out.recipe.append(("mine", len(out.mine)))
                out.mine.append(piece)
            else:
                out.recipe.append(("theirs", len(out.theirs)))
                out.theirs.append(piece)
        done += n
    return out


def receptive_field(nlp) -> Optional[int]:
    """How many tokens each side of a token its NER vector depends on, for the standard
    tok2vec architectures; None for anything else (then no piece is ever cut)."""
    try:
        cfg = nlp.config["components"]["ner"]["model"]
        if cfg.get("@architectures") not in ("spacy.TransitionBasedParser.v1",
                                             "spacy.TransitionBasedParser.v2"):
            return None
        if cfg.get("state_type") != "ner" or cfg.get("extra_state_tokens"):
            return None
        t2v = cfg["tok2vec"]
        if t2v.get("@architectures") not in ("spacy.Tok2Vec.v1", "spacy.Tok2Vec.v2"):
            return None
        enc = t2v["encode"]
        if enc.get("@architectures") not in ("spacy.MaxoutWindowEncoder.v1",
                                             "spacy.MaxoutWindowEncoder.v2",
                                             "spacy.MishWindowEncoder.v1",
                                             "spacy.MishWindowEncoder.v2"):
            return None
        if t2v["embed"].get("@architectures") not in ("spacy.MultiHashEmbed.v1",
                                                       "spacy.MultiHashEmbed.v2"):
            return None
        return int(enc["depth"]) * int(enc["window_size"])
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
