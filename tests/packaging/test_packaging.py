"""Fast checks of packaging/ that never run PyInstaller: the bundle config, the spec, the Linux
desktop files and the per-user install scripts. Building the bundle is packaging/ci.sh's job."""

from __future__ import annotations

import configparser
import importlib.util
import os
import shutil
import stat
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
LINUX = PACKAGING / "linux"
MIME_NS = "{http://www.freedesktop.org/standards/shared-mime-info}"
SCRIPTS = [PACKAGING / "build.sh", PACKAGING / "ci.sh", PACKAGING / "time_start.sh", LINUX / "install.sh",
           LINUX / "uninstall.sh"]


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, PACKAGING / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # the spec and check scripts import bundle_config by this name
    spec.loader.exec_module(module)
    return module


cfg = _load("bundle_config")


# ---------------------------------------------------------------------------- bundle contents


def test_every_project_data_glob_matches_existing_files():
    for pattern, _ in cfg.PROJECT_DATA:
        assert list(ROOT.glob(pattern)), f"{pattern} matches nothing"
    pairs = cfg.project_datas()
    assert pairs and all(Path(src).is_file() for src, _ in pairs)
    dests = {f"{dest}/{Path(src).name}" for src, dest in pairs}
    assert {"worlds/village.town", "worlds/city.town", "assets/art/manifest.json"} <= dests
    words = {p.relative_to(ROOT).as_posix() for p in ROOT.glob("engine/*/words/*.toml")}
    assert words and words <= dests  # every words file the engine reads
    assert "assets/art/contact_sheet.png" not in dests


def test_required_project_files_are_shipped_as_data():
    dests = {f"{dest}/{Path(src).name}" for src, dest in cfg.project_datas()}
    ours = [f for f in cfg.REQUIRED_FILES if f.split("/")[0] in ("worlds", "assets", "engine")]
    assert ours and set(ours) <= dests


