"""The translate stage with fake translators: units, batching, guards and retry, memory, terminology.

Integration with real (tiny, random-weight) checkpoints through both backends is at the end.
"""

from pathlib import Path

import pytest
import regex
from fake_translators import CopyFake, DropLatinFake, LoopFake, WordFake
from hypothesis import given
from hypothesis import strategies as st

from pipeline.engine import Decoding
from pipeline.memory import TranslationMemory
from pipeline.outputs import aligned_rows, english_text
from pipeline.segment import segment_file, segment_text
from pipeline.terminology import Glossary, default_glossary
from pipeline.translate import (
    TranslateOptions,
    TranslateStats,
    batches_by_tokens,
    check_translation,
    find_loop,
    protect_terms,
    translate_document,
    translate_texts,
    uses_term,
    words,
)

SAMPLE = Path(__file__).parent / "fixtures" / "guiyang-cppcc-2023.txt"


# --- guards -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("source, output, flags", [
    ("委员们为贵阳点赞，也为自己点赞。", "The members praised Guiyang, and themselves.", []),
    ("委员们为贵阳点赞。", "Come on, come on, come on, come on.", ["repetition"]),
    ("委员们为贵阳点赞。", "The the the the members.", ["repetition"]),
    ("他说。", "We will, we will, we will rock you.", ["repetition"]),
    ("加油！加油！加油！", "Come on! Come on! Come on!", []),  # the source repeats itself
    ("委员们为贵阳点赞。", " ".join(["members praised Guiyang"] * 2 + [f"word{i}" for i in range(40)]) + ".",
     ["too_long"]),
    ("贵阳市政协携手征程同行，把各方智慧和力量凝聚起来，在团结奋进的新征程中始终步调一致。", "Guiyang.", ["too_short"]),
    ("委员们为贵阳点赞。", "", ["too_short"]),
    ("委员们为贵阳点赞，也为自己点赞。", "The members praised Guiyang and also", ["truncated"]),
    ("委员们为贵阳点赞，", "The members praised Guiyang,", []),  # a clause need not end a sentence
    ("委员们为贵阳点赞。", "The 委员 praised Guiyang.", ["untranslated"]),
    ("委员们为贵阳点赞。", "Members praised \U00020000.", ["untranslated"]),  # Extension B is Han too
    ("全年完成１２个项目。", "Twelve projects were completed in the year.", []),
    ("“强省会”行动。", 'The "Strong Provincial Capital" initiative.”', []),
])
def test_check_translation(source, output, flags):
    assert check_translation(source, output) == flags


@given(st.lists(st.sampled_from(["the", "city", "of", "Guiyang", "grows", "fast"]), min_size=2, max_size=5),
       st.lists(st.sampled_from(["members", "said", "that", "work", "went", "well"]), max_size=6),
       st.integers(min_value=3, max_value=6))
def test_any_phrase_repeated_three_times_is_a_loop(phrase, context, times):
    text = " ".join(context + phrase * times + context)
    assert find_loop(words(text)) is not None


@pytest.mark.parametrize("text", [
    "Members listened all the way, looked all the way and discussed all the way.",
    "Political unity, shared cause, shared journey, shared consultation.",
    "Very, very good; no, no.",
])
def test_ordinary_repetition_is_not_a_loop(text):
    assert find_loop(words(text)) is None


@given(st.lists(st.integers(min_value=1, max_value=60), max_size=40), st.integers(min_value=1, max_value=300))
def test_batches_keep_order_and_budget(counts, budget):
    items = list(range(len(counts)))
    batches = batches_by_tokens(items, counts, budget)
    assert [i for b in batches for i in b] == items
    for batch in batches:
        assert len(batch) == 1 or max(counts[i] for i in batch) * len(batch) <= budget


# --- units, batching, order -------------------------------------------------------------------------------

def test_results_come_back_in_input_order_from_length_sorted_batches():
    texts = ["短句。", "这是一个比较长一些的句子，有好几个词。", "中等长度的句子。", "一。",
             "这是最长的一个句子，它有很多很多的字，还有逗号。"]
    fake = WordFake()
    results = translate_texts(texts, fake, TranslateOptions(batch_tokens=60))
    assert [r.translation for r in results] == [fake.render(t) for t in texts]
    lengths = [len(t) for t in fake.units_seen]
    assert lengths == sorted(lengths, reverse=True)  # longest first
    for batch in fake.batches:
        assert len(batch) == 1 or max(len(t) + 1 for t in batch) * len(batch) <= 60
    assert len(fake.batches) > 1


