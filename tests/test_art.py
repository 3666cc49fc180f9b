"""The generated pixel art: complete, the right sizes, reproducible, and in sync with the repo."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "assets" / "generate_art.py"
COMMITTED = ROOT / "assets" / "art"


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate_art", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


gen = _load_generator()


@pytest.fixture(scope="module")
def art_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("art")
    gen.generate(out)
    return out


@pytest.fixture(scope="module")
def manifest(art_dir: Path) -> dict:
    return json.loads((art_dir / "manifest.json").read_text(encoding="utf-8"))


def _size(path: Path) -> tuple[int, int]:
    with Image.open(path) as image:
        return image.size


def _rgba(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image.convert("RGBA"))


def _expected_sizes(manifest: dict) -> dict[str, tuple[int, int]]:
    """Every PNG the manifest names, with the size it must have."""
    tile = manifest["tile_size"]
    sizes: dict[str, tuple[int, int]] = {}
    for names in manifest["terrain"].values():
        sizes.update({name: (tile, tile) for name in names})
    for entry in manifest["buildings"].values():
        sizes[entry["day"]] = sizes[entry["night"]] = tuple(entry["size"])
    sizes.update({name: (16, 16) for name in manifest["people"]})
    frames = len(manifest["portrait_skins"]) * manifest["portrait_looks"]
    width, height = manifest["portrait_size"]
    sizes.update({name: (width * frames, height) for bands in manifest["portraits"].values() for name in bands.values()})
    sizes.update({name: (10, 10) for name in manifest["icons"].values()})
    ui = manifest["ui"]
    sizes.update({ui["selected"]: (20, 20), ui["dot"]: (4, 4), ui["bubble"]: (24, 16)})
    sizes.update({name: (int(key), int(key)) for key, name in manifest["app_icon"].items() if key != "ico"})
    return sizes


def test_manifest_names_everything_the_map_needs(manifest: dict) -> None:
    assert manifest["tile_size"] == 16
    assert manifest["license"] == "CC0-1.0"
    assert set(manifest["terrain"]) == {"grass", "water", "road", "plaza", "sand", "forest"}
    assert len(manifest["terrain"]["grass"]) == 3 and len(manifest["terrain"]["water"]) == 2
    assert list(manifest["buildings"]) == [
        "home", "apartment", "cafe", "shop", "office", "workshop", "school", "park", "town_hall"]
    assert list(manifest["icons"]) == ["sleep", "home", "travel", "work", "eat", "shop", "leisure", "social", "study"]
    assert manifest["people"] == [f"person_{i}.png" for i in range(12)]
    assert set(manifest["ui"]) == {"selected", "dot", "bubble"}
    assert set(manifest["app_icon"]) == {"16", "32", "48", "64", "128", "256", "ico"}
    assert manifest["buildings"]["park"]["size"] == [64, 64] and manifest["buildings"]["park"]["tileable"]
    assert manifest["buildings"]["home"]["size"] == [48, 48]


def test_every_manifest_entry_exists_with_the_right_size(art_dir: Path, manifest: dict) -> None:
    for name, size in _expected_sizes(manifest).items():
        assert (art_dir / name).is_file(), name
        assert _size(art_dir / name) == size, name
    with Image.open(art_dir / manifest["app_icon"]["ico"]) as ico:
        assert {(16, 16), (32, 32), (256, 256)} <= set(ico.info["sizes"])
    assert (art_dir / "contact_sheet.png").is_file()


def test_second_run_is_byte_identical(art_dir: Path, tmp_path: Path) -> None:
    gen.generate(tmp_path)
    first = sorted(p.name for p in art_dir.iterdir())
    assert first == sorted(p.name for p in tmp_path.iterdir())
    for name in first:
        assert (art_dir / name).read_bytes() == (tmp_path / name).read_bytes(), name


def test_people_have_transparent_background_and_a_dark_outline(art_dir: Path, manifest: dict) -> None:
    outline = np.array(gen.rgba("outline"), np.uint8)
    for name in manifest["people"]:
        px = _rgba(art_dir / name)
        alpha = px[..., 3]
        assert set(np.unique(alpha)) == {0, 255}, name
        border = np.concatenate([alpha[0], alpha[:, 0], alpha[:, -1]])  # feet stand on the bottom row
        assert (border == 0).all() and (alpha == 0).mean() > 0.4, f"{name}: background must be transparent"
        solid = alpha > 0
        assert 60 < solid.sum() < 200, name
        # every opaque pixel that touches transparency is the outline colour
        padded = np.pad(solid, 1)
        edge = solid & ~(padded[:-2, 1:-1] & padded[2:, 1:-1] & padded[1:-1, :-2] & padded[1:-1, 2:])
        assert (px[edge] == outline).all(), f"{name}: silhouette must be fully outlined"


def test_people_differ_from_each_other(art_dir: Path, manifest: dict) -> None:
    sprites = {_rgba(art_dir / name).tobytes() for name in manifest["people"]}
    assert len(sprites) == len(manifest["people"])


def test_sprites_use_only_the_palette(art_dir: Path, manifest: dict) -> None:
    palette = {gen.rgba(name)[:3] for name in manifest["palette"]}
    assert 24 <= len(palette) <= 32
    for name in _expected_sizes(manifest):
        px = _rgba(art_dir / name)
        colours = {tuple(int(v) for v in c) for c in px[px[..., 3] > 0][:, :3]}
        assert colours <= palette, f"{name} uses colours outside the palette: {colours - palette}"


def test_night_buildings_are_darker_and_have_lit_windows(art_dir: Path, manifest: dict) -> None:
    yellow = np.array(gen.rgba("yellow"), np.uint8)
    for kind, entry in manifest["buildings"].items():
        day, night = _rgba(art_dir / entry["day"]), _rgba(art_dir / entry["night"])
        assert (day[..., 3] == night[..., 3]).all(), kind
        solid = day[..., 3] > 0
        assert night[solid][:, :3].mean() < day[solid][:, :3].mean(), kind
        assert (night == yellow).all(axis=-1).any(), f"{kind}_night has no lit windows"


def test_park_tiles_seamlessly(art_dir: Path, manifest: dict) -> None:
    park = _rgba(art_dir / manifest["buildings"]["park"]["day"])
    assert (park[..., 3] == 255).all()
    # the paths leave one edge where they enter the opposite one
    assert (park[0, :, :3] == park[-1, :, :3]).all(axis=-1).mean() > 0.1
    assert (park[:, 0, :3] == park[:, -1, :3]).all(axis=-1).mean() > 0.1


@pytest.mark.skipif(not (COMMITTED / "manifest.json").exists(), reason="assets/art not generated")
def test_committed_art_matches_the_script(art_dir: Path) -> None:
    """Re-run ``python assets/generate_art.py`` if this fails after editing the script."""
    assert (COMMITTED / "manifest.json").read_text(encoding="utf-8") == (art_dir / "manifest.json").read_text(
        encoding="utf-8")
    for path in sorted(art_dir.glob("*.png")):
        committed = COMMITTED / path.name
        assert committed.is_file(), path.name
        assert np.array_equal(_rgba(committed), _rgba(path)), f"{path.name} is stale"


def _frames(art_dir: Path, manifest: dict, sex: str, band: str) -> list[np.ndarray]:
    sheet = _rgba(art_dir / manifest["portraits"][sex][band])
    width = manifest["portrait_size"][0]
    return [sheet[:, i * width:(i + 1) * width] for i in range(sheet.shape[1] // width)]


def test_portraits_cover_every_sex_and_age_band_and_never_repeat(art_dir: Path, manifest: dict) -> None:
    assert set(manifest["portraits"]) == {"female", "male"}
    seen: set[bytes] = set()
    for sex, bands in manifest["portraits"].items():
        assert list(bands) == ["child", "young", "adult", "elder"]
        for band in bands:
            for frame in _frames(art_dir, manifest, sex, band):
                assert frame[0, 0, 3] == 0, "the background is transparent"
                assert (frame[..., 3] == 255).mean() > 0.3, "a head and shoulders, not a speck"
                seen.add(frame.tobytes())
    assert len(seen) == 2 * 4 * len(manifest["portrait_skins"]) * manifest["portrait_looks"]


def test_portraits_wear_the_map_sprites_skin_tones(art_dir: Path, manifest: dict) -> None:
    """A sheet's frames go skin by skin, so the app can match a person's portrait to their map sprite."""
    palette = manifest["palette"]
    skins = [tuple(int(palette[name][i:i + 2], 16) for i in (1, 3, 5)) for name in manifest["portrait_skins"]]
    assert len(manifest["people_skin"]) == len(manifest["people"])
    looks = manifest["portrait_looks"]
    for i, frame in enumerate(_frames(art_dir, manifest, "female", "adult")):
        centre = tuple(int(v) for v in frame[16, 16, :3])  # the middle of the face
        below_nose = tuple(int(v) for v in frame[20, 13, :3])
        assert skins[i // looks] in (centre, below_nose), f"frame {i}"


def test_elders_have_grey_hair_and_children_do_not(art_dir: Path, manifest: dict) -> None:
    palette = manifest["palette"]
    greys = {tuple(int(palette[n][i:i + 2], 16) for i in (1, 3, 5)) for n in ("grey_light", "white", "grey")}

    def greys_in(frame: np.ndarray) -> int:
        solid = frame.reshape(-1, 4)
        return sum(tuple(int(v) for v in px[:3]) in greys for px in solid[solid[:, 3] == 255])

    for sex in ("female", "male"):
        assert min(greys_in(f) for f in _frames(art_dir, manifest, sex, "elder")) >= 12  # even the bald
        assert max(greys_in(f) for f in _frames(art_dir, manifest, sex, "child")) <= 2  # the whites of the eyes
