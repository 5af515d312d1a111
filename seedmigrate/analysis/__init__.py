"""Analysis: read-only, on the stdlib ``ast``; the facts rules read to find violations.

libcst is not imported here: ``check`` pays only for ``ast.parse`` and one walk, and
the fixes (``seedmigrate.transforms``) use libcst only on files they rewrite. Analysis
knows no rule: :mod:`seedmigrate.engine` runs the rules over :class:`FileFacts`.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from seedmigrate.analysis.context import FileContext
from seedmigrate.analysis.tokens import EP_LOOP, EPOCH, SEED, TRAINING_STEP, TokenIndex
from seedmigrate.config import Config

if TYPE_CHECKING:
    from seedmigrate.analysis.crossmodule import ProjectView
    from seedmigrate.analysis.migration import InitPlan


@dataclass
class FileFacts:
    """The shared analyses of one file, each computed lazily and at most once."""

    ctx: FileContext
    #: The file's pre-filter tokens: lets ``trains`` skip analyses that cannot find anything.
    tokens: TokenIndex | None = None
    #: The file's view of its project (other modules' helpers and parsers), if any.
    project: ProjectView | None = None

    @cached_property
    def seeding(self):  # -> SeedingAnalysis
        from seedmigrate.analysis.seeding import SeedingAnalysis

        return SeedingAnalysis(self.ctx, self.project)

    @cached_property
    def flow(self):  # -> Flow
        from seedmigrate.analysis.flow import Flow

        return Flow(self.ctx)

    @cached_property
    def entry(self):  # -> EntryAnalysis
        from seedmigrate.analysis.entry import EntryAnalysis

        return EntryAnalysis(self.ctx, self.flow, self.project)

    @cached_property
    def training(self):  # -> TrainingAnalysis
        from seedmigrate.analysis.training import TrainingAnalysis

        return TrainingAnalysis(self.ctx, self.flow, self.may_train_steps)

    @cached_property
    def seeding_sites(self) -> list[tuple[ast.stmt, ast.expr | None]]:
        """Where the script seeds today (see ``migration.seeding_sites``)."""
        from seedmigrate.analysis.migration import find_seeding_sites

        return find_seeding_sites(self)

    @cached_property
    def init_plan(self) -> InitPlan | None:
        """How to add ``seeder.init`` (see ``migration.init_plan``): several rules ask."""
        from seedmigrate.analysis.migration import has_init, plan_init

        return None if has_init(self) else plan_init(self)

    @cached_property
    def may_train_steps(self) -> bool:
        """The file holds a training step token and can start a run (TRAINING_STEP):
        only then do its training steps make it a training script (the same test with or
        without the pre-filter's shortcut, so the two always agree)."""
        tokens = self.tokens or TokenIndex(self.ctx.text)
        return tokens.matches(TRAINING_STEP)

    @cached_property
    def trains(self) -> bool:
        """The file trains something: it seeds by hand, loops over epochs, calls fit, or
        runs a training step (``loss.backward()``, ``apply_gradients``...).

        Each analysis is skipped where the tokens it needs are absent (see ``analysis.tokens``):
        the epoch-loop search walks the whole tree, and most files that get this far
        mention seeds but no epochs, or the other way round.
        """
        tokens = self.tokens
        return bool(
            self.seeding.calls
            or ((tokens is None or tokens.has(SEED)) and self.seeding.removed_helpers())
            or (
                (tokens is None or tokens.has(EPOCH) or tokens.has(EP_LOOP))
                # a loop named epoch trains in an ML file, or one that mentions seeds
                and (self.ctx.uses_ml or SEED in self.ctx.text.lower())
                and self.training.epoch_loops
            )
            or ((tokens is None or tokens.has("fit")) and self.training.fit_calls)
            or (self.may_train_steps and self.training.has_training_step)
        )


def make_facts(
    text: str, tree: ast.Module, config: Config | None = None, project: ProjectView | None = None
) -> FileFacts:
    """The shared analyses of one parsed file, computed lazily."""
    return FileFacts(FileContext(text, tree, config or Config()), TokenIndex(text), project=project)
