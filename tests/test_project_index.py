"""The project index: module map, import resolution, seeding helpers across modules,
seed options defined elsewhere, entry scripts and callers (issue 11).

Every case is a small project under tests/projects/<case>/; the index is built from
the stdlib ``ast`` only (no subprocess, nothing imported or run).
"""

from __future__ import annotations

import ast
import importlib.util
import json
import pickle
import shutil
from pathlib import Path

import pytest

from seedmigrate.analysis import project as project_module
from seedmigrate.analysis.module_summary import ModuleSummary, summarise_module
from seedmigrate.analysis.project import (
    ArgparseFunction,
    CallEdge,
    EntryScript,
    Location,
    ProjectIndex,
    RankTerm,
    SeedOption,
    SeedParam,
    Symbol,
    Unresolvable,
    needs_summary,
    project_root,
    summary_key,
    worker_summary,
)

PROJECTS = Path(__file__).resolve().parent / "projects"
_BUILT: dict[str, ProjectIndex] = {}


def index_of(case: str) -> ProjectIndex:
    """The index of tests/projects/<case> (built once per test session)."""
    if case not in _BUILT:
        _BUILT[case] = ProjectIndex.build(PROJECTS / case)
    return _BUILT[case]


def sym(case: str, file: str, module: str, qualname: str, line: int) -> Symbol:
    return Symbol(module, qualname, PROJECTS / case / file, line)


def loc(case: str, file: str, line: int, col: int, end_line: int, end_col: int) -> Location:
    return Location(PROJECTS / case / file, line, col, end_line, end_col)


def lines(helper) -> list[tuple[int, int]]:
    return [(s.line, s.end_line) for s in helper.statements]


# -- module map ------------------------------------------------------------------------


def test_package_with_relative_imports_is_mapped_by_dotted_names():
    index = index_of("relative_imports")
    assert sorted(index.modules) == [
        "relproj",
        "relproj.common",
        "relproj.common.seed",
        "relproj.engine",
        "relproj.engine.train",
        "relproj.engine.utils",
    ]
    path = PROJECTS / "relative_imports/relproj/engine/utils.py"
    assert index.module_name(path) == "relproj.engine.utils"
    assert (
        index.path_of("relproj.engine") == PROJECTS / "relative_imports/relproj/engine/__init__.py"
    )


def test_src_layout_names_modules_from_src_and_scripts_from_the_root():
    index = index_of("src_layout")
    assert sorted(index.modules) == ["mylib", "mylib.seeding", "scripts.train"]
    assert index.is_project_module("scripts")  # a namespace folder
    assert not index.is_project_module("torch")


def test_namespace_folder_without_init_is_a_package():
    index = index_of("helper_chain")
    assert sorted(index.modules) == ["tools.seeding", "tools.setup", "train"]
    assert index.is_project_module("tools")


def test_project_root_is_the_folder_of_the_nearest_pyproject(tmp_path):
    train = PROJECTS / "src_layout/scripts/train.py"
    assert project_root([train]) == PROJECTS / "src_layout"
    assert project_root([PROJECTS / "setup_cfg_script/tool/main.py"]) == (
        PROJECTS / "setup_cfg_script"
    )
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a/x.py").write_text("")
    (tmp_path / "b/y.py").write_text("")
    # No marker anywhere up to / (tmp_path is outside the repository): the common root.
    if not any((p / m).exists() for p in tmp_path.parents for m in ("pyproject.toml", "setup.py")):
        assert project_root([tmp_path / "a/x.py", tmp_path / "b/y.py"]) == tmp_path


def test_same_index_whether_built_for_one_file_or_the_tree():
    one = ProjectIndex.build(project_root([PROJECTS / "helper_chain/train.py"]))
    whole = index_of("helper_chain")
    assert one.modules == whole.modules
    assert one.seeding_helpers == whole.seeding_helpers
    assert one.entry_scripts == whole.entry_scripts


