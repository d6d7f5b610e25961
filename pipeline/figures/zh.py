"""Figures in Chinese text: numbers, percentages, dates, ordinals, ranges, quantities and numeric slogans.

reads: a Chinese string; gives: ``list[Figure]`` in text order, with spans into that string.

The extractor runs a few passes in priority order (idioms, slogans, dates, times, percentages, ranges,
ordinals, plain quantities); a later pass never takes characters an earlier one claimed. A numeral
character is a figure only when the words around it make it one: 一些, 一起, 统一, 十分 and 四川 are not
figures; 一年来 is one but an idiomatic, soft one; 四同 and "3+1" are slogans, reported softly.
"""

from __future__ import annotations

import regex

from pipeline.figures.lexicon import numeral_words
from pipeline.figures.model import Claims, Figure
from pipeline.figures.numbers import (
    CN_DIGITS,
    address_spans,
    clean_float,
    full_year,
    normalise_digits,
    parse_zh_number,
)
from pipeline.figures.numbers import (
    compiled as _rx,
)


def _longest_first(words: str) -> list[str]:
    """A whitespace-separated word list, deduplicated, longest first (so 亿元 wins over 亿 in a pattern)."""
    return sorted(set(words.split()), key=len, reverse=True)


# Banker's numerals (壹贰叁, 伍, 陆, 拾) are left out: on cheques, not in news, where 陆续, 伍德 and 拾起 are words.
CD = "零〇○一二三四五六七八九两兩"
CU = "十百千"
CB = "万萬亿億"
NUMERAL_CHARS = frozenset(CD + CU + CB + "0123456789")

AR = r"\d+(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
# 3千米 is 3 km, not 3,000 m: a unit character that starts a measure word is not a scale.
# 兆 is a scale (10^12) before money or a count (1.2兆元, 3兆日元); before a unit it is the prefix mega- (兆瓦).
BIG = rf"(?:[{CB}]|兆(?=(?:美|日|欧|港|韩|新台|台)?元|人民币|新台币|美金|日圆|个|人次))"
MIXED = rf"(?:{AR})(?:[ \t]?(?:[百千](?![米克瓦卡]))?{BIG}*)"
CNNUM = rf"[{CD}{CU}](?:[{CD}{CU}]|{BIG})*(?:点[{CD}]+{BIG}*)?"
NUM = rf"(?:{MIXED}|{CNNUM})"

# Measure words and units a quantity takes, longest first so 亿元 wins over 亿 and 个月 over 个.
UNITS = _longest_first("""
万亿元 亿元 万元 千元 百元 元 美元 亿美元 万美元 欧元 英镑 日元 港元 韩元 卢布 人民币 块钱 块 角 分钱
平方公里 平方千米 平方米 立方米 公顷 亩 公里 千米 厘米 毫米 英里 米 千克 公斤 吨 万吨 克 斤 升 毫升
千瓦时 千瓦 兆瓦 吉瓦 瓦 兆字节 吉字节 兆赫 兆帕 兆焦 兆比特 度 摄氏度 分贝 级 千兆 兆 字节 像素 帧 马力
小时 分钟 秒钟 秒 天 日 周 星期 季度 个季度 季 个月 个多月 年 岁 周岁 年级 代 世纪
个 名 位 人 人次 余人 户 家 所 座 辆 架 艘 列 台 部 本 册 卷 张 支 只 头 匹 条 种 类 批 组 队 届 轮 期
层 楼 套 间 份 片 根 枚 颗 粒 起 例 宗 笔 单 票 处 栋 幢 趟 班 门 节 课 章 集 首 幅 段 句 字 页 封 局 盘
场 次 篇 件 项 倍 点 分 强 员 号 枪 球 环 码 杯 瓶 箱 袋 包 斤 桶 罐 碗 顿 声 步 圈 遍 下 口 面 名次 届次
""")
UNIT = "|".join(regex.escape(u) for u in UNITS)
_SINGLE_UNITS = frozenset(u for u in UNITS if len(u) == 1)
TIME_UNITS = frozenset(["年", "个月", "个多月", "月", "天", "日", "周", "星期", "小时", "分钟", "秒", "秒钟", "世纪"])

UNIT_NAMES = {"元": "yuan", "亿元": "yuan", "万元": "yuan", "万亿元": "yuan", "千元": "yuan", "美元": "US dollars",
              "亿美元": "US dollars", "万美元": "US dollars", "欧元": "euros", "英镑": "pounds", "日元": "yen",
              "公里": "km", "千米": "km", "米": "m", "公斤": "kg", "千克": "kg", "吨": "tonnes", "万吨": "tonnes",
              "年": "years", "个月": "months", "天": "days", "日": "days", "小时": "hours", "分钟": "minutes",
              "秒": "seconds", "岁": "years old", "周岁": "years old", "次": "times", "倍": "times",
              "人": "persons", "名": "persons", "位": "persons", "人次": "person-times", "家": "companies",
              "个": "units", "项": "items", "件": "items", "条": "items", "篇": "articles", "场": "sessions",
              "亩": "mu", "平方公里": "km2", "平方米": "m2", "公顷": "hectares", "户": "households"}

PREFIX_APPROX = (("大约", "about"), ("约为", "about"), ("大概", "about"), ("约", "about"),
                 ("将近", "less_than"), ("接近", "less_than"), ("近", "less_than"), ("不到", "less_than"),
                 ("不足", "less_than"), ("逾", "more_than"), ("超过", "more_than"), ("超", "more_than"),
                 ("至少", "at_least"), ("不少于", "at_least"), ("最多", "at_most"))
SUFFIX_APPROX = {"余": "more_than", "多": "more_than", "有余": "more_than", "以上": "more_than",
                 "开外": "more_than", "之多": None, "来": "about", "左右": "about", "上下": "about", "几": "more_than",
                 "以下": "at_most", "以内": "at_most"}

