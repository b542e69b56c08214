"""`.zip`: each member read recursively (any supported format, zips inside zips) within the
limits: member count, total unpacked bytes (shared with the whole file), per-member ratio and
nesting depth. Encrypted members (ZipCrypto or AES, read with pyzipper) are reported as
encrypted, never guessed at."""
from __future__ import annotations

import io

from ..model import Attachment
from ._common import RATIO_FLOOR, Ctx, IngestError, short_reason

CHUNK = 1 << 20


def _open(data: bytes):
    import pyzipper
    return pyzipper.AESZipFile(io.BytesIO(data))


def read_zip(data: bytes, name: str, ctx: Ctx, pid: str, depth: int, out, nested, top: bool = False) -> None:
    """Add each member's parts to `out`. `pid` is the prefix: "attachment:" at the top level,
    else the archive's own part id (members become `PID/member`)."""
    try:
        zf = _open(data)
        infos = zf.infolist()
    except Exception as exc:  # noqa: BLE001
        raise IngestError(f"damaged zip archive: {short_reason(exc)}") from None
    prefix = pid if top else pid + "/"
    note_at = "body" if top else pid
    max_members = ctx.limit("max-archive-members")
    ratio = ctx.limit("max-ratio")
    files = [i for i in infos if not i.is_dir()]
    if len(files) > max_members:
        ctx.note(note_at, "limit-reached",
                 f"limit-reached: {len(files)} members, above max-archive-members ({max_members}); "
                 f"only the first {max_members} inspected")
        files = files[:max_members]
    for info in files:
        mname = info.filename.replace("\\", "/").lstrip("/")
        mpid = ctx.unique_id(prefix + mname)
        base = mname.rsplit("/", 1)[-1]
        if info.flag_bits & 0x1 or getattr(info, "compress_type", 0) == 99:
            ctx.note(mpid, "encrypted", "encrypted: not inspected")
            out.attachments.append(Attachment(mpid, base, "", info.file_size, True, False))
            continue
        if info.file_size > RATIO_FLOOR and info.file_size > ratio * max(info.compress_size, 1):
            ctx.note(mpid, "limit-reached",
                     f"limit-reached: member unpacks {info.file_size} bytes from {info.compress_size} "
                     f"(ratio above max-ratio {ratio}); not inspected")
            out.attachments.append(Attachment(mpid, base, "", info.file_size, False, False))
            continue
        if not ctx.spend(info.file_size, mpid):
            out.attachments.append(Attachment(mpid, base, "", info.file_size, False, False))
            continue
        try:
            buf = bytearray()
            with zf.open(info) as fh:
                while True:
                    chunk = fh.read(CHUNK)
                    if not chunk:
                        break
                    buf += chunk
                    if len(buf) > info.file_size:  # the header lied about the size
                        raise IngestError("member larger than its declared size")
            member = bytes(buf)
        except Exception as exc:  # noqa: BLE001
            reason = str(exc) if isinstance(exc, IngestError) else short_reason(exc)
            if "password" in reason.lower() or "encrypt" in reason.lower():
                ctx.note(mpid, "encrypted", "encrypted: not inspected")
                out.attachments.append(Attachment(mpid, base, "", info.file_size, True, False))
            else:
                ctx.note(mpid, "not-inspected", f"not-inspected: cannot unpack: {reason}")
                out.attachments.append(Attachment(mpid, base, "", info.file_size, False, False))
            continue
        nested(member, base, "", len(member), ctx, mpid, depth + 1, out)
