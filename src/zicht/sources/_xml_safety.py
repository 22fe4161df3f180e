"""Parse untrusted XML files safely and turn every failure into one Dutch line.

Messages come from outside the gemeente, so the parser never resolves entities, never
loads a DTD, never touches the network and keeps libxml2's size limits. A document that
declares a DOCTYPE is refused outright: iJw/iWmo messages never have one, and refusing is
simpler to reason about than trusting that no expansion happens.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from zicht.errors import SourceError

# One parser for the whole process: creating it is most of the cost of a tiny parse.
# lxml parsers are not thread-safe; the ingest reads files one after another.
_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    huge_tree=False,
    load_dtd=False,
    dtd_validation=False,
    remove_comments=True,
    remove_pis=True,
)

# libxml2 error codes (xmlParserErrors) that mean the text stopped before the document
# was complete: a tag or the root element was never closed.
_END_OF_INPUT_CODES = frozenset({5, 73, 77})
# Bytes that do not fit the declared (or default UTF-8) encoding.
_ENCODING_CODES = frozenset({9, 32, 81})
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def fail(path: Path, problem: str) -> SourceError:
    """A one-line :class:`SourceError` naming the file."""
    return SourceError(f"{path.name}: {problem}")


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise fail(path, "bestand bestaat niet") from None
    except IsADirectoryError:
        raise fail(path, "is een map, geen bestand") from None
    except OSError as exc:
        raise fail(path, f"bestand kan niet worden gelezen ({exc.strerror})") from None


def _looks_like_markup(data: bytes) -> bool:
    if data.startswith(_BOMS[1:]):
        return True  # UTF-16: leave the verdict to the parser
    head = data.removeprefix(_BOMS[0]).lstrip()
    return head.startswith(b"<")


def parse(path: Path, data: bytes) -> etree._Element:
    """The root element of ``data``; :class:`SourceError` when it is not safe, sane XML."""
    if not data.strip():
        raise fail(path, "leeg bestand")
    if b"\x00" in data[:1024] and not data.startswith(_BOMS[1:]):
        raise fail(path, "binair bestand, geen XML")
    if not _looks_like_markup(data):
        raise fail(path, "geen XML-bestand (begint niet met '<')")
    # Checked before parsing too, so a hostile DTD never reaches libxml2's DTD code.
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise fail(path, "bevat een DOCTYPE- of ENTITY-declaratie; zulke XML wordt geweigerd")
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(path, data, exc) from None
    if root is None:  # pragma: no cover - libxml2 raises for empty documents
        raise fail(path, "leeg bestand")
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        # Reached only for encodings that hide the marker from the byte check (UTF-16).
        raise fail(path, "bevat een DOCTYPE- of ENTITY-declaratie; zulke XML wordt geweigerd")
    return root


def _syntax_error(path: Path, data: bytes, exc: etree.XMLSyntaxError) -> SourceError:
    line = exc.lineno or 0
    code = exc.code
    if code in _ENCODING_CODES or "encoding" in (exc.msg or "").lower():
        return fail(
            path,
            f"regel {line}: tekens passen niet bij de tekencodering van het bestand "
            "(verwacht UTF-8 of de codering uit de XML-declaratie)",
        )
    last_line = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    if code in _END_OF_INPUT_CODES and line >= last_line or "Premature end" in (exc.msg or ""):
        return fail(path, f"bestand is afgebroken (onvolledige XML, regel {line})")
    return fail(path, f"geen geldige XML (fout op regel {line})")
