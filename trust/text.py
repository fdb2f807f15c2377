"""Text normalization and blocked-term matching for chat moderation.

`normalize` folds the ways people dodge a word filter into one spelling, and
`find_blocked_term` looks for whole words of that spelling, so one blocked entry
catches its case, accent, leetspeak, stretched-letter and spaced-out variants
without blocking the innocent words that merely contain it ("class" never matches
"ass", "Scunthorpe" never matches its middle).

What `normalize` does, in order:

1. Case-folds (``"Straße"`` → ``"strasse"``) and applies Unicode compatibility
   decomposition (NFKD: full-width and styled letters become plain ones).
2. Drops accents from Latin letters only (``"otário"`` → ``"otario"``). Combining
   marks after other letters are kept: Devanagari vowel signs, virama and nukta are
   combining marks, and dropping them would turn ``"चूतिया"`` into ``"चतय"``.
   Zero-width characters (ZWJ, ZWNJ, zero-width space, soft hyphen) are removed,
   so ``"f\\u200bu\\u200bck"`` reads ``"fuck"``.
3. Inside a word that has at least one letter, reads leetspeak: ``0→o 1→i 3→e 4→a
   5→s 7→t 8→b @→a $→s !→i |→l`` (``"sh1t"``, ``"a$$"``, ``"b!tch"``). ``!``, ``|``
   and ``@`` at the start or end of a word are punctuation, not letters (``"shit!"``,
   ``"@name"``, ``"!command"``). Numbers on their own stay numbers (``"100"``).
4. Collapses each run of one repeated letter to a single letter (``"fuuuck"`` →
   ``"fuck"``, and ``"good"`` → ``"god"``: terms are normalized the same way, so
   both sides agree). Runs of digits are kept.
5. Everything that is not a letter, mark or digit separates words; the result is the
   words joined by single spaces.

Step 4 is lossy: a term whose letters double (``"ass"`` → ``"as"``) also matches the
shorter word. `find_blocked_term` therefore also accepts terms normalized with
``collapse_repeats=False``; such a term only matches text whose letter runs are at
least as long as its own (``"ass"`` matches ``"asss"`` and ``"a$$"`` but not ``"as"``).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator

# Leetspeak read inside words. "|" reads as "l" ("he||o"), "!" as "i".
LEET_LETTERS = {
    "0": "o",
    "1": "i",
    "3": "e",
    "4": "a",
    "5": "s",
    "7": "t",
    "8": "b",
    "@": "a",
    "$": "s",
    "!": "i",
    "|": "l",
}
_LEET_TABLE = str.maketrans(LEET_LETTERS)
_LEET_SYMBOLS = frozenset(character for character in LEET_LETTERS if not character.isdigit())
# Punctuation when it starts or ends a word.
_EDGE_PUNCTUATION = "!|@"

# Latin letters without a decomposition that still carry a diacritic or ligature.
_LATIN_EXTRAS = str.maketrans(
    {
        "ø": "o",
        "đ": "d",
        "ð": "d",
        "ħ": "h",
        "\u0131": "i",  # dotless i
        "ł": "l",
        "ŀ": "l",
        "æ": "ae",
        "œ": "oe",
    }
)
# Combining marks (diacritics blocks) that follow a Latin letter after NFKD.
_LATIN_ACCENTS = re.compile(
    "(?<=[a-zA-Z\u00c0-\u024f\u1e00-\u1eff])"
    "[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+"
)
# A run of one repeated non-digit character (letters and marks), and the same with
# the run's length visible to `_run_lengths`.
_REPEATS = re.compile(r"(\D)\1+")
_RUNS = re.compile(r"(\D)\1*|\d")

_LETTER, _MARK, _DIGIT, _LEET, _INVISIBLE, _SEPARATOR = range(6)
# Longest run of single-letter words read as one word ("f u c k").
_SPELLED_OUT_MAX_LETTERS = 24
# Shortest word read out of spelled-out letters: two-letter readings ("c u") are too
# often innocent.
_SPELLED_OUT_MIN_LETTERS = 3


@functools.lru_cache(maxsize=8192)  # bounded: messages can hold any code point
def _character_kind(character: str) -> int:
    if character in _LEET_SYMBOLS:
        return _LEET
    category = unicodedata.category(character)
    if category[0] == "L":
        return _LETTER
    if category[0] == "M":
        return _MARK
    if category == "Nd":
        return _DIGIT
    if category == "Cf" or character == "\u00ad":
        return _INVISIBLE
    return _SEPARATOR


_ASCII_KINDS = {chr(code): _character_kind(chr(code)) for code in range(128)}


def _fold_word(word: str, *, has_letter: bool) -> str:
    if not has_letter:
        # A number, maybe with symbols around it ("$100", "!!!"): keep the digits.
        return " ".join(re.findall(r"\d+", word))
    word = word.strip(_EDGE_PUNCTUATION)
    return word.translate(_LEET_TABLE)


def normalize(text: str, *, collapse_repeats: bool = True) -> str:
    """The form of `text` that blocked terms are matched on (see the module docstring).

    Idempotent: ``normalize(normalize(text)) == normalize(text)``. With
    ``collapse_repeats=False`` runs of a repeated letter are kept (``"fuuuck"``
    stays as it is); AutoMod and run-aware term matching use that form.
    """
    if text.isascii():
        text = text.lower()
    else:
        # Decompose before and after case-folding: some compatibility letters
        # (double-struck H, U+210D) only become plain capitals when decomposed.
        text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
        text = _LATIN_ACCENTS.sub("", text).translate(_LATIN_EXTRAS)
        # Recompose what is left (Hangul, Cyrillic й, ...). Devanagari nukta letters
        # stay decomposed: NFC excludes them from composition, on both sides alike.
        text = unicodedata.normalize("NFC", text)

    words: list[str] = []
    current: list[str] = []
    has_letter = False
    for character in text:
        kind = _ASCII_KINDS.get(character)
        if kind is None:
            kind = _character_kind(character)
        if kind == _SEPARATOR:
            if current:
                words.append(_fold_word("".join(current), has_letter=has_letter))
                current = []
                has_letter = False
        elif kind != _INVISIBLE:
            current.append(character)
            if kind == _LETTER:
                has_letter = True
    if current:
        words.append(_fold_word("".join(current), has_letter=has_letter))

    folded = " ".join(word for word in words if word)
    if collapse_repeats:
        folded = _REPEATS.sub(r"\1", folded)
    return folded


def collapse_repeats(word: str) -> str:
    """`word` (already normalized without collapsing) with letter runs collapsed."""
    return _REPEATS.sub(r"\1", word)


def _run_lengths(word: str) -> tuple[int, ...]:
    return tuple(len(match.group()) for match in _RUNS.finditer(word))


def _has_long_runs(word: str) -> bool:
    return any(length > 1 for length in _run_lengths(word))


def _runs_cover(word: str, required: tuple[int, ...]) -> bool:
    """Whether each letter run of `word` is at least as long as the term's run."""
    return all(have >= need for have, need in zip(_run_lengths(word), required, strict=False))