def test_identical_units_are_translated_once():
    fake = WordFake()
    stats = TranslateStats()
    results = translate_texts(["委员们点赞。", "委员们点赞。", "另一句。", "委员们点赞。"], fake, stats=stats)
    assert sorted(fake.units_seen) == sorted(["委员们点赞。", "另一句。"])
    assert results[0].translation == results[3].translation == "wei yuan men dian zan."
    assert (stats.units, stats.unique, stats.translated) == (4, 2, 2)


def test_text_without_chinese_skips_the_model():
    fake = WordFake()
    results = translate_texts(["2023", "CPPCC 2023", "委员。"], fake)
    assert [r.translation for r in results] == ["2023", "CPPCC 2023", "wei yuan."]
    assert fake.units_seen == ["委员。"]


def test_long_sentence_is_split_into_clauses_and_rejoined():
    sentence = "，".join(["贵阳市政协委员来到项目现场观摩视察"] * 6) + "。"
    fake = WordFake()
    [result] = translate_texts([sentence], fake, TranslateOptions(clause_budget=40))
    assert all(len(unit) <= 40 for unit in fake.units_seen)
    assert len(result.parts) > 1
    assert "".join(sentence[p.start:p.end] for p in result.parts) == sentence  # spans cover the sentence
    assert result.translation == " ".join(p.translation for p in result.parts)
    assert len(words(result.translation)) == len(regex.findall(r"\p{Han}", sentence))


def test_unit_over_the_token_limit_is_split_never_truncated():
    # No clause marks and a budget the clause splitter allows: only the token count shows it is too long.
    sentence = "贵阳" * 60 + "。"
    fake = WordFake(max_source_tokens=25)
    [result] = translate_texts([sentence], fake, TranslateOptions(clause_budget=500))
    assert all(n <= 25 for n in fake.count_tokens(fake.units_seen))
    assert "".join(sentence[p.start:p.end] for p in result.parts) == sentence
    assert words(result.translation) == ["gui", "yang"] * 60


def test_progress_counts_every_text_once():
    seen = []
    texts = ["一句。", "两句。", "一句。", "2024", "，".join(["很长的分句内容"] * 10) + "。"]
    translate_texts(texts, WordFake(), TranslateOptions(clause_budget=20, batch_tokens=30), progress=seen.append)
    assert sum(seen) == len(texts)


def test_translator_protocol_names_the_limit_and_the_preset():
    # translate_texts reads both; a translator without them is not a Translator.
    from pipeline.engine import Translator

    class Bare:
        model_id, revision, backend = "bare", "1", "fake"

        def count_tokens(self, texts):
            return [len(t) for t in texts]

        def translate_batch(self, texts, decoding):
            return list(texts)

    assert isinstance(WordFake(), Translator) and not isinstance(Bare(), Translator)


def test_decoding_defaults_to_the_translators_preset():
    fake = WordFake()
    translate_texts(["委员。"], fake)
    assert fake.decodings == [fake.default_decoding]
    translate_texts(["委员们。"], fake, TranslateOptions(decoding=Decoding(beam_size=5)))
    assert fake.decodings[-1].beam_size == 5


# --- guards in the loop -----------------------------------------------------------------------------------

def test_repetition_loop_is_retried_with_stricter_decoding():
    fake = LoopFake()
    results = translate_texts(["陷入循环的句子。", "正常的句子。"], fake)
    assert results[0].translation == "xian ru xun huan de ju zi."
    assert results[0].qa_flags == [] and results[1].qa_flags == []
    # One normal pass over both, then one retry of the looping unit alone, with stricter settings.
    assert fake.batches[-1] == ["陷入循环的句子。"]
    assert fake.decodings[-1] == fake.default_decoding.stricter()
    assert fake.decodings[-1].repetition_penalty > 1.0 and fake.decodings[-1].no_repeat_ngram_size > 0


def test_a_loop_that_survives_the_retry_is_flagged():
    fake = LoopFake(stubborn=True)
    [result] = translate_texts(["陷入循环的句子。"], fake)
    assert "repetition" in result.qa_flags and "too_long" in result.qa_flags
    assert len(fake.batches) == 2  # tried twice, not more