# Words with a numeral character that are not figures: idioms, adverbs, names of places and firms,
# weekdays, vague quantities (数百 is "hundreds of", not a number to check).
IDIOMS = _longest_first("""
一些 一起 一直 一定 一样 一般 一切 一致 一下 一旦 一再 一度 一向 一律 一同 一道 一边 一面 一心 一体 一系列
一路 一批 一大批 一流 一线 一生 一方面 统一 唯一 万一 一时 一点 一番 一味 一连 一举 一早 一手 一贯 一口气
一揽子 进一步 同一 一行 一员 一类 一并 一齐 一带 一身 一共 一概 一如既往 一目了然 一席之地 一臂之力 一环
一刀切 一站式 一把手 一大早 一份子 一分子 一下子 一阵 一部分 一如 一应 一体化 一把 一朝 一意 一脉 一蹴而就
一帆风顺 一马当先 一窝蜂 一年四季 一模一样 一清二楚 一五一十 一穷二白 三番五次 三五成群 三心二意 七上八下 乱七八糟
四面八方 五湖四海 四分五裂 千方百计 千家万户 千军万马 千辛万苦 千千万万 成千上万 成千上百 万众一心 万无一失
百花齐放 百姓 老百姓 百货 百科 百度 十分 十足 十全十美 万分 千万别 千万不 千万要 万物 万里 万象 亿万 千里
十几 三元锂
零售 零件 零部件 零食 零星 零距离 零碎 四起 四溢 四散 四射 零组件 零配件 二氧化 一氧化 两栖 两极 千疮百孔
新一届 上一届 下一届 每一届 三文鱼 三文治 零散 零钱 零下 三星 三明治 四川 三亚 六安 九江 十堰 万州
七台河 五指山 九寨沟 三沙 三峡 三门峡 三明 五粮液 一汽 三一重工 万科 万达 千岛湖 九州 四海 八方 四季
周一 周二 周三 周四 周五 周六 周日 周天 星期一 星期二 星期三 星期四 星期五 星期六 星期日 星期天 礼拜一
礼拜二 礼拜三 礼拜四 礼拜五 礼拜六 礼拜天 礼拜日 之一 一一 其一 一是 二是 三是 四是 五是 六是 一则 二则
一来 二来 一方 一番 一代 一度 一经 一项项 一次次 一个个 一件件 一条条 万古 一时间 一贯 独一无二 第一时间
一言一行 一点一滴 一草一木 一针一线 一心一意 一朝一夕 一分一秒 一丝一毫 一砖一瓦 专一 划一 二手 三角
四周 四处 八卦 九天 十字 十字路口 万能 千秋 百年大计 多半 一半 五花八门 再三 三思 一手抓 两手抓 两手
二者 两者 一律 一律 一体 万人空巷 一揽 一日千里 日新月异 四通八达 七嘴八舌 一无所有 三三两两 一分为二
""")
_IDIOM = regex.compile("|".join(regex.escape(w) for w in IDIOMS))

# Numeric names and slogans that are not quoted in running text.
NAMES = _longest_first("""
九三学社 一带一路 一国两制 两个一百年 四个全面 四个意识 四个自信 两个维护 两个确立 两学一做 三严三实 五位一体
八一 双十二 双12 三农 两会 三公 四风 八项规定 三个代表 一个中国 九二共识 五四运动 三八节 五一 十一黄金周
双十一 双11 四个现代化
三去一降一补 六稳 六保 五大发展理念 两新 三重一大 三会一课 两岸三地 三大攻坚战 四个一批 三个务必 两个务必
""")
_NAME = regex.compile("|".join(regex.escape(w) for w in NAMES))

# Vague round numbers: 上万 "tens of thousands", 数百 "hundreds of"; soft, about the unit's size.
_VAGUE = regex.compile(r"(?:(?<![晚早])上|数|几|成千上|成百上)(?P<u>十万|百万|千万|十|百|千|万|亿)")
# Digits inside a Latin-letter token are a model name or code (IPX7, VH-3D, 7FRESH, iPhone 6s), not a figure.
_CODE = regex.compile(r"[A-Za-z]+[-‑]?\d+[A-Za-z\d]*"
                      r"|(?!(?:19|20)\d\d[A-Za-z])\d+[A-Za-z]+\d*[A-Za-z]*"
                      r"(?<![\d.](?:km|kg|cm|mm|m|g|t|mg|GW|MW|kW|kWh|ha|mu))|\d+[+*×]\d+")
# 破万亿 "over a trillion": a big unit on its own after a verb of reaching.
_BARE_BIG = regex.compile(r"(?:(?<=(?P<verb>[破过超达近逾上]))|(?<![\d零〇一二三四五六七八九十百千万亿两余多][ \t]*))"
                          r"(?:万亿|亿|万)(?=元|美元|规模|市值|级|大关|[，。、；]|$)")
# 三分之一 "one third", 百分之百 "100%".
_FRACTION = regex.compile(rf"(?P<d>{CNNUM}|\d+)分之(?P<n>{CNNUM}|\d+(?:\.\d+)?)|百分百")
# 零 as a figure: 零关税 "zero tariffs", 零容忍 "zero tolerance", 降为零 "cut to zero".
_ZERO = regex.compile(r"零(?=关税|容忍|增长|排放|风险|事故|死亡|伤亡|库存|利率|首付|门槛|成本|投诉|纪录|记录|感染|病例)"
                      r"|(?<=[为到至])零(?![\p{Han}\d])")
