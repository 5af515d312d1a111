"""Command-line interface: orchestrates discovery, analysis, fixes and output."""

from __future__ import annotations

import argparse
import sys

from seedmigrate import __version__


def build_parser() -> argparse.ArgumentParser:
    """Return the top-level ``seedmigrate`` argument parser."""
    parser = argparse.ArgumentParser(prog="seedmigrate", description=__doc__)
    parser.add_argument("--version", action="version", version=f"seedmigrate {__version__}")
    sub = parser.add_subparsers(dest="command")
    from seedmigrate.verify import command as verify_command

    verify = sub.add_parser("verify", help="prove a training script is deterministic and resumes")
    verify_command.add_arguments(verify)
    verify.set_defaults(handler=verify_command.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code (0 ok, 1 findings, 2 usage/read errors)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    if getattr(args, "handler", None) is not None:
        return args.handler(args)
    return 0