class TermIndex[Payload]:
    """Blocked terms compiled for fast whole-word matching, each with a payload.

    Built once per term list: single-word terms go into a dictionary, multi-word terms
    are listed under their first word, so a message costs one lookup per word however
    many terms there are. Terms may be given in any form; they are normalized here.
    """

    __slots__ = ("_multi", "_single", "size")

    def __init__(self, entries: Iterable[tuple[str, Payload]]):
        # collapsed word -> [(letter runs the text must cover or None, payload)]
        self._single: dict[str, list[tuple[tuple[int, ...] | None, Payload]]] = {}
        # collapsed first word -> [(collapsed words, runs per word or None, payload)]
        self._multi: dict[
            str, list[tuple[tuple[str, ...], tuple[tuple[int, ...], ...] | None, Payload]]
        ] = {}
        self.size = 0
        for term, payload in entries:
            words = normalize(term, collapse_repeats=False).split()
            if not words:
                continue
            self.size += 1
            keys = tuple(collapse_repeats(word) for word in words)
            runs = tuple(_run_lengths(word) for word in words)
            needs_runs = any(_has_long_runs(word) for word in words)
            if len(keys) == 1:
                self._single.setdefault(keys[0], []).append(
                    (runs[0] if needs_runs else None, payload)
                )
            else:
                self._multi.setdefault(keys[0], []).append(
                    (keys, runs if needs_runs else None, payload)
                )
        for candidates in self._multi.values():
            candidates.sort(key=lambda candidate: len(candidate[0]), reverse=True)

    def __len__(self) -> int:
        return self.size

    def find_first(self, text: str) -> Payload | None:
        """The payload of the term that appears earliest in `text`, or None."""
        return self.find_first_in_normalized(normalize(text, collapse_repeats=False))

    def find_all(self, text: str) -> list[Payload]:
        """The payloads of every term found in `text`, in the order they appear."""
        return self.find_all_in_normalized(normalize(text, collapse_repeats=False))

    def find_first_in_normalized(self, folded: str) -> Payload | None:
        """Like `find_first` for text already normalized with ``collapse_repeats=False``."""
        best: tuple[int, Payload] | None = None
        for position, payload in self._scan(folded):
            if best is None or position < best[0]:
                best = (position, payload)
                if position == 0:
                    break
        return None if best is None else best[1]

    def find_all_in_normalized(self, folded: str) -> list[Payload]:
        """Like `find_all` for text already normalized with ``collapse_repeats=False``."""
        found = sorted(self._scan(folded), key=lambda match: match[0])
        return [payload for _position, payload in found]

    def _scan(self, folded: str) -> Iterator[tuple[int, Payload]]:
        raw_words = folded.split()
        if not raw_words:
            return
        words = collapse_repeats(folded).split()
        single, multi = self._single, self._multi
        for position, word in enumerate(words):
            if multi and word in multi:
                for keys, runs, payload in multi[word]:
                    end = position + len(keys)
                    if tuple(words[position:end]) == keys and (
                        runs is None
                        or all(
                            _runs_cover(raw, need)
                            for raw, need in zip(raw_words[position:end], runs, strict=True)
                        )
                    ):
                        yield position, payload
                        break
            if word in single:
                payload = self._single_match(word, raw_words[position])
                if payload is not None:
                    yield position, payload
        yield from self._scan_spelled_out(raw_words)

    def _single_match(self, key: str, raw_word: str) -> Payload | None:
        for runs, payload in self._single[key]:
            if runs is None or _runs_cover(raw_word, runs):
                return payload
        return None

    def _scan_spelled_out(self, raw_words: list[str]) -> Iterator[tuple[int, Payload]]:
        """Terms spelled out one letter at a time ("f u c k", "f.u.c.k", "a b i t c h")."""
        run_start = None
        for position, word in enumerate([*raw_words, ""]):
            if len(word) == 1 and not word.isdigit():
                if run_start is None:
                    run_start = position
                continue
            if run_start is not None and position - run_start >= _SPELLED_OUT_MIN_LETTERS:
                letters = "".join(raw_words[run_start:position])[:_SPELLED_OUT_MAX_LETTERS]
                yield from self._scan_letters(letters, offset=run_start)
            run_start = None

    def _scan_letters(self, letters: str, *, offset: int) -> Iterator[tuple[int, Payload]]:
        for start in range(len(letters) - _SPELLED_OUT_MIN_LETTERS + 1):
            for end in range(len(letters), start + _SPELLED_OUT_MIN_LETTERS - 1, -1):
                candidate = letters[start:end]
                key = collapse_repeats(candidate)
                if key in self._single:
                    payload = self._single_match(key, candidate)
                    if payload is not None:
                        yield offset + start, payload
                        break


@functools.lru_cache(maxsize=256)
def _index_for(terms: tuple[str, ...]) -> TermIndex[str]:
    return TermIndex((term, term) for term in terms)


def compile_terms(normalized_terms: Iterable[str]) -> TermIndex[str]:
    """A reusable index whose payloads are the terms themselves (cached by content)."""
    return _index_for(tuple(normalized_terms))


def find_blocked_term(text: str, normalized_terms: Iterable[str] | TermIndex[str]) -> str | None:
    """The first blocked term (as given) that `text` contains as whole words, or None.

    `normalized_terms` are `normalize` outputs (e.g. `BlockedTerm.normalized` or
    `trust.selectors.list_blocked_terms`); a multi-word term matches those words in a
    row. Terms spelled out with separators ("f.u.c.k", "f u c k") are found too. When
    several terms match, the one that starts earliest in the text wins. The compiled
    index is cached per distinct term list, so calling this per chat message with the
    same list costs one hash of the list, not a rebuild.
    """
    if isinstance(normalized_terms, TermIndex):
        index = normalized_terms
    else:
        index = compile_terms(normalized_terms)
    if not index.size:
        return None
    return index.find_first(text)
