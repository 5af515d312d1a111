"""The post-condition checker (seedmigrate.guarantees) and how apply uses it
(seedmigrate.fixing): each guarantee caught on a hand-made rewrite, and a fix that
would break one withheld while the file's other fixes go ahead."""

from __future__ import annotations

import ast
import textwrap

import pytest

from seedmigrate.analysis.model import Edit, Finding
from seedmigrate.config import Config
from seedmigrate.engine import analyse_source
from seedmigrate.fixing import fix_text
from seedmigrate.guarantees import check, comments, facts_for


def d(text: str) -> str:
    return textwrap.dedent(text)


def violations(before: str, after: str) -> list[tuple[str, str]]:
    before, after = textwrap.dedent(before), textwrap.dedent(after)
    found = check(facts_for(before, ast.parse(before)), facts_for(after, ast.parse(after)))
    return [(v.guarantee, v.message) for v in found]


def guarantees(before: str, after: str) -> set[str]:
    return {g for g, _ in violations(before, after)}


# -- a: init before every use -----------------------------------------------------------


def test_a_init_inside_a_branch_the_loop_is_outside_of():
    before = """
    import torch
    import torch.distributed as dist
    def main(args):
        if args.distributed:
            dist.init_process_group("gloo")
        for epoch in range(3):
            torch.rand(1)
    main(None)
    """
    after = """
    import torch
    import torch.distributed as dist
    import seeder_runtime.torch as seeder
    def main(args):
        if args.distributed:
            dist.init_process_group("gloo")
            seeder.init(master_seed=args.seed)
        for epoch in range(3):
            seeder.reseed(1, epoch)
            torch.rand(1)
    main(None)
    """
    assert ("a", "`seeder.reseed(1, epoch)` can run before seeder.init") in violations(
        before, after
    )


def test_a_init_in_the_parent_does_not_serve_a_spawned_worker():
    before = """
    import torch
    import torch.multiprocessing as mp
    def worker(rank):
        for epoch in range(3):
            torch.rand(1)
    def main():
        torch.manual_seed(0)
        mp.spawn(worker, nprocs=2)
    main()
    """
    after = """
    import torch
    import torch.multiprocessing as mp
    import seeder_runtime.torch as seeder
    def worker(rank):
        for epoch in range(3):
            seeder.reseed(1, epoch)
            torch.rand(1)
    def main():
        seeder.init(master_seed=0)
        mp.spawn(worker, nprocs=2)
    main()
    """
    assert "a" in guarantees(before, after)


def test_a_init_in_main_serves_a_loop_in_a_function_main_calls():
    before = """
    import torch
    def train(n):
        for epoch in range(n):
            torch.rand(1)
    def main():
        torch.manual_seed(0)
        train(3)
    if __name__ == "__main__":
        main()
    """
    after = """
    import torch
    import seeder_runtime.torch as seeder
    def train(n):
        for epoch in range(n):
            seeder.reseed(1, epoch)
            torch.rand(1)
    def main():
        seeder.init(master_seed=0)
        seeder.reseed(0, 0)
        train(3)
    if __name__ == "__main__":
        main()
    """
    assert violations(before, after) == []


def test_a_existing_violation_is_not_counted_against_the_rewrite():
    text = """
    import seeder_runtime.torch as seeder
    for epoch in range(3):
        seeder.reseed(1, epoch)
    seeder.init(master_seed=0)
    """
    assert violations(text, text) == []


# -- b: one seed option per parser ------------------------------------------------------


def test_b_second_seed_option_on_an_argument_group_in_a_helper():
    before = d(
        """
    import argparse
    def add_args(parser):
        group = parser.add_argument_group("train")
        group.add_argument("--seed", type=int)
    parser = argparse.ArgumentParser()
    add_args(parser)
    args = parser.parse_args()
    """
    )
    after = before.replace(
        "add_args(parser)\n", 'add_args(parser)\nparser.add_argument("--seed", type=int)\n'
    )
    assert ("b", "seed option `seed` is defined twice on parser `parser`") in violations(
        before, after
    )


def test_b_top_level_seed_overridden_by_a_subparser():
    before = d(
        """
    import argparse
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()
    train = sub.add_parser("train")
    train.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    """
    )
    after = before.replace(
        "sub = parser", 'parser.add_argument("--seed", type=int, default=None)\nsub = parser'
    )
    assert "b" in guarantees(before, after)