_QUOTED = regex.compile(r"[“\"「『‘'《]([^“”\"「」『』‘’'《》\n]{1,16})[”\"」』’'》]")
_QUOTE_PIECE = regex.compile(r"[^、，,；;]+")
_SLOGAN_SHAPE = regex.compile(rf"^(?:[\p{{Han}}·]*[{CD}{CU}][\p{{Han}}·]*|\d+\+\d+(?:\+\d+)*)$")
_ONE_X_ONE_Y = regex.compile(r"(?<![十百千万\d])一(?![月年日号天次个名位点分秒周届])(\p{Han})一(\p{Han})")
_X_DA_NAME = regex.compile(r"([二三四五六七两])大(?=\p{Han})(?![学型量批多家小会])")
# 六盘水市, 三里屯, 四平市, 七星关区: a numeral, one or two characters that are neither a numeral nor a unit
# or classifier, then a place suffix, is a place name (三个村, 五名村干部, 三公里山路 stay counts).
_PLACE = regex.compile(
    rf"(?<![{CD}{CU}{CB}\d第])[{CD}十]{{1,2}}(?!{UNIT}|[多余来几半{CU}{CB}])(?:(?![{CD}{CU}{CB}])\p{{Han}}){{1,2}}?"
    rf"(?:市(?!场|值|民|面)|县|区(?!域|别|间|块|分)|山|江|湖|河|镇|村(?!民)|路(?!线|径|上|面|费)|街(?!头)"
    rf"|乡(?!亲|村)|州|岭|屯|庄)")
# Places whose numeral is followed by a classifier, too common to leave to the rule above.
PLACES = _longest_first("六盘水 三门峡 七台河 五指山 十堰 九龙坡 八达岭 十三陵")
# Days named by their month and day: 七一讲话 (July 1), 九一八事变 (September 18), 五四运动 (May 4),
# 十一黄金周 (October 1). A soft date: the English may say "July 1" or keep the name.
MONTH_DAY_NAMES = {"九一八": (9, 18), "一二九": (12, 9), "一二·九": (12, 9), "七七": (7, 7), "七一": (7, 1),
                   "八一": (8, 1), "五四": (5, 4), "五一": (5, 1), "六一": (6, 1), "三八": (3, 8), "五卅": (5, 30),
                   "十一": (10, 1), "双十二": (12, 12), "双十一": (11, 11)}
_MONTH_DAY_NAME = regex.compile(
    rf"(?<![{CD}{CU}{CB}\d第])(?:(?:九一八|一二·?九|七七|七一|八一|五四|五一|六一|三八|五卅)"
    rf"(?=讲话|重要讲话|事变|运动|建军节|青年节|劳动节|儿童节|妇女节|国际|节|前夕|当天|期间|纪念|精神|以来|前后"
    rf"|假期|长假|小长假|黄金周|广场|大道|大街|大桥|公园|路|街|[”’」』》，。、；：！？]|$)"
    rf"|十一(?=国庆|黄金周|假期|长假|小长假|期间|前夕))")
# Any event named by its month and day run together: 九一一事件, 911事件, 9·11事件 (September 11), 三一五晚会
# (March 15). Only before a word that names an event: a bare 九一一 may be a phone number.
_EVENT_DATE = regex.compile(
    rf"(?<![{CD}{CU}{CB}\d第.])(?P<md>[一二三四五六七八九十〇零]{{3,4}}|\d{{3,4}}|(?:1[0-2]|[1-9])[·.](?:[12]\d|3[01]|[1-9]))"
    rf"(?=[”’」』》]?(?:事件|事变|惨案|袭击|恐袭|恐怖袭击|晚会|纪念日|运动|大案|讲话|之后|以后|以来))")


def month_day(run: str) -> tuple[int, int] | None:
    """The month and day of a date written as its numerals run together: 九一一 -> (9, 11), 315 -> (3, 15),
    一二九 -> (12, 9) where it is a known name, else the one-digit month first; ``None`` when no split is a
    valid date."""
    if run in MONTH_DAY_NAMES:
        return MONTH_DAY_NAMES[run]
    if "·" in run or "." in run:
        m, _, d = run.replace("·", ".").partition(".")
        return int(m), int(d)
    digits = "".join(str(CN_DIGITS[c]) if c in CN_DIGITS else c for c in run if c != "十")
    if "十" in run or not digits.isdigit():
        return None
    for cut in (1, 2):
        m, d = int(digits[:cut]), int(digits[cut:] or 0)
        if 1 <= m <= 12 and 1 <= d <= 31 and len(digits) - cut <= 2 and digits[cut] != "0":
            return m, d
    return None


# A model named by characters, a hyphen and a number: 米格-29, 歼-20, 东风-41 (not a year: 北京-2022).
_MODEL = regex.compile(r"(?P<name>\p{Han}{1,4})[-‑](?!(?:19|20)\d\d)(?P<n>\d{1,4})(?![\d.%])")
_GROUP_OF = regex.compile(rf"[{CD}{CU}]+国集团")  # 二十国集团 = G20
_STREET = regex.compile(rf"[{CD}](?:\p{{Han}})?(?:路|街|巷)(?![上面线])")

# 九八年, 零五年: two Chinese digits read one by one are a year (not 七八年 "seven or eight years": a range).
YEAR = (r"(?P<y>\d{4}|[〇零○一二三四五六七八九]{4}"
        r"|(?<![\d〇零○一二三四五六七八九十百千万亿两第])"
        r"(?P<yy>[〇零○一二三四五六七八九]{2})(?=[ \t]*年(?!代|级|度|来|期|内)))"
        r"[ \t]*年")
MONTH = r"(?P<m>\d{1,2}|十[一二]?|[一二三四五六七八九])[ \t]*月(?:份)?"
DAY = r"(?P<d>\d{1,2}|[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])[ \t]*[日号]"
_YEAR_TAIL = r"(?:初|底|末|中|年初|年底|年末|年中|上半年|下半年|度)?"
_DATE = regex.compile(
    rf"{YEAR}[ \t]*(?:{MONTH}[ \t]*(?:{DAY})?|(?P<ny>元旦)|(?P<tail>初|底|末|年初|年底|年末|年中|上半年|下半年|度))?"
    rf"|{MONTH}[ \t]*(?:{DAY})?|(?<![第\d零〇一二三四五六七八九十两])"
    rf"(?P<d2>\d{{1,2}}|[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])[ \t]*(?P<dm>[日号])"
    rf"(?![线楼院房门口文令车站台馆])|(?P<ny2>元旦)")
_LIST_MONTH = regex.compile(r"(\d{1,2}|十[一二]?|[一二三四五六七八九])"
                            r"(?=[ \t]*[、和及与至到-][ \t]*(?:\d{1,2}|十[一二]?|[一二三四五六七八九])[ \t]*月)")