def test_default_excludes_are_skipped_and_named_files_added(tmp_path):
    (tmp_path / "pyproject.toml").write_text("")
    for folder in ("build", ".venv/lib", "pkg"):
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "build/gen.py").write_text("def f():\n    pass\n")
    (tmp_path / ".venv/lib/dep.py").write_text("")
    (tmp_path / "pkg/__init__.py").write_text("")
    (tmp_path / "legacy.py").write_text("")
    index = ProjectIndex.build(tmp_path, exclude=["legacy.py"])
    assert sorted(index.modules) == ["pkg"]
    named = ProjectIndex.build(tmp_path, [tmp_path / "build/gen.py", "/elsewhere/x.py"])
    assert "build.gen" in named.modules and "elsewhere.x" not in named.modules


# -- import resolution -----------------------------------------------------------------


def test_relative_imports_resolve():
    index = index_of("relative_imports")
    set_seed = sym(
        "relative_imports", "relproj/engine/utils.py", "relproj.engine.utils", "set_seed", 5
    )
    everything = sym(
        "relative_imports", "relproj/common/seed.py", "relproj.common.seed", "seed_everything", 6
    )
    assert index.resolve("relproj.engine.train", "utils.set_seed") == set_seed  # from . import
    assert index.resolve("relproj.engine.train", "set_seed") == set_seed  # from .utils import
    assert index.resolve("relproj.engine.utils", "seed_everything") == everything  # from ..x.y
    assert index.resolve("relproj.engine.utils", "seed_module.seed_everything") == everything
    train = PROJECTS / "relative_imports/relproj/engine/train.py"
    assert index.resolve_call(train, "utils.set_seed") == set_seed
    assert index.unresolvable_reason(train, "utils.set_seed") is None


def test_import_package_module_then_call_through_it():
    index = index_of("src_layout")
    set_seed = sym("src_layout", "src/mylib/seeding.py", "mylib.seeding", "set_seed", 4)
    assert index.resolve("scripts.train", "mylib.seeding.set_seed") == set_seed  # import a.b
    assert index.resolve("scripts.train", "ms.set_seed") == set_seed  # import a.b as c
    assert index.qualified_name("scripts.train", "mylib.seeding") == "mylib.seeding"


def test_helper_imported_under_another_name():
    index = index_of("helper_alias")
    fix = sym("helper_alias", "utils/misc.py", "utils.misc", "fix_random_seeds", 4)
    assert index.resolve("main", "frs") == fix
    # A function-local import: from a line inside that function, or without a line
    # (scope-insensitive) since no other binding of ``misc`` disagrees; not from main().
    assert index.resolve("main", "misc.fix_random_seeds", line=11) == fix
    assert index.resolve("main", "misc.fix_random_seeds") == fix
    assert index.resolve("main", "misc.fix_random_seeds", line=5) is None
    assert index.unresolvable_reason(
        PROJECTS / "helper_alias/main.py", "misc.fix_random_seeds", line=5
    ) == Unresolvable("not_found", "main has no `misc`")


def test_helper_reexported_through_a_chain_of_init_files():
    index = index_of("reexport")
    set_seed = sym("reexport", "pkg/core/seeding.py", "pkg.core.seeding", "set_seed", 4)
    assert index.resolve("run", "set_seed") == set_seed
    assert index.resolve("pkg", "set_seed") == set_seed
    assert index.resolve("run", "pkg.core.set_seed") is None  # ``run`` never imports ``pkg``


def test_outside_modules_stay_out_and_qualify():
    index = index_of("mixed_helper")
    path = PROJECTS / "mixed_helper/utils.py"
    assert index.resolve("utils", "torch.manual_seed") is None
    assert index.qualified_name("utils", "np.random.seed") == "numpy.random.seed"
    assert index.unresolvable_reason(path, "np.random.seed") == (
        Unresolvable("outside_project", "numpy.random")
    )