def test_art_manifest_files_are_all_shipped():
    import json

    manifest = json.loads((ROOT / "assets/art/manifest.json").read_text(encoding="utf-8"))
    names: set[str] = set()

    def walk(value):
        if isinstance(value, str) and value.endswith(".png"):
            names.add(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(manifest)
    shipped = {Path(src).name for src, _ in cfg.project_datas()}
    assert names and names <= shipped, sorted(names - shipped)


def test_entry_script_icons_and_version():
    assert cfg.ENTRY_SCRIPT.is_file()
    assert cfg.WINDOWS_ICON.is_file()
    for size in cfg.ICON_SIZES:
        with Image.open(ROOT / "assets" / "art" / f"icon_{size}.png") as image:
            assert image.size == (size, size)
    assert cfg.app_version()


@pytest.mark.parametrize("dest", [
    "libstdc++.so.6", "libgcc_s.so.1",
    "PySide6/Qt/lib/libQt6Quick.so.6", "PySide6/Qt/lib/libQt6Qml.so.6", "PySide6/Qt/lib/libQt6QmlModels.so.6",
    "PySide6/Qt/lib/libQt6Pdf.so.6", "libQt6Quick.so.6",
    "PySide6/Qt/plugins/platforms/libqeglfs.so", "PySide6/Qt/plugins/platforms/libqminimalegl.so",
    "PySide6/Qt/plugins/egldeviceintegrations/libqeglfs-x11-integration.so",
    "PySide6/Qt/lib/libQt6EglFSDeviceIntegration.so.6", "PySide6/Qt/plugins/platformthemes/libqgtk3.so",
    "pyarrow/libarrow_flight.so.2600", "pyarrow/libarrow_python_flight.so.2600", "pyarrow/libarrow_s3.so.2600",
    "Qt6Quick.dll",
])
def test_trimmed_binaries_are_excluded(dest):
    assert cfg.is_excluded_binary(dest)


@pytest.mark.parametrize("dest", [
    "PySide6/Qt/lib/libQt6Core.so.6", "PySide6/Qt/lib/libQt6Gui.so.6", "PySide6/Qt/lib/libQt6OpenGL.so.6",
    "PySide6/Qt/lib/libQt6XcbQpa.so.6", "PySide6/Qt/plugins/platforms/libqxcb.so",
    "PySide6/Qt/plugins/platforms/libqoffscreen.so", "PySide6/Qt/plugins/platforms/libqwayland.so",
    "PySide6/Qt/plugins/xcbglintegrations/libqxcb-glx-integration.so",
    "PySide6/Qt/plugins/platformthemes/libqxdgdesktopportal.so",
    "libxcb-cursor.so.0", "libpython3.11.so.1.0", "libfontconfig.so.1",
    "pyarrow/libarrow.so.2600", "pyarrow/libarrow_dataset.so.2600", "pyarrow/libarrow_substrait.so.2600",
    "pyarrow/libparquet.so.2600", "lancedb/_lancedb.abi3.so",
])
def test_needed_binaries_are_kept(dest):
    assert not cfg.is_excluded_binary(dest)


def test_excluded_data_and_system_libraries():
    assert cfg.is_excluded_data("pyarrow/include/arrow/api.h")
    assert cfg.is_excluded_data("wordllama/algorithms/kmeans.pyx")
    assert cfg.is_excluded_data("PySide6/Qt/translations/qtbase_de.qm")
    assert not cfg.is_excluded_data("wordllama/weights/l2_supercat_256.safetensors")
    assert not cfg.is_excluded_data("arcade/resources/system/shaders/sprite_list_geometry_vs.glsl")
    for soname in ("libGL.so.1", "libEGL.so.1", "libc.so.6", "libm.so.6", "ld-linux-x86-64.so.2",
                   "libstdc++.so.6", "libgcc_s.so.1", "libxcb.so.1"):
        assert cfg.is_system_library(soname), soname
    for soname in ("libxcb-cursor.so.0", "libQt6Core.so.6", "libfontconfig.so.1", "libpython3.11.so.1.0"):
        assert not cfg.is_system_library(soname), soname
    # what we exclude must be what the check accepts from the system
    assert cfg.is_system_library("libstdc++.so.6") and cfg.is_excluded_binary("libstdc++.so.6")


def test_arcade_version_file_is_moved_out_of_its_folder():
    src = "/venv/arcade/VERSION"
    fixed = cfg.fix_arcade_version([("arcade/VERSION/VERSION", src, "DATA"), ("arcade/resources/x", "/y", "DATA")])
    assert fixed == [("arcade/VERSION", src, "DATA"), ("arcade/resources/x", "/y", "DATA")]
    assert "arcade/VERSION" in cfg.REQUIRED_FILES


def test_trims_drop_what_only_trimmed_files_needed():
    needed = {
        "/s/libqgtk3.so": ["libgtk-3.so.0", "libpango-1.0.so.0", "libQt6Gui.so.6"],
        "/s/libqxcb.so": ["libQt6XcbQpa.so.6", "libQt6Gui.so.6"],
        "/s/libQt6XcbQpa.so.6": ["libxcb-cursor.so.0", "libQt6Gui.so.6"],
        "/s/libpango-1.0.so.0": ["libharfbuzz.so.0"],
        "/s/libharfbuzz.so.0": [],
        "/s/libxcb-cursor.so.0": [],
        "/s/libQt6Gui.so.6": [],
        "/s/libGLU.so.1": [],  # nobody links to it: found through ctypes, a root
        "/s/libstdc++.so.6": [],
    }
    plugins = "PySide6/Qt/plugins"
    binaries = [
        (f"{plugins}/platformthemes/libqgtk3.so", "/s/libqgtk3.so", "BINARY"),
        (f"{plugins}/platforms/libqxcb.so", "/s/libqxcb.so", "BINARY"),
        ("PySide6/Qt/lib/libQt6XcbQpa.so.6", "/s/libQt6XcbQpa.so.6", "BINARY"),
        ("PySide6/Qt/lib/libQt6Gui.so.6", "/s/libQt6Gui.so.6", "BINARY"),
        ("libpango-1.0.so.0", "/s/libpango-1.0.so.0", "BINARY"),
        ("libharfbuzz.so.0", "/s/libharfbuzz.so.0", "BINARY"),
        ("libxcb-cursor.so.0", "/s/libxcb-cursor.so.0", "BINARY"),
        ("libGLU.so.1", "/s/libGLU.so.1", "BINARY"),
        ("libstdc++.so.6", "/s/libstdc++.so.6", "BINARY"),
    ]
    datas = [
        ("libQt6Gui.so.6", "PySide6/Qt/lib/libQt6Gui.so.6", "SYMLINK"),
        ("libQt6XcbQpa.so.6", "PySide6/Qt/lib/libQt6XcbQpa.so.6", "SYMLINK"),
        ("arcade/VERSION/VERSION", "/venv/arcade/VERSION", "DATA"),
        ("pyarrow/include/arrow/api.h", "/venv/api.h", "DATA"),
    ]
    kept_bins, kept_datas = cfg.apply_trims(binaries, datas, "linux", needed=lambda src: needed[src])
    kept = {dest for dest, _, _ in kept_bins}
    assert kept == {f"{plugins}/platforms/libqxcb.so", "PySide6/Qt/lib/libQt6XcbQpa.so.6",
                    "PySide6/Qt/lib/libQt6Gui.so.6", "libxcb-cursor.so.0", "libGLU.so.1"}
    assert {dest for dest, _, _ in kept_datas} == {"libQt6Gui.so.6", "libQt6XcbQpa.so.6", "arcade/VERSION"}
    # Take the Qt library away too: its top-level symlink must go with it.
    binaries.append((f"{plugins}/platforms/libqeglfs.so", "/s/libqxcb.so", "BINARY"))
    datas.append(("libQt6EglFSDeviceIntegration.so.6", "PySide6/Qt/lib/libQt6EglFSDeviceIntegration.so.6",
                  "SYMLINK"))
    _, kept_datas = cfg.apply_trims(binaries, datas, "linux", needed=lambda src: needed[src])
    assert "libQt6EglFSDeviceIntegration.so.6" not in {dest for dest, _, _ in kept_datas}


def test_non_linux_trims_use_the_list_only():
    binaries = [("Qt6Quick.dll", "C:/q/Qt6Quick.dll", "BINARY"), ("Qt6Core.dll", "C:/q/Qt6Core.dll", "BINARY")]
    kept, _ = cfg.apply_trims(binaries, [], "win32", needed=lambda src: pytest.fail("no ELF off Linux"))
    assert [dest for dest, _, _ in kept] == ["Qt6Core.dll"]


def test_pyglet_modules_for_this_platform_only():
    linux = set(cfg.pyglet_hiddenimports("linux"))
    assert {"pyglet.window.xlib", "pyglet.gl.headless", "pyglet.libs.egl.egl", "pyglet.display.headless"} <= linux
    assert not {name for name in linux if ".win32" in name or ".cocoa" in name or "darwin" in name}
    windows = set(cfg.pyglet_hiddenimports("win32"))
    assert "pyglet.window.win32" in windows and "pyglet.window.xlib" not in windows


def test_platform_options():
    assert cfg.platform_options("linux") == {"console": True, "icon": None}
    assert cfg.platform_options("win32") == {"console": False, "icon": str(cfg.WINDOWS_ICON)}
    assert cfg.platform_options("darwin")["console"] is False
    plist = cfg.macos_info_plist("1.2.3")
    declared = plist["UTExportedTypeDeclarations"][0]["UTTypeTagSpecification"]
    assert declared["public.filename-extension"] == ["town"] and declared["public.mime-type"] == cfg.MIME_TYPE
    assert plist["CFBundleDocumentTypes"][0]["LSItemContentTypes"] == [plist["UTExportedTypeDeclarations"][0][
        "UTTypeIdentifier"]]


def test_icns_from_the_png_icons(tmp_path):
    out = cfg.make_icns(tmp_path / "townsfolk.icns")
    with Image.open(out) as icns:
        assert icns.format == "ICNS"
        assert (256, 256, 1) in icns.info["sizes"]


# ---------------------------------------------------------------------------- the spec


class _Recorder:
    """Stands in for PyInstaller's build classes and remembers how the spec called them."""

    calls: ClassVar[dict[str, _Recorder]] = {}

    def __init__(self, *args, **kwargs):
        self.args, self.kwargs = args, kwargs
        _Recorder.calls[type(self).__name__] = self


def test_spec_runs_with_the_config(tmp_path):
    pytest.importorskip("PyInstaller")  # package_datas() uses PyInstaller's hook utilities

    class Analysis(_Recorder):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.datas = [(dest + "/" + Path(src).name, src, "DATA") for src, dest in kwargs["datas"]]
            self.datas.append(("arcade/VERSION/VERSION", "/venv/arcade/VERSION", "DATA"))
            self.binaries = [("libstdc++.so.6", "/usr/lib/libstdc++.so.6", "BINARY")]
            self.pure, self.scripts = [], []

    spec_globals = {
        "__name__": "__main__", "SPECPATH": str(PACKAGING), "workpath": str(tmp_path), "DISTPATH": str(tmp_path),
        "Analysis": Analysis, "PYZ": type("PYZ", (_Recorder,), {}), "EXE": type("EXE", (_Recorder,), {}),
        "COLLECT": type("COLLECT", (_Recorder,), {}), "BUNDLE": type("BUNDLE", (_Recorder,), {}),
    }
    _Recorder.calls.clear()
    code = compile((PACKAGING / "townsfolk.spec").read_text(encoding="utf-8"), "townsfolk.spec", "exec")
    saved_path = list(sys.path)
    try:
        exec(code, spec_globals)
    finally:
        sys.path[:] = saved_path
    analysis = _Recorder.calls["Analysis"]
    assert analysis.args[0] == [str(cfg.ENTRY_SCRIPT)]
    assert str(ROOT) in analysis.kwargs["pathex"]
    assert "pyglet.window.xlib" in analysis.kwargs["hiddenimports"] or sys.platform != "linux"
    sources = [src for src, _ in analysis.kwargs["datas"]]
    assert all(Path(src).exists() for src in sources)
    assert any(src.endswith(".safetensors") for src in sources), "wordllama's model is not collected"
    assert any("lancedb" in src and "-info" in src for src in sources), "lancedb's metadata is not collected"
    assert ("arcade/VERSION", "/venv/arcade/VERSION", "DATA") in analysis.datas
    assert not [b for b in analysis.binaries if "libstdc++" in b[0]]
    exe = _Recorder.calls["EXE"].kwargs
    assert exe["name"] == "townsfolk" and exe["exclude_binaries"] is True and exe["upx"] is False
    assert exe["console"] is cfg.platform_options()["console"]
    assert _Recorder.calls["COLLECT"].kwargs["name"] == "townsfolk"  # one folder: dist/townsfolk/
    assert ("BUNDLE" in _Recorder.calls) == (sys.platform == "darwin")


# ---------------------------------------------------------------------------- desktop integration


def _desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # keys are case-sensitive
    parser.read(LINUX / "townsfolk.desktop", encoding="utf-8")
    return parser["Desktop Entry"]


def test_desktop_file_is_valid():
    validator = shutil.which("desktop-file-validate")
    if validator:
        result = subprocess.run([validator, str(LINUX / "townsfolk.desktop")], capture_output=True, text=True)
        assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr
    entry = _desktop_entry()
    assert entry["Type"] == "Application" and entry["Name"] == "Townsfolk"
    assert entry["Exec"].split()[0] == "townsfolk" and "%f" in entry["Exec"].split()
    assert entry["Icon"] == "townsfolk"
    assert cfg.MIME_TYPE in entry["MimeType"].rstrip(";").split(";")
    assert {"Game", "Simulation"} <= set(entry["Categories"].rstrip(";").split(";"))
    assert entry["Terminal"] == "false"


def test_mime_xml_declares_the_world_type():
    root = ET.parse(LINUX / "townsfolk.xml").getroot()
    assert root.tag == f"{MIME_NS}mime-info"
    (mime,) = root.findall(f"{MIME_NS}mime-type")
    assert mime.get("type") == cfg.MIME_TYPE
    assert [g.get("pattern") for g in mime.findall(f"{MIME_NS}glob")] == [f"*{cfg.WORLD_SUFFIX}"]
    assert mime.find(f"{MIME_NS}sub-class-of").get("type") == "application/vnd.sqlite3"
    assert mime.find(f"{MIME_NS}icon").get("name") == cfg.MIME_TYPE.replace("/", "-")
    # the magic matches what the engine writes into a world's SQLite header
    inner = mime.find(f"{MIME_NS}magic/{MIME_NS}match/{MIME_NS}match")
    schema = (ROOT / "engine" / "persistence" / "schema.py").read_text(encoding="utf-8")
    assert int(inner.get("value"), 16) == 0x546F776E and "0x546F776E" in schema
    with open(ROOT / "worlds" / "village.town", "rb") as world:
        header = world.read(72)
    assert header.startswith(b"SQLite format 3\0") and header[68:72] == b"Town"


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_shell_scripts_parse(script):
    assert script.stat().st_mode & stat.S_IXUSR, f"{script.name} is not executable"
    result = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.fixture
def fake_bundle(tmp_path) -> Path:
    """A stand-in for dist/townsfolk/: a 'binary' that echoes its arguments, and the icons."""
    bundle = tmp_path / "bundle"
    art = bundle / "_internal" / "assets" / "art"
    art.mkdir(parents=True)
    for size in cfg.ICON_SIZES:
        shutil.copy(ROOT / "assets" / "art" / f"icon_{size}.png", art)
    binary = bundle / "townsfolk"
    binary.write_text("#!/bin/sh\necho \"townsfolk got: $*\"\n")
    binary.chmod(0o755)
    return bundle


def _run(script: str, home: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {"PATH": os.environ["PATH"], "HOME": str(home), **env}  # no XDG_* from the caller
    result = subprocess.run(["bash", str(LINUX / script), *args], capture_output=True, text=True, env=clean,
                            timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def test_install_and_uninstall_in_home(tmp_path, fake_bundle):
    home = tmp_path / "home"
    home.mkdir()
    data = home / ".local" / "share"
    _run("install.sh", home, "--bundle", str(fake_bundle))
    _run("install.sh", home, "--bundle", str(fake_bundle))  # again: replaces, never nests

    app = data / "townsfolk"
    assert (app / "townsfolk").is_file() and not (app / "bundle").exists()
    assert not list(data.glob(".townsfolk-install.*")) and not (data / "townsfolk.old").exists()
    launcher = home / ".local" / "bin" / "townsfolk"
    assert os.access(launcher, os.X_OK)
    run = subprocess.run([str(launcher), "some world.town"], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "townsfolk got: some world.town"

    desktop = (data / "applications" / "townsfolk.desktop").read_text(encoding="utf-8")
    assert f"Exec={launcher} %f" in desktop and "MimeType=application/x-townsfolk-world;" in desktop
    for size in cfg.ICON_SIZES:
        assert (data / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "townsfolk.png").is_file()
        assert (data / "icons" / "hicolor" / f"{size}x{size}" / "mimetypes" /
                "application-x-townsfolk-world.png").is_file()
    assert (data / "mime" / "packages" / "townsfolk.xml").read_bytes() == (LINUX / "townsfolk.xml").read_bytes()
    if shutil.which("update-mime-database"):
        assert "*.town" in (data / "mime" / "globs2").read_text(encoding="utf-8")

    (home / ".local" / "bin" / "other").write_text("#!/bin/sh\n")
    _run("uninstall.sh", home)
    _run("uninstall.sh", home)  # again: nothing left to remove is fine
    assert not app.exists() and not launcher.exists() and (home / ".local" / "bin" / "other").exists()
    assert not (data / "applications" / "townsfolk.desktop").exists()
    assert not (data / "mime" / "packages" / "townsfolk.xml").exists()
    assert not list((data / "icons").rglob("townsfolk.png"))
    mimeapps = home / ".config" / "mimeapps.list"
    assert not mimeapps.exists() or "townsfolk" not in mimeapps.read_text(encoding="utf-8")


def test_install_honours_xdg_dirs_and_keeps_a_foreign_launcher(tmp_path, fake_bundle):
    home, data, bin_dir = tmp_path / "home", tmp_path / "xdg data", tmp_path / "my bin"
    home.mkdir()
    _run("install.sh", home, f"--bundle={fake_bundle}", "--no-register", XDG_DATA_HOME=str(data),
         XDG_BIN_HOME=str(bin_dir))
    assert (data / "townsfolk" / "townsfolk").is_file()
    assert (data / "applications" / "townsfolk.desktop").is_file()
    assert not (home / ".local").exists()
    # a launcher path with a space cannot go into Exec unquoted: the entry falls back to the PATH
    assert "Exec=townsfolk %f" in (data / "applications" / "townsfolk.desktop").read_text(encoding="utf-8")
    (bin_dir / "townsfolk").write_text("#!/bin/sh\n# someone else's townsfolk\n")
    _run("uninstall.sh", home, "--no-register", XDG_DATA_HOME=str(data), XDG_BIN_HOME=str(bin_dir))
    assert (bin_dir / "townsfolk").exists() and not (data / "townsfolk").exists()


def test_install_refuses_a_missing_bundle(tmp_path):
    result = subprocess.run(["bash", str(LINUX / "install.sh"), "--bundle", str(tmp_path / "nope")],
                            capture_output=True, text=True, env={"PATH": os.environ["PATH"], "HOME": str(tmp_path)})
    assert result.returncode == 1 and "build the bundle first" in result.stderr


# ---------------------------------------------------------------------------- the CI checks


def test_check_bundle_reports_missing_files(tmp_path):
    check_bundle = _load("check_bundle")
    internal = tmp_path / "townsfolk" / "_internal"
    for name in cfg.REQUIRED_FILES:
        (internal / name).parent.mkdir(parents=True, exist_ok=True)
        (internal / name).write_text("x")
    for lib in cfg.REQUIRED_LIBRARIES:
        (internal / lib).write_text("not an ELF file")
    shutil.copy("/bin/true", tmp_path / "townsfolk" / "townsfolk")  # one real ELF for ldd
    report = check_bundle.check(tmp_path / "townsfolk")
    assert report["problems"] == [] and report["elf_files"] == 1 and report["bytes"] > 0
    (internal / "worlds" / "village.town").unlink()
    (internal / "libstdc++.so.6").write_text("x")
    problems = check_bundle.check(tmp_path / "townsfolk")["problems"]
    assert any("worlds/village.town" in p for p in problems)
    assert any("libstdc++.so.6" in p for p in problems)


def test_check_screenshot_rejects_blank_pictures(tmp_path):
    check_screenshot = _load("check_screenshot")
    black, flat, drawn = tmp_path / "black.png", tmp_path / "flat.png", tmp_path / "drawn.png"
    Image.new("RGB", (320, 200)).save(black)
    Image.new("RGB", (320, 200), (110, 166, 79)).save(flat)
    rng = np.random.default_rng(1)
    Image.fromarray(rng.integers(40, 255, (200, 320, 3), dtype=np.uint8)).save(drawn)
    assert check_screenshot.main([str(black)]) == 1
    assert check_screenshot.main([str(flat)]) == 1
    assert check_screenshot.main([str(drawn), "--size", "320x200"]) == 0
    assert check_screenshot.main([str(drawn), "--size", "1280x800"]) == 1
    assert check_screenshot.main([str(tmp_path / "missing.png")]) == 1
