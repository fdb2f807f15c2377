"""The English profanity model of `alt-profanity-check`, compiled for one message at a time.

The package ships a scikit-learn pipeline: a TF-IDF vectorizer (word unigrams, English
stop words, l2 norm) and a `CalibratedClassifierCV` averaging a few sigmoid-calibrated
linear SVMs. Through scikit-learn one short message costs about 3 ms, almost all of it
input validation and sparse-matrix set-up. The arithmetic is small, so `ProfanityModel`
reads the fitted numbers once (per word: idf and each classifier's weight) and scores
with plain dictionaries: the same probability as ``predict_prob`` (the tests compare
them) in microseconds. If the pipeline ever stops looking like that, scoring falls back
to ``predict_prob`` itself.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable, Iterable

logger = logging.getLogger(__name__)

# The vectorizer settings the compiled arithmetic reproduces.
_EXPECTED_VECTORIZER = {
    "analyzer": "word",
    "binary": False,
    "lowercase": True,
    "ngram_range": (1, 1),
    "norm": "l2",
    "preprocessor": None,
    "strip_accents": None,
    "sublinear_tf": False,
    "tokenizer": None,
    "use_idf": True,
}


def _expit(value: float) -> float:
    if value >= 0:
        return 1.0 / (1.0 + math.exp(-value))
    exponential = math.exp(value)
    return exponential / (1.0 + exponential)


class ProfanityModel:
    """Probability that English text is offensive, from the package's fitted pipeline."""

    def __init__(
        self,
        *,
        vectorizer,
        classifier,
        predict_prob: Callable,
        ignored_words: Iterable[str] = (),
    ):
        self._predict_prob = predict_prob
        self._compiled = False
        try:
            self._compile(vectorizer, classifier, ignored_words=frozenset(ignored_words))
        except (AttributeError, IndexError, TypeError, ValueError) as error:
            logger.warning("Scoring through scikit-learn: cannot compile the model (%s)", error)
        else:
            self._compiled = True

    @classmethod
    def load(cls, *, ignored_words: Iterable[str] = ()) -> ProfanityModel:
        """Load the package's model (importing it reads the fitted files, ~1 s).

        `ignored_words` are scored as if the model had never seen them (only when the
        model compiles; the scikit-learn fallback scores every word).
        """
        from profanity_check import predict_prob
        from profanity_check import profanity_check as package

        return cls(
            vectorizer=getattr(package, "vectorizer", None),
            classifier=getattr(package, "model", None),
            predict_prob=predict_prob,
            ignored_words=ignored_words,
        )

    @property
    def compiled(self) -> bool:
        return self._compiled

    def knows(self, word: str) -> bool:
        """Whether `word` is in the model's vocabulary (always True when not compiled)."""
        return not self._compiled or word in self._weights

    def _compile(self, vectorizer, classifier, *, ignored_words: frozenset[str]) -> None:
        parameters = vectorizer.get_params()
        for name, expected in _EXPECTED_VECTORIZER.items():
            if parameters.get(name) != expected:
                raise ValueError(f"vectorizer {name}={parameters.get(name)!r}")
        if list(classifier.classes_) != [0, 1] or classifier.method != "sigmoid":
            raise ValueError("not a binary sigmoid-calibrated classifier")
        coefficients, intercepts, slopes, offsets = [], [], [], []
        for calibrated in classifier.calibrated_classifiers_:
            estimator = calibrated.estimator
            (calibrator,) = calibrated.calibrators
            if estimator.coef_.shape[0] != 1 or list(estimator.classes_) != [0, 1]:
                raise ValueError("not a binary linear estimator")
            coefficients.append(estimator.coef_[0])
            intercepts.append(float(estimator.intercept_[0]))
            slopes.append(float(calibrator.a_))
            offsets.append(float(calibrator.b_))
        if not coefficients:
            raise ValueError("no calibrated classifiers")

        idf = vectorizer.idf_
        weights: dict[str, tuple[float, tuple[float, ...]]] = {}
        for word, column in vectorizer.vocabulary_.items():
            if word in ignored_words:
                continue
            word_idf = float(idf[column])
            weights[word] = (
                word_idf,
                tuple(float(coefficient[column]) * word_idf for coefficient in coefficients),
            )
        self._weights = weights
        self._intercepts = tuple(intercepts)
        self._calibration = tuple(zip(slopes, offsets, strict=True))
        self._token_pattern = re.compile(vectorizer.token_pattern)

    def probability(self, text: str) -> float:
        """What ``predict_prob([text])[0]`` says, for one message."""
        if not self._compiled:
            return float(self._predict_prob([text])[0])
        return self.probability_of_words(self._token_pattern.findall(text.lower()))

    def probability_of_words(self, words: Iterable[str]) -> float:
        """The probability for text whose vectorizer tokens are `words`."""
        if not self._compiled:
            return float(self._predict_prob([" ".join(words)])[0])
        weights = self._weights
        counts: dict[str, int] = {}
        for word in words:
            if word in weights:
                counts[word] = counts.get(word, 0) + 1

        decisions = list(self._intercepts)
        if counts:
            norm = math.sqrt(sum((count * weights[word][0]) ** 2 for word, count in counts.items()))
            for word, count in counts.items():
                scale = count / norm
                for position, weight in enumerate(weights[word][1]):
                    decisions[position] += weight * scale
        total = 0.0
        for decision, (slope, offset) in zip(decisions, self._calibration, strict=True):
            total += _expit(-(slope * decision + offset))
        return total / len(decisions)
