"""Scoring one chat message: the English model and the curated term lists, locally."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from trust.automod.model import ProfanityModel
from trust.automod.terms import ListedTerm, build_term_index, load_term_lists
from trust.text import TermIndex, normalize

MODEL_REASON = "profanity_model"
TERM_LIST_REASON = "term_list:{language}"
# Below this (the lowest AutoMod threshold a channel can set) a score is "nothing
# found" and the verdict has no reason. Clean English scores about 0.01-0.04.
NOTHING_FOUND_BELOW = 0.05
# Longest message scored, in characters: chat messages are far shorter, and this
# bounds the work one message can cause.
MAX_SCORED_LENGTH = 2000

# Words the English model reads as offensive that are everyday words here: Hindi,
# Nepali and Portuguese chat is full of "ho", "ke", "tu", "se", "ki", "ma", "va", and
# the model (trained on English comment threads) over-flags identity and family
# words ("gay" alone scores 0.98, "white" 0.7, "mom" 0.73). The model scores these
# as unknown words; a channel that wants any of them blocked adds a blocked term.
MODEL_IGNORED_WORDS = frozenset(
    {
        # Short words of Hindi, Nepali and Portuguese
        "ha", "han", "ho", "hos", "ka", "ke", "ki", "le", "ma", "se", "su", "tu", "va", "yu",
        # Identity words
        "allah", "arabs", "black", "brits", "gay", "gays", "jew", "jews", "lesbian",
        "lesbians", "muslim", "queer", "turk", "white",
        # Family words
        "mom", "moms", "mommy", "mum", "mummy",
    }
)  # fmt: skip

_LONG_RUN = re.compile(r"(\D)\1{2,}")
_REPEATS = re.compile(r"(\D)\1+")
_SPELLED_OUT_MIN_LETTERS = 3
_SPELLED_OUT_MAX_LETTERS = 24


@dataclass(frozen=True, slots=True)
class AutoModVerdict:
    """How offensive a message looks: `score` in [0, 1] and what produced it.

    `reason` is ``"profanity_model"``, ``"term_list:<language>"`` (``pt``, ``ne``,
    ``hi``) or ``""`` when nothing was found; `matched_term` is the list entry that
    matched, as written in the list (empty for the model).
    """

    score: float
    reason: str = ""
    matched_term: str = ""


CLEAN = AutoModVerdict(score=0.0)


class _Scorer:
    def __init__(self, *, model: ProfanityModel, terms: TermIndex[ListedTerm]):
        self.model = model
        self.terms = terms

    def score(self, text: str) -> AutoModVerdict:
        text = text[:MAX_SCORED_LENGTH]
        folded = normalize(text, collapse_repeats=False)
        if not folded:
            return CLEAN

        best_term: ListedTerm | None = None
        for entry in self.terms.find_all_in_normalized(folded):
            if best_term is None or entry.weight > best_term.weight:
                best_term = entry

        model_score = self.model.probability(text)
        if self.model.compiled:
            # The same model on the normalized spelling: "sh1t", "fuuuck", "f.u.c.k".
            model_score = max(model_score, self.model.probability_of_words(self._words(folded)))

        if best_term is not None and best_term.weight >= model_score:
            return AutoModVerdict(
                score=best_term.weight,
                reason=TERM_LIST_REASON.format(language=best_term.language),
                matched_term=best_term.term,
            )
        score = min(max(model_score, 0.0), 1.0)
        if score < NOTHING_FOUND_BELOW:
            return AutoModVerdict(score=score)
        return AutoModVerdict(score=score, reason=MODEL_REASON)

    def _words(self, folded: str) -> list[str]:
        """Normalized words in the model's vocabulary spelling.

        A stretched word becomes the vocabulary word it stretches ("shiiit" → "shit",
        "goood" → "good"), and letters spelled out one by one are read as the
        longest vocabulary words they contain ("a b i t c h" → "bitch").
        """
        words: list[str] = []
        letters: list[str] = []
        for word in [*folded.split(), ""]:
            if len(word) == 1 and not word.isdigit():
                letters.append(word)
                continue
            if len(letters) >= _SPELLED_OUT_MIN_LETTERS:
                words.extend(self._read_spelled_out("".join(letters)))
            letters = []
            if word:
                words.append(self._vocabulary_spelling(word) or word)
        return words

    def _vocabulary_spelling(self, word: str) -> str | None:
        knows = self.model.knows
        if knows(word):
            return word
        for candidate in (_LONG_RUN.sub(r"\1\1", word), _REPEATS.sub(r"\1", word)):
            if knows(candidate):
                return candidate
        return None

    def _read_spelled_out(self, letters: str) -> list[str]:
        letters = letters[:_SPELLED_OUT_MAX_LETTERS]
        found = []
        start = 0
        while start <= len(letters) - _SPELLED_OUT_MIN_LETTERS:
            for end in range(len(letters), start + _SPELLED_OUT_MIN_LETTERS - 1, -1):
                spelling = self._vocabulary_spelling(letters[start:end])
                if spelling is not None:
                    found.append(spelling)
                    start = end
                    break
            else:
                start += 1
        return found


_scorer: _Scorer | None = None
_scorer_lock = threading.Lock()


def _get_scorer() -> _Scorer:
    global _scorer
    scorer = _scorer
    if scorer is None:
        with _scorer_lock:
            scorer = _scorer
            if scorer is None:
                scorer = _Scorer(
                    model=ProfanityModel.load(ignored_words=MODEL_IGNORED_WORDS),
                    terms=build_term_index(load_term_lists()),
                )
                _scorer = scorer
    return scorer


def warm_up() -> None:
    """Load the model and the term lists now (about a second) rather than on the first
    message. Safe to call from several threads and more than once."""
    _get_scorer()


def score_message(text: str) -> AutoModVerdict:
    """How offensive `text` looks: the higher of the English model's probability and
    the weight of the heaviest curated term it contains (Portuguese, Nepali, Hindi).

    Runs locally, with no network. Thread-safe: the model and lists load once per
    process (on the first call, or in `warm_up`) and are read-only afterwards.
    """
    if not text or text.isspace():
        return CLEAN
    return _get_scorer().score(text)
