"""Fixing one file's text: apply the fixable findings, keep only what the guarantees
allow, and repeat until a new analysis finds nothing left to fix.

Each round applies every fixable finding's edits in one libcst pass, re-parses and
re-analyses the result, and checks it with :mod:`seedmigrate.guarantees`. A violation is
traced to the finding whose edit caused it (the code it inserted, the statement it
removed), that finding is dropped, and the round is tried again without it: the file's
other edits still go ahead. A dropped finding is reported as SEED022 ("a fix was not
applied") naming the guarantee and why, for a human to decide.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field, replace

from seedmigrate.analysis.context import parse
from seedmigrate.analysis.model import Finding
from seedmigrate.config import Config
from seedmigrate.engine import analyse_tree
from seedmigrate.guarantees import GUARANTEES, Violation, check, facts_for

#: Rounds of apply -> re-analyse: a fix that makes another one possible (a new import
#: enabling a callback) is applied in the same run; more than three means a bug.
MAX_ROUNDS = 3
#: Findings that only make sense once ``seeder.init`` is added: when SEED005 (the init)
#: is withheld they go with it.
_NEEDS_INIT = frozenset(
    {
        "SEED001",
        "SEED002",
        "SEED003",
        "SEED004",
        "SEED006",
        "SEED007",
        "SEED009",
        "SEED020",
        "SEED021",
    }
)


@dataclass
class Fixed:
    """The outcome of fixing one text."""

    text: str
    findings: list[Finding]  # the final analysis, withheld fixes reported as SEED022
    withheld: list[tuple[Finding, Violation]] = field(default_factory=list)


def fix_text(
    text: str,
    findings: list[Finding],
    config: Config,
    path: str,
    *,
    tree: ast.Module | None = None,
    project=None,
) -> Fixed:
    """Apply ``findings``' fixes to ``text`` under the guarantees, to the fixpoint.

    Raises :class:`seedmigrate.transforms.FixError` or ``SyntaxError`` when an edit
    cannot be applied at all (the caller leaves the file unchanged).
    """
    withheld: list[tuple[Finding, Violation]] = []
    for _ in range(MAX_ROUNDS):
        fixable = [f for f in findings if f.fixable]
        if not fixable:
            break
        new_text, tree, dropped = _apply_guarded(text, fixable, config, path, tree, project)
        withheld += dropped
        if new_text == text:
            break
        text = new_text
        findings = analyse_tree(text, tree, config, path, project)
    return Fixed(text, _report(findings, withheld, path), withheld)


def _apply_guarded(
    text: str,
    fixable: list[Finding],
    config: Config,
    path: str,
    before_tree: ast.Module | None = None,
    project=None,
) -> tuple[str, ast.Module, list[tuple[Finding, Violation]]]:
    from seedmigrate.transforms import apply_edits

    if before_tree is None:
        before_tree = parse(text, path)
    before = facts_for(text, before_tree, config, project)
    active = list(fixable)
    dropped: list[tuple[Finding, Violation]] = []
    while active:
        new_text = apply_edits(text, [e for f in active for e in f.edits], before_tree)
        tree = parse(new_text, path)
        violations = check(before, facts_for(new_text, tree, config, project))
        if not violations:
            return new_text, tree, dropped
        newly = 0
        for violation in violations:
            for finding in _blame(violation, active, before, new_text):
                if finding in active:
                    active.remove(finding)
                    dropped.append((finding, violation))
                    newly += 1
        if not newly:  # no edit can be blamed: none of them is written
            dropped += [(finding, violations[0]) for finding in active]
            break
        _drop_dependents(active, dropped)
    return text, before_tree, dropped


def _drop_dependents(active: list[Finding], dropped: list[tuple[Finding, Violation]]) -> None:
    """Findings that cannot stand without a dropped one: everything that needs ``init``
    when the init is withheld; every removal of a statement another dropped finding
    removes too (a helper and its seeding calls go together or not at all)."""
    for finding, violation in list(dropped):
        removed = {e.pos for e in finding.edits if e.kind == "remove"}
        for other in list(active):
            if (finding.code == "SEED005" and other.code in _NEEDS_INIT) or (
                removed & {e.pos for e in other.edits if e.kind == "remove"}
            ):
                active.remove(other)
                dropped.append((other, violation))


def _blame(violation: Violation, active: list[Finding], before, new_text: str) -> list[Finding]:
    """The findings whose edits broke ``violation`` (all of them when none can be told)."""
    if violation.in_original:
        if violation.text.startswith("site:"):
            line = int(violation.text.split(":", 1)[1])
            removal = [
                f for f in active if any(e.kind == "remove" and e.pos[0] == line for e in f.edits)
            ]
            if violation.guarantee == "e":
                # an init that does not take the script's seed would reseed over the manual
                # call that stays: the run would be unseeded after all, so init goes too
                removal += [f for f in active if f.code == "SEED005"]
            return removal
        if violation.text.startswith("comment:"):
            return _blame_comment(int(violation.text.split(":", 1)[1]), active, before)
        return list(active)
    if violation.guarantee == "b":
        if violation.text.startswith("default:"):
            dest = violation.text.split(":", 1)[1]
            return [
                f
                for f in active
                if any(e.kind == "set_keyword" and e.name == "default" for e in f.edits)
            ] or list(active)
        if violation.text.startswith("init:"):
            return [f for f in active if f.code == "SEED005"] or list(active)
        dest = violation.text
        adders = [
            f
            for f in active
            if any(
                "add_argument(" in e.code and dest.replace("_", "-") in e.code.replace("_", "-")
                for e in f.edits
            )
        ]
        return adders or list(active)
    code = violation.text
    inserting = [f for f in active if any(code in _normal(e.code) for e in f.edits)]
    if len(inserting) > 1:
        inserting = _nearest(inserting, violation.line, before.ctx.text, new_text) or inserting
    if inserting:
        return inserting
    return [f for f in active if f.code == "SEED005"] or list(active)


def _nearest(findings: list[Finding], new_line: int, old: str, new: str) -> list[Finding]:
    """Of several findings that insert the same code, the one whose edit is nearest above
    the old line that ``new_line`` of the new text corresponds to."""
    from seedmigrate.guarantees import _line_map

    old_of_new = {n: o for o, n in _line_map(old, new).items() if n is not None}
    old_line = next((old_of_new[n] for n in range(new_line, 0, -1) if n in old_of_new), 1)
    best: list[Finding] = []
    best_line = -1
    for finding in findings:
        lines = [e.pos[0] for e in finding.edits if 0 < e.pos[0] <= old_line + 1]
        if lines and max(lines) > best_line:
            best, best_line = [finding], max(lines)
        elif lines and max(lines) == best_line:
            best.append(finding)
    return best


def _blame_comment(line: int, active: list[Finding], before) -> list[Finding]:
    """The removal whose statement held the comment or sat right below it."""
    ctx = before.ctx
    starts = {ctx.pos(n): n for n in ctx.nodes if isinstance(n, ast.stmt)}
    best, best_line = [], None
    for finding in active:
        for edit in finding.edits:
            node = starts.get(edit.pos) if edit.kind == "remove" else None
            if node is None:
                continue
            end = node.end_lineno or node.lineno
            if node.lineno >= line or end >= line >= node.lineno:
                if best_line is None or node.lineno < best_line:
                    best, best_line = [finding], node.lineno
                elif node.lineno == best_line:
                    best.append(finding)
    return best or list(active)


def _report(
    findings: list[Finding], withheld: list[tuple[Finding, Violation]], path: str
) -> list[Finding]:
    """The final analysis, its fixable findings (fixes that were withheld, or not done in
    ``MAX_ROUNDS``) replaced by SEED022 findings that say why."""
    reasons: dict[str, Violation] = {}
    for finding, violation in withheld:
        reasons.setdefault(finding.code, violation)
    report = []
    for finding in findings:
        if not finding.fixable:
            report.append(finding)
            continue
        reason = reasons.get(finding.code)
        if reason is None:
            why = f"(d) {GUARANTEES['d']}: still fixable after {MAX_ROUNDS} rounds"
        else:
            where = "" if reason.in_original else f" at line {reason.line}"
            why = f"({reason.guarantee}) {GUARANTEES[reason.guarantee]}: {reason.message}{where}"
        report.append(
            replace(
                finding,
                code="SEED022",
                message=f"{finding.code} fix not applied, it would break guarantee {why}. "
                f"{finding.code}: {finding.message}",
                fixable=False,
                edits=(),
                path=path,
            )
        )
    return report


def _normal(code: str) -> str:
    return re.sub(r"\s+", "", code)