_LIST_DECADE = regex.compile(r"(\d{2}|[一二三四五六七八九]十)"
                             r"(?=[ \t]*[、和及与至到-][ \t]*(?:\d{2}|[一二三四五六七八九]十)[ \t]*年代)")
# 1-9月, 1至9月份: the first nine months
_MONTH_RANGE = regex.compile(r"(?P<a>\d{1,2}|十[一二]?|[一二三四五六七八九])[ \t]*(?:-|~|—|–|至|到)[ \t]*"
                             r"(?P<b>\d{1,2}|十[一二]?|[一二三四五六七八九])[ \t]*月份?")
# 80后, 90后: the generation born in the 1980s, 1990s.
_GENERATION = regex.compile(r"(?<!\d)(?P<c>[0-9]0)(?=后|[ \t]*、[ \t]*[0-9]0后)")
# 半数, 过半, 一半: half (50%), soft.
_HALF = regex.compile(r"半数以上|半数|过半|一半")
_LIST_DAY = regex.compile(r"(\d{1,2})(?=[ \t]*[、和及与至到-][ \t]*\d{1,2}[ \t]*[日号])")
_DECADE = regex.compile(r"(?:(?P<cent>\d{2}|二十|十九)[ \t]*世纪[ \t]*)?(?P<c0>[一二三四五六七八])?"
                        r"(?P<c>\d{2}|\d{4}|[一二三四五六七八九]十)[ \t]*年代")
_TIME_CONTEXT = (r"(?:上午|下午|晚上|凌晨|早上|早晨|清晨|中午|正午|傍晚|黄昏|夜间|夜里|深夜|半夜|午夜"
                 r"|晚|早|今天|昨天|明天|当天|当晚|日|号|时间)")
_TIME = regex.compile(
    rf"(?P<h>\d{{1,2}}|[一二三四五六七八九十]{{1,3}})[ \t]*(?:时|点)[ \t]*"
    rf"(?:(?P<mi>\d{{1,2}}|[一二三四五六七八九十]{{1,3}})[ \t]*分|(?P<half>半))"
    rf"|(?<={_TIME_CONTEXT}[ \t]*)(?P<h2>\d{{1,2}}|[一二三四五六七八九十]{{1,3}})[ \t]*(?:时|点)(?:钟|整|许|左右)?"
    rf"|(?P<h3>\d{{1,2}}|[一二三四五六七八九十]{{1,3}})[ \t]*(?:时|点)(?:钟|整|许)"
    rf"|(?<![\d.:])(?P<h4>\d{{1,2}}):(?P<mi4>\d{{2}})(?![\d:])"
    # 20时: an hour past noon on the 24-hour clock needs no context (not 20时期, 20时代).
    rf"|(?<![\d.])(?P<h5>1[3-9]|2[0-4])[ \t]*时(?![间期代候刻节段机效速空针差尚局势事装髦常隔光长限令])")
_PERCENT = regex.compile(
    rf"(?P<n0>{NUM})(?=个?[ \t]*[和、与及至到][ \t]*{NUM}[ \t]*个?百分点)"
    rf"|(?P<pre>百分之)[ \t]*(?P<n>{NUM})"
    rf"|(?P<n2>{NUM})[ \t]*(?P<sign>%|‰)"
    rf"|(?P<n3>{NUM})[ \t]*(?P<pp>个?百分点)"
    rf"|(?P<n4>[一二三四五六七八九两兩]|[1-9](?:\.\d)?)[ \t]*成(?![为员立功本品就长熟绩交年了果型效分])")
_ROMAN = regex.compile("[\u2160-\u216b]")
# 6.7-6.9%, 10%到12%: the percent sign of the second end covers the first.
_PCT_RANGE = regex.compile(rf"(?P<a>{AR})[ \t]*%?[ \t]*(?:-|~|—|–|至|到)[ \t]*(?P<b>{AR})[ \t]*%")
# A range needs a unit after its high end, or a scale that ends it (3-5万, 3到5亿).
_RANGE = regex.compile(rf"(?P<a>{NUM})[ \t]*(?P<ua>%|{UNIT})?[ \t]*(?:-|~|—|–|－|至|到)[ \t]*(?P<b>{NUM})"
                       rf"(?:[ \t]*(?P<ub>%|{UNIT})|(?<=[{CB}千百]))")
_ORDINAL = regex.compile(
    rf"第[ \t]?(?P<n>{NUM})(?:[ \t]?(?P<u>{UNIT}))?"
    rf"|(?P<n2>{CNNUM}|\d+)[ \t]*届"
    rf"|(?P<n3>{CNNUM}|\d+)[ \t]*次(?=(?:全体)?会议|全会|代表大会|党代会|大会|常委会|全委会|主席会议)"
    rf"|(?P<party>党的|中共|共产党)?(?P<n4>[一二三四五六七八九十]{{1,3}})大(?![学型量批多家小楼厦])"
    rf"|(?P<fyp>十[一二三四五六七八九]五)(?!年|个|名|日|号|%|万|亿|千|百|点)"
    rf"|(?P<n5>{NUM})[ \t]*周年"
    rf"|(?P<n6>{NUM})[ \t]*号(?:线|(?=楼|院|房|门|口|地铁|文件|令|馆|站|台|车|机|卫星))")
_PREFIX = regex.compile("(" + "|".join(p for p, _ in PREFIX_APPROX) + r")(?:有|为|达)?[ \t]*$")
_QUANTITY = regex.compile(
    rf"(?P<n>{NUM})(?P<s1>余|多|来|几)?(?P<big>{BIG}+)?(?P<half>个半|半)?(?:[ \t]?(?P<u>{UNIT}))?"
    rf"(?P<s2>余|多|来|半)?(?P<s3>有余|以上|左右|上下|之多|开外|以内|以下)?")
_PLUS = regex.compile(r"\d+(?:\+\d+)+")


