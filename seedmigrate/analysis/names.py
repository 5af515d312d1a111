"""Resolve names to qualified names through a file's imports, on the stdlib ``ast``.

This is the cheap stand-in for libcst's ``ScopeProvider`` + ``QualifiedNameProvider``:
one walk builds a table of bindings per scope (module, function, lambda, class,
comprehension); a dotted expression such as ``np.random.seed`` resolves through the
nearest binding of its head name. A head bound by anything other than an import in
that scope (``random = torch.randn(3)``, a parameter called ``np``) resolves to
nothing, so a shadowed name is never mistaken for the module.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass, field

_SCOPE_NODES = (
    ast.Module,
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.Lambda,
    ast.ClassDef,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.GeneratorExp,
)


@dataclass
class Scope:
    """Bindings of one scope: name -> qualified module path, or ``None`` if not an import."""

    node: ast.AST
    parent: Scope | None
    imports: dict[str, str] = field(default_factory=dict)
    other: set[str] = field(default_factory=set)
    #: ``flags = tf.app.flags``: a name assigned once from a dotted name is an alias.
    aliases: dict[str, ast.expr] = field(default_factory=dict)

    @property
    def is_class(self) -> bool:
        return isinstance(self.node, ast.ClassDef)


def dotted_name(node: ast.AST) -> str | None:
    """``a.b.c`` for a Name/Attribute chain, else ``None``."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


#: ASDL field types that never hold a node (``Name(identifier id, expr_context ctx)``).
_LEAF_TYPES = frozenset({"identifier", "int", "string", "constant"})
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def child_fields(cls: type) -> tuple[str, ...]:
    """The fields of node class ``cls`` that may hold nodes, read from its ASDL signature.

    The signature is the first line of the class docstring; where it is not in that
    form every field is kept, which is merely slower. Skipping names and constants
    saves a third of every whole-tree walk.
    """
    fields = _CHILD_FIELDS.get(cls)
    if fields is None:
        fields = _CHILD_FIELDS[cls] = _signature_child_fields(cls)
    return fields


def _signature_child_fields(cls: type) -> tuple[str, ...]:
    signature = (cls.__doc__ or "").split("\n", 1)[0]
    match = re.fullmatch(rf"{cls.__name__}\((.*)\)", signature)
    if match is None:
        return tuple(getattr(cls, "_fields", ()))
    leaves = set()
    for declaration in filter(None, (part.strip() for part in match.group(1).split(","))):
        kind, _, name = declaration.rpartition(" ")
        if kind.rstrip("?*") in _LEAF_TYPES:
            leaves.add(name)
    return tuple(f for f in getattr(cls, "_fields", ()) if f not in leaves)


