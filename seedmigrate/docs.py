"""Rule documentation, generated from the rules' own fields and examples.

``seedmigrate rule CODE`` prints :func:`rule_markdown`; ``docs/rules.md`` is
:func:`rules_reference` (``python -m seedmigrate.docs > docs/rules.md``), and a test
keeps the committed file equal to it.
"""

from __future__ import annotations

from seedmigrate.rules import ALL_RULES
from seedmigrate.rules.base import Rule


def _code_block(code: str) -> str:
    return f"```python\n{code.rstrip()}\n```\n"


def rule_markdown(rule: Rule) -> str:
    """One rule in ruff's shape: what it does, why, example, fix."""
    fixable = "fixed by `seedmigrate apply`" if rule.fixable else "reported for a human"
    parts = [
        f"## {rule.code} `{rule.slug}`\n\n",
        f"**{rule.summary}** — {fixable}.\n\n",
        f"### Why\n\n{rule.why}\n\n",
        f"### Fix\n\n{rule.fix}\n\n",
    ]
    for before, after in rule.examples:
        parts.append("### Example\n\nBefore:\n\n" + _code_block(before))
        parts.append("\nAfter `seedmigrate apply`:\n\n" + _code_block(after) + "\n")
    if rule.invalid:
        parts.append("### Flagged\n\n")
        parts.extend(_code_block(snippet) + "\n" for snippet in rule.invalid)
    if rule.valid:
        parts.append("### Not flagged\n\n")
        parts.extend(_code_block(snippet) + "\n" for snippet in rule.valid)
    return "".join(parts)


def guarantees_section() -> str:
    """What ``apply`` guarantees before it writes a file (from seedmigrate.guarantees)."""
    from seedmigrate.guarantees import GUARANTEE_DETAILS

    items = "".join(f"- **({key})** {text}.\n" for key, text in GUARANTEE_DETAILS.items())
    return (
        "## What `apply` guarantees\n\n"
        "A fix is judged by what the migrated program will do. Before a file is written, "
        "its new text is parsed and analysed again, and must keep every guarantee:\n\n"
        f"{items}\n"
        "An edit that would break one is not written: it is dropped, a SEED022 finding "
        "names the guarantee, the fix that was withheld and why, the file's other fixes "
        "and the other files go ahead, and `apply` exits with 1. `check` reports a fix "
        "as `[*]` when `apply` can plan it; the few that `apply` then withholds show up "
        "as SEED022 in its report.\n\n"
    )


def rules_reference() -> str:
    """The whole rule reference (``docs/rules.md``)."""
    header = (
        "# Rule reference\n\n"
        "Generated from `seedmigrate/rules/` by `python -m seedmigrate.docs`; "
        "every example below is run by the test suite.\n\n"
        "| code | slug | fix | summary |\n| --- | --- | --- | --- |\n"
    )
    rows = "".join(
        f"| [{r.code}](#{r.code.lower()}-{r.slug}) | `{r.slug}` | "
        f"{'apply' if r.fixable else 'manual'} | {r.summary} |\n"
        for r in ALL_RULES
    )
    rules = "".join(rule_markdown(r) for r in ALL_RULES)
    return header + rows + "\n" + guarantees_section() + rules


if __name__ == "__main__":
    import sys

    sys.stdout.write(rules_reference())
