"""The development corpus: real reports, a talk, a round-up and a news feature, scored against their gold structure.

The gold files and the scorer (``score_structure.py``) are copies of ``shared/corpus`` and ``shared/tools``
(see ``fixtures/corpus-README.md`` for the contract). Each article must keep at least the score it has
reached, and its page chrome must come out as ``junk``, never as text.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from pipeline.document import Document
from pipeline.segment import document_to_json, segment_file

FIXTURES = Path(__file__).parent / "fixtures"
# Items matched of all items, per article; a regression guard: raise these as the segmenter improves.
FLOORS = {
    "guiyang-cppcc-2023": (45, 45),
    "shaanxi-gov-2026": (95, 95),
    "jiangxi-gov-2026": (130, 130),
    "ruc-liuyuanchun-talk-2021": (132, 132),
    "xinhua-ministries-roundup-2021": (40, 40),
}


def _scorer():
    spec = importlib.util.spec_from_file_location("score_structure", FIXTURES / "score_structure.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SCORER = _scorer()


def _segmented(name: str) -> tuple[dict, dict]:
    gold = json.loads((FIXTURES / f"{name}.structure.json").read_text(encoding="utf-8"))
    return gold, document_to_json(segment_file(FIXTURES / f"{name}.txt"))


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_corpus_article_keeps_its_structure_score(name):
    gold, output = _segmented(name)
    ok, total, mismatches = SCORER.score(gold, output)
    floor, gold_total = FLOORS[name]
    assert total == gold_total, "the gold file changed: update FLOORS"
    assert ok >= floor, f"{name}: {ok}/{total} items match, below {floor}:\n" + "\n".join(mismatches)


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_corpus_page_chrome_is_junk_and_every_character_is_kept_once(name):
    gold, output = _segmented(name)
    assert [SCORER.norm(j) for j in output["junk"]] == [SCORER.norm(j) for j in gold["junk"]]
    document = segment_file(FIXTURES / f"{name}.txt")
    blocks = [block for _, block in document.blocks()] + document.furniture
    pieces = sorted((piece for block in blocks for piece in block.pieces), key=lambda p: p.start)
    assert all(document.source[p.start:p.start + len(p.text)] == p.text for p in pieces)
    assert SCORER.norm("".join(p.text for p in pieces)) == SCORER.norm(document.source)
    # Chrome is never in the text the translator sees: no sentence overlaps a junk block.
    junk = [(block.start, block.end) for block in document.furniture]
    for sentence in document.sentences():
        assert all(sentence.end <= start or end <= sentence.start for start, end in junk)


@pytest.mark.parametrize("name", ["shaanxi-gov-2026", "ruc-liuyuanchun-talk-2021"])
def test_corpus_document_with_junk_reads_back_equal(name):
    document = segment_file(FIXTURES / f"{name}.txt")
    assert any(block.kind == "junk" for block in document.furniture)
    assert Document.from_dict(json.loads(json.dumps(document.to_dict(), ensure_ascii=False))) == document