def test_star_imports_of_project_modules_resolve_and_of_outside_ones_explain():
    index = index_of("star_import")
    train = PROJECTS / "star_import/train.py"
    assert index.resolve_call(train, "seed_torch") == sym(
        "star_import", "helpers.py", "helpers", "seed_torch", 6
    )
    timm = Unresolvable("star_import", "timm.utils")
    assert index.unresolvable_reason(train, "random_seed") == timm
    assert index.unresolvable_reason(train, "_private_seed") == timm  # not in helpers.__all__
    assert "timm.utils" in str(timm)


def test_dynamic_imports_are_reported():
    index = index_of("dynamic_import")
    run = PROJECTS / "dynamic_import/run.py"
    assert index.unresolvable_reason(run, "utils.set_seed") == (
        Unresolvable("dynamic_import", "importlib.import_module")
    )
    assert index.unresolvable_reason(run, "tools.set_seed") == (
        Unresolvable("dynamic_import", "__import__")
    )
    assert index.resolve_call(run, "utils.set_seed") is None


def test_reexport_cycle_is_reported_not_followed_forever():
    index = index_of("cycle")
    reason = index.unresolvable_reason(PROJECTS / "cycle/main.py", "helper")
    assert reason is not None and reason.kind == "cycle"


def test_a_file_outside_the_project():
    index = index_of("cycle")
    assert index.unresolvable_reason(PROJECTS / "star_import/train.py", "x") == Unresolvable(
        "not_in_project", str(PROJECTS / "star_import/train.py")
    )
    assert index.resolve_call(PROJECTS / "star_import/train.py", "x") is None


# -- seeding helpers -------------------------------------------------------------------


def test_helper_chain_two_deep():
    index = index_of("helper_chain")
    file = "tools/seeding.py"
    torch_only = index.seeding_helper(sym("helper_chain", file, "tools.seeding", "_seed_torch", 11))
    everything = index.seeding_helper(
        sym("helper_chain", file, "tools.seeding", "fix_everything", 6)
    )
    prepare = index.seeding_helper(
        sym("helper_chain", "tools/setup.py", "tools.setup", "prepare", 4)
    )
    assert torch_only.kind == "only_seeds" and torch_only.rngs == {"torch"}
    assert everything.kind == "only_seeds" and everything.rngs == {"random", "torch"}
    assert everything.via == (torch_only.symbol,)
    assert everything.seed_param == SeedParam("s", 0)
    assert lines(everything) == [(7, 7), (8, 8)]
    assert [c.target for c in everything.calls] == ["tools.seeding._seed_torch", "random.seed"]
    # tools/setup.py names no seeding call: it was found through the helper's name.
    assert prepare.kind == "only_seeds" and prepare.rngs == {"random", "torch"}
    assert prepare.via == (everything.symbol,)
    assert prepare.seed_param == SeedParam("value", 0)
    assert prepare.location == loc("helper_chain", "tools/setup.py", 4, 0, 6, 25)
    assert lines(prepare) == [(6, 6)]


def test_helper_shared_by_two_entry_scripts():
    index = index_of("shared_helper")
    seed_all = sym("shared_helper", "common.py", "common", "seed_all", 4)
    helper = index.seeding_helper(seed_all)
    assert helper.kind == "only_seeds" and helper.rngs == {"torch"}
    assert helper.seed_param == SeedParam("seed", 0)
    assert [(e.caller, e.location.line, e.kind) for e in index.callers(seed_all)] == [
        (sym("shared_helper", "evaluate.py", "evaluate", "<module>", 1), 4, "call"),
        (sym("shared_helper", "lib.py", "lib", "never_called", 4), 5, "call"),
        (sym("shared_helper", "train.py", "train", "main", 4), 5, "call"),
    ]
    assert index.entry_scripts_reaching(seed_all) == ("evaluate", "train")
    assert (
        index.entry_scripts_reaching(sym("shared_helper", "lib.py", "lib", "never_called", 4)) == ()
    )


