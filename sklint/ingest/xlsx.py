"""`.xlsx` with openpyxl in read-only mode: one line per row, cells joined with " | ", each sheet
headed by its name; every cell is a block recorded under its column's header (the sheet's first
non-empty row)."""
from __future__ import annotations

import datetime as _dt
import io

from ._common import Ctx, Doc, TextBuilder

SEP = " | "


def cell_text(v) -> str:
    """A cell's value as sklint reads it (dates day first, whole floats without .0); `sklint fix`
    writes cells through the same function."""
    if v is None:
        return ""
    if isinstance(v, _dt.datetime):
        return v.strftime("%d/%m/%Y %H:%M") if (v.hour or v.minute) else v.strftime("%d/%m/%Y")
    if isinstance(v, _dt.date):
        return v.strftime("%d/%m/%Y")
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return str(v).replace("\x00", "")


def read_xlsx(data: bytes, name: str, ctx: Ctx, pid: str) -> Doc:
    import openpyxl
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    b = TextBuilder(ctx.limit("max-part-chars"))
    try:
        for ws in wb.worksheets:
            b.add(f"Sheet: {ws.title}")
            header: list[str] | None = None
            for rown, row in enumerate(ws.iter_rows(values_only=True), start=1):
                cells = [cell_text(v) for v in row]
                while cells and not cells[-1].strip():
                    cells.pop()
                if not any(c.strip() for c in cells):
                    continue
                first = True
                row_at = b.size + (1 if b.chunks else 0)  # after the "\n" that starts the row
                for ci, c in enumerate(cells):
                    head = header[ci] if header is not None and ci < len(header) else None
                    if not c.strip():
                        # keep the column position visible without a block
                        b.add("", sep="\n" if first else SEP)
                        first = False
                        continue
                    b.add(c, head or None, sep="\n" if first else SEP)
                    first = False
                if not b.truncated:
                    b.places.append((row_at, ws.title, rown))
                if header is None:
                    header = [c.strip() for c in cells]
                if b.truncated:
                    break
            if b.truncated:
                break
    finally:
        wb.close()
    if b.truncated:
        ctx.note(pid, "limit-reached", f"limit-reached: text cut at max-part-chars ({b.max_chars} characters)")
    return b.doc("xlsx")