def extract_zh(text: str) -> list[Figure]:
    """Find every figure in Chinese ``text``; spans are offsets into ``text`` itself."""
    norm = normalise_digits(text)
    claims = Claims(len(norm))
    free, claim, add = claims.free, claims.claim, claims.add

    for start, end in address_spans(norm):
        claim(start, end)
    for m in _MODEL.finditer(norm) if "-" in norm or "‑" in norm else ():
        # 米格-29, 歼-20: a model is named by its number, and the English must copy it (MiG-29, J-20). The
        # name starts after a count before it (两架米格-29).
        start = m.start()
        while start < m.end("name") - 1 and (norm[start] in NUMERAL_CHARS or norm[start] in _SINGLE_UNITS):
            start += 1
        add(_fig(text, start, m.end(), "numeric_name", float(m.group("n")), unit="model"))
    # Five-year plans and names first: 十四五 must not read as an idiom or a slogan.
    for m in _rx(r"十[一二三四五六七八九]五(?=规划|时期|期间|”|末|以来|开局|的|发展|重大|重点|』|’)").finditer(norm):
        add(_fig(text, m.start(), m.end(), "ordinal", parse_zh_number(m.group()[:2]), written="words"))
    for m in _MONTH_DAY_NAME.finditer(norm):
        month, day = MONTH_DAY_NAMES[m.group()]
        add(_fig(text, m.start(), m.end(), "date", f"--{month:02d}-{day:02d}", soft=True, written="words"))
    for m in _EVENT_DATE.finditer(norm):
        md = month_day(m.group("md"))
        if md and free(m.start(), m.end()):
            add(_fig(text, m.start(), m.end(), "date", f"--{md[0]:02d}-{md[1]:02d}", soft=True))
    for m in _rx("|".join(PLACES)).finditer(norm):
        if free(m.start(), m.end()):
            add(_fig(text, m.start(), m.end(), "numeric_name", None, soft=True, written="words"))
    for m in _NAME.finditer(norm):
        if free(m.start(), m.end()):
            add(_fig(text, m.start(), m.end(), "numeric_name", None, soft=True, written="words"))
    for m in _QUOTED.finditer(norm):
        for p in _QUOTE_PIECE.finditer(m.group(1)):
            s, e = m.start(1) + p.start(), m.start(1) + p.end()
            piece = norm[s:e].strip()
            s += len(norm[s:e]) - len(norm[s:e].lstrip())
            e = s + len(piece)
            if len(piece) <= 8 and _SLOGAN_SHAPE.match(piece) and free(s, e) and _slogan_numerals(piece) \
                    and not _DATE.search(piece) or _PLUS.fullmatch(piece):
                add(_fig(text, s, e, "numeric_name", None, soft=True, written="words"))
    for m in _FRACTION.finditer(norm):
        if free(m.start(), m.end()):
            if m.group() == "百分百":
                add(_fig(text, m.start(), m.end(), "percent", 100.0, unit="%"))
                continue
            d, n = parse_zh_number(m.group("d")), parse_zh_number(m.group("n"))
            if d and n is not None:
                if d == 100:
                    add(_fig(text, m.start(), m.end(), "percent", n, unit="%"))
                else:
                    # 四分之三 is 0.75, but also "three out of four": its terms are soft parts.
                    parts = tuple(_fig(text, m.start(g), m.end(g), "quantity", v, soft=True)
                                  for g, v in (("n", n), ("d", d)))
                    add(_fig(text, m.start(), m.end(), "quantity", n / d, unit="fraction", parts=parts))
    for m in _IDIOM.finditer(norm):
        # 四季 in 第四季 and 一点 in 十一点一亿 belong to a number, not to the idiom.
        inside_number = ((m.start() > 0 and norm[m.start() - 1] in NUMERAL_CHARS | {"第", "点"}
                          and m.group()[0] in NUMERAL_CHARS)
                         or (m.group()[-1] == "点" and norm[m.end():m.end() + 1] in CN_DIGITS))
        # 十分钟 is ten minutes and 一点钟 one o'clock, not 十分 "very" and 一点 "a little".
        inside_number = inside_number or norm[m.end():m.end() + 1] == "钟" and m.group()[-1] in "分点时"
        if free(m.start(), m.end()) and not inside_number:
            claim(m.start(), m.end())
    for m in _VAGUE.finditer(norm):
        if free(m.start(), m.end()):
            v = parse_zh_number("1" + m.group("u"))
            add(_fig(text, m.start(), m.end(), "quantity", v, approx="about", soft=True, written="words"))
    for m in _CODE.finditer(norm):
        if free(m.start(), m.end()):
            add(_fig(text, m.start(), m.end(), "numeric_name", None, soft=True))
    for m in _BARE_BIG.finditer(norm):
        if free(m.start(), m.end()):
            add(_fig(text, m.start(), m.end(), "quantity", parse_zh_number("1" + m.group()), approx="about",
                     written="words", soft=not m.group("verb")))
    for m in _ZERO.finditer(norm):
        if free(m.start(), m.end()):
            add(_fig(text, m.start(), m.end(), "quantity", 0.0, written="words"))
    for pattern in (_ONE_X_ONE_Y, _X_DA_NAME, _STREET, _GROUP_OF, _PLACE):
        for m in pattern.finditer(norm):
            if free(m.start(), m.end()):
                end = m.end()
                if pattern is _X_DA_NAME:
                    tail = _rx(r"\p{Han}{1,2}").match(norm[end:])
                    end += len(tail.group()) if tail else 0
                add(_fig(text, m.start(), end, "numeric_name", None, soft=True, written="words"))
    for m in _rx(r"双[ \t]*(?:\d{1,2}|十[一二]?)").finditer(norm):
        if free(m.start(), m.end()):
            add(_fig(text, m.start(), m.end(), "numeric_name", None, soft=True))
    for m in _PLUS.finditer(norm):
        if free(m.start(), m.end()):
            add(_fig(text, m.start(), m.end(), "numeric_name", None, soft=True))

    _dates(text, norm, free, add)
    _times(text, norm, free, add)
    for m in _ROMAN.finditer(norm):
        if free(m.start(), m.end()):  # Ⅱ型糖尿病 "type 2 diabetes", 第Ⅲ阶段
            add(_fig(text, m.start(), m.end(), "ordinal", float(ord(m.group()) - 0x215F), written="words"))
    for m in _PCT_RANGE.finditer(norm):
        a, b = parse_zh_number(m.group("a")), parse_zh_number(m.group("b"))
        if a is not None and b is not None and a < b and free(m.start(), m.end()):
            add(_fig(text, m.start(), m.end(), "range", [a, b], unit="%"))
    _percents(text, norm, free, add)
    _ranges(text, norm, free, add)
    _ordinals(text, norm, free, add)
    for start, end in numeral_words(norm):
        # 三峡, 五粮液, 五角大楼 are names, 八卦 and 四面八方 words: the dictionary knows them all. Dates,
        # ordinals and percentages went first, so only what would be read as a count is left.
        if free(start, end):
            if all(c == "一" for c in norm[start:end] if c in NUMERAL_CHARS):
                claim(start, end)  # 一劳永逸, 一楼: a lone 一 was never a figure
            else:
                add(_fig(text, start, end, "numeric_name", None, soft=True, written="words"))
    _quantities(text, norm, free, add)
    return claims.in_order()