def test_mixed_helper_gives_the_lines_that_only_seed():
    index = index_of("mixed_helper")
    helper = index.seeding_helper(sym("mixed_helper", "utils.py", "utils", "set_random_seed", 8))
    assert helper.kind == "mixed" and not helper.only_seeds
    assert helper.rngs == {"random", "numpy", "torch", "cuda"}
    assert helper.seed_param == SeedParam("seed", 0)
    assert helper.rank_term is None
    # ``if torch.cuda.is_available():`` only guards seeding: it goes as a whole.
    assert helper.statements == (
        loc("mixed_helper", "utils.py", 10, 4, 10, 21),
        loc("mixed_helper", "utils.py", 11, 4, 11, 24),
        loc("mixed_helper", "utils.py", 12, 4, 12, 27),
        loc("mixed_helper", "utils.py", 13, 4, 14, 40),
    )
    assert helper.other == ("PYTHONHASHSEED", "cudnn flags")
    assert helper.location == loc("mixed_helper", "utils.py", 8, 0, 18, 46)


def test_per_rank_helpers_record_the_rank_term():
    index = index_of("rank_helper")
    file = "dist_utils.py"

    def helper(name: str, line: int):
        return index.seeding_helper(sym("rank_helper", file, "dist_utils", name, line))

    per_rank = helper("seed_per_rank", 9)  # seed = seed + dist.get_rank(); then seeds
    assert per_rank.kind == "only_seeds"
    assert per_rank.rngs == {"random", "numpy", "torch"}
    assert per_rank.seed_param == SeedParam("seed", 0)
    assert per_rank.rank_term == RankTerm(
        "dist.get_rank()",
        loc("rank_helper", file, 10, 18, 10, 33),
        loc("rank_helper", file, 10, 11, 10, 33),
        "seed",
    )
    assert lines(per_rank) == [(11, 11), (12, 12), (13, 13)]
    local = helper("seed_with_local_rank", 16)  # torch.manual_seed(seed + local_rank)
    assert local.seed_param == SeedParam("seed", 0)
    assert local.rank_term == RankTerm(
        "local_rank",
        loc("rank_helper", file, 17, 29, 17, 39),
        loc("rank_helper", file, 17, 22, 17, 39),
        "seed",
        "local_rank",
        1,
    )
    env = helper("seed_from_env", 20)  # np.random.seed(base + int(os.environ["RANK"]))
    assert env.seed_param == SeedParam("base", 0)
    assert env.rank_term.text == 'int(os.environ["RANK"])'
    assert env.rank_term.without_rank == "base"
    assert env.rank_term.location == loc("rank_helper", file, 21, 26, 21, 49)
    # The caller passes its rank to the helper's rank parameter.
    process = helper("seed_process", 24)
    assert process.seed_param == SeedParam("args", 0, "seed")
    assert process.rank_term.text == "args.local_rank"
    assert process.rank_term.location == loc("rank_helper", file, 25, 36, 25, 51)
    assert process.via == (local.symbol,)


def test_cycle_between_two_helper_modules():
    index = index_of("cycle")
    seed_a = index.seeding_helper(sym("cycle", "a.py", "a", "seed_a", 6))
    seed_b = index.seeding_helper(sym("cycle", "b.py", "b", "seed_b", 5))
    for helper in (seed_a, seed_b):
        assert helper.kind == "only_seeds"
        assert helper.rngs == {"random", "numpy"}
        assert helper.seed_param == SeedParam("seed", 0, None, None)
    assert seed_a.via == (seed_b.symbol,) and seed_b.via == (seed_a.symbol,)
    assert lines(seed_a) == [(7, 7), (8, 9)]  # the ``if again:`` guard goes whole


def test_helpers_behind_star_and_dynamic_imports_are_still_classified():
    star = index_of("star_import")
    assert star.seeding_helper(sym("star_import", "helpers.py", "helpers", "seed_torch", 6))
    dynamic = index_of("dynamic_import")
    assert dynamic.seeding_helper(sym("dynamic_import", "utils.py", "utils", "set_seed", 4))


