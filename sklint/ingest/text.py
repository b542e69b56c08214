"""`.txt` and `.md`: the decoded text verbatim, so offsets and line/column index the file."""
from __future__ import annotations

from ._common import Ctx, Doc, clip, decode_text


def read_text(data: bytes, name: str, ctx: Ctx, pid: str, media: str = "text/plain",
              charset: str | None = None) -> Doc:
    text = clip(decode_text(data, charset), ctx, pid)
    return Doc(text, media)
