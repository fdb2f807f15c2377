"""AutoMod: the English model, the curated pt/ne/hi lists and the verdict they give."""

import dataclasses
import threading

import pytest
from profanity_check import predict_prob

from trust.automod import AutoModVerdict, score_message, warm_up
from trust.automod.model import ProfanityModel
from trust.automod.scoring import MODEL_REASON, NOTHING_FOUND_BELOW
from trust.automod.terms import (
    TERMS_DIRECTORY,
    build_term_index,
    load_term_lists,
    parse_term_list,
)

# A channel's default AutoMod threshold (streams ChatSettings.automod_threshold).
DEFAULT_THRESHOLD = 0.8


@pytest.fixture(scope="module", autouse=True)
def _loaded():
    warm_up()


@pytest.mark.parametrize(
    "text",
    [
        "hello everyone, great stream tonight!",
        "I love this song so much",
        "what a class act, well played",
        "Scunthorpe United are winning",
        "can you play the one from yesterday?",
        "Bom dia galera, tudo bem?",
        "aap kaise ho bhai",
        "namaste dai, kasto cha?",
        "नमस्ते, तपाईंलाई कस्तो छ?",
        "आप कैसे हो",
        "hi mom!",
        "I am gay and proud",
    ],
)
def test_clean_messages_score_low(text):
    verdict = score_message(text)
    assert verdict.score < 0.3, verdict


@pytest.mark.parametrize(
    "text",
    [
        "fuck you",
        "you are a bitch",
        "shut up you stupid idiot",
        "this is shit",
        "sh1t",
        "fuuuuuck",
        "f.u.c.k you",
        "you are a b i t c h",
    ],
)
def test_profane_english_scores_high(text):
    verdict = score_message(text)
    assert verdict.score >= DEFAULT_THRESHOLD, verdict
    assert verdict.reason == MODEL_REASON


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("seu filho da puta", "pt"),
        ("vai tomar no cu", "pt"),
        ("que porra é essa, caralho", "pt"),
        ("CARALHOOOO", "pt"),
        ("vtnc", "pt"),
        ("tu é um viado", "pt"),
        ("muji", "ne"),
        ("machikne sala", "ne"),
        ("मुजी साला", "ne"),
        ("माचिक्ने", "ne"),
        ("रन्डीको छोरो", "ne"),
        ("chutiya hai tu", "hi"),
        ("bhenchod", "hi"),
        ("bh3nch0d", "hi"),
        ("तू चूतिया है", "hi"),
        ("मादरचोद", "hi"),
        ("भोसड़ीके", "hi"),
    ],
)
def test_portuguese_nepali_and_hindi_insults_are_flagged(text, language):
    verdict = score_message(text)
    assert verdict.score >= DEFAULT_THRESHOLD, verdict
    assert verdict.reason == f"term_list:{language}"
    assert verdict.matched_term


def test_the_heaviest_listed_term_decides():
    verdict = score_message("porra, seu filho da puta")
    assert verdict.score == pytest.approx(0.95)
    assert verdict.matched_term == "filho da puta"


def test_a_doubled_letter_in_a_listed_term_must_be_doubled_in_the_text():
    # "saala" (Hindi/Nepali insult) must not flag Portuguese "sala" (a room).
    assert score_message("sala de estar").reason == ""
    assert score_message("saala kutta").reason == "term_list:ne"


def test_empty_and_blank_messages_are_clean():
    assert score_message("") == AutoModVerdict(score=0.0)
    assert score_message("   \n").score == 0.0
    assert score_message("!!! ???").reason == ""


def test_verdicts_are_frozen_and_in_range():
    verdict = score_message("hello")
    assert 0.0 <= verdict.score <= 1.0
    assert verdict.reason == "" and verdict.score < NOTHING_FOUND_BELOW
    with pytest.raises(dataclasses.FrozenInstanceError):
        verdict.score = 1.0


def test_very_long_messages_are_scored():
    verdict = score_message("nice stream " * 2000 + "fuck")
    assert 0.0 <= verdict.score <= 1.0


def test_scoring_from_many_threads_gives_the_same_answers():
    texts = ["fuck you", "hello there", "seu filho da puta", "तू चूतिया है"] * 25
    expected = [score_message(text) for text in texts]
    results: dict[int, list[AutoModVerdict]] = {}

    def score_all(worker: int) -> None:
        results[worker] = [score_message(text) for text in texts]

    threads = [threading.Thread(target=score_all, args=(worker,)) for worker in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(found == expected for found in results.values())


# --- The compiled model ---------------------------------------------------------------------


PARITY_TEXTS = [
    "hello there friend",
    "fuck you",
    "you are a bitch",
    "I love this stream",
    "go to hell",
    "kill yourself",
    "Damn DAMN damn that was good",
    "ÁÉ naïve café fucking",
    "the the the",
    "",
    "a perfectly ordinary sentence about the weather in Kathmandu and Rio",
]


def test_the_compiled_model_gives_the_packages_probabilities():
    model = ProfanityModel.load()
    assert model.compiled
    expected = predict_prob(PARITY_TEXTS)
    for text, probability in zip(PARITY_TEXTS, expected, strict=True):
        assert model.probability(text) == pytest.approx(float(probability), abs=1e-9), text


def test_a_model_that_cannot_compile_falls_back_to_the_package():
    model = ProfanityModel(vectorizer=None, classifier=None, predict_prob=predict_prob)
    assert not model.compiled
    assert model.probability("fuck you") == pytest.approx(float(predict_prob(["fuck you"])[0]))


def test_ignored_words_count_as_unknown():
    model = ProfanityModel.load(ignored_words={"ho"})
    assert model.probability("ho") == pytest.approx(model.probability(""))


# --- The term lists ----------------------------------------------------------------------


def test_each_list_has_a_useful_size_and_valid_weights():
    entries = load_term_lists()
    by_language: dict[str, int] = {}
    for entry in entries:
        by_language[entry.language] = by_language.get(entry.language, 0) + 1
        assert 0.0 <= entry.weight <= 1.0
        assert entry.term
    assert set(by_language) >= {"pt", "ne", "hi"}
    for language in ("pt", "ne", "hi"):
        assert 30 <= by_language[language] <= 80, (language, by_language[language])


@pytest.mark.parametrize("language", ["ne", "hi"])
def test_nepali_and_hindi_lists_have_both_scripts(language):
    entries = [entry for entry in load_term_lists() if entry.language == language]
    devanagari = [entry for entry in entries if any("\u0900" <= c <= "\u097f" for c in entry.term)]
    romanised = [entry for entry in entries if entry.term.isascii()]
    assert len(devanagari) >= 15
    assert len(romanised) >= 15


def test_every_listed_term_flags_itself():
    # Also catches dead entries: one that a shorter spelling on a list already covers.
    index = build_term_index(load_term_lists())
    for entry in load_term_lists():
        assert entry in index.find_all(entry.term), entry


def test_the_list_format():
    entries = parse_term_list("# comment\n\nporra\t0.7\ncaralho\n", language="pt")
    assert [(entry.term, entry.weight) for entry in entries] == [("porra", 0.7), ("caralho", 0.8)]
    with pytest.raises(ValueError, match="line 1"):
        parse_term_list("porra\tlots", language="pt")
    with pytest.raises(ValueError, match="not in"):
        parse_term_list("porra\t1.5", language="pt")


def test_the_lists_live_in_trust_data():
    assert {path.stem for path in TERMS_DIRECTORY.glob("*.txt")} >= {"pt", "ne", "hi"}