def _slogan_numerals(piece: str) -> bool:
    """Does a quoted piece count something? Not when its numeral belongs to a word (“新零售”, “长三角”), nor
    when it is only an article 一 (“一个可怕的后果”); 一X一Y (“一老一小”) and 第一 (“第一议题”) do."""
    rest = _IDIOM.sub("", piece)
    numerals = [c for c in rest if c in CD or c in CU]
    if not numerals:
        return False
    if all(c == "一" for c in numerals):
        return bool(_ONE_X_ONE_Y.search(piece)) or piece.startswith("第一") or len(piece) <= 4
    return True


def _written(s: str) -> str:
    has_digit = any(c.isdigit() for c in s)
    has_cn = any(c in NUMERAL_CHARS and not c.isdigit() for c in s)
    return "mixed" if has_digit and has_cn else ("digits" if has_digit else "words")


def _fig(text: str, start: int, end: int, kind: str, value: object, **kw) -> Figure:
    kw.setdefault("written", _written(text[start:end]))
    return Figure(text=text[start:end], kind=kind, value=value, start=start, end=end, **kw)


def _small(s: str | None) -> int | None:
    if s is None:
        return None
    v = parse_zh_number(s)
    return None if v is None or not float(v).is_integer() else int(v)


def _dates(text, norm, free, add) -> None:
    for m in _DECADE.finditer(norm):
        if free(m.start(), m.end()):
            c = _small(m.group("c"))
            cent = _small(m.group("cent"))
            if c is not None:
                if cent and c < 100:
                    c = (cent - 1) * 100 + c  # 20世纪50年代: the 1950s
                other = ()
                if c < 100:
                    c = full_year(c)
                    other = (float(c - 100 if c >= 2000 else c + 100),)  # 20年代: the 2020s or the 1920s
                if m.group("c0"):  # 六七十年代: the 1960s and 1970s
                    add(_fig(text, m.start(), m.end(), "range", [c - 10, c], unit="decades"))
                else:
                    add(_fig(text, m.start(), m.end(), "decade", c, alternatives=other))
    for m in _MONTH_RANGE.finditer(norm):
        a, b = _small(m.group("a")), _small(m.group("b"))
        if a is not None and b is not None and 1 <= a < b <= 12 and free(m.start(), m.end()):
            add(_fig(text, m.start(), m.end(), "range", [a, b], unit="months"))
    for m in _GENERATION.finditer(norm):
        c = int(m.group("c"))
        if free(m.start("c"), m.end("c")):
            add(_fig(text, m.start("c"), m.end("c") + (1 if norm[m.end("c"):m.end("c") + 1] == "后" else 0), "decade",
                     full_year(c)))
    for m in _HALF.finditer(norm):
        if free(m.start(), m.end()):
            add(_fig(text, m.start(), m.end(), "percent", 50.0, unit="%", soft=True, written="words",
                     approx="more_than" if m.group().startswith("过") or "以上" in m.group() else None))
    for m in _LIST_DECADE.finditer(norm):
        c = _small(m.group(1))
        if c is not None and free(m.start(), m.end()):
            add(_fig(text, m.start(), m.end(), "decade", full_year(c)))
    for m in _LIST_MONTH.finditer(norm):
        v = _small(m.group(1))
        if v and 1 <= v <= 12 and free(m.start(), m.end()):
            add(_fig(text, m.start(), m.end(), "date", f"--{v:02d}"))
    for m in _LIST_DAY.finditer(norm):
        v = _small(m.group(1))
        if v and 1 <= v <= 31 and free(m.start(), m.end()):
            add(_fig(text, m.start(), m.end(), "date", f"---{v:02d}"))
    for m in _rx(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)").finditer(norm):
        y, mo, d = (int(g) for g in m.groups())
        if 1000 <= y <= 2999 and 1 <= mo <= 12 and 1 <= d <= 31 and free(m.start(), m.end()):
            add(_fig(text, m.start(), m.end(), "date", f"{y:04d}-{mo:02d}-{d:02d}"))
    for m in _DATE.finditer(norm):
        s, e = m.start(), m.end()
        if not free(s, e):
            continue
        y = _small(m.group("y"))
        if m.group("yy"):
            if _adjacent_range(m.group("yy")):
                continue  # 七八年 is seven or eight years
            y = full_year(int("".join(str(CN_DIGITS[c]) for c in m.group("yy"))))
        mo = _small(m.group("m"))
        d = _small(m.group("d") or m.group("d2"))
        if y is not None and not 1000 <= y <= 2999:
            continue
        if mo is not None and not 1 <= mo <= 12 or d is not None and not 1 <= d <= 31:
            continue
        if m.group("ny") or m.group("ny2"):
            mo, d = 1, 1
        if m.group("d2") and m.group("dm") == "号" and norm[s - 1:s] == "第":
            continue
        if y is not None and mo is None:
            add(_fig(text, s, e, "year", y))
        else:
            value = (f"{y:04d}" if y is not None else "-") + (f"-{mo:02d}" if mo is not None else "-") \
                + (f"-{d:02d}" if d is not None else "")
            if y is None and mo is not None:
                value = f"--{mo:02d}" + (f"-{d:02d}" if d is not None else "")
            if y is None and mo is None:
                value = f"---{d:02d}"
            add(_fig(text, s, e, "date", value, soft=bool(m.group("ny2"))))