def test_helper_default_and_attribute_seed_parameters():
    index = index_of("helper_alias")
    fix = index.seeding_helper(
        sym("helper_alias", "utils/misc.py", "utils.misc", "fix_random_seeds", 4)
    )
    assert fix.seed_param == SeedParam("seed", 0, None, "31")
    main = index.seeding_helper(sym("helper_alias", "main.py", "main", "main", 4))
    assert main.seed_param == SeedParam("args", 0, "seed")
    assert main.via == (fix.symbol,)


def test_a_function_nobody_summarised_is_classified_on_demand(tmp_path):
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "mixed.py").write_text(
        "import torch\n\n\ndef setup(seed):\n    torch.manual_seed(seed)\n"
        "    torch.backends.cudnn.benchmark = True\n"
    )
    (tmp_path / "prepare.py").write_text(
        "from mixed import setup\n\n\ndef prepare(s):\n    setup(s)\n    print(s)\n"
    )
    (tmp_path / "run.py").write_text("from prepare import prepare\n\n\ndef go():\n    prepare(1)\n")
    index = ProjectIndex.build(tmp_path)
    go = index.resolve("run", "go")
    # ``prepare`` seeds only through a helper that does more: its callers are not
    # searched for, so ``go`` is classified when asked about.
    assert go not in index.seeding_helpers
    helper = index.seeding_helper(go)
    assert helper is not None and helper.kind == "mixed"
    assert helper.other == ("calls prepare.prepare(), which does more than seeding",)


def test_worker_init_functions_are_per_worker(tmp_path):
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "data.py").write_text(
        "import numpy as np\n\n\ndef init_fn(worker_id):\n    np.random.seed(worker_id)\n"
    )
    (tmp_path / "train.py").write_text(
        "import torch\nfrom data import init_fn\n\n"
        "loader = torch.utils.data.DataLoader([], worker_init_fn=init_fn)\n"
    )
    index = ProjectIndex.build(tmp_path)
    assert index.seeding_helper(index.resolve("data", "init_fn")).per_worker


# -- seed options defined in another module --------------------------------------------


def test_parse_args_helper_in_another_module():
    index = index_of("parse_args_helper")
    utils = "rl/utils.py"
    parse_args = sym("parse_args_helper", utils, "rl.utils", "parse_args", 4)
    assert index.resolve("train_fabric", "parse_args") == parse_args
    assert index.argparse_function(parse_args) == ArgparseFunction(
        parse_args,
        "args",
        SeedOption(loc("parse_args_helper", utils, 7, 4, 7, 86), "seed", ("--seed",), "42", "int"),
    )
    common = SeedOption(
        loc("parse_args_helper", utils, 13, 4, 13, 60),
        "random_seed",
        ("--random-seed",),
        "0",
        "int",
    )
    adds = sym("parse_args_helper", utils, "rl.utils", "add_common_args", 11)
    build = sym("parse_args_helper", utils, "rl.utils", "build_parser", 16)
    known = sym("parse_args_helper", utils, "rl.utils", "parse_known", 22)
    assert index.argparse_functions == {
        parse_args: index.argparse_function(parse_args),
        adds: ArgparseFunction(adds, None, common, "parser"),  # through an argument group
        build: ArgparseFunction(build, "parser", common),  # add_common_args(parser)
        known: ArgparseFunction(known, "args", common),  # parser = build_parser()
    }
    main = sym("parse_args_helper", "train_fabric.py", "train_fabric", "main", 5)
    assert index.argparse_function(main) is None


# -- entry scripts and callers ---------------------------------------------------------


