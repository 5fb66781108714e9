"""Personal data in a question, masked before the question is published.

`find` returns what looks like personal data; `scrub` replaces each span with a bracketed
English placeholder ("[phone]"), so published pages read the same whatever the language.
`preview` is `find` under the name the ask form uses to show the asker what will be hidden.

Each kind has its own finder. Formats with a shape of their own (e-mail, links, phone numbers,
Taiwan ID numbers) are found by pattern; things whose shape is shared with medical data (dates,
record numbers) only after a cue ("born on", "DOB", "MRN", "病歷號碼"), so that a date of symptoms
or a lab value stays. Names are found only after cues too: "my name is", "I'm", "Dr.", "my wife",
a signature line, 我叫/我是, a surname before 先生/小姐/醫師. That misses names without a cue but
keeps drug names, eponyms ("Hashimoto's") and place names out.

When spans overlap, the more specific kind wins (an e-mail over the link inside it, a record
number over the ID-like number after "MRN").
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass

__all__ = ["PLACEHOLDERS", "Span", "find", "preview", "scrub", "valid_tw_id"]


@dataclass(frozen=True)
class Span:
    kind: str  # "name", "phone", "email", "id", "address", "birth_date", "record_number", "link"
    start: int
    end: int
    text: str


PLACEHOLDERS: dict[str, str] = {
    "name": "[name]",
    "phone": "[phone]",
    "email": "[email]",
    "id": "[id]",
    "address": "[address]",
    "birth_date": "[date of birth]",
    "record_number": "[record number]",
    "link": "[link]",
}

# Higher wins when two spans overlap.
_PRIORITY = {"email": 9, "link": 8, "record_number": 7, "birth_date": 6, "id": 5, "phone": 4, "address": 3, "name": 2}


def _fold(text: str) -> str:
    """Width-fold (full-width digits and letters to ASCII) without changing the length."""
    if text.isascii():
        return text
    chars = []
    for ch in text:
        folded = unicodedata.normalize("NFKC", ch)
        chars.append(folded if len(folded) == 1 else ch)
    return "".join(chars).replace("\u2019", "'")


# --------------------------------------------------------------------------------------------
# Taiwan ID numbers
# --------------------------------------------------------------------------------------------

# Letter codes of the national ID and resident certificate (ARC) checksums: A=10 ... Z=33,
# in the historical, non-alphabetical order of the household registration offices.
_LETTER_CODES = dict(zip("ABCDEFGHJKLMNPQRSTUVXYWZIO", range(10, 36), strict=True))


def valid_tw_id(value: str) -> bool:
    """Checksum of a Taiwan national ID (A123456789) or resident certificate number.

    Covers the national ID and the 2021 ARC format (second character 1, 2, 8 or 9) and the old
    ARC format (second character A-D).
    """
    value = value.upper()
    if len(value) != 10 or value[0] not in _LETTER_CODES or not value[2:].isdigit():
        return False
    code = _LETTER_CODES[value[0]]
    if value[1].isdigit():
        second = int(value[1])
    elif value[1] in "ABCD":
        second = _LETTER_CODES[value[1]] % 10
    else:
        return False
    digits = [code // 10, code % 10, second, *(int(d) for d in value[2:])]
    weights = (1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1)
    return sum(d * w for d, w in zip(digits, weights, strict=True)) % 10 == 0


# --------------------------------------------------------------------------------------------
# Patterns
# --------------------------------------------------------------------------------------------

_NOT_ALNUM_BEFORE = r"(?<![A-Za-z0-9])"
_NOT_ALNUM_AFTER = r"(?![A-Za-z0-9])"

_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_LINK = re.compile(
    r"(?:https?://|www\.)[^\s<>\"'，。、；！？）」]+"
    # Bare domains only with a path or a well-known ending, so "e.g." and "mg/dL" stay.
    r"|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|org|net|gov|edu|io|tw|cn|hk|jp|uk|me|ly|gl)(?:\.[a-z]{2})?/[^\s<>\"'，。、；！？）」]*",
    re.IGNORECASE,
)
_LINK_TRAILING = ".,;:!?)]}'\""

_PHONE = re.compile(
    _NOT_ALNUM_BEFORE
    + r"(?:"
    # Taiwan mobile: 0912-345-678, 0912 345 678, +886 912 345 678, +886-912-345-678
    + r"(?:\+886[-\s]?|0)9\d{2}[-\s]?\d{3}[-\s]?\d{3}"
    # Taiwan landline: (02)2345-6789, 02-2345-6789, 07-123-4567, +886-2-2758-1234
    + r"|\(0\d{1,2}\)\s?\d{3,4}[-\s]?\d{4}"
    + r"|0\d{1,2}[-\s]\d{3,4}[-\s]?\d{4}"
    + r"|\+886[-\s]?\(?\d{1,2}\)?[-\s]?\d{3,4}[-\s]?\d{4}"
    # International: +1 (415) 555-0132, +44 20 7946 0958
    + r"|\+\d{1,3}[-\s]?\(?\d{1,4}\)?(?:[-\s]?\d{2,4}){2,4}"
    # Mainland China mobile: 13812345678
    + r"|1[3-9]\d{9}"
    + r")"
    + r"(?!\d)"
)
# A number introduced as a phone number, in a format the patterns above do not know.
_PHONE_CUED = re.compile(
    r"(?i:phone|tel|telephone|mobile|cell|call me (?:at|on)|text me (?:at|on)|whatsapp)\s*(?:number|no\.?)?\s*(?:is)?\s*[:：]?\s*"
    r"|(?:手機|電話|行動電話|聯絡電話|市話)(?:號碼)?\s*(?:是|為)?\s*[:：]?\s*"
)
_PHONE_LOOSE = re.compile(r"\+?\d[\d\s()-]{6,16}\d")

# National ID / resident certificate: a letter, then 1/2 (citizens), 8/9 (new ARC) or A-D (old
# ARC), then eight digits. Masked whatever the checksum says: a mistyped ID still identifies.
_TW_ID = re.compile(_NOT_ALNUM_BEFORE + r"[A-Z][12894ABCD]\d{8}" + _NOT_ALNUM_AFTER)
# Lower case or with spaces: accepted only with a valid checksum, as such shapes are common in
# ordinary text (lot numbers, codes).
_TW_ID_LOOSE = re.compile(_NOT_ALNUM_BEFORE + r"[A-Za-z][\s-]?[12894ABCDabcd][\s-]?\d{4}[\s-]?\d{4}" + _NOT_ALNUM_AFTER)
_ID_CUED = re.compile(
    r"(?i:national id|id (?:number|no\.?|card)|my id|arc(?: number| no\.?)?|passport(?: number| no\.?)?|\bid\b)\s*(?:is)?\s*[:：#]?\s*"
    r"|(?:身分證|身份證|居留證|統一證號|護照)(?:字號|號碼|號)?\s*(?:是|為)?\s*[:：]?\s*"
)
_ID_VALUE = re.compile(r"[A-Za-z]{1,2}\d{7,9}" + _NOT_ALNUM_AFTER)

_RECORD_CUED = re.compile(
    r"(?i:\bmrn\b|medical record(?: number| no\.?| #)?|record (?:number|no\.?|#)|chart(?: number| no\.?| #)|"
    r"patient (?:id|number|no\.?)|hospital (?:number|no\.?)|case (?:number|no\.?))\s*(?:is)?\s*[:：#.]?\s*[:：#]?\s*"
    r"|(?:病歷|病例|病患)(?:號碼|編號|號)\s*(?:是|為)?\s*[:：]?\s*"
)
_RECORD_VALUE = re.compile(r"[A-Za-z]{0,3}-?\d[\d-]{3,14}\d" + _NOT_ALNUM_AFTER)

_MONTHS = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
_DATE = (
    r"(?:\d{4}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*\d{1,2}"
    r"|\d{1,2}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*\d{2,4}"
    rf"|(?i:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?i:{_MONTHS})\.?,?\s+\d{{4}}"
    r"|(?:民國\s*)?\d{2,4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*[日號]?)"
)
_BIRTH_DATE = re.compile(
    r"(?:(?i:\bborn(?: on)?|\bbirth ?date|\bdate of birth|\bd\.?o\.?b\.?|\bbirthday(?: is)?)"
    r"|生日|出生(?:於|日期|年月日)?|生於)"
    r"\s*(?:(?i:is|was))?\s*(?:是|為|:|：)?\s*"
    rf"(?P<date>{_DATE})"
)

# Addresses. Taiwan's own English form: "5F., No. 100, Sec. 4, Zhongxiao E. Rd., Da'an Dist.,
# Taipei City 106"; a western form "88 Roosevelt Road"; and the Chinese form.
_CITY_WORDS = r"(?:[A-Z][\w'\-]*\.?\s+){0,2}?"
_ADDRESS_EN = re.compile(
    r"(?:\b\d+F(?:-\d+)?\.?,?\s*)?"
    r"\bNo\.?\s*\d+(?:-\d+)?"
    r"(?:,?\s*(?:Lane|Ln\.?|Alley|Aly\.?)\s*\d+)*"
    r"(?:,?\s*(?:Section|Sec\.?)\s*\d+)?"
    r",?\s*(?:[A-Z][\w'\-]*\.?\s+){1,4}?(?:Road|Rd|Street|St|Avenue|Ave|Boulevard|Blvd|Highway|Hwy)\b\.?"
    r"(?:,?\s*(?:Section|Sec\.?)\s*\d+)?"
    rf"(?:,\s*{_CITY_WORDS}[A-Z][\w'\-]*\.?\s*(?:Dist(?:rict)?\.?|City|County|Township))*"
    r"(?:,\s*(?:Taipei|New Taipei|Taichung|Tainan|Kaohsiung|Taoyuan|Hsinchu|Keelung|Chiayi|Yilan|Hualien|Taitung)(?:\s+City)?)?"
    r"(?:,?\s*\d{3,6}\b)?"
    r"|\b\d{1,5}[A-Z]?\s+(?:[A-Z][\w'\-]*\s+){1,4}?(?:Road|Rd|Street|St|Avenue|Ave|Boulevard|Blvd|Lane|Drive|Way|Court|Place)\b\.?"
    r"(?:,?\s*(?:Section|Sec\.?)\s*\d+)?"
)
_TW_CITIES = r"(?:台北|臺北|新北|桃園|台中|臺中|台南|臺南|高雄|基隆|新竹|嘉義|苗栗|彰化|南投|雲林|屏東|宜蘭|花蓮|台東|臺東|澎湖|金門|連江)[市縣]"
# Characters that end the text before a road name ("我家在忠孝東路" starts at 忠).
_NOT_ROAD = "在住於的是我家到從往近附和跟與及、，。！？：；（）「」"
_ADDRESS_ZH = re.compile(
    rf"(?:{_TW_CITIES})?"
    rf"(?:(?:(?![{_NOT_ROAD}])[\u4e00-\u9fff]){{1,3}}?[區鄉鎮市])?"
    rf"(?:(?![{_NOT_ROAD}])[\u4e00-\u9fff\d]){{1,6}}?(?:路|街|大道)"
    r"(?:[一二三四五六七八九十\d]+段)?(?:\d+巷)?(?:\d+弄)?\d+(?:之\d+)?號"
    r"(?:\d+樓|[一二三四五六七八九十]+樓)?(?:之\d+)?"
)

# --------------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------------

_NAME_EN = r"[A-Z][a-z]+(?:[-'][A-Za-z]+)?(?:\s+[A-Z][a-z]+(?:[-'][A-Za-z]+)?){0,2}"
# Capitalised words that follow the cues but are not names.
_NOT_NAMES_EN = frozenset(
    """
    a an the my our his her their this that it its i im i'm not no yes so very just also still now here there
    sorry ok okay fine well hello hi dear thanks thank doctor doctors dr mr mrs ms miss prof sir madam
    taiwanese chinese american asian canadian british english japanese korean filipino vietnamese thai indonesian
    malaysian european african indian australian german french catholic christian muslim buddhist jewish hindu
    hispanic latino latina black white caucasian mexican brazilian arab persian russian italian spanish dutch
    singaporean hakka aboriginal indigenous gay lesbian bisexual trans transgender atheist
    vegan vegetarian diabetic pregnant male female type married single worried scared confused new old
    monday tuesday wednesday thursday friday saturday sunday january february march april may june july august
    september october november december google line facebook
    """.split()
)
_KIN_EN = (
    r"son|daughter|wife|husband|mother|mom|mum|father|dad|brother|sister|grandmother|grandma|grandfather|grandpa|"
    r"grandson|granddaughter|aunt|uncle|cousin|friend|colleague|coworker|co-worker|boyfriend|girlfriend|partner|"
    r"father-in-law|mother-in-law|son-in-law|daughter-in-law|niece|nephew|little girl|little boy|baby|baby boy|"
    r"baby girl|twin|neighbou?r|roommate|boss|child|kid|fianc[eé]e?|stepson|stepdaughter|stepmother|stepfather"
)
_NAME_CUES_EN = (
    # "my name is Mary Chen", "my mom's name is Helen Kao", "I'm Kevin", "This is Anna"
    re.compile(
        rf"(?i:\bname is|\bname's|\bnamed|\bi am|\bi'm|\bim|\bthis is|\bcall me|\bname\s*[:：]|\bpatient\s*[:：])\s+(?P<name>{_NAME_EN})"
    ),
    # "Grace here", "I, Peter Chang, am asking"
    re.compile(
        rf"(?:^|(?i:hi|hello|hey|dear \w+)[,!]?\s+)(?P<name>{_NAME_EN})\s+(?i:here)\b|\bI,\s+(?P<name2>{_NAME_EN}),"
    ),
    # "Dr. Lin", "Mrs. Chang", "Dr Tsai Yi-Ling"
    re.compile(rf"\b(?:Dr|Mr|Mrs|Ms|Miss|Prof|Doctor|Dr\.|Mr\.|Mrs\.|Ms\.|Prof\.)\.?\s+(?P<name>{_NAME_EN})"),
    # "my daughter Emily", "my grandmother, Chen Mei-Ling,"
    re.compile(rf"(?i:\b(?:my|our|his|her)\s+(?:{_KIN_EN})s?),?\s+\(?(?P<name>{_NAME_EN})"),
    # "Lin醫師", "Chen先生"
    re.compile(r"(?P<name>\b[A-Z][a-z]+)\s*(?:醫師|醫生|先生|小姐|太太|護理師)"),
)
_SIGN_OFF = re.compile(
    r"(?i:thanks(?: in advance| a lot)?|thank you(?: very much| in advance)?|many thanks|regards|best regards|kind regards|"
    r"sincerely|cheers|best wishes|best|love|yours)\s*[,!.]?\s*[-–—~]?\s*$"
)

# Common Taiwanese (and mainland) surnames, in traditional and simplified forms.
_SURNAMES = frozenset(
    "陳林黃張李王吳劉蔡楊許鄭謝郭洪曾邱廖賴周徐蘇葉莊呂江何蕭羅高潘簡朱鍾游彭詹胡施沈余盧梁趙顏柯翁魏孫戴"
    "范方宋鄧杜傅侯曹薛丁卓阮馬董温唐藍石蔣古紀姚連馮歐程湯田康姜白汪鄒尤巫鐘涂龔嚴韓袁金童陸夏柳凃邵錢"
    "伍倪溫于譚駱熊任甘秦顧毛章史官萬俞雷粘饒"
    "陈黄张刘杨许郑谢苏叶庄吕萧罗钟卢赵颜孙邓马蓝蒋纪连冯欧汤邹龚严韩陆钱谭骆顾万饶"
)
_CJK = "\u4e00-\u9fff"
# Characters that do not occur in given names but often follow or precede them.
_NOT_GIVEN = frozenset(
    "的了是在有和跟與及給找問說看請讓叫被把向對從到去來我你他她們位個這那也都就還又很最好嗎呢吧啊喔"
    "今昨年月日天歲週分秒上下前後裡外中人口先太醫護老師生病院藥痛"
)
# Words that start with a surname character but are not names ("林口人", "高中生", "謝謝醫師").
_NOT_NAMES_ZH = (
    "謝謝", "感謝", "多謝", "林口", "高中", "高雄", "高血", "高燒", "高熱", "高膽", "黃疸", "白血", "白內",
    "石頭", "方便", "馬上", "程度", "金屬", "夏天", "康復", "江湖", "周末", "周邊", "周圍", "毛病", "史上",
    "任何", "萬一", "雷射", "章節", "官方", "連續", "連絡", "甘草", "童年", "溫度", "温度", "顏色", "余下",
)  # fmt: skip
# Titles and the family-style forms of address used for neighbours and friends' parents.
_TITLES_ZH = (
    r"(?:先生|小姐|太太|女士|醫師|醫生|护士|護士|護理師|老師|主任|教授|院長|藥師"
    r"|大哥|大姐|大嫂|阿姨|伯伯|叔叔|阿伯|媽媽|爸爸|奶奶|爺爺)"
)
_KIN_ZH = (
    r"(?:媽媽|爸爸|母親|父親|老公|老婆|丈夫|妻子|兒子|女兒|哥哥|姊姊|姐姐|弟弟|妹妹|阿嬤|阿公|奶奶|爺爺|外婆|外公|"
    r"婆婆|公公|朋友|同事|室友|男友|女友|男朋友|女朋友|孫子|孫女|阿姨|舅舅|叔叔|伯伯|姑姑|先生|太太)"
)
_NAME_CUES_ZH = (
    # 我叫王小明, 我叫做劉建宏, 我的名字是周雅婷 (any name, also 阿偉 without a surname)
    re.compile(
        rf"(?:我叫做?|我的名字(?:是|叫做|叫)|名字(?:是|叫做|叫)|姓名\s*[:：]?|本人)\s*(?P<name>[{_CJK}]{{2,3}})"
    ),
    # 我是陳大文, 叫王大明, 林志明你好 (only surname-led names: 我是 also starts 我是高中生)
    re.compile(rf"(?:我是|叫做|叫)\s*(?P<name>[{_CJK}]{{2,3}})"),
    re.compile(rf"(?:^|[，。！？\s])(?P<name>[{_CJK}]{{2,3}}?)\s*(?:你好|您好)"),
    # 我老公黃建國, 我阿嬤叫蔡秀英
    re.compile(rf"{_KIN_ZH}(?:叫做?|是|名叫)?\s*(?P<name>[{_CJK}]{{2,3}})"),
    # （張美玲，68歲）
    re.compile(rf"[（(]\s*(?P<name>[{_CJK}]{{2,3}})\s*[，,、)）]"),
)
# 敝姓林, 我姓王, 先生姓黃: a surname on its own
_SURNAME_ONLY_ZH = re.compile(r"(?:敝|我|他|她|本人|小弟|小妹|先生|太太|老公|老婆|爸爸|媽媽)姓\s*(?P<name>\w)")
_SIGNATURE_ZH = re.compile(rf"^\s*[-–—~]*\s*(?P<name>[{_CJK}]{{2,3}})\s*(?:敬上|謹上|上|筆)?\s*$")
_TITLE_ZH = re.compile(_TITLES_ZH)


def _zh_name(candidate: str, *, surname_needed: bool = True) -> str | None:
    """The name at the start of `candidate`: a surname and one or two given characters."""
    if surname_needed and candidate[:1] not in _SURNAMES:
        return None
    if candidate.startswith(_NOT_NAMES_ZH):
        return None
    # Stop before a title (陳先生 -> 陳) or a character that cannot be in a given name.
    title = _TITLE_ZH.search(candidate, 1)
    if title is not None:
        candidate = candidate[: title.start()]
    name = candidate[:1]
    for ch in candidate[1:3]:
        if ch in _NOT_GIVEN:
            break
        name += ch
    return name if len(name) >= 2 or title is not None else None


def _zh_titled_names(text: str) -> Iterator[tuple[int, int]]:
    """Surnames before a title: 林醫師, 陳小姐, 陳大文醫師; "謝謝醫師" and "主治醫師" are not."""
    for title in _TITLE_ZH.finditer(text):
        t = title.start()
        for length in (3, 2, 1):
            start = t - length
            if start < 0:
                continue
            candidate = text[start:t]
            if candidate[0] not in _SURNAMES or any(ch in _NOT_GIVEN for ch in candidate[1:]):
                continue
            window = text[max(start - 1, 0) : t]
            if any(word in window for word in _NOT_NAMES_ZH):
                continue
            # A two- or three-character name must not run on from a word before it.
            if (
                length > 1
                and start > 0
                and "\u4e00" <= text[start - 1] <= "\u9fff"
                and text[start - 1] not in _NOT_GIVEN
            ):
                continue
            yield start, t
            break


def _en_name(name: str) -> str | None:
    """Drop trailing words that are not part of the name; None if nothing name-like is left."""
    words = name.split()
    while words and words[-1].lower().strip("'") in _NOT_NAMES_EN:
        words.pop()
    if not words or words[0].lower() in _NOT_NAMES_EN or words[0].split("-")[0].lower() in _NOT_NAMES_EN:
        return None
    return " ".join(words)


def _names(text: str) -> Iterator[tuple[int, int]]:
    for pattern in _NAME_CUES_EN:
        for m in pattern.finditer(text):
            group = "name" if m.group("name") else "name2"
            name = _en_name(m.group(group))
            if name:
                yield m.start(group), m.start(group) + len(name)
    for pattern in _NAME_CUES_ZH:
        surname_needed = pattern is not _NAME_CUES_ZH[0]
        for m in pattern.finditer(text):
            zh = _zh_name(m.group("name"), surname_needed=surname_needed)
            if zh:
                yield m.start("name"), m.start("name") + len(zh)
    for m in _SURNAME_ONLY_ZH.finditer(text):
        if m.group("name") in _SURNAMES:
            yield m.start("name"), m.end("name")
    yield from _zh_titled_names(text)
    yield from _signature(text)


def _signature(text: str) -> Iterator[tuple[int, int]]:
    """A name alone on the last line, or after a sign-off ("Thanks,\\nMary Chen")."""
    lines = text.rstrip().split("\n")
    if len(lines) < 2:
        same_line = re.search(
            rf"(?:(?i:thanks|thank you|regards|sincerely|cheers)[,!.]?\s+[-–—]?|(?:^|\s)[-–—]{{1,2}})\s*(?P<name>{_NAME_EN})\s*[.!]?\s*$",
            text,
        )
        signed = _en_name(same_line.group("name")) if same_line else None
        if same_line and signed:
            yield same_line.start("name"), same_line.start("name") + len(signed)
        return
    last = lines[-1]
    offset = len(text.rstrip()) - len(last)
    en = re.fullmatch(rf"\s*[-–—~]*\s*(?P<name>{_NAME_EN})\s*[.!]?\s*", last)
    if en:
        name = _en_name(en.group("name"))
        before = "\n".join(lines[:-1]).rstrip()
        # A bare capitalised line is a signature when it looks like one: after a sign-off or
        # introduced by a dash; otherwise ("Thanks") it is just the end of the text.
        if name and (
            _SIGN_OFF.search(before) or last.lstrip().startswith(("-", "–", "—", "~")) or len(name.split()) >= 2
        ):
            yield offset + en.start("name"), offset + en.start("name") + len(name)
        return
    zh = _SIGNATURE_ZH.match(last)
    if zh and zh.group("name")[0] in _SURNAMES and not zh.group("name").startswith(_NOT_NAMES_ZH):
        yield offset + zh.start("name"), offset + zh.end("name")


# --------------------------------------------------------------------------------------------
# Finders
# --------------------------------------------------------------------------------------------


def _cued(cue: re.Pattern[str], value: re.Pattern[str], text: str) -> Iterator[tuple[int, int]]:
    """Values that directly follow a cue ("MRN 00482913", "病歷號碼 8877665")."""
    for m in cue.finditer(text):
        v = value.match(text, m.end())
        if v is not None and sum(ch.isdigit() for ch in v.group()) >= 5:
            yield v.start(), v.end()


def _links(text: str) -> Iterator[tuple[int, int]]:
    for m in _LINK.finditer(text):
        end = m.end()
        while end > m.start() and text[end - 1] in _LINK_TRAILING:
            end -= 1
        yield m.start(), end


def _phones(text: str) -> Iterator[tuple[int, int]]:
    for m in _PHONE.finditer(text):
        yield m.start(), m.end()
    for m in _PHONE_CUED.finditer(text):
        v = _PHONE_LOOSE.match(text, m.end())
        if v is not None and 8 <= sum(ch.isdigit() for ch in v.group()) <= 15:
            yield v.start(), v.end()


def _ids(text: str) -> Iterator[tuple[int, int]]:
    for m in _TW_ID.finditer(text):
        yield m.start(), m.end()
    for m in _TW_ID_LOOSE.finditer(text):
        if valid_tw_id(re.sub(r"[\s-]", "", m.group())):
            yield m.start(), m.end()
    yield from _cued(_ID_CUED, _ID_VALUE, text)


def _birth_dates(text: str) -> Iterator[tuple[int, int]]:
    for m in _BIRTH_DATE.finditer(text):
        yield m.start("date"), m.end("date")


def _addresses(text: str) -> Iterator[tuple[int, int]]:
    for pattern in (_ADDRESS_EN, _ADDRESS_ZH):
        for m in pattern.finditer(text):
            yield m.start(), m.end()


_FINDERS: tuple[tuple[str, Callable[[str], Iterator[tuple[int, int]]]], ...] = (
    ("email", lambda text: ((m.start(), m.end()) for m in _EMAIL.finditer(text))),
    ("link", _links),
    ("record_number", lambda text: _cued(_RECORD_CUED, _RECORD_VALUE, text)),
    ("birth_date", _birth_dates),
    ("id", _ids),
    ("phone", _phones),
    ("address", _addresses),
    ("name", _names),
)


def find(text: str) -> list[Span]:
    """Personal data in `text`: non-overlapping spans, sorted by position."""
    if not text:
        return []
    folded = _fold(text)
    candidates = [(kind, start, end) for kind, finder in _FINDERS for start, end in finder(folded) if end > start]
    # The most specific kind wins an overlap; then the longer span.
    candidates.sort(key=lambda c: (-_PRIORITY[c[0]], -(c[2] - c[1]), c[1]))
    taken: list[tuple[int, int, str]] = []  # sorted by start, never overlapping
    starts: list[int] = []
    for kind, start, end in candidates:
        i = bisect.bisect_left(starts, start)
        if (i > 0 and taken[i - 1][1] > start) or (i < len(taken) and taken[i][0] < end):
            continue
        taken.insert(i, (start, end, kind))
        starts.insert(i, start)
    return [Span(kind, start, end, text[start:end]) for start, end, kind in taken]


def preview(text: str) -> list[Span]:
    """What `scrub` will mask, for showing the asker before the question is posted."""
    return find(text)


def scrub(text: str) -> str:
    """`text` with each piece of personal data replaced by its placeholder, e.g. "[phone]"."""
    out = []
    pos = 0
    for span in find(text):
        out.append(text[pos : span.start])
        out.append(PLACEHOLDERS[span.kind])
        pos = span.end
    out.append(text[pos:])
    return "".join(out)
