"""Check a built bundle: every shared library resolves, the required files are there; report the size.

    python packaging/check_bundle.py [dist/townsfolk] [--json] [--strict]

Runs ``ldd`` over every ELF file in the bundle with ``LD_LIBRARY_PATH`` set to ``_internal/`` (what
the PyInstaller bootloader does) and fails, listing them, if any library is "not found" -- except
the ones the user's system provides (bundle_config.SYSTEM_LIBRARIES: glibc, the GL stack, the C++
runtime). Libraries that resolve to the build host's system instead of the bundle are listed too:
they are what a user's machine must have; with ``--strict`` any outside SYSTEM_LIBRARIES fail.

Prints a human summary, or with ``--json`` one JSON line per measurement for CI logs. Exit 0 = fine.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bundle_config as cfg

ELF_MAGIC = b"\x7fELF"


def is_elf(path: Path) -> bool:
    if path.is_symlink() or not path.is_file():
        return False
    with open(path, "rb") as handle:
        return handle.read(4) == ELF_MAGIC


def ldd(path: Path, env: dict[str, str]) -> list[tuple[str, str | None]]:
    """(soname, resolved path or None when "not found") for each dependency ldd lists."""
    result = subprocess.run(["ldd", str(path)], capture_output=True, text=True, env=env, check=False)
    deps = []
    for line in result.stdout.splitlines():
        line = line.strip()
        if "=>" not in line:
            continue  # the vdso and the dynamic loader itself
        name, _, where = line.partition("=>")
        where = where.strip()
        deps.append((name.strip(), None if where.startswith("not found") else where.split(" (")[0]))
    return deps


def folder_sizes(internal: Path, top: int = 12) -> list[tuple[str, int]]:
    """The biggest entries directly under _internal/ (folders summed), bytes, largest first."""
    sizes: dict[str, int] = defaultdict(int)
    for path in internal.rglob("*"):
        if path.is_file() and not path.is_symlink():
            sizes[path.relative_to(internal).parts[0]] += path.stat().st_size
    return sorted(sizes.items(), key=lambda item: -item[1])[:top]


def tree_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def check(bundle: Path, strict: bool = False) -> dict[str, object]:
    internal = bundle / "_internal"
    if not internal.is_dir():
        raise SystemExit(f"check_bundle: {internal} does not exist; build first (packaging/build.sh)")
    env = dict(os.environ)
    env["LD_LIBRARY_PATH"] = str(internal)  # the bootloader prepends _internal/ the same way
    elves = [p for p in sorted(bundle.rglob("*")) if is_elf(p)]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        results = dict(zip(elves, pool.map(lambda p: ldd(p, env), elves), strict=True))

    missing: dict[str, set[str]] = defaultdict(set)  # soname -> files that need it
    from_host: dict[str, set[str]] = defaultdict(set)  # soname -> files that take it from the build host
    resolved_inside = str(internal.resolve())
    for path, deps in results.items():
        rel = str(path.relative_to(bundle))
        for soname, where in deps:
            if where is None:
                if not cfg.is_system_library(soname):
                    missing[soname].add(rel)
            elif not str(Path(where).resolve()).startswith(resolved_inside) and not cfg.is_system_library(soname):
                from_host[soname].add(rel)

    absent_files = [f for f in cfg.REQUIRED_FILES if not any(internal.glob(f))]
    absent_libs = [lib for lib in cfg.REQUIRED_LIBRARIES if not any(internal.rglob(lib))]
    excluded_present = sorted(str(p.relative_to(internal)) for p in internal.rglob("*")
                              if cfg.is_excluded_binary(str(p.relative_to(internal))))
    problems = []
    if missing:
        problems.append("libraries not found: " + "; ".join(
            f"{name} (needed by {', '.join(sorted(users)[:3])}{'…' if len(users) > 3 else ''})"
            for name, users in sorted(missing.items())))
    if absent_files:
        problems.append("required files missing: " + ", ".join(absent_files))
    if absent_libs:
        problems.append("required libraries not bundled: " + ", ".join(absent_libs)
                        + " (install them on the build host, e.g. apt-get install libxcb-cursor0)")
    if excluded_present:
        problems.append("excluded files present: " + ", ".join(excluded_present[:10]))
    if strict and from_host:
        problems.append("taken from the build host: " + ", ".join(sorted(from_host)))
    return {
        "bundle": str(bundle),
        "bytes": tree_size(bundle),
        "files": sum(1 for p in bundle.rglob("*") if p.is_file()),
        "elf_files": len(elves),
        "biggest": folder_sizes(internal),
        "from_host": {name: sorted(users)[:3] for name, users in sorted(from_host.items())},
        "problems": problems,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("bundle", nargs="?", default=str(cfg.REPO / "dist" / cfg.APP_NAME))
    parser.add_argument("--json", action="store_true", help="JSON lines instead of a summary")
    parser.add_argument("--strict", action="store_true", help="also fail on libraries taken from the build host")
    args = parser.parse_args(argv)
    report = check(Path(args.bundle), args.strict)
    mib = report["bytes"] / 2**20
    if args.json:
        print(json.dumps({"metric": "bundle_size_mib", "value": round(mib, 1), "files": report["files"]}))
        print(json.dumps({"metric": "bundle_biggest_mib",
                          "value": {name: round(size / 2**20, 1) for name, size in report["biggest"]}}))
        print(json.dumps({"metric": "bundle_libs_from_host", "value": sorted(report["from_host"])}))
        print(json.dumps({"metric": "bundle_check", "ok": not report["problems"], "problems": report["problems"]}))
    else:
        print(f"{report['bundle']}: {mib:.0f} MiB in {report['files']} files, {report['elf_files']} ELF files checked")
        for name, size in report["biggest"]:
            print(f"  {size / 2**20:7.1f} MiB  {name}")
        if report["from_host"]:
            print("taken from this machine's system, not the bundle (the user's system must have them):")
            for name, users in report["from_host"].items():
                print(f"  {name}  (e.g. {users[0]})")
        for problem in report["problems"]:
            print(f"FAIL: {problem}", file=sys.stderr)
        if not report["problems"]:
            print("OK: every library resolves")
    return 1 if report["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
