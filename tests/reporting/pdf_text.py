"""The text of a PDF made by WeasyPrint, read back from the bytes, for tests.

No PDF library is installed, so this reads just what WeasyPrint writes:
objects (some inside compressed object streams), Flate-compressed streams,
fonts with a ToUnicode CMap (bfchar and bfrange), and page content streams
whose text is shown with `Tf` and `TJ`/`Tj` on hex glyph strings. Each text
run (from one text-positioning operator to the next) is one item, in the
order it is painted. Anything it does not understand raises, so a test that
uses it fails rather than passing on nothing.
"""

from __future__ import annotations

import re
import zlib

_OBJ = re.compile(rb"(\d+)\s+0\s+obj\b(.*?)\bendobj", re.S)
_STREAM = re.compile(rb"stream\r?\n(.*)\r?\nendstream\s*$", re.S)
_REF = re.compile(rb"/(\w[\w.+-]*)\s+(\d+)\s+0\s+R")


def _stream(body: bytes) -> bytes | None:
    match = _STREAM.search(body)
    if match is None:
        return None
    data = match.group(1)
    if b"/FlateDecode" in body[:match.start()]:
        data = zlib.decompress(data)
    return data


def _objects(pdf: bytes) -> dict[int, bytes]:
    """Every object's body, by number, object streams unpacked."""
    objects = {int(m.group(1)): m.group(2) for m in _OBJ.finditer(pdf)}
    for number, body in list(objects.items()):
        if b"/ObjStm" not in body.split(b"stream", 1)[0]:
            continue
        data = _stream(body)
        first = int(re.search(rb"/First\s+(\d+)", body).group(1))
        count = int(re.search(rb"/N\s+(\d+)", body).group(1))
        header = data[:first].split()
        pairs = [(int(header[i]), int(header[i + 1])) for i in range(0, 2 * count, 2)]
        for i, (inner, offset) in enumerate(pairs):
            end = pairs[i + 1][1] if i + 1 < len(pairs) else len(data) - first
            objects[inner] = data[first + offset:first + end]
    return objects


def _cmap(data: bytes) -> dict[str, str]:
    mapping: dict[str, str] = {}

    def text(hexes: bytes) -> str:
        return bytes.fromhex(hexes.decode()).decode("utf-16-be")

    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for src, dst in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            mapping[src.decode().lower()] = text(dst)
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for lo, hi, dst in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            width = len(lo)
            start = int(dst, 16)
            for k, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                mapping[f"{code:0{width}x}"] = chr(start + k)
    return mapping


def pdf_runs(pdf: bytes) -> list[str]:
    """The text runs of the document, in painting order."""
    if not pdf.startswith(b"%PDF-"):
        raise ValueError("not a PDF")
    objects = _objects(pdf)
    cmaps: dict[int, dict[str, str]] = {}  # font object -> its glyph -> text map
    for number, body in objects.items():
        match = re.search(rb"/ToUnicode\s+(\d+)\s+0\s+R", body)
        if match:
            cmaps[number] = _cmap(_stream(objects[int(match.group(1))]))
    runs: list[str] = []
    for body in objects.values():
        if not body.lstrip().startswith(b"<<") or b"/Type /Page" not in body or b"/Type /Pages" in body:
            continue
        resources = re.search(rb"/Resources\s+(\d+)\s+0\s+R", body)
        resource_body = objects[int(resources.group(1))] if resources else body
        font_dict = re.search(rb"/Font\s+(\d+)\s+0\s+R", resource_body)
        font_body = objects[int(font_dict.group(1))] if font_dict else resource_body
        fonts = {name.decode(): int(ref) for name, ref in _REF.findall(font_body)}
        contents = re.search(rb"/Contents\s+(\d+)\s+0\s+R", body)
        stream = _stream(objects[int(contents.group(1))])
        runs += _show(stream, fonts, cmaps)
    if not runs:
        raise ValueError("no text found in the PDF")
    return runs


def _show(stream: bytes, fonts: dict[str, int], cmaps: dict[int, dict[str, str]]) -> list[str]:
    runs, current, cmap = [], [], {}
    tokens = re.finditer(rb"/(\w[\w.+-]*)\s+[\d.]+\s+Tf|\[(.*?)\]\s*TJ|<([0-9a-fA-F]*)>\s*Tj|\b(Tm|Td|TD|T\*|ET)\b",
                         stream, re.S)
    for token in tokens:
        font, array, single, move = token.groups()
        if font is not None:
            cmap = cmaps[fonts[font.decode()]]
        elif move is not None:
            if current:
                runs.append("".join(current))
                current = []
        else:
            strings = re.findall(rb"<([0-9a-fA-F]*)>", array) if array is not None else [single]
            for hexes in strings:
                hexes = hexes.decode().lower()
                for i in range(0, len(hexes), 4):
                    current.append(cmap[hexes[i:i + 4]])
    if current:
        runs.append("".join(current))
    return runs


def pdf_text(pdf: bytes) -> str:
    """The document's text, one run a line."""
    return "\n".join(pdf_runs(pdf))
