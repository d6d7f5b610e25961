"""Page chrome: the lines portals and news sites print around an article are set apart, the article's are not."""

import pytest

from pipeline.chrome import is_chrome_line, page_chrome


@pytest.mark.parametrize("line, chrome", [
    ("下载", True),
    ("打印本页 关闭窗口", True),
    ("【字号：大 中 小】", True),
    ("分享到：微信 微博 QQ空间", True),
    ("】", True),
    ("首页 > 新闻中心 > 要闻", True),
    ("当前位置：首页 > 政务公开", True),
    ("来源：人民网－人民日报", True),
    ("（本文来源：新华社）", True),
    ("发布时间：2024-01-21 10:30", True),
    ("2023-11-16 08:30:15　来源：人民网", True),
    ("2024-01-21", True),
    ("浏览次数：1234", True),
    ("上一篇：全市经济运行稳中向好", True),
    ("扫一扫在手机打开当前页", True),
    ("更多精彩内容，尽在新闻客户端", True),
    ("责任编辑：李四 SF014", True),
    ("【编辑：王五】", True),
    ("免责声明：本文仅代表作者本人观点，与本网站无关。", True),
    # the article's own lines
    ("下载量同比增长20%。", False),
    ("市民可下载“城市服务”APP办理相关业务。", False),
    ("2024年1月21日", False),  # the date that closes a signed document
    ("一、2023年工作回顾", False),
    ("各位代表：", False),
    ("原标题：经济运行总体平稳", False),
    ("时间就是效率，效率就是生命。", False),
    ("（完）", False),
    # promotions need a promotion's wording; labels never end a sentence
    ("扫码关注官方微信公众号", True),
    ("下载新闻客户端", True),
    ("“扫码办”成为新常态", False),  # a sub-heading about scanning, not a QR promotion
    ("下载“城市服务”APP一站办", False),  # the app is what the text is about: words follow it
    ("时间：2026年3月5日至3月11日。", False),  # a sentence of the article, not the page's date label
])
def test_chrome_line_rule(line, chrome):
    assert is_chrome_line(line) is chrome


def test_breadcrumb_one_crumb_a_line_between_bare_separators():
    lines = ["首页", ">", "政府信息公开", ">", "工作报告", "2024年政府工作报告", "各位代表："]
    assert page_chrome(lines) == {0, 1, 2, 3, 4}


def test_bare_label_takes_its_value_from_the_next_line():
    lines = ["政府工作报告", "时间：", "2026-02-02 09:20", "来源：", "某省人民政府", "各位代表：",
             "现在，我代表省人民政府向大会报告工作。"]
    assert page_chrome(lines) == {1, 2, 3, 4}


def test_header_printed_twice_keeps_the_second_copy():
    lines = ["分享:", "某省2026年政府工作报告", "2026年1月27日在某省人民代表大会会议上 某省省长 张三", "首页", ">",
             "报告", "某省2026年政府工作报告", "2026年1月27日在某省人民代表大会会议上 某省省长 张三", "各位代表：",
             "各位代表："]
    assert page_chrome(lines) == {0, 1, 2, 3, 4, 5}


def test_related_articles_label_takes_the_link_titles_under_it():
    lines = ["正文最后一段。", "相关报道：", "某市召开经济工作会议", "某市发布新规", "下面是另一段正文。"]
    assert page_chrome(lines) == {1, 2, 3}


def test_button_words_only_as_whole_lines_and_in_linear_time():
    assert page_chrome(["我们要加大投入力度", "收藏家的故事"]) == set()
    assert not is_chrome_line("大中小" * 13 + "x")  # no catastrophic backtracking on near-misses


def test_labels_and_promotions_count_only_in_the_page_header_and_footer():
    lines = ["某市举办科技活动周", "来源：某市日报", "扫一扫在手机打开当前页",
             "本报讯 今年科技活动周将于下月举行，市民可免费参加。", "活动安排", "时间：3月5日至3月11日",
             "扫码关注主办方", "地点：市民服务中心一楼大厅", "据介绍，下一步将继续优化服务。",
             "更多精彩内容，尽在新闻客户端", "来源：某市日报"]
    assert page_chrome(lines) == {1, 2, 9, 10}  # the same kinds of line mid-body are the article's


def test_news_piece_about_apps_and_qr_codes_loses_nothing():
    lines = ["数字政府建设跑出加速度", "本报讯（记者 王五）今年以来，我市持续推进数字政府建设。", "“扫码办”成为新常态",
             "在市民服务中心，市民只需扫码即可办理业务。", "下载“某某”APP一站办", "目前，该APP注册用户已突破500万。",
             "活动安排", "时间：2026年3月5日至3月11日。", "据介绍，下一步将继续优化服务。"]
    assert page_chrome(lines) == set()
