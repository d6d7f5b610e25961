"""The translate stage: Chinese sentences into English with a local seq2seq model.

reads: Document sentences; adds: Sentence.translation, Sentence.flags (stages ``translate`` and
``terminology``).

A sentence is the unit of alignment. The model sees units: a sentence, or the clauses of an over-long one
(``pipeline.segment.split_clauses``), split further while the model's tokenizer says a unit is over its
limit, so that nothing is ever truncated. Identical units are translated once; units already in the
translation memory skip the model; the rest are sorted by token length and batched by a budget of padded
tokens (longest unit x units), and the original order is restored.

Every output is checked against the failure modes of opus-mt-zh-en (see ``check_translation``): a
repetition loop ('come on, come on, come on'), runaway or cut-short output, Chinese left untranslated.
A unit that fails is translated once more with stricter decoding (``Decoding.stricter``); the better
output is kept, and what is still wrong becomes a flag on the sentence.

Glossary terms and person names (``pipeline.terminology``) are written into the model's input in English
(the model copies Latin text through), and each sentence whose English lacks one gets a flag
(``glossary:<term>`` or ``name:<name>`` as a label).

How to translate (decoding, memory, glossary, batching) is one ``TranslateOptions``. The per-article run
is ``pipeline.run``; the batch layer over files and folders is ``pipeline.batch``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import regex

from pipeline.document import Document, Flag
from pipeline.engine import Decoding, Translator
from pipeline.errors import UsageError
from pipeline.memory import TranslationMemory, memory_key
from pipeline.segment import DEFAULT_CLAUSE_BUDGET, split_clauses
from pipeline.terminology import Glossary, Term, find_names

# Padded source tokens per batch (longest unit x number of units). 4096 keeps a beam-4 batch of the
# full-size opus-mt model under ~1 GB of activations on CPU, and batches of 16-64 sentences are where
# CPU throughput levels off.
DEFAULT_BATCH_TOKENS = 4096

# Output length bounds in words per source unit (a Han character, or a run of Latin letters or digits).
# Measured on the 3,960 human references of WMT18 zh-en (shared/data/wmt18-zh-en.tsv): the ratio has median
# 0.71, 99.9th percentile 1.75, maximum 2.0; no reference exceeds 2.0 x units + 8, and only two (both cut
# short by the translator) fall under 0.2 x units for sources of 8 units or more.
TOO_LONG_WORDS_PER_UNIT = 2.0
TOO_LONG_SLACK_WORDS = 8
TOO_SHORT_WORDS_PER_UNIT = 0.2
TOO_SHORT_MIN_UNITS = 8
# A phrase of 2-8 words repeated 3 times in a row, or one word 4 times, is a decoding loop.
LOOP_MAX_NGRAM = 8
LOOP_REPEATS = 3
LOOP_WORD_REPEATS = 4

# How bad each flag is, to choose between the first output and the retry's.
_SEVERITY = {"repetition": 4, "too_long": 3, "untranslated": 3, "too_short": 2, "truncated": 1}
# What each guard means, for the reader of a flag.
GUARD_MESSAGES = {
    "repetition": "the English repeats a phrase over and over (a decoding loop)",
    "too_long": "the English is longer than any human translation of a source this long",
    "too_short": "the English is far shorter than the source calls for (content dropped?)",
    "truncated": "the English stops without final punctuation where the source ends a sentence",
    "untranslated": "Chinese characters are left in the English",
}

_HAN = regex.compile(r"\p{Han}")
_SOURCE_UNIT = regex.compile(r"\p{Han}|[\p{Latin}\p{N}]+")
_WORD = regex.compile(r"[\p{L}\p{N}]+(?:['’]\p{L}+)?")
_LETTER_OR_DIGIT = regex.compile(r"[\p{L}\p{N}]")
_ARTICLE = regex.compile(r"^(?:the|a|an)\s+(?=\S)", regex.IGNORECASE)
_SOURCE_FINAL = regex.compile(r"[。！？!?…]+[”’」』）》\"')\]]*\s*$")
_TARGET_FINAL = regex.compile(r"[.!?…。！？;:]+[\s\"'”’)\]]*$")


# --- guards -----------------------------------------------------------------------------------------------

def source_units(text: str) -> int:
    """Length of a source in units: each Han character, and each run of Latin letters or digits, is one."""
    return len(_SOURCE_UNIT.findall(text))


def words(text: str) -> list[str]:
    """The lowercased words of an English text (letters and digits, with an apostrophe suffix kept)."""
    return _WORD.findall(text.lower())


def find_loop(tokens: Sequence[str]) -> tuple[int, int] | None:
    """``(start, n)`` of the first n-gram repeated ``LOOP_REPEATS`` times in a row (a single word
    ``LOOP_WORD_REPEATS`` times), or None. 'come on, come on, come on' -> (0, 2)."""
    for n in range(1, LOOP_MAX_NGRAM + 1):
        repeats = LOOP_WORD_REPEATS if n == 1 else LOOP_REPEATS
        for start in range(0, len(tokens) - n * repeats + 1):
            gram = tokens[start:start + n]
            if all(tokens[start + k * n:start + (k + 1) * n] == gram for k in range(1, repeats)):
                return start, n
    return None


def check_translation(source: str, translation: str) -> list[str]:
    """QA flags for one unit's output; an empty list when nothing looks wrong.

    - ``repetition``: a decoding loop (a phrase three times in a row, a word four times) where the source
      has none (加油！加油！加油！ may well be 'Come on! Come on! Come on!');
    - ``too_long``: more words than any human translation of a source this long (runaway output);
    - ``too_short``: far fewer words than the source calls for (dropped content), or nothing at all;
    - ``truncated``: the source ends a sentence and the output stops without any final punctuation;
    - ``untranslated``: Chinese characters in the output.
    """
    flags = []
    units = source_units(source)
    output_words = words(translation)
    if find_loop(output_words) and not find_loop(_HAN.findall(source)):
        flags.append("repetition")
    if len(output_words) > TOO_LONG_WORDS_PER_UNIT * units + TOO_LONG_SLACK_WORDS:
        flags.append("too_long")
    if units and (not translation.strip() or (units >= TOO_SHORT_MIN_UNITS
                                              and len(output_words) < TOO_SHORT_WORDS_PER_UNIT * units)):
        flags.append("too_short")
    elif _SOURCE_FINAL.search(source) and translation.strip() and not _TARGET_FINAL.search(translation):
        flags.append("truncated")
    if _HAN.search(translation):
        flags.append("untranslated")
    return flags


def _badness(flags: Iterable[str]) -> int:
    return sum(_SEVERITY.get(flag, 0) for flag in flags)


# --- terminology in the model's input ---------------------------------------------------------------------

def protect_terms(text: str, terms: list[Term]) -> str:
    """``text`` with each term replaced by its English, spaced off from letters and digits around it.

    A leading article is dropped (贵州省委常委 -> '贵州 provincial Party committee 常委'): inside a Chinese
    phrase it is out of place, and the model adds one where English needs it. ``terms`` come from
    ``Glossary.find(text)``: in order and not overlapping.
    """
    out, position = "", 0
    for term in terms:
        out += text[position:term.start]
        english = _ARTICLE.sub("", term.english)
        if out and _LETTER_OR_DIGIT.match(out[-1]):
            out += " "
        out += english
        if term.end < len(text) and _LETTER_OR_DIGIT.match(text[term.end]):
            out += " "
        position = term.end
    return out + text[position:]


def _term_variants(english: str) -> list[str]:
    """Forms of a glossary English that count as using it: as written, without a leading article, without a
    trailing parenthesis ('the Chinese People's ... Conference (CPPCC)')."""
    base = _fold(english)
    variants = {base}
    short = regex.sub(r"\s*\([^)]*\)$", "", base)
    variants.add(short)
    for form in list(variants):
        variants.add(_ARTICLE.sub("", form))
    return [v for v in variants if v]


def _fold(text: str) -> str:
    text = text.casefold().translate(str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"}))
    return regex.sub(r"\s+", " ", text).strip()


def uses_term(translation: str, english: str) -> bool:
    """True when ``translation`` contains the glossary English (case, quotes, article and an abbreviation in
    brackets aside)."""
    return _uses_folded(_fold(translation), english)


def _uses_folded(folded: str, english: str) -> bool:
    """``uses_term`` on a translation folded once (``_fold``): a long sentence with many terms is folded once,
    not once per term (a 200,000-character sentence took 47 s, issue 13)."""
    return any(variant in folded for variant in _term_variants(english))


# --- options ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TranslateOptions:
    """How a translation run translates: one object from the CLI down to ``translate_texts``.

    ``decoding`` None takes the translator's preset (``Translator.default_decoding``); ``beam_size``
    overrides its beam. ``memory`` and ``glossary`` are optional. ``batch_tokens`` bounds a batch's padded
    source tokens; sentences longer than ``clause_budget`` characters are split into clauses. ``retry=False``
    skips the stricter second pass over units the guards reject (they are only flagged), e.g. to time the
    engine alone. ``inline_terms=False`` leaves glossary terms in Chinese in the model's input (names are
    still written in pinyin) and only flags outputs that do not use them.
    """

    decoding: Decoding | None = None
    beam_size: int | None = None
    memory: TranslationMemory | None = None
    glossary: Glossary | None = None
    batch_tokens: int = DEFAULT_BATCH_TOKENS
    clause_budget: int = DEFAULT_CLAUSE_BUDGET
    retry: bool = True
    inline_terms: bool = True

    def __post_init__(self) -> None:
        if self.batch_tokens < 1:
            raise UsageError(f"--batch-tokens must be positive, got {self.batch_tokens}")

    def decoding_for(self, model) -> Decoding:
        """The decoding a run with ``model`` (a ``Translator``, or anything with ``default_decoding``) uses."""
        decoding = self.decoding or model.default_decoding or Decoding()
        return dataclasses.replace(decoding, beam_size=self.beam_size) if self.beam_size else decoding


# --- translating texts ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Part:
    """One model unit of a text: its span in the text, what the model was given, and what came back.

    ``qa_flags`` are the guards its output still fails; ``retried`` says whether it was translated twice.
    """

    start: int
    end: int
    model_input: str
    translation: str
    qa_flags: tuple[str, ...] = ()
    from_memory: bool = False
    retried: bool = False


@dataclass
class TranslationResult:
    """The English of one text, the flags on it, and its parts (one, or the clauses it was split into)."""

    source: str
    translation: str
    flags: list[Flag] = field(default_factory=list)
    parts: list[Part] = field(default_factory=list)

    @property
    def qa_flags(self) -> list[str]:
        """The flags as strings: guard names, ``glossary:<term>``, ``name:<name>``."""
        return list(dict.fromkeys(flag.label for flag in self.flags))


@dataclass
class TranslateStats:
    """What one call did: units seen, translated by the model, found in memory, retried; sentences whose
    English is the user's edit (``reviewed``)."""

    units: int = 0
    unique: int = 0
    from_memory: int = 0
    translated: int = 0
    retried: int = 0
    reviewed: int = 0


@dataclass
class _Unit:
    text_index: int
    start: int
    end: int
    model_input: str
    terms: list[Term]
    tokens: int = 0


def translate_texts(
    texts: Sequence[str],
    translator: Translator,
    options: TranslateOptions | None = None,
    *,
    names: dict[str, str] | None = None,
    progress: Callable[[int], None] | None = None,
    stats: TranslateStats | None = None,
) -> list[TranslationResult]:
    """Translate ``texts`` (Chinese sentences) and return one result per text, in order.

    ``options`` (``TranslateOptions``) says how; the default is the translator's preset, no memory and
    the glossary given, none. ``names`` (Chinese name -> romanisation, from ``find_names``) are written into
    the model's input and checked in its output like glossary terms. ``progress(n)`` is called as each
    further ``n`` texts are done. ``stats``, if given, is filled with counts of what was done.
    """
    options = options or TranslateOptions()
    decoding = options.decoding_for(translator)
    memory, glossary, batch_tokens, retry = options.memory, options.glossary, options.batch_tokens, options.retry
    stats = stats if stats is not None else TranslateStats()
    limit = translator.max_source_tokens
    units = _units(texts, translator, glossary, names, options.clause_budget, limit, options.inline_terms)
    stats.units += len(units)

    outputs: dict[str, tuple[str, tuple[str, ...], bool]] = {}  # model input -> (English, flags, from memory)
    retried: set[str] = set()
    tokens: dict[str, int] = {}  # model input -> source tokens, for the units the model must translate
    for unit in units:
        if unit.model_input in outputs or unit.model_input in tokens:
            continue
        if not _HAN.search(unit.model_input):
            # Nothing Chinese to translate (a figure, a Latin name, a term now in English): keep it as is.
            outputs[unit.model_input] = (unit.model_input.strip(), (), False)
        else:
            tokens[unit.model_input] = unit.tokens
    to_translate = list(tokens)
    stats.unique += len(to_translate) + len(outputs)

    keys = {}
    first_pass: dict[str, str] = {}  # units whose first pass a killed run stored: only the retry is left
    if memory is not None and to_translate:
        keys = {text: memory_key(translator.model_id, translator.revision, translator.backend, decoding.key(), text)
                for text in to_translate}
        stored = memory.get_entries(keys.values())
        for text in list(to_translate):
            entry = stored.get(keys[text])
            if entry is None:
                continue
            if entry.origin == "first" and retry:
                first_pass[text] = entry.translation
            else:
                outputs[text] = (entry.translation, tuple(check_translation(text, entry.translation)), True)
        to_translate = [text for text in to_translate if text not in outputs]
        stats.from_memory += sum(1 for v in outputs.values() if v[2])

    tracker = _Progress(units, progress)
    tracker.update(outputs)
    if to_translate:
        stats.translated += len(to_translate) - len(first_pass)
        first_flags: dict[str, list[str]] = {}

        def checked(done: list[tuple[str, str]], store: bool = True) -> None:
            # Every batch is stored as it returns, so that a killed run keeps the model's work so far: units
            # that pass the guards are done; the others are stored as a first pass (with their flags) and
            # wait for the retry, which a run after a kill still gives them.
            for text, output in done:
                first_flags[text] = check_translation(text, output)
            tracker.update(text for text, _ in done if not first_flags[text])
            if memory is not None and store:
                for origin in ("model", "first"):
                    rows = [(keys[text], text, output) for text, output in done
                            if bool(first_flags[text]) == (origin == "first")]
                    memory.put_many(rows, model=translator.model_id, origin=origin,
                                    flags={keys[text]: first_flags[text] for text, _ in done})

        first = dict(first_pass)
        checked(list(first_pass.items()), store=False)
        first.update(_run_batches([t for t in to_translate if t not in first_pass], tokens, translator, decoding,
                                  batch_tokens, on_batch=checked))
        bad = [text for text in to_translate if first_flags[text]] if retry else []
        second = _run_batches(bad, tokens, translator, decoding.stricter(), batch_tokens) if bad else {}
        stats.retried += len(bad)
        retried.update(bad)
        new = {}
        for text in to_translate:
            best, flags = first[text], first_flags[text]
            if text in second:
                second_flags = check_translation(text, second[text])
                if _badness(second_flags) < _badness(flags):  # on a tie the first output stays
                    best, flags = second[text], second_flags
            new[text] = (best, tuple(flags), False)
        outputs.update(new)
        tracker.update(to_translate)  # the rest: retried, or flagged without a retry
        if memory is not None and bad:  # the retried units, final now, with the flags they still have
            memory.put_many(((keys[text], text, new[text][0]) for text in bad), model=translator.model_id,
                            flags={keys[text]: new[text][1] for text in bad})

    return _assemble(texts, units, outputs, retried)


def memory_keys(texts: Sequence[str], model, options: TranslateOptions | None = None, *,
                names: dict[str, str] | None = None) -> dict[str, str]:
    """Model input -> translation-memory key of each unit of ``texts`` that would go to the model, found without
    loading it: ``model`` is a ``Translator`` or a ``pipeline.models.ModelPlan`` (id, revision, backend,
    default decoding). What a run looks up before it translates, so a driver can fetch the entries for its
    workers. Units that the model's tokenizer later finds over its limit are split further and not covered.
    """
    options = options or TranslateOptions()
    decoding_key = options.decoding_for(model).key()
    units = _units(texts, _NoTokenizer(), options.glossary, names, options.clause_budget, 1, options.inline_terms)
    return {unit.model_input: memory_key(model.model_id, model.revision, model.backend, decoding_key, unit.model_input)
            for unit in units if _HAN.search(unit.model_input)}


class _NoTokenizer:
    """Counts no tokens: the units of ``_units`` before any split by the model's limit."""

    def count_tokens(self, texts: list[str]) -> list[int]:
        return [0] * len(texts)


def _units(texts: Sequence[str], translator: Translator, glossary: Glossary | None, names: dict[str, str] | None,
           clause_budget: int, limit: int, inline_terms: bool = True) -> list[_Unit]:
    """The model units of every text: clauses of over-long sentences, split until each fits ``limit`` tokens."""
    glossary = glossary or Glossary()

    def make(index: int, text: str, start: int, end: int) -> _Unit:
        piece = text[start:end]
        terms = glossary.find(piece, names)
        inline = terms if inline_terms else [t for t in terms if t.kind == "name"]
        return _Unit(index, start, end, protect_terms(piece, inline), terms)

    units = []
    for index, text in enumerate(texts):
        spans = split_clauses(text, clause_budget) if text.strip() else [(0, len(text))]
        units.extend(make(index, text, a, b) for a, b in spans)
    # Units the tokenizer finds too long (Latin-heavy text, rare characters) are halved until they fit.
    pending = units
    while True:
        counts = translator.count_tokens([u.model_input for u in pending]) if pending else []
        for unit, count in zip(pending, counts):
            unit.tokens = count
        over = [u for u in pending if u.tokens > limit]
        if not over:
            break
        pending = []
        for unit in over:
            text = texts[unit.text_index]
            length = unit.end - unit.start
            if length < 2:
                raise UsageError(f"one character is over the model's {limit}-token limit: {text[unit.start]!r}")
            halves = [make(unit.text_index, text, unit.start + a, unit.start + b)
                      for a, b in split_clauses(text[unit.start:unit.end], max(1, length // 2))]
            position = units.index(unit)
            units[position:position + 1] = halves
            pending.extend(halves)
    return units


def _run_batches(texts: list[str], counts: dict[str, int], translator: Translator, decoding: Decoding,
                 batch_tokens: int, on_batch: Callable[[list[tuple[str, str]]], None] | None = None) -> dict[str, str]:
    """Translate unique ``texts`` longest first (by their token ``counts``), in batches of at most
    ``batch_tokens`` padded tokens."""
    ordered = sorted(texts, key=lambda t: -counts[t])
    results: dict[str, str] = {}
    for batch in batches_by_tokens(ordered, [counts[t] for t in ordered], batch_tokens):
        outputs = translator.translate_batch(batch, decoding)
        if len(outputs) != len(batch):
            raise RuntimeError(f"{translator.backend} returned {len(outputs)} translations for {len(batch)} inputs")
        done = [(text, output.strip()) for text, output in zip(batch, outputs)]
        results.update(done)
        if on_batch is not None:
            on_batch(done)
    return results


def batches_by_tokens(items: list, counts: list[int], batch_tokens: int) -> list[list]:
    """Split ``items`` (sorted by length) into consecutive batches whose padded size (longest x count) stays
    within ``batch_tokens``; an item longer than the budget goes in a batch of its own."""
    batches: list[list] = []
    current: list = []
    longest = 0
    for item, count in zip(items, counts):
        if current and max(longest, count) * (len(current) + 1) > batch_tokens:
            batches.append(current)
            current, longest = [], 0
        current.append(item)
        longest = max(longest, count)
    if current:
        batches.append(current)
    return batches


class _Progress:
    """Calls ``progress(n)`` as texts get all their units translated."""

    def __init__(self, units: list[_Unit], progress: Callable[[int], None] | None):
        self.progress = progress
        self.waiting: dict[str, list[int]] = {}
        self.remaining: dict[int, int] = {}
        for unit in units:
            self.waiting.setdefault(unit.model_input, []).append(unit.text_index)
            self.remaining[unit.text_index] = self.remaining.get(unit.text_index, 0) + 1

    def update(self, done: Iterable[str]) -> None:
        finished = 0
        for text in done:
            for index in self.waiting.pop(text, []):
                self.remaining[index] -= 1
                finished += self.remaining[index] == 0
        if finished and self.progress is not None:
            self.progress(finished)


def _assemble(texts: Sequence[str], units: list[_Unit], outputs: dict[str, tuple[str, tuple[str, ...], bool]],
              retried: set[str]) -> list[TranslationResult]:
    """Join each text's parts back together and add the flags of its parts and its unused terms."""
    results = [TranslationResult(source=text, translation="") for text in texts]
    terms: dict[int, list[Term]] = {}
    for unit in units:
        english, flags, from_memory = outputs[unit.model_input]
        results[unit.text_index].parts.append(Part(unit.start, unit.end, unit.model_input, english, flags,
                                                   from_memory, unit.model_input in retried))
        terms.setdefault(unit.text_index, []).extend(unit.terms)
    for index, result in enumerate(results):
        result.translation = " ".join(p.translation for p in result.parts if p.translation)
        for part in result.parts:
            for code in part.qa_flags:
                result.flags.append(Flag("translate", code, GUARD_MESSAGES.get(code, code), data={
                    "guard": code, "span": [part.start, part.end], "retried": part.retried,
                    "from_memory": part.from_memory}))
        folded = _fold(result.translation)
        # A term found many times is checked once: the answer (and the flag) is the same for each.
        unique: dict[tuple[str, str, str], Term] = {}
        for term in terms.get(index, []):
            unique.setdefault((term.chinese, term.english, term.kind), term)
        for term in unique.values():
            if not _uses_folded(folded, term.english):
                kind = "name" if term.kind == "name" else "glossary"
                flag = Flag("terminology", kind, f"the English does not use {term.english!r} for {term.chinese}",
                            data={"term": term.chinese, "english": term.english})
                if flag not in result.flags:
                    result.flags.append(flag)
    return results


# --- translating a document -------------------------------------------------------------------------------

# The stages whose flags the translate stage sets (a run replaces them all).
TRANSLATE_FLAG_STAGES = ("translate", "terminology", "review")
def reviewed_flag() -> Flag:
    """The mark on a sentence whose English is the user's edit, from the translation memory (issue 13)."""
    return Flag("review", "reviewed", "edited by hand in the aligned file; kept from the translation memory",
                severity="warning")

def translate_document(
    document: Document,
    translator: Translator,
    options: TranslateOptions | None = None,
    *,
    progress: Callable[[int], None] | None = None,
    stats: TranslateStats | None = None,
) -> Document:
    """The translate stage. reads: sentences; adds: ``Sentence.translation``, ``Sentence.flags``.

    Translates every sentence of ``document`` in place and returns it. Person names found anywhere in the
    document (``find_names``) are romanised the same way in every sentence. See ``translate_texts`` for
    ``options``, ``progress(n)`` (counts sentences) and ``stats``.
    """
    sentences = list(document.sentences())
    memory = options.memory if options is not None else None
    edits = memory.get_edits(s.text for s in sentences) if memory is not None else {}
    todo = [s for s in sentences if s.text not in edits]
    results = translate_texts([s.text for s in todo], translator, options,
                              names=find_names(document.source), progress=progress, stats=stats)
    for sentence, result in zip(todo, results):
        sentence.translation = result.translation
        # One flag per label: two clauses that fail one guard are one flag on their sentence.
        first: dict[str, Flag] = {}
        for flag in result.flags:
            first.setdefault(flag.label, flag)
        sentence.set_flags(TRANSLATE_FLAG_STAGES, list(first.values()))
    reviewed = [s for s in sentences if s.text in edits]
    for sentence in reviewed:
        # The user's own English for this sentence (an edited NAME.aligned.jsonl): it outranks the model's.
        sentence.translation = edits[sentence.text]
        sentence.set_flags(TRANSLATE_FLAG_STAGES, [reviewed_flag()])
    if reviewed:
        if stats is not None:
            stats.reviewed += len(reviewed)
        if progress is not None:
            progress(len(reviewed))
    return document