def test_console_scripts_main_modules_and_guards_are_entry_scripts():
    index = index_of("console_script")
    src = PROJECTS / "console_script/src/cs"
    assert index.entry_scripts == {
        "cs.__main__": EntryScript("cs.__main__", src / "__main__.py", "main_module"),
        "cs.cli": EntryScript("cs.cli", src / "cli.py", "console_script", "main"),
        "cs.gui": EntryScript("cs.gui", src / "gui.py", "gui_script", "run"),
    }
    assert index.is_entry_script(src / "cli.py") and not index.is_entry_script(src / "engine.py")
    cfg = index_of("setup_cfg_script")
    main = PROJECTS / "setup_cfg_script/tool/main.py"
    assert cfg.entry_scripts == {
        "tool.main": EntryScript("tool.main", main, "console_script", "cli")
    }
    guards = index_of("shared_helper").entry_scripts
    assert [(e.module, e.kind, e.line) for e in guards.values()] == [
        ("evaluate", "main_guard", 3),
        ("train", "main_guard", 8),
    ]


def test_epoch_loop_in_a_library_module_is_reached_from_the_console_script():
    index = index_of("console_script")
    engine = "src/cs/engine.py"
    fit = sym("console_script", engine, "cs.engine", "Trainer.fit", 2)
    epoch = sym("console_script", engine, "cs.engine", "Trainer.train_one_epoch", 6)
    main = sym("console_script", "src/cs/cli.py", "cs.cli", "main", 4)
    # ``trainer = Trainer(); trainer.fit(3)`` and ``self.train_one_epoch(epoch)``
    assert index.resolve("cs.cli", "Trainer.fit") == fit
    assert index.callers(fit) == (
        CallEdge(main, fit, loc("console_script", "src/cs/cli.py", 6, 4, 6, 18), "call"),
    )
    assert [e.caller for e in index.callers(epoch)] == [fit]
    # ``cs-train`` runs ``cs.cli:main``; ``python -m cs`` runs __main__.py, which calls it.
    assert index.entry_scripts_reaching(epoch) == ("cs.__main__", "cs.cli")
    assert index.entry_scripts_reaching(main) == ("cs.__main__", "cs.cli")
    unused = sym("console_script", engine, "cs.engine", "unused_loop", 10)
    assert index.callers(unused) == () and index.entry_scripts_reaching(unused) == ()


def test_references_count_as_calls_for_reaching(tmp_path):
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "engine.py").write_text("def worker(rank):\n    return rank\n")
    (tmp_path / "launch.py").write_text(
        "import torch.multiprocessing as mp\nfrom engine import worker\n\n"
        'if __name__ == "__main__":\n    mp.spawn(worker, nprocs=2)\n'
    )
    index = ProjectIndex.build(tmp_path)
    worker = index.resolve("engine", "worker")
    assert [e.kind for e in index.callers(worker)] == ["reference"]
    assert index.entry_scripts_reaching(worker) == ("launch",)


# -- caching and serialisation ---------------------------------------------------------


def _fixture_files() -> list[Path]:
    return sorted(PROJECTS.rglob("*.py"))


@pytest.mark.parametrize("path", _fixture_files(), ids=lambda p: str(p.relative_to(PROJECTS)))
def test_module_summary_json_round_trip_and_shared_tree(path):
    text = path.read_text(encoding="utf-8")
    summary = summarise_module(text)
    data = json.loads(json.dumps(summary.to_json()))
    assert ModuleSummary.from_json(data).to_json() == summary.to_json()
    assert summarise_module(text, ast.parse(text)).to_json() == summary.to_json()


def test_summary_json_of_another_format_is_refused():
    data = summarise_module("x = 1\n").to_json()
    data["format"] = -1
    with pytest.raises(ValueError):
        ModuleSummary.from_json(data)


def _facts(index: ProjectIndex) -> tuple:
    return (
        index.modules,
        index.seeding_helpers,
        index.entry_scripts,
        index.argparse_functions,
    )


@pytest.mark.parametrize("case", ["rank_helper", "parse_args_helper", "console_script", "cycle"])
def test_index_json_and_pickle_round_trip(case):
    index = index_of(case)
    data = json.loads(json.dumps(index.to_json()))
    assert _facts(ProjectIndex.from_json(data)) == _facts(index)
    assert _facts(pickle.loads(pickle.dumps(index))) == _facts(index)


