"""What goes into the PyInstaller bundle, kept out of the spec so tests can check it without building.

``townsfolk.spec`` imports this module and applies it to PyInstaller's Analysis;
``check_bundle.py`` and ``tests/packaging`` use the same lists. Nothing here
imports PyInstaller at module level: the helpers that need it import it lazily.

Why each trim exists is written next to it; packaging/README.md has the overview.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from pathlib import Path

PACKAGING = Path(__file__).resolve().parent
REPO = PACKAGING.parent

APP_NAME = "townsfolk"  # the folder dist/townsfolk/ and the binary inside it
APP_TITLE = "Townsfolk"  # the macOS .app name and the desktop entry's Name
BUNDLE_ID = "org.townsfolk.Townsfolk"  # macOS CFBundleIdentifier; also the reverse-DNS app id
MIME_TYPE = "application/x-townsfolk-world"
WORLD_SUFFIX = ".town"
ENTRY_SCRIPT = PACKAGING / "launcher.py"
ICON_SIZES = (16, 32, 48, 64, 128, 256)  # the PNGs assets/art/icon_<size>.png that exist
WINDOWS_ICON = REPO / "assets" / "art" / "icon.ico"

# (glob relative to the repo root, folder inside the bundle). app/common/resources.py looks for
# assets/ and worlds/ directly under sys._MEIPASS, so the destinations mirror the repo.
PROJECT_DATA: tuple[tuple[str, str], ...] = (
    ("worlds/*.town", "worlds"),  # the sample worlds; worlds/source/*.toml are build inputs, not shipped
    ("assets/art/*.png", "assets/art"),
    ("assets/art/manifest.json", "assets/art"),  # app/common/art.py reads the art through it
    ("assets/art/icon.ico", "assets/art"),
    ("assets/LICENSE.md", "assets"),  # the art's licence travels with the art
    # The rule brain's words (small talk, days, answers, what events do): read beside the code that speaks them.
    ("engine/agents/words/*.toml", "engine/agents/words"),
    ("engine/cognition/words/*.toml", "engine/cognition/words"),
    ("engine/society/words/*.toml", "engine/society/words"),
)
# Files in those globs that are development aids, not read by the app.
PROJECT_DATA_SKIP = frozenset({"assets/art/contact_sheet.png"})

# Distributions whose metadata is read at run time with importlib.metadata.version():
# townsfolk (the About dialog), lancedb (its __init__ raises without it), ollama (tolerates it, but
# sends its version in the User-Agent).
METADATA_PACKAGES = ("townsfolk", "lancedb", "ollama")

# Package data that no hook collects. wordllama ships its model (weights/*.safetensors, the
# tokenizer JSON, config) inside the wheel; engine.memory.embedders loads it with downloads off.
# Its Cython sources (.c/.cpp/.pyx/.pxd, ~6 MB) are not needed next to the compiled modules.
PACKAGE_DATA: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("wordllama", ("**/*.c", "**/*.cpp", "**/*.pyx", "**/*.pxd", "**/*.md", "**/train/**")),
)

# Modules nobody imports at run time that analysis would otherwise follow. The pyarrow ones are
# remote filesystems and RPC (LanceDB talks to local folders through its own Rust code); the Qt
# ones are QML/Quick/PDF, whose libraries (~50 MB in the wheel) the widgets app never loads.
EXCLUDED_MODULES: tuple[str, ...] = (
    "tkinter", "_tkinter", "PyQt5", "PyQt6", "PySide2", "matplotlib", "IPython", "pytest", "_pytest",
    "arcade.examples",
    "zstandard.backend_cffi", "zstandard._cffi",  # zstandard uses its C backend; the CFFI one is a 12 MB spare
    "hf_xet",  # huggingface_hub's optional download accelerator (11 MB); wordllama never downloads here
    "pyarrow.tests", "pyarrow.flight", "pyarrow._flight", "pyarrow._s3fs", "pyarrow._gcsfs", "pyarrow._azurefs",
    "pyarrow._hdfs", "pyarrow.cuda", "pyarrow._cuda", "pyarrow.gandiva", "pyarrow.orc", "pyarrow._orc",
    "PySide6.QtQml", "PySide6.QtQuick", "PySide6.QtQuickWidgets", "PySide6.QtQuick3D", "PySide6.QtPdf",
    "PySide6.QtPdfWidgets",
    # Ray (~42 MB) runs experiments on a cluster; its workers start a Python interpreter, which a frozen
    # app has not got. The app's experiments run on worker processes; `--ray` asks for a pip install.
    "ray",
)

# pyglet picks its platform modules at import time through lazy proxies, which static analysis
# misses; collect its submodules except the other platforms' (they fail to import off their OS).
_PYGLET_WINDOWS = (
    "win32", "dwrite", "directsound", "xaudio2", "wintab", "wic", "wincodec", "wmf", "gdiplus", "wgl", "lib_wgl",
)
_PYGLET_MACOS = ("cocoa", "darwin", "macos", "quartz", "coreaudio", "avfoundation", "agl", "lib_agl")
_PYGLET_X11 = (
    "xlib", "x11", "linux", "wayland", "pulse", "freetype", "fontconfig", "gdkpixbuf", "gstreamer", "glx", "lib_glx",
)
PYGLET_SKIP: dict[str, tuple[str, ...]] = {
    "linux": _PYGLET_WINDOWS + _PYGLET_MACOS,
    "win32": _PYGLET_MACOS + _PYGLET_X11,
    "darwin": _PYGLET_WINDOWS + _PYGLET_X11,
}

# Bundle destinations (as PyInstaller names them, "/"-separated) to drop after analysis.
EXCLUDED_BINARIES: tuple[str, ...] = (
    # The build host's C++ runtime: a newer distro's GL driver (Mesa's llvmpipe, NVIDIA) needs a newer
    # libstdc++ than ours, and ours would be loaded first and break GL. Every desktop has both.
    r"(^|/)libstdc\+\+\.so(\.\d+)*$",
    r"(^|/)libgcc_s\.so(\.\d+)*$",
    # QML/Quick/PDF: not used by a widgets app (PySide6 plugins can drag them in). Linux .so,
    # Windows .dll and macOS framework names.
    r"(^|/)(lib)?Qt6(Qml|Quick|Pdf)\w*\.(so(\.\d+)*|dll)$",
    r"(^|/)Qt(Qml|Quick|Pdf)\w*\.framework/",
    r"^PySide6/Qt/qml/",
    r"^PySide6/Qt/plugins/qmltooling/",
    # eglfs is for kiosk devices without a window system; its device integrations need libgbm/DRM.
    r"^PySide6/Qt/plugins/platforms/libq(eglfs|minimalegl)\.so$",
    r"^PySide6/Qt/plugins/egldeviceintegrations/",
    r"(^|/)libQt6EglF[sS]\w*\.so(\.\d+)*$",
    # The GTK3 platform theme links the GTK stack (cairo, pango, gdk-pixbuf... and GTK itself when the
    # build host has it) and breaks on GTK version skew; Qt's own style and file dialogs work without it.
    r"^PySide6/Qt/plugins/platformthemes/libqgtk3\.so$",
    # pyarrow libraries only the excluded modules above load (Flight RPC, S3).
    r"^pyarrow/libarrow_(python_)?flight\.so",
    r"^pyarrow/libarrow_s3\.so",
)
EXCLUDED_DATA: tuple[str, ...] = (
    r"^pyarrow/include/",  # C++ headers for building extensions against pyarrow
    r"^pyarrow/src/",
    r"^pyarrow/tests/",
    r"\.(pyx|pxd|pxi)$",  # Cython sources (pyarrow, wordllama)
    r"^PySide6/Qt/qml/",
    # Qt's own strings (file dialogs...) in ~40 languages, 7 MB. The app is English-only and installs
    # no QTranslator; drop this line when it gets translations.
    r"^PySide6/Qt/translations/",
)

# Libraries the user's system provides and the bundle must not carry (check_bundle.py accepts
# them when ldd cannot find them). PyInstaller itself skips glibc and the GL stack; we add the C++
# runtime above. Build on the oldest distro you support: these come from the user's machine.
SYSTEM_LIBRARIES: tuple[str, ...] = (
    r"ld-linux.*\.so.*", r"linux-vdso\.so.*",
    r"lib(c|m|dl|rt|pthread|util|resolv|anl|crypt|nsl|BrokenLocale|thread_db)\.so.*", r"libnss_.*\.so.*",
    r"libE?(Open)?GLX?(ESv1_CM|ESv2)?(dispatch)?\.so.*", r"libGLdispatch\.so.*", r"libdrm\.so.*",
    r"libgbm\.so.*", r"libvulkan\.so.*",
    r"libxcb\.so.*", r"libxcb-dri.*\.so.*", r"libwayland-(client|cursor|egl|server)\.so.*",
    r"libstdc\+\+\.so.*", r"libgcc_s\.so.*",
)

# Files that must be in the bundle (globs relative to its _internal/ folder): check_bundle.py fails without them.
REQUIRED_FILES: tuple[str, ...] = (
    "townsfolk*-info",  # importlib.metadata.version("townsfolk"): the About dialog
    "lancedb-*.dist-info",  # lancedb's __init__ reads its version and raises without it
    "worlds/village.town",
    "assets/art/manifest.json",
    "assets/art/icon_256.png",
    "engine/agents/words/talk.toml",  # without it the rule brain cannot talk
    "arcade/VERSION",  # a file, not the folder arcade's own hook makes (see fix_arcade_version)
    "arcade/resources/system/fonts/ttf/Liberation/Liberation_Sans_Regular.ttf",  # the fallback UI font
    "arcade/resources/system/shaders",
    "wordllama/weights/l2_supercat_256.safetensors",
    "wordllama/tokenizers/l2_supercat_tokenizer_config.json",
    "PySide6/Qt/plugins/platforms/libqxcb.so",
    "PySide6/Qt/plugins/platforms/libqoffscreen.so",
)
# Libraries that must be bundled because stock distros lack them: Qt >= 6.5's xcb plugin needs
# libxcb-cursor, which is not installed by default on Debian/Ubuntu (install libxcb-cursor0 on the
# build host so PyInstaller picks it up).
REQUIRED_LIBRARIES: tuple[str, ...] = ("libxcb-cursor.so.0",)


def _matches(patterns: Iterable[str], name: str) -> bool:
    return any(re.search(p, name) for p in patterns)


def is_excluded_binary(dest: str) -> bool:
    return _matches(EXCLUDED_BINARIES, dest.replace("\\", "/"))


def is_excluded_data(dest: str) -> bool:
    return _matches(EXCLUDED_DATA, dest.replace("\\", "/"))


def is_system_library(soname: str) -> bool:
    return any(re.fullmatch(p, soname) for p in SYSTEM_LIBRARIES)


def project_datas(repo: Path = REPO) -> list[tuple[str, str]]:
    """(source file, bundle folder) pairs for the app's own data, in PyInstaller's ``datas`` form."""
    pairs = []
    for pattern, dest in PROJECT_DATA:
        for path in sorted(repo.glob(pattern)):
            if path.relative_to(repo).as_posix() not in PROJECT_DATA_SKIP:
                pairs.append((str(path), dest))
    return pairs


def fix_arcade_version(datas: list[tuple]) -> list[tuple]:
    """Put arcade's VERSION file at ``arcade/VERSION``.

    arcade's own hook lists it as ``(arcade/VERSION, "./arcade/VERSION")``; PyInstaller reads the
    second item as a folder, so the file lands at ``arcade/VERSION/VERSION`` and ``arcade.version``
    reads a directory (it prints an error and reports 0.0.0). Takes and returns TOC tuples
    ``(dest, source, typecode)``.
    """
    fixed = []
    for entry in datas:
        dest = entry[0].replace("\\", "/")
        if dest == "arcade/VERSION/VERSION":
            entry = ("arcade/VERSION", *entry[1:])
        fixed.append(entry)
    return fixed


def trim_toc(toc: list[tuple], excluded) -> list[tuple]:
    """The TOC entries whose destination ``excluded`` does not match."""
    return [entry for entry in toc if not excluded(entry[0])]


def elf_needed(path: str) -> list[str]:
    """The DT_NEEDED sonames of an ELF file, read with ``objdump -p`` (PyInstaller needs binutils anyway)."""
    import subprocess

    result = subprocess.run(["objdump", "-p", path], capture_output=True, text=True, check=False)
    return [line.split()[1] for line in result.stdout.splitlines() if line.strip().startswith("NEEDED")]


def symlink_target(dest: str, link: str) -> str:
    """The bundle path a SYMLINK entry points at (its link is relative to the link's own folder)."""
    import posixpath

    return posixpath.normpath(posixpath.join(posixpath.dirname(dest), link.replace("\\", "/")))


def trim_binaries(binaries: list[tuple], excluded, needed=elf_needed, symlinks: list[tuple] = ()) -> list[tuple]:
    """Drop excluded binaries, then whatever only they needed.

    PyInstaller resolves the libraries of every plugin before the spec can trim it: dropping
    ``libqgtk3.so`` after analysis would leave cairo, pango, atk, gdk-pixbuf... behind. A library
    that some file linked to before the trim is kept only if a kept file still links to it; files
    nobody linked to (extension modules, Qt plugins, libraries found through ctypes, libpython) are
    roots and stay. ``needed(source_path)`` gives a file's DT_NEEDED sonames; entries are TOC tuples
    ``(dest, source, typecode)``. ``symlinks`` are the SYMLINK entries (PyInstaller 6 puts the
    top-level library links into ``datas``), used to resolve sonames.
    """
    files = {dest: source for dest, source, kind in binaries if kind != "SYMLINK"}
    # A soname resolves to a top-level file or symlink (the bootloader puts _internal/ on
    # LD_LIBRARY_PATH), or to a file in the same folder as the one that needs it ($ORIGIN-style).
    by_soname = {dest: dest for dest in files if "/" not in dest}
    for dest, link, kind in [*binaries, *symlinks]:
        if kind == "SYMLINK" and "/" not in dest and symlink_target(dest, link) in files:
            by_soname[dest] = symlink_target(dest, link)

    def resolve(referrer: str, soname: str) -> str | None:
        sibling = f"{referrer.rpartition('/')[0]}/{soname}" if "/" in referrer else soname
        return sibling if sibling in files else by_soname.get(soname)

    edges = {dest: [t for t in (resolve(dest, n) for n in needed(src)) if t] for dest, src in files.items()}
    linked_to = {target for targets in edges.values() for target in targets}
    reachable: set[str] = set()
    stack = [dest for dest in files if dest not in linked_to]
    while stack:
        dest = stack.pop()
        if dest in reachable or excluded(dest):
            continue
        reachable.add(dest)
        stack.extend(edges.get(dest, ()))
    return [entry for entry in binaries if entry[2] == "SYMLINK" or entry[0] in reachable]


def drop_dangling_symlinks(toc: list[tuple], collected: set[str]) -> list[tuple]:
    """Drop SYMLINK entries whose target is not collected (a trimmed library's top-level link)."""
    return [entry for entry in toc if entry[2] != "SYMLINK" or symlink_target(entry[0], entry[1]) in collected]


def apply_trims(binaries: list[tuple], datas: list[tuple], platform: str = sys.platform,
                needed=elf_needed) -> tuple[list[tuple], list[tuple]]:
    """The spec's post-analysis step: fix arcade's VERSION, trim data and binaries, drop dangling links."""
    datas = trim_toc(fix_arcade_version(datas), is_excluded_data)
    if platform.startswith("linux"):
        binaries = trim_binaries(binaries, is_excluded_binary, needed, symlinks=datas)
    else:  # no ELF: just the exclusion list
        binaries = trim_toc(binaries, is_excluded_binary)
    collected = {dest.replace("\\", "/") for dest, _, kind in [*binaries, *datas] if kind != "SYMLINK"}
    return drop_dangling_symlinks(binaries, collected), drop_dangling_symlinks(datas, collected)


def pyglet_skipped(name: str, platform: str = sys.platform) -> bool:
    """Whether a pyglet module belongs to another platform (a part of its dotted name starts with a skip word)."""
    skip = PYGLET_SKIP.get("linux" if platform.startswith("linux") else platform, ())
    return any(part.startswith(skip) for part in name.split(".")[1:])


def pyglet_hiddenimports(platform: str = sys.platform) -> list[str]:
    """pyglet's submodules for this platform, found by walking its folder.

    Not PyInstaller's collect_submodules: that imports each package, and importing pyglet.gl or
    pyglet.window without a display (a CI build) raises, silently losing their submodules.
    """
    import importlib.util

    spec = importlib.util.find_spec("pyglet")
    if spec is None or not spec.submodule_search_locations:
        return []
    root = Path(next(iter(spec.submodule_search_locations)))
    names = []
    for path in sorted(root.rglob("*.py")):
        parts = ("pyglet", *path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        name = ".".join(parts)
        if name != "pyglet" and not pyglet_skipped(name, platform):
            names.append(name)
    return names


def package_datas() -> list[tuple[str, str]]:
    """Package data files and distribution metadata (imports PyInstaller; call from the spec)."""
    from PyInstaller.utils.hooks import collect_data_files, copy_metadata

    datas: list[tuple[str, str]] = []
    for package, excludes in PACKAGE_DATA:
        datas += collect_data_files(package, excludes=list(excludes))
    for dist in METADATA_PACKAGES:
        datas += copy_metadata(dist)
    # copy_metadata names an editable install's egg-info relative to the current folder; the spec
    # would resolve it against packaging/.
    return [(str(Path(source).resolve()), dest) for source, dest in datas]


def platform_options(platform: str = sys.platform) -> dict[str, object]:
    """EXE options per platform: a windowed app with an icon on Windows and macOS, a console one on Linux.

    Linux keeps the console so ``townsfolk --smoke-test`` and the CLI sub-commands print to the
    terminal; a desktop launcher starts it without one anyway.
    """
    if platform.startswith("win"):
        return {"console": False, "icon": str(WINDOWS_ICON)}
    if platform == "darwin":
        return {"console": False, "icon": None}  # the .icns is made at build time: see make_icns
    return {"console": True, "icon": None}


def make_icns(out: Path, repo: Path = REPO) -> Path:
    """A macOS .icns from the PNG icons (Pillow writes ICNS on any platform).

    The art is pixel art: the 512/1024 px sizes macOS wants are nearest-neighbour upscales of the
    256 px icon, not Pillow's smooth resize.
    """
    from PIL import Image

    art = repo / "assets" / "art"
    images = [Image.open(art / f"icon_{size}.png").convert("RGBA") for size in ICON_SIZES]
    biggest = images[-1]
    for size in (512, 1024):
        images.append(biggest.resize((size, size), Image.Resampling.NEAREST))
    out.parent.mkdir(parents=True, exist_ok=True)
    images[-1].save(out, format="ICNS", append_images=images[:-1])
    return out


def app_version(repo: Path = REPO) -> str:
    """The version in pyproject.toml (the macOS Info.plist and the README's artefact names use it)."""
    import tomllib

    with open(repo / "pyproject.toml", "rb") as handle:
        return str(tomllib.load(handle)["project"]["version"])


def macos_info_plist(version: str) -> dict[str, object]:
    """Info.plist additions: the .town document type, so Finder opens worlds with the app.

    Finder delivers the file as an Apple Event, which Qt turns into a QFileOpenEvent (see README).
    """
    uti = f"{BUNDLE_ID}.world"
    return {
        "CFBundleShortVersionString": version,
        "CFBundleVersion": version,
        "NSHighResolutionCapable": True,
        "LSApplicationCategoryType": "public.app-category.simulation-games",
        "UTExportedTypeDeclarations": [{
            "UTTypeIdentifier": uti,
            "UTTypeDescription": "Townsfolk world",
            "UTTypeConformsTo": ["public.data", "public.database"],
            "UTTypeTagSpecification": {"public.filename-extension": [WORLD_SUFFIX.lstrip(".")],
                                       "public.mime-type": MIME_TYPE},
        }],
        "CFBundleDocumentTypes": [{
            "CFBundleTypeName": "Townsfolk world",
            "CFBundleTypeRole": "Editor",
            "LSHandlerRank": "Owner",
            "LSItemContentTypes": [uti],
        }],
    }
