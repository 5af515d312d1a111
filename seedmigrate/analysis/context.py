"""Facts about one parsed file that every rule shares, computed in one walk."""

from __future__ import annotations

import ast
import re
import warnings
from collections.abc import Iterator
from functools import cached_property

from seedmigrate.analysis.model import Edit, EditKind, Finding, Pos
from seedmigrate.analysis.names import _CHILD_FIELDS, NameResolver, child_fields
from seedmigrate.config import Config

#: Calls that seed a process-global RNG (qualified names, resolved through imports).
SEEDING_FUNCTIONS: frozenset[str] = frozenset(
    {
        "random.seed",
        "numpy.random.seed",
        "tensorflow.random.set_seed",
        "tensorflow.random.set_random_seed",
        "tensorflow.set_random_seed",
        "tensorflow.compat.v1.set_random_seed",
        "tensorflow.compat.v1.random.set_random_seed",
        "tensorflow.compat.v2.random.set_seed",
        "tensorflow.keras.utils.set_random_seed",
        "keras.utils.set_random_seed",
        "tf_keras.utils.set_random_seed",
        "torch.manual_seed",
        "torch.random.manual_seed",
        "torch.cuda.manual_seed",
        "torch.cuda.manual_seed_all",
        "torch.cuda.random.manual_seed",
        "torch.cuda.random.manual_seed_all",
        "transformers.set_seed",
        "transformers.trainer_utils.set_seed",
        "accelerate.utils.set_seed",
        "lightning.seed_everything",
        "lightning.pytorch.seed_everything",
        "lightning.fabric.seed_everything",
        "lightning.fabric.utilities.seed.seed_everything",
        "lightning.pytorch.utilities.seed.seed_everything",
        "lightning_fabric.utilities.seed.seed_everything",
        "pytorch_lightning.seed_everything",
        "pytorch_lightning.utilities.seed.seed_everything",
    }
)

#: ``DistributedSampler`` (shuffles with its own ``seed=``, per ``set_epoch``).
SAMPLERS: frozenset[str] = frozenset(
    {
        "torch.utils.data.DistributedSampler",
        "torch.utils.data.distributed.DistributedSampler",
    }
)

TF_ROOTS = frozenset({"tensorflow", "keras", "tf_keras"})
TORCH_ROOTS = frozenset(
    {"torch", "torchvision", "lightning", "pytorch_lightning", "transformers", "accelerate"}
)
#: Lightning Trainer users get ``seeder_runtime.lightning`` (torch API + SeederCallback).
LIGHTNING_ROOTS = frozenset({"lightning", "pytorch_lightning"})