def test_without_retry_a_loop_is_only_flagged():
    fake = LoopFake()
    [result] = translate_texts(["陷入循环的句子。"], fake, TranslateOptions(retry=False))
    assert "repetition" in result.qa_flags and len(fake.batches) == 1


def test_chinese_left_untranslated_is_flagged():
    [result] = translate_texts(["委员们为贵阳点赞。"], CopyFake())
    assert "untranslated" in result.qa_flags


# --- translation memory -----------------------------------------------------------------------------------

def test_second_run_comes_from_memory(tmp_path):
    texts = ["委员们为贵阳点赞。", "也为自己点赞。", "委员们为贵阳点赞。"]
    with TranslationMemory(tmp_path / "tm.sqlite3") as memory:
        first = translate_texts(texts, WordFake(), TranslateOptions(memory=memory))
        fake = WordFake()
        stats = TranslateStats()
        second = translate_texts(texts, fake, TranslateOptions(memory=memory), stats=stats)
        assert fake.batches == []
        assert [r.translation for r in second] == [r.translation for r in first]
        assert stats.from_memory == 2 and all(p.from_memory for r in second for p in r.parts)
        # Other decoding settings are other entries.
        translate_texts(texts, fake, TranslateOptions(memory=memory, decoding=Decoding(beam_size=1)))
        assert len(fake.units_seen) == 2


class _Interrupted(WordFake):
    """Translates ``batches`` batches, then the user presses Ctrl-C."""

    def __init__(self, batches: int) -> None:
        super().__init__()
        self.allowed = batches

    def translate_batch(self, texts, decoding):
        if len(self.batches) == self.allowed:
            raise KeyboardInterrupt
        return super().translate_batch(texts, decoding)


def test_an_interrupted_run_keeps_the_batches_already_translated(tmp_path):
    texts = [f"第{'一二三四五六'[i]}位委员为贵阳点赞。" for i in range(6)]
    with TranslationMemory(tmp_path / "tm.sqlite3") as memory:
        with pytest.raises(KeyboardInterrupt):
            # 2 units a batch
            translate_texts(texts, _Interrupted(batches=2), TranslateOptions(memory=memory, batch_tokens=24))
        assert len(memory) == 4
        fake = WordFake()
        stats = TranslateStats()
        translate_texts(texts, fake, TranslateOptions(memory=memory, batch_tokens=24), stats=stats)
        assert stats.from_memory == 4 and len(fake.units_seen) == 2


def test_memory_keeps_the_retried_output_and_its_flags(tmp_path):
    with TranslationMemory(tmp_path / "tm.sqlite3") as memory:
        [first] = translate_texts(["陷入循环的句子。"], LoopFake(stubborn=True), TranslateOptions(memory=memory))
        [second] = translate_texts(["陷入循环的句子。"], WordFake(), TranslateOptions(memory=memory))
    assert second.translation == first.translation and "repetition" in second.qa_flags


# --- terminology ------------------------------------------------------------------------------------------

def test_glossary_terms_are_written_into_the_input_and_checked():
    glossary = Glossary({"政协": "CPPCC", "强省会": 'the "Strong Provincial Capital" initiative'})
    fake = WordFake()
    [result] = translate_texts(["市政协助推强省会行动。"], fake, TranslateOptions(glossary=glossary))
    assert fake.units_seen == ['市 CPPCC 助推 "Strong Provincial Capital" initiative 行动。']
    assert "CPPCC" in result.translation and result.qa_flags == []


def test_terms_can_stay_chinese_in_the_input_and_only_be_checked():
    glossary = Glossary({"政协": "CPPCC"}, {"石邦林": "Shi Banglin"})
    fake = WordFake()
    options = TranslateOptions(glossary=glossary, inline_terms=False)
    [result] = translate_texts(["市政协主席石邦林调研。"], fake, options)
    assert fake.units_seen == ["市政协主席 Shi Banglin 调研。"]
    assert result.qa_flags == ["glossary:政协"]


def test_output_without_the_glossary_term_is_flagged():
    glossary = Glossary({"政协": "CPPCC"}, {"石邦林": "Shi Banglin"})
    [result] = translate_texts(["市政协主席石邦林调研。"], DropLatinFake(), TranslateOptions(glossary=glossary))
    assert result.qa_flags == ["glossary:政协", "name:石邦林"]


