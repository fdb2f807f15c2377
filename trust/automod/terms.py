"""AutoMod's curated term lists (`trust/data/automod_terms/<language>.txt`).

File format: one term per line, optionally ``term<TAB>weight`` with a weight in [0, 1]
(default `DEFAULT_WEIGHT`); ``#`` starts a comment line; blank lines are ignored. The
file name (without ``.txt``) is the list's language code and shows up in the verdict's
reason as ``term_list:<language>``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from trust.text import TermIndex

TERMS_DIRECTORY = Path(__file__).resolve().parent.parent / "data" / "automod_terms"
DEFAULT_WEIGHT = 0.8


@dataclass(frozen=True, slots=True)
class ListedTerm:
    term: str
    language: str
    weight: float


def parse_term_list(text: str, *, language: str) -> list[ListedTerm]:
    """The entries of one list file's `text`; raises ValueError on a malformed line."""
    entries = []
    for line_number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        term, separator, weight_text = stripped.partition("\t")
        weight = DEFAULT_WEIGHT
        if separator:
            try:
                weight = float(weight_text.strip())
            except ValueError:
                raise ValueError(
                    f"{language}.txt line {line_number}: weight {weight_text!r} is not a number"
                ) from None
        if not 0.0 <= weight <= 1.0:
            raise ValueError(f"{language}.txt line {line_number}: weight {weight} not in [0, 1]")
        entries.append(ListedTerm(term=term.strip(), language=language, weight=weight))
    return entries


def load_term_lists(directory: Path = TERMS_DIRECTORY) -> list[ListedTerm]:
    """Every entry of every ``*.txt`` list in `directory`, lists in name order."""
    entries: list[ListedTerm] = []
    for path in sorted(directory.glob("*.txt")):
        entries.extend(parse_term_list(path.read_text(encoding="utf-8"), language=path.stem))
    return entries


def build_term_index(entries: list[ListedTerm]) -> TermIndex[ListedTerm]:
    return TermIndex((entry.term, entry) for entry in entries)
