"""Diffs between two versions: unified or side by side, changed words highlighted.

Prompts are prose: a reworded sentence is one long changed line, so besides the line diff
(difflib) the words that changed inside a replaced line are highlighted (bold on the line's
colour). Output is rich `Text`, so a terminal gets colours and a pipe gets plain text that is
still a valid unified diff.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator

from rich.table import Table
from rich.text import Text

_WORDS = re.compile(r"\s+|\w+|[^\w\s]")
REMOVED = "red"
ADDED = "green"
CONTEXT_LINES = 3


def _words(line: str) -> list[str]:
    return _WORDS.findall(line)


def _highlight(old: str, new: str) -> tuple[Text, Text]:
    """The two lines with the words that differ in bold."""
    a, b = _words(old), _words(new)
    left, right = Text(style=REMOVED), Text(style=ADDED)
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        changed = op != "equal"
        left.append("".join(a[i1:i2]), style=f"bold {REMOVED} reverse" if changed else None)
        right.append("".join(b[j1:j2]), style=f"bold {ADDED} reverse" if changed else None)
    return left, right


def unified(old: str, new: str, *, old_name: str, new_name: str) -> Text:
    """A unified diff of two texts, with word-level highlights on replaced lines."""
    a, b = old.splitlines(), new.splitlines()
    out = Text()
    out.append(f"--- {old_name}\n+++ {new_name}\n", style="bold")
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for group in matcher.get_grouped_opcodes(CONTEXT_LINES):
        first, last = group[0], group[-1]
        out.append(
            f"@@ -{first[1] + 1},{last[2] - first[1]} +{first[3] + 1},{last[4] - first[3]} @@\n",
            style="cyan",
        )
        for op, i1, i2, j1, j2 in group:
            if op == "equal":
                for line in a[i1:i2]:
                    out.append(f" {line}\n")
                continue
            pairs = list(_pairs(a[i1:i2], b[j1:j2])) if op == "replace" else []
            if pairs:
                for removed, _ in pairs:
                    out.append("-", style=REMOVED)
                    out.append_text(removed)
                    out.append("\n")
                for _, added in pairs:
                    out.append("+", style=ADDED)
                    out.append_text(added)
                    out.append("\n")
                continue
            for line in a[i1:i2]:
                out.append(f"-{line}\n", style=REMOVED)
            for line in b[j1:j2]:
                out.append(f"+{line}\n", style=ADDED)
    return out


def _pairs(old: list[str], new: list[str]) -> Iterator[tuple[Text, Text]]:
    """Replaced lines as highlighted pairs when both sides have as many lines, else nothing
    (a block rewritten into a different shape reads better without word marks)."""
    if len(old) != len(new):
        return
    for a, b in zip(old, new, strict=True):
        yield _highlight(a, b)


def side_by_side(old: str, new: str, *, old_name: str, new_name: str) -> Table:
    """Two columns, old and new, aligned by difflib, changed words highlighted."""
    a, b = old.splitlines(), new.splitlines()
    table = Table(show_lines=False, expand=True, box=None, pad_edge=False)
    table.add_column("", justify="right", style="dim", no_wrap=True)
    table.add_column(old_name, ratio=1, overflow="fold")
    table.add_column("", justify="right", style="dim", no_wrap=True)
    table.add_column(new_name, ratio=1, overflow="fold")
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            for k in range(i2 - i1):
                table.add_row(str(i1 + k + 1), a[i1 + k], str(j1 + k + 1), b[j1 + k])
            continue
        for k in range(max(i2 - i1, j2 - j1)):
            left = a[i1 + k] if i1 + k < i2 else None
            right = b[j1 + k] if j1 + k < j2 else None
            if left is not None and right is not None:
                lt, rt = _highlight(left, right)
            else:
                lt = Text(left or "", style=REMOVED)
                rt = Text(right or "", style=ADDED)
            table.add_row(
                str(i1 + k + 1) if left is not None else "",
                lt,
                str(j1 + k + 1) if right is not None else "",
                rt,
            )
    return table
