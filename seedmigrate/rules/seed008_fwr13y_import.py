"""SEED008: a script that uses NVIDIA's ``fwr13y.seeder``."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from textwrap import dedent

from seedmigrate.analysis import FileFacts
from seedmigrate.analysis.model import Edit, EditKind, Finding
from seedmigrate.rules.base import Rule

#: fwr13y module -> seeder_runtime backend suffix.
_BACKENDS = {"pyt": "torch", "tf": "tf"}
_PREFIXES = ("fwr13y.seeder", "seeder")


def _replacement(path: str, runtime: str) -> str | None:
    for prefix in _PREFIXES:
        if path == prefix and prefix != "seeder":
            return runtime
        if path.startswith(prefix + "."):
            backend = _BACKENDS.get(path[len(prefix) + 1 :])
            if backend:
                return f"{runtime}.{backend}"
    return None


def check(facts: FileFacts) -> Iterator[Finding]:
    runtime = facts.ctx.config.runtime_module
    for node in facts.ctx.nodes:
        paths: list[str] = []
        if isinstance(node, ast.Import):
            paths = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            paths = [f"{node.module}.{alias.name}" for alias in node.names]
        for path in paths:
            new = _replacement(path, runtime)
            if new == f"{runtime}.torch" and facts.ctx.uses_lightning:
                new = f"{runtime}.lightning"  # the torch API plus SeederCallback (SEED020)
            if new is None or (path.startswith("seeder.") and not _aliased_as_seeder(node)):
                continue
            yield facts.ctx.finding(
                "SEED008",
                node,
                f"`{path}` is NVIDIA's fwr13y seeder; `{new}` has the same API without its "
                "seed collisions",
                (Edit(EditKind.RENAME_IMPORT, facts.ctx.pos(node), new, name=path),),
            )


def _aliased_as_seeder(node: ast.AST) -> bool:
    """A vendored ``import seeder.pyt as seeder`` (fwr13y's documented form)."""
    return isinstance(node, ast.Import) and any(a.asname == "seeder" for a in node.names)


RULE = Rule(
    code="SEED008",
    slug="fwr13y-import",
    summary="Uses NVIDIA's fwr13y.seeder",
    why=(
        "`seeder_runtime` is a drop-in for `fwr13y.seeder` (same `init`, `reseed`, "
        "`register_generator`, `SeederCB`) whose seeds do not collide across (seed, epoch, "
        "rank), with any number of tasks, and with rank detection and exact resume."
    ),
    fix=(
        "`apply` switches the import (`fwr13y.seeder.pyt` -> `seeder_runtime.torch`, "
        "`fwr13y.seeder.tf` -> `seeder_runtime.tf`) and leaves the calls as they are. "
        'Runs that must reproduce old fwr13y seeds pass `scheme="fwr13y"` to `init`.'
    ),
    fixable=True,
    check=check,
    tokens=(("seeder",),),
    examples=(
        (
            dedent(
                """\
                import fwr13y.seeder.pyt as seeder

                seeder.init(master_seed=1, ngpus=1, local_rank=0)
                """
            ),
            dedent(
                """\
                import seeder_runtime.torch as seeder

                seeder.init(master_seed=1, ngpus=1, local_rank=0)
                """
            ),
        ),
        (
            "from fwr13y.seeder import tf as seeder\n",
            "from seeder_runtime import tf as seeder\n",
        ),
    ),
    invalid=("import seeder.pyt as seeder\n",),
    valid=("import seeder_runtime.tf as seeder\n", "import seeder\n"),
)