def test_b_init_reading_an_option_no_parser_defines():
    before = """
    import argparse
    import torch
    parser = argparse.ArgumentParser()
    args = parser.parse_args()
    torch.manual_seed(0)
    """
    after = """
    import argparse
    import seeder_runtime.torch as seeder
    parser = argparse.ArgumentParser()
    args = parser.parse_args()
    seeder.init(master_seed=args.seed)
    """
    assert ("b", "seeder.init reads `args.seed`, which the parser does not define") in (
        violations(before, after)
    )


def test_b_seed_read_before_init_once_its_default_is_none():
    # --seed 42 became default None; `args.seed + rank` above the init would be None + int
    before = """
    import argparse
    import torch
    def main():
        parser = argparse.ArgumentParser()
        parser.add_argument("--seed", type=int, default=42)
        args = parser.parse_args()
        offset = args.seed + 1
        torch.manual_seed(args.seed)
        for epoch in range(2):
            torch.rand(offset)
    main()
    """
    after = """
    import argparse
    import torch
    import seeder_runtime.torch as seeder
    def main():
        parser = argparse.ArgumentParser()
        parser.add_argument("--seed", type=int, default=None)
        args = parser.parse_args()
        offset = args.seed + 1
        seeder.init(master_seed=args.seed)
        args.seed = seeder.get_master_seed()
        seeder.reseed(0, 0)
        for epoch in range(2):
            seeder.reseed(1, epoch)
            torch.rand(offset)
    main()
    """
    found = violations(before, after)
    assert found == [
        ("b", "`args.seed` is read before seeder.init while the option defaults to None")
    ]
    # the same reads after the init, or as init's own argument, are fine
    moved = after.replace("        offset = args.seed + 1\n", "").replace(
        "seeder.reseed(0, 0)\n", "seeder.reseed(0, 0)\n        offset = args.seed + 1\n"
    )
    assert violations(before, moved) == []


# -- c: reseeds only in the outermost training loop --------------------------------------


def test_c_reseed_in_a_loop_nested_in_the_training_loop():
    before = d(
        """
    import torch
    import seeder_runtime.torch as seeder
    seeder.init(master_seed=0)
    for update in range(10):
        for epoch in range(4):
            loss = torch.rand(1, requires_grad=True).sum()
            loss.backward()
    """
    )
    after = before.replace(
        "for epoch in range(4):\n", "for epoch in range(4):\n        seeder.reseed(1, epoch)\n"
    )
    assert "c" in guarantees(before, after)


def test_c_reseed_in_a_step_loop():
    before = d(
        """
    import torch
    import seeder_runtime.torch as seeder
    seeder.init(master_seed=0)
    for step in range(steps_per_epoch):
        torch.rand(1)
    """
    )
    after = before.replace("steps_per_epoch):\n", "steps_per_epoch):\n    seeder.reseed(1, step)\n")
    assert ("c", "`seeder.reseed(1, step)` is in a loop over steps, not epochs or iterations") in (
        violations(before, after)
    )


def test_c_two_loops_with_the_same_task():
    before = d(
        """
    import torch
    import seeder_runtime.torch as seeder
    seeder.init(master_seed=0)
    for epoch in range(2):
        torch.rand(1)
    for epoch in range(3):
        torch.rand(1)
    """
    )
    after = before.replace("range(2):\n", "range(2):\n    seeder.reseed(1, epoch)\n").replace(
        "range(3):\n", "range(3):\n    seeder.reseed(1, epoch)\n"
    )
    assert "c" in guarantees(before, after)


# -- c2, e: seeded paths stay seeded with the same seed ---------------------------------


def test_c2_init_inside_the_ddp_branch_leaves_the_module_path_unseeded():
    before = """
    import os
    import torch
    ddp = int(os.environ.get("RANK", -1)) != -1
    if ddp:
        torch.distributed.init_process_group("gloo")
    torch.manual_seed(1337)
    x = torch.rand(3)
    """
    after = """
    import os
    import torch
    import seeder_runtime.torch as seeder
    ddp = int(os.environ.get("RANK", -1)) != -1
    if ddp:
        torch.distributed.init_process_group("gloo")
        seeder.init(master_seed=1337)
    x = torch.rand(3)
    """
    assert "c2" in guarantees(before, after)