@pytest.mark.parametrize("output, english, used", [
    ("The Municipal Party Committee met.", "the municipal Party committee", True),
    ("Members of the “two sessions” met.", 'the "two sessions"', True),
    ("The Chinese People's Political Consultative Conference met.",
     "the Chinese People's Political Consultative Conference (CPPCC)", True),
    ("The city committee met.", "the municipal Party committee", False),
])
def test_uses_term(output, english, used):
    assert uses_term(output, english) is used


def test_protect_terms_spaces_terms_off_from_letters_only():
    glossary = default_glossary()
    text = "贵州省委常委、贵阳贵安高质量发展"
    assert protect_terms(text, glossary.find(text)) == \
        "贵州 provincial Party committee 常委、Guiyang and Gui'an high-quality development"


@given(st.lists(st.sampled_from(["政协", "政协委员", "市委", "强省会", "贵阳贵安", "的", "委员", "发展", "2023", "，"]),
                max_size=12))
def test_no_glossary_term_survives_protection(pieces):
    glossary = default_glossary()
    text = "".join(pieces)
    protected = protect_terms(text, glossary.find(text))
    assert not glossary.find(protected)
    assert protect_terms(text, []) == text


def test_names_are_romanised_the_same_way_across_the_document():
    source = "标题\n\n2023年9月，市政协主席石邦林调研建筑业。\n\n石邦林强调，要抓好落实。\n"
    document = translate_document(segment_text(source), WordFake())
    translations = [s.translation for s in document.sentences() if "石邦林" in s.text]
    assert len(translations) == 2 and all("Shi Banglin" in t for t in translations)


# --- documents and their outputs --------------------------------------------------------------------------

def test_translate_sample_document():
    document = segment_file(SAMPLE)
    fake = WordFake()
    translate_document(document, fake, TranslateOptions(glossary=default_glossary()))
    sentences = list(document.sentences())
    assert sentences and all(s.translation for s in sentences)
    assert all(not any(f in s.qa_flags for f in ("untranslated", "repetition")) for s in sentences)
    # The model never saw a name it would have to guess: 石邦林 reached it as Shi Banglin.
    assert not any("石邦林" in u for u in fake.units_seen)
    assert any("Shi Banglin" in u for u in fake.units_seen)

    text = english_text(document)
    blocks = [b for _, b in document.blocks()]
    assert text.split("\n\n") == [b.translation for b in blocks[:-1]] + [blocks[-1].translation + "\n"]

    rows = aligned_rows(document)
    assert len(rows) == len(sentences)
    assert {r["kind"] for r in rows} >= {"title", "subtitle", "byline", "epigraph", "heading", "paragraph", "caption"}
    for row in rows:
        if "\n" not in document.source[row["start"]:row["end"]]:  # not a repaired break
            assert document.source[row["start"]:row["end"]] == row["zh"]


# --- real checkpoints (tiny, random weights) through both backends ----------------------------------------

class Recording:
    """A real backend with every batch it translates recorded: model input -> outputs (first pass, retry)."""

    def __init__(self, translator, loop_first_pass: bool = False):
        self.translator = translator
        self.loop_first_pass = loop_first_pass
        self.model_id, self.revision, self.backend = translator.model_id, translator.revision, translator.backend
        self.max_source_tokens = translator.max_source_tokens
        self.default_decoding = translator.default_decoding
        self.outputs: dict[str, list[str]] = {}
        self.first_decoding = None

    def count_tokens(self, texts):
        return self.translator.count_tokens(texts)

    def translate_batch(self, texts, decoding):
        self.first_decoding = self.first_decoding or decoding
        if self.loop_first_pass and decoding == self.first_decoding:
            # What opus-mt does on some inputs; the retry (stricter decoding) goes to the real model.
            outputs = ["Come on, " + "come on, " * 20 + "come on"] * len(texts)
        else:
            outputs = self.translator.translate_batch(texts, decoding)
        for text, output in zip(texts, outputs):
            self.outputs.setdefault(text, []).append(output.strip())
        return outputs