def test_cache_is_filled_then_used_and_only_changed_files_are_summarised(tmp_path, monkeypatch):
    root = tmp_path / "proj"
    shutil.copytree(PROJECTS / "helper_chain", root)
    cache: dict = {}
    first = ProjectIndex.build(root, cache=cache)
    assert set(cache) == set(first.file_keys().values())
    assert summary_key((root / "train.py").read_bytes()) in cache

    seen: list[bytes] = []
    real = project_module.summarise_source

    def counting(data: bytes):
        seen.append(data)
        return real(data)

    monkeypatch.setattr(project_module, "summarise_source", counting)
    again = ProjectIndex.build(root, cache=cache)
    assert seen == [] and again.seeding_helpers.keys() == first.seeding_helpers.keys()

    changed = (root / "train.py").read_text() + "\nprint('changed')\n"
    (root / "train.py").write_text(changed)
    ProjectIndex.build(root, cache=cache)
    assert seen == [changed.encode()]


def test_summaries_can_be_computed_elsewhere():
    root = PROJECTS / "relative_imports"
    given = {
        p: summarise_module(p.read_text())
        for p in root.rglob("*.py")
        if needs_summary(p.read_bytes())
    }
    shared = ProjectIndex.build(root, summaries=given)
    parallel = ProjectIndex.build(root, mapper=map)
    assert _facts(shared) == _facts(index_of("relative_imports")) == _facts(parallel)
    # More summaries than the index needs change nothing.
    everything = {p: summarise_module(p.read_text()) for p in PROJECTS.rglob("*.py")}
    assert _facts(ProjectIndex.build(PROJECTS / "helper_chain", summaries=everything)) == _facts(
        index_of("helper_chain")
    )


def test_check_workers_can_fill_the_cache(monkeypatch):
    root = PROJECTS / "helper_chain"
    cache = {}
    for path in root.rglob("*.py"):
        data = path.read_bytes()
        text = data.decode()
        found = worker_summary(data, text, ast.parse(text))
        assert found == worker_summary(data)
        if found is not None:
            cache[found[0]] = found[1]
    assert worker_summary(b"def f():\n    return 1\n") is None

    seen: list[bytes] = []
    real = project_module.summarise_source

    def counting(data: bytes):
        seen.append(data)
        return real(data)

    monkeypatch.setattr(project_module, "summarise_source", counting)
    assert _facts(ProjectIndex.build(root, cache=cache)) == _facts(index_of("helper_chain"))
    # Only tools/setup.py, which the build found by the helper's name, is parsed.
    assert seen == [(root / "tools/setup.py").read_bytes()]


def test_needs_summary():
    assert needs_summary(b"import random\nrandom.seed(0)\n")
    assert needs_summary(b"from numpy.random import (\n    rand,\n    seed,\n)\n")
    assert needs_summary(b'if __name__ == "__main__":\n    main()\n')
    assert needs_summary(b'p.add_argument("--manualSeed", type=int)\n')
    assert needs_summary("ｒａｎｄｏｍ.ｓｅｅｄ(0)\n".encode())
    assert not needs_summary(b"args.seed = 3\nprint('seeds')\n")
    assert not needs_summary(b"def f():\n    return g()\n")


# -- real files ------------------------------------------------------------------------


def _corpus(limit: int = 60) -> list[Path]:
    files: list[Path] = []
    for name in ("torch", "tensorflow", "numpy"):
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            continue
        root = Path(next(iter(spec.submodule_search_locations)))
        found = sorted(p for p in root.rglob("*.py") if p.stat().st_size <= 40_000)
        step = max(1, len(found) // (limit // 3))
        files.extend(found[::step][: limit // 3])
    return files


CORPUS = _corpus()


@pytest.mark.skipif(not CORPUS, reason="no torch/tensorflow/numpy installed")
def test_real_files_summarise_and_round_trip():
    for path in CORPUS:
        text = path.read_bytes().decode("utf-8", "replace")
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue
        summary = summarise_module(text, tree)
        assert ModuleSummary.from_json(json.loads(json.dumps(summary.to_json()))) is not None
