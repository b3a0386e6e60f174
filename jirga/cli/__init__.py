"""The `jirga` command: one argparse tree (`main`), one output module (`present`), one error -> exit-code map."""

from jirga.cli.main import build_parser, main

__all__ = ["build_parser", "main"]