@pytest.mark.parametrize("backend", ["transformers", "ctranslate2"])
def test_tiny_model_through_both_backends(tiny_model_dir, tmp_path, monkeypatch, backend):
    monkeypatch.setenv("BRIEF_CACHE_DIR", str(tmp_path / "cache"))
    from pipeline.loaders import load_translator

    translator = Recording(load_translator(str(tiny_model_dir), backend))
    assert translator.translator.backend == backend
    texts = ["贵阳市政协委员调研大数据产业发展。", "全年完成投资12亿元。", "贵阳市政协委员调研大数据产业发展。",
             "，".join(["政协委员调研"] * 30) + "。"]
    decoding = Decoding(beam_size=2, max_length=40)
    with TranslationMemory(tmp_path / "tm.sqlite3") as memory:
        stats = TranslateStats()
        options = TranslateOptions(memory=memory, glossary=default_glossary(), decoding=decoding, clause_budget=60)
        results = translate_texts(texts, translator, options, stats=stats)
        assert [r.source for r in results] == texts
        for text, result in zip(texts, results):
            # The parts cover the text, each is what the model returned for its input (first try or retry),
            # and the translation is the parts' English joined.
            assert [(p.start, p.end) for p in result.parts][0][0] == 0 and result.parts[-1].end == len(text)
            assert all(a.end == b.start for a, b in zip(result.parts, result.parts[1:]))
            assert all(p.translation in translator.outputs[p.model_input] for p in result.parts)
            assert result.translation == " ".join(p.translation for p in result.parts if p.translation)
        # The glossary reached the model in English; a repeated text and repeated clauses went to it once.
        assert all("CPPCC" in p.model_input and "政协" not in p.model_input for p in results[0].parts)
        assert results[0].translation == results[2].translation
        assert len(results[3].parts) > 1 and all(p.end - p.start <= 60 for p in results[3].parts)
        assert stats.translated == stats.unique == len(translator.outputs) > 0
        again = TranslateStats()
        repeat = translate_texts(texts, Recording(translator.translator), options, stats=again)
    assert [r.translation for r in repeat] == [r.translation for r in results]
    assert again.translated == 0 and again.from_memory == stats.unique


LOOP_CANDIDATES = ["委员们为贵阳点赞，也为自己点赞。", "贵阳市政协委员调研大数据产业发展。", "全年完成投资12亿元。",
                   "市政协主席石邦林调研建筑业和房地产业发展情况。", "一年来，贵阳市政协围绕强省会行动献计出力。",
                   "推动专场招聘及线上招聘毕业生签约落地。", "截至目前共组织开展协商活动371场。",
                   "委员们一路听、一路看、一路议。"]


@pytest.mark.parametrize("backend", ["transformers", "ctranslate2"])
def test_stricter_decoding_never_repeats_a_phrase(tiny_model_dir, tmp_path, monkeypatch, backend):
    """The retry's settings hold on both real backends: no token trigram twice in one output (which tokens
    a random model picks differs across CPUs; this holds for any)."""
    monkeypatch.setenv("BRIEF_CACHE_DIR", str(tmp_path / "cache"))
    from pipeline.loaders import load_translator

    translator = load_translator(str(tiny_model_dir), backend)
    stricter = Decoding(beam_size=2, max_length=40).stricter()
    for tokens in translator.generate_tokens(LOOP_CANDIDATES, stricter):
        trigrams = list(zip(tokens, tokens[1:], tokens[2:]))
        assert len(trigrams) == len(set(trigrams)), tokens


@pytest.mark.parametrize("backend", ["transformers", "ctranslate2"])
def test_tiny_model_repetition_loops_are_retried_then_fixed_or_flagged(tiny_model_dir, tmp_path, monkeypatch, backend):
    """A unit whose first output loops is retried once, on the real model, with stricter decoding, and comes out
    without a loop or flagged. (The first pass loops on purpose: whether random weights loop on a given input
    depends on the CPU and the library versions.)"""
    monkeypatch.setenv("BRIEF_CACHE_DIR", str(tmp_path / "cache"))
    from pipeline.loaders import load_translator

    translator = Recording(load_translator(str(tiny_model_dir), backend), loop_first_pass=True)
    stats = TranslateStats()
    options = TranslateOptions(decoding=Decoding(beam_size=2, max_length=40))
    results = translate_texts(LOOP_CANDIDATES, translator, options, stats=stats)
    assert stats.retried == len(LOOP_CANDIDATES)
    for source, result in zip(LOOP_CANDIDATES, results):
        first, retry = translator.outputs[source]
        assert "repetition" in check_translation(source, first)
        assert result.translation in (first, retry)
        if not check_translation(source, retry):  # the retry is clean: it is kept
            assert result.translation == retry and result.qa_flags == []
        # Whatever is kept, a loop left in it is flagged.
        assert ("repetition" in result.qa_flags) == ("repetition" in check_translation(source, result.translation))