class _Binder(ast.NodeVisitor):
    """Collects the bindings of every scope and remembers each node's scope."""

    def __init__(self, module: ast.Module) -> None:
        self.scopes: dict[ast.AST, Scope] = {}
        self.scope_of: dict[int, Scope] = {}
        self.current = self._open(module, None)

    def _open(self, node: ast.AST, parent: Scope | None) -> Scope:
        scope = Scope(node, parent)
        self.scopes[node] = scope
        return scope

    def _bind_other(self, name: str) -> None:
        self.current.other.add(name)

    def visit(self, node: ast.AST) -> None:
        # ``NodeVisitor.visit`` builds the method name and looks it up for every node;
        # the handler per node class is looked up once (the binder is half of check's
        # analysis time on large files).
        cls = type(node)
        handler = _HANDLERS.get(cls)
        if handler is None:
            handler = _HANDLERS[cls] = getattr(_Binder, "visit_" + cls.__name__, _generic)
        handler(self, node)

    def generic_visit(self, node: ast.AST) -> None:
        self.scope_of[id(node)] = self.current
        visit = self.visit
        fields = _CHILD_FIELDS.get(type(node))
        if fields is None:
            fields = child_fields(type(node))
        for name in fields:  # ``NodeVisitor.generic_visit``, inlined
            value = getattr(node, name, None)
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST):
                        visit(item)
            elif isinstance(value, ast.AST):
                visit(value)

    # NodeVisitor.visit_Constant only forwards to the deprecated visit_Num & co.
    visit_Constant = generic_visit

    def _visit_scoped(self, node: ast.AST, body_fields: tuple[str, ...]) -> None:
        self.scope_of[id(node)] = self.current
        outer = self.current
        self.current = self._open(node, outer)
        for name in body_fields:
            value = getattr(node, name, None)
            if isinstance(value, list):
                for item in value:
                    self.visit(item)
            elif isinstance(value, ast.AST):
                self.visit(value)
        self.current = outer

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self._bind_other(node.name)
        for deco in node.decorator_list:
            self.visit(deco)
        for default in [*node.args.defaults, *node.args.kw_defaults]:
            if default is not None:
                self.visit(default)
        if node.returns is not None:
            self.visit(node.returns)
        self._visit_scoped(node, ("args", "body"))

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node: ast.Lambda) -> None:
        for default in [*node.args.defaults, *node.args.kw_defaults]:
            if default is not None:
                self.visit(default)
        self._visit_scoped(node, ("args", "body"))

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._bind_other(node.name)
        for item in [*node.decorator_list, *node.bases, *node.keywords]:
            self.visit(item)
        self._visit_scoped(node, ("body",))

    def _visit_comprehension(self, node: ast.AST) -> None:
        self._visit_scoped(node, ("generators", "elt", "key", "value"))

    visit_ListComp = visit_SetComp = visit_GeneratorExp = visit_DictComp = _visit_comprehension

    def visit_arg(self, node: ast.arg) -> None:
        self._bind_other(node.arg)
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, (ast.Store, ast.Del)):
            self._bind_other(node.id)
        self.scope_of[id(node)] = self.current

    def visit_Assign(self, node: ast.Assign) -> None:
        # ``hvd = None`` in an ``except ImportError`` fallback does not shadow the module.
        if isinstance(node.value, ast.Constant) and node.value.value is None:
            self.scope_of[id(node)] = self.current
            return
        target = node.targets[0] if len(node.targets) == 1 else None
        if isinstance(target, ast.Name) and dotted_name(node.value) is not None:
            self.scope_of[id(node)] = self.current
            self.scope_of[id(target)] = self.current
            self.visit(node.value)
            name = target.id
            if name in self.current.aliases or name in self.current.imports:
                self.current.aliases.pop(name, None)
                self._bind_other(name)
            else:
                self.current.aliases[name] = node.value
            return
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        self.scope_of[id(node)] = self.current
        for alias in node.names:
            if alias.asname:
                self.current.imports[alias.asname] = alias.name
            else:
                head = alias.name.split(".")[0]
                self.current.imports.setdefault(head, head)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        self.scope_of[id(node)] = self.current
        if node.level or not node.module:
            for alias in node.names:  # relative import: a local module, never a framework
                self._bind_other(alias.asname or alias.name)
            return
        for alias in node.names:
            if alias.name == "*":
                continue
            self.current.imports[alias.asname or alias.name] = f"{node.module}.{alias.name}"

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.name:
            self._bind_other(node.name)
        self.generic_visit(node)

    def visit_MatchAs(self, node: ast.MatchAs) -> None:
        if node.name:
            self._bind_other(node.name)
        self.generic_visit(node)

    def visit_Global(self, node: ast.Global) -> None:
        self.scope_of[id(node)] = self.current


_generic = _Binder.generic_visit
_HANDLERS: dict[type, Callable[[_Binder, ast.AST], None]] = {}


class NameResolver:
    """Answers "which module path does this expression name?" for one parsed file."""

    def __init__(self, module: ast.Module) -> None:
        binder = _Binder(module)
        for stmt in module.body:
            binder.visit(stmt)
        self._scope_of = binder.scope_of
        self.module_scope = binder.scopes[module]
        self._scopes = binder.scopes

    def scope_for(self, node: ast.AST) -> Scope:
        """The scope ``node`` was found in (module scope when unknown)."""
        return self._scope_of.get(id(node), self.module_scope)

    def lookup(self, name: str, scope: Scope, _depth: int = 0) -> str | None:
        """Qualified path bound to ``name`` as seen from ``scope``, or ``None``."""
        current: Scope | None = scope
        first = True
        while current is not None:
            if current.is_class and not first:
                current = current.parent
                continue
            if name in current.other:
                return None
            if name in current.imports:
                return current.imports[name]
            if name in current.aliases:
                return self.qualify(current.aliases[name], _depth + 1)
            current = current.parent
            first = False
        return None

    def qualify(self, node: ast.AST, _depth: int = 0) -> str | None:
        """Qualified name of a Name/Attribute chain (``np.random.seed`` -> ``numpy.random.seed``)."""
        if _depth > 8:  # ``a = b; b = a``
            return None
        dotted = dotted_name(node)
        if dotted is None:
            return None
        head, _, rest = dotted.partition(".")
        base = self.lookup(head, self.scope_for(_head_node(node)), _depth)
        if base is None:
            return None
        return f"{base}.{rest}" if rest else base

    def is_bound(self, name: str) -> bool:
        """True when ``name`` is bound anywhere in the file (to pick a free alias)."""
        return any(
            name in s.imports or name in s.other or name in s.aliases for s in self._scopes.values()
        )


def _head_node(node: ast.AST) -> ast.AST:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node