# The part of the day before a clock time decides its half: 上午七点 is 7 a.m., 晚上八点 8 p.m.
_DAY_PART = regex.compile(r"(?P<am>上午|早上|早晨|清晨|凌晨|早)|(?P<noon>中午|正午)|(?P<pm>下午|傍晚|黄昏)"
                          r"|(?P<night>晚上|晚间|夜里|夜间|深夜|半夜|午夜|当晚|今晚|昨晚|晚)[ \t]*$")


def clock_hour(hour: int, day_part: str | None, twenty_four: bool) -> tuple[int, tuple[float, ...]]:
    """The hour on a 24-hour clock and the other hours it may be: 七点 is 7 or 19; 上午七点 7; 晚上八点 20;
    20时 and 8时 (the 24-hour clock of official news) are what they say; 深夜十二点 is 0."""
    if day_part == "pm" and hour < 12 or day_part == "noon" and hour < 6:
        return hour + 12, ()
    if day_part == "night":
        return (hour + 12, ()) if 6 <= hour < 12 else (0 if hour in (12, 24) else hour, ())
    if day_part == "am":
        return (0 if hour == 12 else hour), ()
    if day_part == "noon" or twenty_four or hour == 0 or hour > 12:
        return hour, ()
    return hour, (float((hour + 12) % 24),)


def _times(text, norm, free, add) -> None:
    for m in _TIME.finditer(norm):
        if not free(m.start(), m.end()):
            continue
        h = _small(m.group("h") or m.group("h2") or m.group("h3") or m.group("h4") or m.group("h5"))
        mi_text = m.group("mi") or m.group("mi4")
        mi = 30 if m.group("half") else (_small(mi_text) if mi_text else 0)
        if h is None or mi is None or not 0 <= h <= 24 or not 0 <= mi < 60:
            continue
        part = _DAY_PART.search(norm[max(0, m.start() - 3):m.start()])
        twenty_four = "时" in m.group() or bool(m.group("h4")) and m.group("h4").startswith("0")
        h, other = clock_hour(h, part.lastgroup if part else None, twenty_four)
        add(_fig(text, m.start(), m.end(), "time", f"{h:02d}:{mi:02d}", alternatives=other))


def _approx_around(norm: str, start: int, suffixes: list[str | None]) -> str | None:
    """The approximation marked by one of ``suffixes`` (余, 多, 左右) or before ``start`` (约, 超过)."""
    for suffix in suffixes:
        if suffix:
            return SUFFIX_APPROX.get(suffix)
    m = _PREFIX.search(norm[max(0, start - 4):start])
    return dict(PREFIX_APPROX).get(m.group(1)) if m else None


def _percents(text, norm, free, add) -> None:
    for m in _PERCENT.finditer(norm):
        s, e = m.start(), m.end()
        if not free(s, e):
            continue
        raw = m.group("n") or m.group("n2") or m.group("n3") or m.group("n4") or m.group("n0")
        v = parse_zh_number(raw)
        if v is None:
            continue
        kind = "percentage_points" if m.group("pp") or m.group("n0") else "percent"
        if m.group("sign") == "‰":
            v = v / 10
        if m.group("n4"):
            v = v * 10
        tail = _rx(r"(以上|左右|上下|多)").match(norm[e:])
        approx = _approx_around(norm, s, [tail.group() if tail else None])
        add(_fig(text, s, e, kind, v, approx=approx, unit="points" if kind == "percentage_points" else "%"))


def _ranges(text, norm, free, add) -> None:
    for m in _RANGE.finditer(norm):
        s, e = m.start(), m.end()
        if not free(s, e):
            continue
        a, b = parse_zh_number(m.group("a")), parse_zh_number(m.group("b"))
        if a is None or b is None:
            continue
        scale = _shared_scale(m.group("a"), m.group("b")) if not m.group("ua") else 1
        if a * scale < b:
            a = clean_float(a * scale)  # 3-5万元, 三至五万: the scale of the high end covers the low end
        if a >= b:
            continue
        unit = m.group("ub")
        if unit == "年" and 1000 <= a <= 2999 and 1000 <= b <= 2999:
            unit = "years"
        add(_fig(text, s, e, "range", [a, b], unit=UNIT_NAMES.get(unit, unit)))


def _shared_scale(low: str, high: str) -> float:
    """The scale a range's high end writes for both ends: 万 in 3-5万, 千 in 1至2千, 千万 in 三至五千万; 1
    when the low end has a scale of its own (3万至5万, 两千至三千万 keeps only 万 for the low end)."""
    if low[-1:] in CB:
        return 1.0
    m = _rx(rf"(?<=[\d{CD}十])(?P<small>[百千](?![米克瓦卡]))?[ \t]?(?P<big>[{CB}]*)$").search(high)
    if not m or not m.group("small") and not m.group("big"):
        return 1.0
    units = m.group("big") if low[-1:] in CU else (m.group("small") or "") + m.group("big")
    return (parse_zh_number("一" + units) or 1.0) if units else 1.0


