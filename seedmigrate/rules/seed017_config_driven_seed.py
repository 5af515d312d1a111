"""SEED017: a seed that comes from configuration the tool cannot follow."""

from __future__ import annotations

from collections.abc import Iterator
from textwrap import dedent

from seedmigrate.analysis import FileFacts
from seedmigrate.analysis.migration import has_init
from seedmigrate.analysis.model import Finding
from seedmigrate.analysis.tokens import TRAINS
from seedmigrate.rules.base import Rule


def check(facts: FileFacts) -> Iterator[Finding]:
    if not facts.trains and not has_init(facts):
        return  # (after apply the file no longer "trains" by hand: keep reporting)
    for node, source in facts.entry.config_driven:
        yield facts.ctx.finding(
            "SEED017",
            node,
            f"the seed comes from {source}, which seedmigrate cannot follow; make sure it "
            "defaults to None and pass it to seeder.init(master_seed=...) by hand",
            fixable=False,
        )


RULE = Rule(
    code="SEED017",
    slug="config-driven-seed",
    summary="Seed from a config the tool cannot follow",
    why=(
        "Hydra configs, `HfArgumentParser` dataclasses and parsers built in another module "
        "define the seed where a single-file rewrite cannot see it."
    ),
    fix=(
        "Give the config's seed a `None` default and call `seeder.init(master_seed=cfg.seed)`"
        ", `cfg.seed = seeder.get_master_seed()` and `seeder.reseed(0, 0)` once it is loaded."
    ),
    fixable=False,
    check=check,
    tokens=TRAINS,
    invalid=(
        dedent(
            """\
            from transformers import HfArgumentParser, set_seed
            parser = HfArgumentParser((TrainingArguments,))
            set_seed(1)
            """
        ),
        dedent(
            """\
            import hydra
            import torch

            @hydra.main(config_path='conf')
            def main(cfg):
                torch.manual_seed(cfg.seed)
            """
        ),
        dedent(
            """\
            import torch
            from myproject.options import get_parser

            parser = get_parser()
            args = parser.parse_args()
            torch.manual_seed(args.seed)
            """
        ),
    ),
    valid=(
        dedent(
            """\
            import argparse
            import torch
            p = argparse.ArgumentParser()
            torch.manual_seed(1)
            """
        ),
    ),
)
