"""Glossary parsing and lookup, name romanisation, and the title rule that finds names."""

from pathlib import Path

import pytest

from pipeline.errors import InputError
from pipeline.terminology import (
    Glossary,
    default_glossary,
    find_names,
    load_glossary,
    parse_glossary,
    romanise_name,
)

FIXTURE = Path(__file__).parent / "fixtures" / "guiyang-cppcc-2023.txt"


@pytest.mark.parametrize("name, latin", [
    ("石邦林", "Shi Banglin"),
    ("宋平", "Song Ping"),
    ("胡忠雄", "Hu Zhongxiong"),
    ("欧阳修", "Ouyang Xiu"),       # compound surname
    ("司马光", "Sima Guang"),
    ("曾国藩", "Zeng Guofan"),      # surname reading, not ceng
    ("单雄信", "Shan Xiongxin"),    # surname reading, not dan
    ("吕建安", "Lü Jian'an"),       # ü, and an apostrophe before a syllable opening with a vowel
])
def test_romanise_name(name, latin):
    assert romanise_name(name) == latin


@pytest.mark.parametrize("text, names", [
    ("贵阳市政协党组书记、主席石邦林调研建筑业和房地产业发展情况。", {"石邦林"}),
    ("贵阳市政协副主席宋平带队调研贵阳市青少年体育工作情况。", {"宋平"}),
    ("贵阳市委书记胡忠雄对全市各级政协组织提出要求。", {"胡忠雄"}),
    ("民建贵阳市委会主委喻飞带队调研。", {"喻飞"}),
    ("本报记者 黄静", {"黄静"}),
    ("新华社记者 张三 李四", {"张三", "李四"}),
    ("主席欧阳明辉表示，", {"欧阳明辉"}),
    # Not names: ordinary words after a title.
    ("委员们为贵阳点赞，也为自己点赞。", set()),
    ("广大政协委员提出“四同”要求。", set()),
    ("市委书记严格要求各级干部。", set()),
    ("政协委员高度重视，委员企业积极参与。", set()),
    ("主席班子成员认真开展走访。", set()),
    ("书记任务在身。", set()),
    ("市政协主席会议和常委会会议专题学。", set()),
])
def test_find_names_after_titles(text, names):
    assert set(find_names(text)) == names


def test_find_names_in_the_sample_article_finds_only_people():
    names = find_names(FIXTURE.read_text(encoding="utf-8"))
    assert {"黄静", "胡忠雄", "石邦林", "耿贵刚", "宋平", "喻飞"} <= set(names)
    assert names["石邦林"] == "Shi Banglin"
    # Every hit opens with a surname and is two to four characters long.
    assert all(2 <= len(n) <= 4 for n in names)


def test_default_glossary_has_the_domain_terms():
    glossary = default_glossary()
    assert glossary.terms["政协"] == "CPPCC"
    assert glossary.terms["强省会"] == 'the "Strong Provincial Capital" initiative'
    assert glossary.terms["贵阳贵安"] == "Guiyang and Gui'an"
    assert len(glossary.terms) >= 40


def test_lookup_is_longest_match_first_and_in_order():
    glossary = Glossary({"政协": "CPPCC", "政协委员": "CPPCC members", "委员": "members", "贵阳": "Guiyang"})
    found = glossary.find("贵阳市政协委员和委员")
    assert [(t.chinese, t.start, t.end) for t in found] == [("贵阳", 0, 2), ("政协委员", 3, 7), ("委员", 8, 10)]


def test_names_join_the_glossary_lookup():
    found = Glossary({"主席": "chairman"}).find("主席石邦林调研", {"石邦林": "Shi Banglin"})
    assert [(t.chinese, t.english, t.kind) for t in found] == [
        ("主席", "chairman", "term"), ("石邦林", "Shi Banglin", "name")]


def test_user_glossary_wins_over_the_default(tmp_path):
    user = tmp_path / "mine.tsv"
    user.write_text("# my terms\n政协\tthe CPPCC\n\n新词\tnew word  # trailing comment\n石邦林\t\n", encoding="utf-8")
    glossary = load_glossary(user)
    assert glossary.terms["政协"] == "the CPPCC"
    assert glossary.terms["新词"] == "new word"
    assert glossary.terms["市委"] == "the municipal Party committee"  # default entries stay
    assert glossary.names["石邦林"] == "Shi Banglin"  # empty English: a name to romanise


def test_user_glossary_without_default(tmp_path):
    user = tmp_path / "mine.tsv"
    user.write_text("新词\tnew word\n", encoding="utf-8")
    assert load_glossary(user, default=False).terms == {"新词": "new word"}


@pytest.mark.parametrize("line, message", [
    ("政协 CPPCC", "line 2: expected 'Chinese<TAB>English'"),
    ("\tCPPCC", "line 2: the Chinese column is empty"),
])
def test_bad_glossary_line_is_named(line, message):
    with pytest.raises(InputError, match=message):
        parse_glossary("# header\n" + line + "\n", "mine.tsv")


def test_missing_glossary_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        load_glossary(tmp_path / "missing.tsv")
