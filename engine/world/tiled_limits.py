"""A Tiled map looked over before the parser reads it: sizes, layer data, and the files it names.

The parser trusts what a map says: 40000 x 40000 tiles, a zlib layer that inflates
to gigabytes, ``/dev/zero`` as an external tileset. This pass reads the map (JSON or
TMX) within limits, decompresses every encoded layer into a bounded buffer, and
checks every file the map names is a small regular file, so the parser that follows
only ever sees a map of honest size.
"""

from __future__ import annotations

import base64
import binascii
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from engine.untrusted.limits import MAX_BUILDINGS, MAX_INPUT_FILE_BYTES, MAX_JSON_DEPTH, MAX_MAP_SIDE, TooBig
from engine.untrusted.readers import decompress_zlib, decompress_zstd, json_depth, read_small_file

MAX_LAYERS = 1_000
MAX_OBJECTS = MAX_BUILDINGS + 100_000  # buildings, districts and props together
MAX_TILE_PIXELS = 4_096
MAX_TILES_IN_TILESET = 100_000
MAX_LINKED_FILES = 200
MAX_CELLS = 8 * MAX_MAP_SIDE * MAX_MAP_SIDE  # tiles over all layers and chunks: the parser holds each as an int


class MapTooBig(ValueError):
    """The map (or a file it names) is beyond a limit or not what it claims; the message says why."""


def check_map_file(path: Path) -> None:
    """Raise MapTooBig (or FileNotFoundError) unless ``path`` and every file it names are within limits."""
    raw = _read(path)
    linked: list[Path] = []
    if path.suffix.lower() in (".tmx", ".tsx", ".tx") or raw.lstrip()[:1] == b"<":
        _check_xml(raw, path, linked)
    else:
        _check_json(raw, path, linked)
    for index, other in enumerate(dict.fromkeys(linked)):
        if index >= MAX_LINKED_FILES:
            raise MapTooBig(f"names more than {MAX_LINKED_FILES} other files")
        try:
            linked_raw = _read(other)
        except FileNotFoundError:
            continue  # the parser says which file is missing
        if other.suffix.lower() in (".tsx", ".tx") or linked_raw.lstrip()[:1] == b"<":
            _check_xml(linked_raw, other, [])
        else:
            _check_json(linked_raw, other, [])


def _read(path: Path) -> bytes:
    try:
        return read_small_file(path, MAX_INPUT_FILE_BYTES)
    except TooBig as exc:
        raise MapTooBig(str(exc)) from None
    except FileNotFoundError:
        raise
    except ValueError as exc:  # a device, a fifo, a folder
        raise MapTooBig(str(exc)) from None


def _side(value: Any, what: str, limit: int = MAX_MAP_SIDE) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise MapTooBig(f"{what} {str(value)[:40]!r} is not a whole number") from None
    if not 0 <= number <= limit:
        raise MapTooBig(f"{what} is {number:,} (at most {limit:,})")
    return number


def _spend(counts: dict[str, int], cells: int) -> None:
    counts["cells"] = counts.get("cells", 0) + cells
    if counts["cells"] > MAX_CELLS:
        raise MapTooBig(f"its layers hold more than {MAX_CELLS:,} tiles in all")


def _layer_bytes(data: bytes, encoding: str, compression: str, cells: int, what: str) -> None:
    """An encoded layer: its decoded size must be 4 bytes per cell, and never more."""
    if encoding != "base64":
        return
    try:
        packed = base64.b64decode(data.strip(), validate=False)
    except (binascii.Error, ValueError):
        raise MapTooBig(f"{what} is not base64") from None
    limit = cells * 4
    try:
        if compression in ("zlib", "gzip"):
            out = decompress_zlib(packed, limit, what, gzip=compression == "gzip")
        elif compression == "zstd":
            out = decompress_zstd(packed, limit, what)
        elif compression:
            raise MapTooBig(f"{what} uses compression {compression[:20]!r}, which I cannot read")
        else:
            out = packed
    except TooBig as exc:
        raise MapTooBig(str(exc)) from None
    except ValueError as exc:
        raise MapTooBig(str(exc)) from None
    if len(out) > limit:
        raise MapTooBig(f"{what} holds more tiles than the layer's {cells:,}")


# -- JSON (.tmj, .json, .tsj) --------------------------------------------------------------


def _check_json(raw: bytes, path: Path, linked: list[Path]) -> None:
    try:
        doc = json.loads(raw)
        json_depth(doc, MAX_JSON_DEPTH)
    except (ValueError, RecursionError) as exc:
        raise MapTooBig(f"not a Tiled map I can read ({str(exc).splitlines()[0][:120]})") from None
    if not isinstance(doc, dict):
        raise MapTooBig("not a Tiled map I can read (not a JSON object)")
    if doc.get("type") == "tileset" or "tilecount" in doc:
        _check_json_tileset(doc, path, linked)
        return
    width, height = _side(doc.get("width", 0), "the map's width"), _side(doc.get("height", 0), "the map's height")
    for key in ("tilewidth", "tileheight"):
        if _side(doc.get(key, 1), f"the map's {key}", MAX_TILE_PIXELS) < 1:
            raise MapTooBig(f"the map's {key} is 0")
    counts = {"layers": 0, "objects": 0}
    _check_json_layers(doc.get("layers") or [], width, height, path, linked, counts)
    for tileset in doc.get("tilesets") or []:
        if isinstance(tileset, dict):
            _check_json_tileset(tileset, path, linked)