def parse(text: str, path: str = "<unknown>") -> ast.Module:
    """``ast.parse`` without the warnings (invalid escapes...) that are not ours."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(text, filename=path)


#: Characters ``str.splitlines`` breaks on but Python's tokenizer does not (form feed...).
_NOT_LINE_BREAKS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def source_lines(text: str) -> list[str]:
    """``text`` split into lines as ``ast`` numbers them (``\\n``, ``\\r\\n``, ``\\r``), ends kept.

    ``str.splitlines`` also breaks on form feeds and Unicode separators, which would
    shift every line number after one; it is used only when the text has none.
    """
    if _NOT_LINE_BREAKS.search(text) is None:
        return text.splitlines(keepends=True)
    return _LINE.findall(text)


def _walk(tree: ast.AST) -> tuple[list[ast.AST], dict[int, ast.AST]]:
    """Every node in ``ast.walk`` order (breadth first), and each node's parent by id.

    One inlined pass instead of ``ast.walk`` plus ``ast.iter_child_nodes`` per node,
    skipping fields that hold names and constants: this runs on every analysed file
    and was the largest share of the analysis time.
    """
    AST = ast.AST
    known = _CHILD_FIELDS
    nodes: list[ast.AST] = [tree]
    parents: dict[int, ast.AST] = {}
    append = nodes.append
    for node in nodes:  # grows while iterated: breadth first, like ast.walk
        fields = known.get(type(node))
        if fields is None:
            fields = child_fields(type(node))
        for name in fields:
            value = getattr(node, name, None)
            if isinstance(value, AST):
                parents[id(value)] = node
                append(value)
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, AST):
                        parents[id(item)] = node
                        append(item)
    return nodes, parents


#: A module-level literal with at least this many nodes is left out of the analysis.
PRUNE_FROM = 5_000


def _literal_size(node: ast.AST, limit: int = 10_000_000) -> int:
    """How many nodes the literal ``node`` has (0 if it is not pure literal data)."""
    count = 0
    stack = [node]
    while stack:
        current = stack.pop()
        kind = type(current)
        count += 1
        if kind is ast.Constant:
            continue
        if kind is ast.List or kind is ast.Tuple or kind is ast.Set:
            stack.extend(current.elts)  # type: ignore[attr-defined]
        elif kind is ast.Dict:
            keys = current.keys  # type: ignore[attr-defined]
            if any(k is None for k in keys):
                return 0  # ``{**other}``
            stack.extend(keys)
            stack.extend(current.values)  # type: ignore[attr-defined]
        elif kind is ast.UnaryOp and type(current.operand) is ast.Constant:  # type: ignore[attr-defined]
            count += 1
        else:
            return 0
        if count > limit:
            break
    return count


def prune_literal_data(tree: ast.Module) -> None:
    """Replace each large literal assigned at module level (``TABLE = [(0, 0.5), ...]``)
    by ``...`` in ``tree``, in place, keeping its position: the analysis then walks the
    code, not the data, and the table's nodes are freed. A literal holds no call, name or
    import, so no finding can change."""
    for stmt in tree.body:
        if not isinstance(stmt, (ast.Assign, ast.AnnAssign)) or stmt.value is None:
            continue
        value = stmt.value
        if not isinstance(value, (ast.List, ast.Tuple, ast.Set, ast.Dict)):
            continue
        if _literal_size(value) >= PRUNE_FROM:
            stmt.value = ast.copy_location(ast.Constant(value=...), value)
            stmt.value.end_lineno = value.end_lineno
            stmt.value.end_col_offset = value.end_col_offset


class FileContext:
    """One file's source, its ``ast`` tree and the facts rules look up."""

    def __init__(self, text: str, tree: ast.Module, config: Config | None = None) -> None:
        self.text = text
        self.tree = tree
        prune_literal_data(tree)
        self.config = config or Config()
        self.names = NameResolver(tree)
        #: Every node of the tree, in ``ast.walk`` order.
        self.nodes, self.parents = _walk(tree)
        qualify = self.names.qualify
        self.calls: list[tuple[ast.Call, str | None]] = [
            (node, qualify(node.func)) for node in self.nodes if isinstance(node, ast.Call)
        ]

    @cached_property
    def _scope_nodes(self) -> dict[int, list[ast.AST]]:
        """``id(scope)`` -> the nodes of that scope's own code, in ``ast.walk`` order.

        A scope is the module, a function, a lambda or a class; a nested one's node is
        listed in its parent scope, its contents in its own. Built in one pass (parents
        come before children in ``nodes``), so scoped walks never re-walk the tree.
        """
        scopes = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
        owner: dict[int, ast.AST] = {}
        found: dict[int, list[ast.AST]] = {id(self.tree): []}
        parents = self.parents
        tree = self.tree
        for node in self.nodes:
            parent = parents.get(id(node))
            if parent is None:
                continue
            scope = parent if isinstance(parent, scopes) else owner.get(id(parent), tree)
            owner[id(node)] = scope
            found.setdefault(id(scope), []).append(node)
        return found

    def scope_nodes(self, scope: ast.AST) -> list[ast.AST]:
        """The nodes of ``scope``'s own code (nested functions' bodies excluded)."""
        return self._scope_nodes.get(id(scope), [])

    # -- positions -------------------------------------------------------------------

    @cached_property
    def _ascii(self) -> bool:
        return self.text.isascii()

    @cached_property
    def _lines(self) -> list[str]:
        return source_lines(self.text)

    @cached_property
    def _line_bytes(self) -> list[bytes]:
        return [line.encode("utf-8") for line in self._lines]

    @cached_property
    def _line_starts(self) -> list[int]:
        """Offset of each line's first character (bytes = characters in ASCII text)."""
        lines = self._lines if self._ascii else self._line_bytes
        starts = [0] * (len(lines) + 1)
        total = 0
        for number, line in enumerate(lines, start=1):
            total += len(line)
            starts[number] = total
        return starts

    def _char_col(self, line: int, byte_col: int) -> int:
        if 0 < line <= len(self._lines):
            if self._ascii:
                return min(byte_col, len(self._lines[line - 1]))
            return len(self._line_bytes[line - 1][:byte_col].decode("utf-8", "replace"))
        return byte_col

    def pos(self, node: ast.AST) -> Pos:
        """``(line, column)`` of ``node``'s start, column in characters (libcst's)."""
        return node.lineno, self._char_col(node.lineno, node.col_offset)  # type: ignore[attr-defined]

    def end_pos(self, node: ast.AST) -> Pos:
        line = node.end_lineno or node.lineno  # type: ignore[attr-defined]
        return line, self._char_col(line, node.end_col_offset or 0)  # type: ignore[attr-defined]

    def finding(
        self,
        code: str,
        node: ast.AST,
        message: str,
        edits: tuple[Edit, ...] | list[Edit] = (),
        *,
        fixable: bool | None = None,
    ) -> Finding:
        """A finding spanning ``node``; fixable when it carries edits unless told otherwise."""
        line, col = self.pos(node)
        end_line, end_col = self.end_pos(node)
        edits = tuple(edits)
        return Finding(
            code,
            message,
            line,
            col + 1,
            end_line,
            end_col + 1,
            bool(edits) if fixable is None else fixable,
            edits,
        )

    def source_of(self, node: ast.AST) -> str:
        """The exact source text of ``node`` (what ``ast.get_source_segment`` returns).

        ``ast.get_source_segment`` splits the whole file into lines on every call, which
        made analysis quadratic in file size; the line offsets are computed once here.
        """
        end_line = getattr(node, "end_lineno", None)
        end_col = getattr(node, "end_col_offset", None)
        if end_line is None or end_col is None:
            # an expression built by the analysis (``args.seed`` for a helper that reads
            # ``args.seed`` from its parameter): no place in the file, its own spelling
            return ast.unparse(node) if isinstance(node, ast.expr) else ""
        starts = self._line_starts
        start = starts[node.lineno - 1] + node.col_offset  # type: ignore[attr-defined]
        end = starts[end_line - 1] + end_col
        if self._ascii:
            return self.text[start:end]
        return self._encoded[start:end].decode("utf-8")

    @cached_property
    def _encoded(self) -> bytes:
        return self.text.encode("utf-8")

    # -- tree navigation -------------------------------------------------------------

    def parent(self, node: ast.AST) -> ast.AST | None:
        return self.parents.get(id(node))

    def ancestors(self, node: ast.AST) -> Iterator[ast.AST]:
        current = self.parent(node)
        while current is not None:
            yield current
            current = self.parent(current)

    def statement_of(self, node: ast.AST) -> ast.stmt | None:
        """The innermost statement that contains ``node`` (itself if a statement)."""
        if isinstance(node, ast.stmt):
            return node
        for ancestor in self.ancestors(node):
            if isinstance(ancestor, ast.stmt):
                return ancestor
        return None

    def enclosing_function(self, node: ast.AST) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        for ancestor in self.ancestors(node):
            if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef)):
                return ancestor
        return None

    def qualify(self, node: ast.AST) -> str | None:
        return self.names.qualify(node)

    # -- what the file uses ----------------------------------------------------------

    @cached_property
    def imported_modules(self) -> set[str]:
        """Every module path the file imports from (``numpy``, ``tensorflow.keras``...)."""
        found: set[str] = set()
        for node in self.nodes:
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.add(node.module)
        return found

    @cached_property
    def roots(self) -> set[str]:
        return {name.split(".")[0] for name in self.imported_modules}

    @property
    def uses_tf(self) -> bool:
        return bool(self.roots & TF_ROOTS)

    @property
    def uses_torch(self) -> bool:
        return bool(self.roots & TORCH_ROOTS)

    @property
    def uses_lightning(self) -> bool:
        return bool(self.roots & LIGHTNING_ROOTS)

    @property
    def uses_ml(self) -> bool:
        """Imports a framework or numpy: a file whose loops may be training loops."""
        return bool(self.roots & (TF_ROOTS | TORCH_ROOTS | {"numpy", "jax", "horovod"}))

    @cached_property
    def seeder_import(self) -> tuple[str, str] | None:
        """``(alias, module)`` of an existing ``seeder_runtime``/``fwr13y`` import."""
        runtime = self.config.runtime_module
        for node in self.nodes:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if _is_runtime(alias.name, runtime) and alias.asname:
                        return alias.asname, alias.name
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    if _is_runtime(full, runtime):
                        return alias.asname or alias.name, full
        return None

    @cached_property
    def seeder_name(self) -> str:
        """The name inserted code calls the runtime by (existing alias, else a free one)."""
        if self.seeder_import:
            return self.seeder_import[0]
        for candidate in ("seeder", "seeder_rt", "seedmigrate_seeder"):
            if not self.names.is_bound(candidate):
                return candidate
        return "seedmigrate_seeder"

    @cached_property
    def backend_module(self) -> str:
        """``seeder_runtime.tf`` / ``.torch`` / ``.lightning`` / plain, by the frameworks
        the file imports (``.lightning`` is ``.torch`` plus ``SeederCallback``)."""
        base = self.config.runtime_module
        if self.uses_lightning:
            return f"{base}.lightning"
        if self.uses_tf and (not self.uses_torch or self.has_keras_fit):
            return f"{base}.tf"
        if self.uses_torch:
            return f"{base}.torch"
        return base

    @cached_property
    def has_keras_fit(self) -> bool:
        return any(
            isinstance(call.func, ast.Attribute) and call.func.attr in ("fit", "fit_generator")
            for call, _ in self.calls
        )

    def import_edit(self) -> tuple[Edit, ...]:
        """The request for the runtime import (:attr:`EditKind.REQUIRE_IMPORT`), or
        nothing if the file has one."""
        if self.seeder_import:
            return ()
        return (Edit(EditKind.REQUIRE_IMPORT, code=self.backend_module, name=self.seeder_name),)

    def is_seeder_call(self, node: ast.AST, attr: str) -> bool:
        """True for ``<seeder alias>.<attr>(...)``."""
        return (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == attr
            and isinstance(node.func.value, ast.Name)
            and self.seeder_import is not None
            and node.func.value.id == self.seeder_import[0]
        )


def _is_runtime(module: str, runtime: str) -> bool:
    return (
        module == runtime or module.startswith(runtime + ".") or module.startswith("fwr13y.seeder")
    )
