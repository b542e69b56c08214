"""`.pptx` with python-pptx: per slide, the text of every shape (groups recursed, tables cell by
cell under their column header), then the speaker notes. Paragraphs are separate lines."""
from __future__ import annotations

import io

from ._common import Ctx, Doc, TextBuilder, table_cells


def _shapes(shapes, b: TextBuilder) -> None:
    for shape in shapes:
        try:
            if getattr(shape, "shape_type", None) == 6 or hasattr(shape, "shapes"):  # group
                _shapes(shape.shapes, b)
                continue
            if getattr(shape, "has_table", False) and shape.has_table:
                rows = [[cell.text for cell in row.cells] for row in shape.table.rows]
                table_cells(rows, b)
                continue
            if getattr(shape, "has_text_frame", False) and shape.has_text_frame:
                for para in shape.text_frame.paragraphs:
                    b.add(para.text.replace("\x0b", "\n"))
        except Exception:  # noqa: BLE001 - one odd shape must not lose the rest
            continue


def read_pptx(data: bytes, name: str, ctx: Ctx, pid: str) -> Doc:
    from pptx import Presentation
    prs = Presentation(io.BytesIO(data))
    b = TextBuilder(ctx.limit("max-part-chars"))
    for i, slide in enumerate(prs.slides, 1):
        b.add(f"Slide {i}")
        _shapes(slide.shapes, b)
        if slide.has_notes_slide:
            tf = slide.notes_slide.notes_text_frame
            if tf is not None:
                for para in tf.paragraphs:
                    b.add(para.text)
        if b.truncated:
            ctx.note(pid, "limit-reached", f"limit-reached: text cut at max-part-chars ({b.max_chars} characters)")
            break
    return b.doc("pptx")
