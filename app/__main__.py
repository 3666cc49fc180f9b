"""`townsfolk` / `python -m app`: the GUI by default, headless sub-commands by name."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    from app.cli import SUBCOMMANDS, run_cli

    if args and args[0] in SUBCOMMANDS:
        return run_cli(args)
    from app.shell.gui import run_gui  # Qt is imported only on this path

    return run_gui(args)


if __name__ == "__main__":
    sys.exit(main())