def _check_json_layers(layers: Any, width: int, height: int, path: Path, linked: list[Path],
                       counts: dict[str, int]) -> None:
    if not isinstance(layers, list):
        raise MapTooBig("its layers are not a list")
    for layer in layers:
        if not isinstance(layer, dict):
            raise MapTooBig("a layer is not a JSON object")
        counts["layers"] += 1
        if counts["layers"] > MAX_LAYERS:
            raise MapTooBig(f"more than {MAX_LAYERS:,} layers")
        name = str(layer.get("name", ""))[:40]
        kind = layer.get("type")
        if kind == "group":
            _check_json_layers(layer.get("layers") or [], width, height, path, linked, counts)
        elif kind == "tilelayer":
            w, h = _side(layer.get("width", 0), f"layer {name!r}'s width"), _side(layer.get("height", 0),
                                                                                    f"layer {name!r}'s height")
            for chunk in layer.get("chunks") or []:
                if isinstance(chunk, dict):
                    cw, ch = _side(chunk.get("width", 0), "a chunk's width"), _side(chunk.get("height", 0),
                                                                                     "a chunk's height")
                    _spend(counts, cw * ch)
                    _check_json_data(chunk.get("data"), layer, cw * ch, f"a chunk of layer {name!r}")
            if layer.get("data") is not None:
                _spend(counts, w * h)
            _check_json_data(layer.get("data"), layer, max(w * h, 0), f"layer {name!r}")
        elif kind == "objectgroup":
            objects = layer.get("objects") or []
            counts["objects"] += len(objects) if isinstance(objects, list) else 0
            if counts["objects"] > MAX_OBJECTS:
                raise MapTooBig(f"more than {MAX_OBJECTS:,} objects")
            for obj in objects if isinstance(objects, list) else []:
                if isinstance(obj, dict) and isinstance(obj.get("template"), str):
                    linked.append(path.parent / obj["template"])


def _check_json_data(data: Any, layer: dict[str, Any], cells: int, what: str) -> None:
    if data is None:
        return
    if isinstance(data, list):
        if len(data) > cells:
            raise MapTooBig(f"{what} holds {len(data):,} tiles, more than its {cells:,}")
    elif isinstance(data, str):
        _layer_bytes(data.encode("ascii", "replace"), str(layer.get("encoding", "csv")),
                     str(layer.get("compression", "")), cells, what)
    else:
        raise MapTooBig(f"{what}'s data is neither a list nor a string")


def _check_json_tileset(tileset: dict[str, Any], path: Path, linked: list[Path]) -> None:
    if isinstance(tileset.get("source"), str):
        linked.append(path.parent / tileset["source"])
    _side(tileset.get("tilecount", 0), "a tileset's tile count", MAX_TILES_IN_TILESET)
    tiles = tileset.get("tiles") or []
    if isinstance(tiles, list) and len(tiles) > MAX_TILES_IN_TILESET:
        raise MapTooBig(f"a tileset has more than {MAX_TILES_IN_TILESET:,} tiles")


# -- XML (.tmx, .tsx, .tx) -----------------------------------------------------------------


def _check_xml(raw: bytes, path: Path, linked: list[Path]) -> None:
    if b"<!ENTITY" in raw or b"<!DOCTYPE" in raw:  # Tiled never writes them; they only serve expansion tricks
        raise MapTooBig("declares XML entities (Tiled maps never do)")
    try:
        root = ET.fromstring(raw)
    except ET.ParseError as exc:
        raise MapTooBig(f"not a Tiled map I can read ({exc})") from None
    if root.tag == "map":
        width = _side(root.get("width", 0), "the map's width")
        height = _side(root.get("height", 0), "the map's height")
        for key in ("tilewidth", "tileheight"):
            if _side(root.get(key, 1), f"the map's {key}", MAX_TILE_PIXELS) < 1:
                raise MapTooBig(f"the map's {key} is 0")
    else:
        width = height = MAX_MAP_SIDE
    layers = objects = 0
    counts: dict[str, int] = {}
    for element in root.iter():
        if element.tag in ("layer", "objectgroup", "imagelayer", "group"):
            layers += 1
            if layers > MAX_LAYERS:
                raise MapTooBig(f"more than {MAX_LAYERS:,} layers")
        if element.tag == "object":
            objects += 1
            if objects > MAX_OBJECTS:
                raise MapTooBig(f"more than {MAX_OBJECTS:,} objects")
            if element.get("template"):
                linked.append(path.parent / str(element.get("template")))
        if element.tag == "tileset":
            if element.get("source"):
                linked.append(path.parent / str(element.get("source")))
            _side(element.get("tilecount", 0), "a tileset's tile count", MAX_TILES_IN_TILESET)
        if element.tag == "layer":
            name = str(element.get("name", ""))[:40]
            w = _side(element.get("width", width), f"layer {name!r}'s width")
            h = _side(element.get("height", height), f"layer {name!r}'s height")
            for data in element.iter("data"):
                encoding, compression = data.get("encoding", ""), data.get("compression", "")
                chunks = list(data.iter("chunk"))
                for chunk in chunks:
                    cells = _side(chunk.get("width", 0), "a chunk's width") * _side(chunk.get("height", 0),
                                                                                    "a chunk's height")
                    _spend(counts, cells)
                    _layer_bytes((chunk.text or "").encode("ascii", "replace"), encoding, compression, cells,
                                 f"a chunk of layer {name!r}")
                if not chunks:
                    _spend(counts, w * h)
                    _layer_bytes((data.text or "").encode("ascii", "replace"), encoding, compression, w * h,
                                 f"layer {name!r}")
                    if not encoding and len(list(data.iter("tile"))) > w * h:
                        raise MapTooBig(f"layer {name!r} holds more tiles than its {w * h:,}")
