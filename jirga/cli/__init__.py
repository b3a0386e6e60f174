"""The `jirga` command: one argparse tree (`main`), one output module (`present`), one error -> exit-code map."""

from jirga.cli.main import main

__all__ = ["main"]