def _ordinals(text, norm, free, add) -> None:
    for m in _ORDINAL.finditer(norm):
        s, e = m.start(), m.end()
        if not free(s, e):
            continue
        if m.group("n4") is not None:
            v = parse_zh_number(m.group("n4"))
            if v is None or not (m.group("party") or 8 <= v <= 30):
                continue
            s = m.start("n4")
        elif m.group("fyp"):
            v = parse_zh_number(m.group("fyp")[:2])
        else:
            raw = m.group("n") or m.group("n2") or m.group("n3") or m.group("n5") or m.group("n6")
            v = parse_zh_number(raw)
            if m.group("u") and m.group("u") in ("百分点",):
                continue
        if v is None:
            continue
        unit = m.group("u")
        # 第二天, 第二次, 第二年 are as often "the next day", "again", "the following year".
        soft = v == 2 and unit in ("天", "日", "次", "年") and bool(m.group("n"))
        fig = _fig(text, s, e, "ordinal", v, unit=unit, soft=soft)
        # 十三届二次会议: the term and the session are one expression with two numbers.
        nxt = _rx(rf"[ \t]*(?P<n>{CNNUM}|\d+)[ \t]*次(?:全体)?(?:会议|全会)").match(norm[e:])
        if m.group("n2") and nxt:
            v2 = parse_zh_number(nxt.group("n"))
            if v2 is not None:
                e2 = e + nxt.end()
                part1 = fig
                part2 = _fig(text, e + nxt.start("n"), e2, "ordinal", v2)
                fig = _fig(text, s, e2, "ordinal", v, parts=(part1, part2))
        add(fig)


def _quantities(text, norm, free, add) -> None:
    for m in _QUANTITY.finditer(norm):
        s, e = m.start(), m.end()
        raw = m.group("n")
        unit = m.group("u")
        if not free(s, m.end("n")):
            continue
        # Trim the match back to the characters still free (a date may follow the number).
        while e > m.end("n") and not free(s, e):
            e -= 1
        if e < m.end("u" if unit else "n") and unit:
            unit, e = None, m.end("n")
        v = parse_zh_number(raw)
        if v is not None and m.group("big"):
            v = clean_float(v * parse_zh_number("1" + m.group("big")))
        if v is not None and (m.group("half") or m.group("s2") == "半") and unit:
            v += 0.5  # 两个半小时 "two and a half hours", 一年半 "a year and a half"
        range_value = _adjacent_range(raw)
        if v is None and range_value is None:
            continue
        written = _written(raw)
        # 十来个 is "about ten"; 十年来 is "over the past ten years", no approximation.
        approx = _approx_around(norm, s, [m.group("s1"), m.group("s2") if m.group("s2") not in ("半", "来") else None,
                                          m.group("s3")])
        if approx == "less_than" and unit in TIME_UNITS and norm[max(0, s - 1):s] == "近":
            approx = None  # 近两年 is "the past two years", not "nearly two years"
        if range_value is not None:
            # 一二线城市 "first- and second-tier cities": without a unit or a scale, a name as often as a count.
            bare = unit is None and raw[-1] in CD
            add(_fig(text, s, e, "range", list(range_value), unit=UNIT_NAMES.get(unit, unit), approx="about",
                     soft=bare))
            continue
        if written == "words" and v == 1:
            # A lone 一 is "a": a figure only when it measures time (一年来 = over the past year), and
            # then a soft one.
            if unit in TIME_UNITS:
                end = e + (1 if norm[e:e + 1] == "来" and not m.group("s2") else 0)
                add(_fig(text, s, end, "quantity", 1.0, unit=UNIT_NAMES.get(unit, unit), soft=True))
            continue
        if unit is None:
            nxt = norm[e:e + 1]
            if written == "words" and len(raw) == 1:
                # 三方, 五地: a numeral before a noun; often rendered as "both" or dropped: soft. 两国,
                # 两院, 两党, 两军 are "both houses", "the two parties": hard (两国 is as often "China and X").
                if nxt and _rx(r"\p{Han}").match(nxt) and v is not None and v >= 2:
                    hard = raw == "两" and nxt in "院党军"
                    add(_fig(text, s, e + 1, "quantity", v, unit=None, soft=not hard))
                continue
            if written == "digits" and v is not None and float(v).is_integer() and 1900 <= v <= 2100 \
                    and _rx(r"\d{4}").fullmatch(raw):
                add(_fig(text, s, e, "year", int(v)))
                continue
        alternatives = ()
        if unit == "倍" and v is not None and _rx(
                r"(?:增长|增加|提高|高出|多出|上升|扩大|翻|高|多|大|快|长)了?\s*$").search(norm[max(0, s - 4):s]):
            alternatives = (v + 1,)  # 增长1倍 "doubled": X倍 more is X+1 times as much
        if unit == "世纪" and v is not None:
            alternatives = ((v - 1) * 100,)  # 18世纪: the 18th century, the 1700s
        if unit == "年" and written == "digits" and _rx(r"\d{2}").fullmatch(raw):
            # 17年 is "17 years" or, in news, the year 2017.
            alternatives = (float(full_year(int(v))),)
        add(_fig(text, s, e, "quantity", v, approx=approx, unit=UNIT_NAMES.get(unit, unit),
                 alternatives=alternatives, written=written))


def _adjacent_range(raw: str) -> tuple[float, float] | None:
    """三四 (3 or 4), 两三万 (20,000 to 30,000), 七八千万 (70 to 80 million), 十七八 (17 or 18), 三五 (3 to 5):
    two numerals side by side, then any run of units, are Chinese for a rough range."""
    m = _rx(r"(?P<t>十)?(?P<a>[一两二三四五六七八九])(?P<b>[二两三四五六七八九])"
            r"(?P<s>[十百千万萬亿億]*)").fullmatch(raw)
    if not m:
        return None
    a, b = CN_DIGITS[m.group("a")], CN_DIGITS[m.group("b")]
    if not (b == a + 1 or (a, b) == (3, 5) and not m.group("t")):
        return None
    if m.group("t"):
        if m.group("s")[:1] in ("十", "百", "千"):
            return None  # 十七八十 is not a number
        a, b = a + 10, b + 10
    scale = parse_zh_number("一" + m.group("s")) if m.group("s") else 1
    if scale is None:
        return None
    return clean_float(a * scale), clean_float(b * scale)
