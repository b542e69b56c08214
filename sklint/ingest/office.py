"""Shared Office/zip safety: a zip-bomb and XML-entity check run before any zip-based format
(docx, xlsx, pptx, odt) is handed to its library, a safe XML parser, and Office encryption
detection with msoffcrypto-tool."""
from __future__ import annotations

import io
import re
import zipfile

from lxml import etree

from ._common import RATIO_FLOOR, Ctx, IngestError

_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.I)
XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             dtd_validation=False, huge_tree=False, remove_comments=True)


def safe_xml(blob: bytes):
    """Parse XML with no entity resolution, no DTD, no network; a DOCTYPE is refused."""
    if _DOCTYPE.search(blob[:65536]):
        raise IngestError("refused: XML with a DOCTYPE/ENTITY declaration (entity expansion risk)")
    return etree.fromstring(blob, XML_PARSER)


class Encrypted(IngestError):
    """The file is encrypted; not an error at the top level, reported as a note."""


def check_zip(data: bytes, ctx: Ctx, pid: str, what: str) -> None:
    """Refuse a zip-based document whose members would unpack beyond the limits, are encrypted,
    or hold XML that declares a DOCTYPE (entity expansion / external entities)."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except zipfile.BadZipFile as exc:
        raise IngestError(f"damaged {what}: {exc}") from None
    members = ctx.limit("max-archive-members")
    if len(infos) > members:
        raise IngestError(f"refused: {what} has {len(infos)} parts, above max-archive-members ({members})")
    ratio = ctx.limit("max-ratio")
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise Encrypted(f"{what} has encrypted parts")
        total += info.file_size
        if info.file_size > RATIO_FLOOR and info.file_size > ratio * max(info.compress_size, 1):
            raise IngestError(f"refused: {what} part {info.filename} unpacks {info.file_size} bytes "
                              f"from {info.compress_size} (ratio above max-ratio {ratio}; zip bomb?)")
    if not ctx.spend(total, pid):
        raise IngestError(f"refused: {what} unpacks to {total} bytes, above max-archive-bytes")
    for info in infos:
        n = info.filename.lower()
        if n.endswith((".xml", ".rels", ".vml")) or n == "[content_types].xml":
            with zf.open(info) as fh:
                head = fh.read(65536)
            if _DOCTYPE.search(head):
                raise IngestError(f"refused: {what} part {info.filename} declares a DOCTYPE/ENTITY "
                                  "(entity expansion or external entity)")


def ole_encrypted(data: bytes) -> bool:
    """True for an encrypted Office file (OOXML in an OLE wrapper, or legacy .doc/.xls/.ppt)."""
    try:
        import msoffcrypto
        f = msoffcrypto.OfficeFile(io.BytesIO(data))
        return bool(f.is_encrypted())
    except Exception:  # noqa: BLE001 - msoffcrypto cannot tell: treat as not encrypted
        return False