def test_e_a_seed_from_the_environment_must_reach_init():
    before = """
    import os
    import torch
    torch.manual_seed(int(os.environ["SEED"]))
    x = torch.rand(3)
    """
    dropped = """
    import os
    import seeder_runtime.torch as seeder
    seeder.init()
    x = torch.rand(3)
    """
    kept = dropped.replace("seeder.init()", 'seeder.init(master_seed=int(os.environ["SEED"]))')
    assert ("e", 'the seed `int(os.environ["SEED"])` no longer reaches seeder.init') in (
        violations(before, dropped)
    )
    assert violations(before, kept) == []


def test_e_rank_arithmetic_is_not_part_of_the_seed():
    before = """
    import torch
    def main(args, rank):
        torch.manual_seed(args.seed + rank)
    """
    after = """
    import seeder_runtime.torch as seeder
    def main(args, rank):
        seeder.init(master_seed=args.seed)
    """
    assert violations(before, after) == []


# -- f: comments ------------------------------------------------------------------------


def test_f_lost_comment():
    before = "import torch\n# why we seed\ntorch.manual_seed(0)  # the answer\nx = 1\n"
    after = "import torch\nx = 1\n"
    assert {m for g, m in violations(before, after) if g == "f"} == {
        "the comment `# why we seed` would be lost",
        "the comment `# the answer` would be lost",
    }


def test_comments_are_read_by_the_tokenizer_not_by_hash_signs():
    assert comments("s = '# not a comment'  # a comment\n") == {"# a comment": 1}


# -- fixing: a fix that breaks a guarantee is withheld, the others go ahead -------------


def _finding(code: str, line: int, edits: tuple[Edit, ...]) -> Finding:
    return Finding(code, "test fix", line, 1, line, 1, True, edits)


def test_a_reseed_that_would_run_before_init_is_withheld_and_the_rest_applied():
    # (no framework import: the re-analysis after the round finds nothing more to do)
    text = "import os\nfor epoch in range(3):\n    os.getpid()\nx = 1\n"
    reseed = _finding(
        "SEED006",
        2,
        (
            Edit("require_import", code="seeder_runtime.torch", name="seeder"),
            Edit("prepend_body", (2, 0), "seeder.reseed(1, epoch)\n"),
        ),
    )
    rename = _finding("SEED099", 4, (Edit("insert_after", (4, 0), "y = 2\n"),))
    fixed = fix_text(text, [reseed, rename], Config(), "t.py")
    assert fixed.text == "import os\nfor epoch in range(3):\n    os.getpid()\nx = 1\ny = 2\n"
    assert [(f.code, v.guarantee) for f, v in fixed.withheld] == [("SEED006", "a")]


def test_a_seed_that_cannot_reach_init_leaves_the_seeding_as_it_was_and_says_so():
    """``seed`` is bound only when ``cond``: ``init`` could not take it, and an ``init``
    without it would reseed over the manual call, so nothing that needs ``init`` is
    written."""
    source = textwrap.dedent(
        """
        import torch

        def load():
            return 3

        def main(cond):
            if cond:
                seed = load()
                torch.manual_seed(seed)
            for epoch in range(2):
                torch.rand(1)

        main(True)
        """
    )
    findings = analyse_source(source)
    fixed = fix_text(source, findings, Config(), "t.py")
    assert fixed.text == source
    withheld = {f.message.split(" ", 1)[0] for f in fixed.findings if f.code == "SEED022"}
    assert withheld == {"SEED001", "SEED005", "SEED006"}, fixed.findings
    assert all("(e)" in f.message for f in fixed.findings if f.code == "SEED022")


@pytest.mark.parametrize(
    "source",
    [
        "import torch\ntorch.manual_seed(0)  # reproducible\nx = torch.rand(1)\n",
        "import torch\nif True:\n    # only seeds\n    torch.manual_seed(0)  # here\n"
        "x = torch.rand(1)\n",
        "import numpy as np\nimport torch\ntorch.manual_seed(0)\n# why\nnp.random.seed(0)\nx = 1\n",
    ],
)
def test_apply_keeps_every_comment(source):
    fixed = fix_text(source, analyse_source(source), Config(), "t.py")
    assert "seeder.init" in fixed.text
    assert not comments(source) - comments(fixed.text)
