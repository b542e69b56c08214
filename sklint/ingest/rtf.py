"""`.rtf` with striprtf: the plain text of the document."""
from __future__ import annotations

from ._common import Ctx, Doc, clip


def read_rtf(data: bytes, name: str, ctx: Ctx, pid: str) -> Doc:
    from striprtf.striprtf import rtf_to_text
    source = data.decode("cp1252", errors="replace")  # RTF is 7-bit; escapes carry the rest
    text = rtf_to_text(source, errors="replace")
    return Doc(clip(text.replace("\x00", ""), ctx, pid), "rtf")
