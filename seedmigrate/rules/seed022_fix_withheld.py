"""SEED022: a fix ``apply`` did not write because it would break a guarantee."""

from __future__ import annotations

from seedmigrate.analysis.tokens import NEVER
from seedmigrate.rules.base import Rule

RULE = Rule(
    code="SEED022",
    slug="fix-withheld",
    summary="Fix not applied: it would break a migration guarantee",
    why=(
        "`apply` judges a rewrite by what the migrated program will do. Before a file is "
        "written, its new text is analysed again and must keep every guarantee: (a) "
        "`seeder.init` runs before every `reseed`/`SeederCB`/`SeederCallback`/`sampler_seed`/"
        "`worker_init_fn` use on every path; (b) one definition of the seed option per "
        "parser; (c) an epoch reseed only in the outermost training loop; (c2) a path that "
        "was seeded stays seeded; (d) one `apply` reaches the fixpoint; (e) the seed the "
        "script used reaches `seeder.init`; (f) every comment survives. A fix that would "
        "break one is dropped, and the file's other fixes and the other files go ahead."
    ),
    fix=(
        "Read which guarantee and why in the message, then make the change by hand (or "
        "move the code `apply` could not place, such as a distributed set-up hidden in a "
        "branch, and run `apply` again). `apply` exits with 1 while such a finding is left."
    ),
    fixable=False,
    check=lambda facts: (),
    # withheld fixes come from the pipeline, not from a check
    tokens=NEVER,
    pipeline=True,
)
