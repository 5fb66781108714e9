"""Emergency red flags in a question, checked before it is posted.

A red flag means "this person should be told to call emergency services now", not "a doctor
should answer this soon". The asker is shown a warning; nothing is blocked. Because a missed
emergency costs far more than a needless warning, the rules lean towards recall.

The detector is a table of rules, one per kind. A rule fires when one of its criteria is met: a
*sign* (the main pattern) that is currently happening to someone, plus, for criteria that need
two things at once, a *companion* anywhere in the same text (chest pain AND sweating; a young
infant AND fever). "Currently happening" is judged from the sentence around each match:

- negation: a negator shortly before the match in the same clause ("no chest pain",
  "沒有發燒", "I have never thought of hurting myself");
- history: a marker such as "10 years ago", "in 2017", "以前", "年前" in the same sentence,
  unless a present-time marker ("now", "since this morning", "今天", "突然") puts the match back
  in the present;
- resolved: the sentence says it is over ("couldn't breathe for a few seconds, then it passed");
- hypothetical: the sentence asks about signs in general ("what are the warning signs of a
  stroke", "中風的前兆有哪些", "what should I do if someone has a seizure"), or the whole text is
  framed as schoolwork or fiction ("for my nursing exam").

Texts are normalised first (NFKC, lower case, curly apostrophes, a small simplified-to-traditional
table) with a one-to-one character mapping, so match offsets are also offsets into the original
text and the evidence shown to people is their own words.

When no rule fires, a learned second opinion (`triage.redflag_model`) reads the whole text and may
raise one flag of kind "other" ("Possible emergency"). It catches phrasings no pattern foresaw, at
the price of an occasional false alarm; `detect(text, use_model=False)` is the rules alone.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from triage import redflag_model

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

__all__ = ["KINDS", "LABELS", "OTHER", "RedFlag", "detect"]


@dataclass(frozen=True)
class RedFlag:
    kind: str  # stable slug, e.g. "chest-pain"; templates and metrics key on it
    label: StrOrPromise  # short English label, translated lazily
    evidence: str  # the asker's own words that triggered the flag


# --------------------------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------------------------

# Simplified -> traditional for the characters the patterns use, so one pattern serves both
# scripts. Pairs are "simplified traditional"; only one-to-one mappings, to keep offsets.
_S2T_PAIRS = (
    "过過 气氣 难難 压壓 闷悶 紧緊 剧劇 头頭 晕暈 脸臉 边邊 没沒 无無 瘫癱 动動 举舉 来來 脚腳 齿齒 讲講 "
    "话話 说說 辈輩 严嚴 见見 视視 杀殺 残殘 轻輕 结結 这這 义義 离離 开開 遗遺 书書 较較 伤傷 楼樓 呕嘔 "
    "块塊 发發 肿腫 咙嚨 痒癢 虾蝦 鲜鮮 针針 药藥 显顯 剂劑 误誤 电電 钮鈕 银銀 铁鐵 洁潔 锭錠 胶膠 农農 "
    "虫蟲 颗顆 两兩 双雙 复複 烧燒 热熱 烫燙 温溫 额額 岁歲 个個 儿兒 宝寶 婴嬰 怀懷 妇婦 湿濕 癫癲 痫癇 "
    "痉痙 挛攣 钟鐘 识識 应應 颈頸 点點 睾睪 阴陰 积積 变變 现現 刚剛 后後 当當 时時 经經 几幾 于於 会會 "
    "么麼 吗嗎 预預 卫衛 试試 业業 认認 还還 断斷 征徵 脑腦 语語 样樣 医醫 师師 疗療 续續 继繼 厉厲 软軟 "
    "觉覺 梦夢 脏臟 扩擴 减減 肤膚 红紅 纹紋 该該 亲親 爷爺 妈媽 孙孫 吓嚇 帮幫 请請 问問 让讓 钱錢 "
    "撑撐 脱脫 厌厭 闭閉 饮飲 尽盡 灭滅 窝窩"
)
_S2T = {ord(pair[0]): pair[1] for pair in _S2T_PAIRS.split()}
_S2T.update({ord("\u2019"): "'", ord("\u2018"): "'", ord("\u02bc"): "'", ord("\uff07"): "'"})


def _normalise(text: str) -> str:
    """Lower-case, width-fold and script-fold `text` without changing its length."""
    if text.isascii():
        return text.lower()
    chars = []
    for ch in text:
        folded = unicodedata.normalize("NFKC", ch).lower()
        chars.append(folded if len(folded) == 1 else ch)
    return "".join(chars).translate(_S2T)


# --------------------------------------------------------------------------------------------
# Context: sentences, clauses, negation, history, hypotheticals
# --------------------------------------------------------------------------------------------


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"  # what re's Unicode \w means


def _at_word_boundary(text: str, pos: int) -> bool:
    before = pos > 0 and _is_word(text[pos - 1])
    after = pos < len(text) and _is_word(text[pos])
    return before != after


def _top_level_branches(pattern: str) -> list[str]:
    """Split a pattern on the | that are not inside a group or a character class."""
    branches, depth, in_class, start, i = [], 0, False, 0, 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            branches.append(pattern[start:i])
            start = i + 1
        i += 1
    branches.append(pattern[start:])
    return branches


class _Pattern:
    """A compiled pattern that scans fast.

    re cannot skip ahead through a text when a pattern starts with \\b, which makes such a
    pattern 2-3 times slower. So the top-level branches that start with \\b are compiled
    without it and the boundary is checked after each match; the other branches (Chinese,
    mostly) are compiled as they are.
    """

    def __init__(self, pattern: str) -> None:
        branches = _top_level_branches(pattern)
        worded = [b[2:] for b in branches if b.startswith(r"\b")]
        plain = [b for b in branches if not b.startswith(r"\b")]
        self.worded = re.compile("|".join(worded)) if worded else None
        self.plain = re.compile("|".join(plain)) if plain else None

    def find_all(self, text: str) -> list[re.Match[str]]:
        """Non-overlapping matches per branch group, in order of position."""
        found: list[re.Match[str]] = []
        if self.worded is not None:
            pos = 0
            while (m := self.worded.search(text, pos)) is not None:
                if _at_word_boundary(text, m.start()):
                    found.append(m)
                    pos = m.end()
                else:
                    pos = m.start() + 1  # retry just after, so no overlapping match is lost
        if self.plain is not None:
            if not found:
                return list(self.plain.finditer(text))
            found.extend(self.plain.finditer(text))
            found.sort(key=lambda m: m.start())
        return found

    def search(self, text: str) -> re.Match[str] | None:
        found = self.find_all(text)
        return found[0] if found else None


# A full stop ends a sentence only before white space, so "38.5" and "Dr.Lin" stay whole.
_SENTENCE_END = re.compile(r"[.!?;](?=\s|$)|[。！？；!?\n]")

# Words that end the reach of a negator: "no fever, but my chest hurts", "沒有發燒，但是胸口很痛".
# An English comma only breaks when a new subject or conjunction follows, so that a negated
# list ("no fever, cough, or shortness of breath") stays negated.
_CLAUSE_BREAK = _Pattern(
    r"\b(?:but|however|although|though|yet|except|whereas|now|then|today|tonight|suddenly|until|"
    r"and\s+(?:now|then|i|i'm|im|he|she|they|we|it|my|his|her|their|the|this|that))\b"
    r"|,\s*(?:i|i'm|im|he|she|it|they|we|my|his|her|their|this|that|so|and|but|still|also|plus)\b"
    r"|[，:：()（）]|但|可是|不過|卻|只是|然而|現在|今天|剛剛|突然|後來|結果|而且"
)

# Negators, minus the phrases that look like one but do not negate a symptom
# ("not sure", "isn't helping", "沒辦法呼吸", "沒效", "會不會", "是不是").
_NEGATOR_EN = _Pattern(
    r"\b(?:no|not|never|without|denies|denied|deny|nor|neither|free of|negative for|absence of|"
    r"don't|doesn't|didn't|haven't|hasn't|hadn't|isn't|aren't|wasn't|weren't|"
    r"dont|doesnt|didnt|havent|hasnt|isnt|arent|wasnt)\b"
    r"(?!\s+(?:know|think|sure|idea|matter|only|one|doubt|care|understand|remember|mean|"
    r"help|helping|helped|work|working|worked|improve|improving|better|stop|stopping|go away|"
    r"going away|want|wanna|seem|respond|responding|longer|way|more)\b)"
)
_NEGATOR_ZH = _Pattern(
    r"(?:沒有|沒)(?!辦法|效|用|力|精神|胃口|事|醒|停|改善|好轉|多久|反應|動|意義|救|空)"
    r"|無(?!力|法|效|意義|聊|助|精打采)"
    r"|未曾|從未|從沒|不曾|並非|否認|不再"
    r"|(?<!會)不會(?!停|好)|(?<!是)不是"
)
_MAX_NEG_GAP_WORDS = 5  # "I do not have chest pain or shortness of breath"
_MAX_NEG_GAP_CJK = 8  # "並沒有覺得胸口很痛"

# (?<!\d) keeps a long run of digits from being tried at every position.
_NUM_WORD = r"(?:(?<!\d)\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|several|many|few|couple of|some)"
_HISTORY = _Pattern(
    rf"\b{_NUM_WORD}\s+(?:years?|yrs?|decades?|months?)\s+ago\b"
    r"|\b(?:last|previous) (?:year|month|summer|winter|spring|autumn|fall|christmas)\b"
    r"|\b(?:in|since|back in) (?:19|20)\d\d\b|\bin the past\b|(?<!as )(?<!like )\bback then\b|\bat the time\b"
    r"|\bhistory of\b|\bhx of\b|\bpreviously\b|\bprevious\b|\bprior\b|\bused to\b|\brecovered\b"
    r"|\bas an? (?:kid|child|teen|teenager|baby|toddler|student)\b"
    r"|\bin (?:my|his|her) (?:teens|twenties|thirties|forties|fifties|sixties|\d0s|youth|childhood)\b"
    r"|\bin (?:high school|middle school|college|university)\b"
    r"|\bwhen (?:i|he|she|we) (?:was|were) (?:young|younger|little|a kid|a child|a teen|a teenager|\d+)\b"
    r"|\bdied\b|\bpassed away\b|\bafter (?:his|her|my|the) (?:stroke|heart attack|seizure|surgery|accident|operation)\b"
    rf"|\bfor {_NUM_WORD} (?:years|months)\b"
    r"|(?:(?<!\d)\d+|[一二兩三四五六七八九十幾多半]+)\s*(?:年|個月)多?以?前|(?<![鐘時天點])(?:以前|之前)"
    r"|曾經|去年|前年|前陣子|先前|那陣子|那段時間|小時候|過去|病史|當時|那時|年輕(?:的)?時|死於|過世|去世|恢復|(?:19|20)\d\d年|民國\d+年"
)
_PRESENT = _Pattern(
    r"\b(?:now|today|tonight|this (?:morning|afternoon|evening|week)|currently|suddenly|again|just|"
    r"since (?:this|last night|yesterday|about|an?|\d+)|yesterday|last night|started|starting)\b"
    r"|\b(?:(?<!\d)\d+|an?|few|couple of|half an?)\s+(?:min(?:ute)?s?|hours?|hrs?|days?)\s+ago\b"
    r"|現在|今天|今早|今晚|剛剛|剛才|突然|又|這幾天|最近|目前|此刻|分鐘前|小時前|昨天|昨晚|一直|還在"
)
_CONTINUING = _Pattern(r"\bstill\b|還是|仍然|依然|仍")
# Over already, said after the sign: "couldn't breathe for a few seconds, then it passed".
_RESOLVED = _Pattern(
    r"\bfor a (?:few|couple of) seconds\b|\b(?:then )?it (?:passed|went away|resolved)\b|\bback to normal\b|\bthen (?:pink|fine|normal|ok) again\b|\bcame (?:round|to) (?:right away|within)"
    r"|\b(?:it |which |that |and )?(?:has |had |finally )?(?<!n't )(?<!not )stopped (?:after|when|with)\b"
    r"|\b(?:i'm|i am|he's|she's|he is|she is) (?:much |a lot )?(?:better|fine|ok|okay) now\b"
    r"|幾秒(?:鐘)?就(?:好|恢復)|(?:就|已經|後來)(?:停|止住)了|(?<![沒不])止住了|(?:現在|已經)(?:好(?:多|很多)?了|好轉|恢復|沒事)"
)
# Questions about emergencies in general, not about one happening now.
_HYPOTHETICAL = _Pattern(
    r"\bwhat (?:are|is) (?:the )?(?:early |warning |common |typical |main )?(?:signs?|symptoms?)\b|\bwhat(?:'s| is) the difference between\b|\bhow is (?:an? |the )?(?!it\b|this\b|that\b|mine\b)\w+ different from\b"
    r"|\b(?:warning|early) signs?\b"
    r"|\bhow (?:do|can|would|should|to) (?:i |you |we |one |people |parents )?(?:know|tell|recogni[sz]e|spot|identify|prevent|prepare|use)\b"
    r"|\bwhat (?:should|do|would|can|must) (?:i|you|we|one|people) do (?:if|when|in case)\b"
    r"|\bwhat to do (?:if|when|in case)\b|\bif (?:someone|somebody|anyone|a person)\b|\bwhat if\b"
    r"|\bin case\b|\bbe prepared\b|\bis it true\b|\bcan (?:you|a person|people|someone) die\b"
    r"|\bteach\w*"
    r"|\bi read (?:it )?(?:online|that|somewhere)\b|\balways mean\b|\bwhat does it mean (?:if|when)\b|\bin general\b|\bprevent\w*"
    r"|前兆|徵兆|(?:有)?哪些症狀|什麼症狀|症狀有哪些|的(?:症狀|徵狀)|(?:怎麼|如何)(?:分辨|判斷|預防|辨別)|預防|衛教"
    r"|急救知識|想先了解|想了解一下|想先知道|認識"
)
# Framing that makes the whole text about emergencies in general: schoolwork, fiction.
_FRAMING = _Pattern(
    r"\bfor (?:my|an?|our) (?:essay|class|exam|test|assignment|homework|project|report)\b|\b(?:school|class|research) (?:report|project|paper|essay)\b"
    r"|\bwriting (?:a|an|my) (?:report|essay|paper|article|story|novel)\b|\b(?:nursing|medical) student\b"
    r"|\b(?:movie|film|tv show|novel|documentary)\b"
    r"|\b(?:mystery|crime|short|detective) (?:story|fiction)\b|\bstory (?:where|about|in which)\b|\bwhere a character\b"
    r"|考試|作業|寫報告|做報告|電影|小說|影集"
)
# Conditionals reach only forward to the end of their clause: "如果小孩吞了電池要怎麼辦".
_CONDITIONAL_ZH = _Pattern(r"如果|萬一|假如|假設|要是")
_CJK = re.compile(r"[\u3400-\u9fff]")
_WORD = re.compile(r"[a-z0-9']+")


class _Marks:
    """Where one kind of context marker occurs in a text, for fast range queries."""

    def __init__(self, pattern: _Pattern, text: str) -> None:
        self.spans = [(m.start(), m.end()) for m in pattern.find_all(text)]
        self.starts = [s for s, _e in self.spans]

    def within(self, lo: int, hi: int) -> list[tuple[int, int]]:
        """Markers lying entirely inside text[lo:hi]."""
        i = bisect.bisect_left(self.starts, lo)
        out = []
        while i < len(self.spans) and self.spans[i][0] < hi:
            if self.spans[i][1] <= hi:
                out.append(self.spans[i])
            i += 1
        return out

    def any_within(self, lo: int, hi: int) -> bool:
        return bool(self.within(lo, hi))


class _Context:
    """Sentence bounds and the three context checks for one normalised text.

    Every marker is found once per text; each check is then a range query, which keeps a
    text with many matches cheap.
    """

    def __init__(self, norm: str) -> None:
        self.text = norm
        self.ends = [m.start() for m in _SENTENCE_END.finditer(norm)]

    # Markers are looked for only when a sign needs its context, and then once per text.
    @cached_property
    def framed(self) -> bool:
        return _FRAMING.search(self.text) is not None

    @cached_property
    def breaks(self) -> _Marks:
        return _Marks(_CLAUSE_BREAK, self.text)

    @cached_property
    def negators(self) -> _Marks:
        return _Marks(_NEGATOR_EN, self.text)

    @cached_property
    def negators_zh(self) -> _Marks:
        return _Marks(_NEGATOR_ZH, self.text)

    @cached_property
    def history(self) -> _Marks:
        return _Marks(_HISTORY, self.text)

    @cached_property
    def present(self) -> _Marks:
        return _Marks(_PRESENT, self.text)

    @cached_property
    def continuing(self) -> _Marks:
        return _Marks(_CONTINUING, self.text)

    @cached_property
    def resolved(self) -> _Marks:
        return _Marks(_RESOLVED, self.text)

    @cached_property
    def hypothetical_marks(self) -> _Marks:
        return _Marks(_HYPOTHETICAL, self.text)

    @cached_property
    def conditionals(self) -> _Marks:
        return _Marks(_CONDITIONAL_ZH, self.text)

    def sentence(self, pos: int) -> tuple[int, int]:
        i = bisect.bisect_left(self.ends, pos)
        start = self.ends[i - 1] + 1 if i > 0 else 0
        end = self.ends[i] if i < len(self.ends) else len(self.text)
        return start, end

    def negated(self, start: int) -> bool:
        sent_start, _end = self.sentence(start)
        breaks = self.breaks.within(sent_start, start)
        scope_start = breaks[-1][1] if breaks else sent_start
        candidates = self.negators.within(scope_start, start) + self.negators_zh.within(scope_start, start)
        if not candidates:
            # A bare 不 negates only what touches it: "不喘", but not "我不知道為什麼胸口很痛".
            scope = self.text[scope_start:start]
            return scope.endswith("不") and not scope.endswith(("會不", "是不"))
        gap = self.text[max(end for _s, end in candidates) : start]
        if _CJK.search(gap):
            return len(gap.replace(" ", "")) <= _MAX_NEG_GAP_CJK
        return len(_WORD.findall(gap)) <= _MAX_NEG_GAP_WORDS

    def historic(self, start: int, end: int) -> bool:
        sent_start, sent_end = self.sentence(start)
        if self.resolved.any_within(end, sent_end):
            return True
        for h_start, h_end in self.history.within(sent_start, sent_end):
            if h_start >= end:
                # "had a stroke 10 years ago" is past, unless the match was already placed in
                # the present ("since an hour ago I have the same pain as back then") or the
                # marker belongs to another clause ("胸口痛，一直喘，他有心臟病史").
                if not self.present.any_within(sent_start, start) and not self.breaks.any_within(end, h_start):
                    return True
            elif h_end <= start:
                if not self.present.any_within(h_end, start):
                    return True
                # "had a stroke last year and still can't lift her arm": a lasting effect of
                # the past event, not a new one.
                if self.continuing.any_within(h_end, end):
                    return True
        return False

    def hypothetical(self, start: int) -> bool:
        if self.framed:
            return True
        sent_start, sent_end = self.sentence(start)
        if self.hypothetical_marks.any_within(sent_start, sent_end):
            return True
        # Conditionals reach forward to the end of their clause only.
        return any(
            "，" not in self.text[c_end:start] and "," not in self.text[c_end:start]
            for _c, c_end in self.conditionals.within(sent_start, start)
        )

    def current(self, start: int, end: int) -> bool:
        """True if the span describes something happening now to a real person."""
        return not (self.negated(start) or self.historic(start, end) or self.hypothetical(start))


# --------------------------------------------------------------------------------------------
# Rule table
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Cue:
    pattern: _Pattern
    check: Callable[[re.Match[str]], bool] | None = None  # extra test on the match (an age, a duration)
    unless: re.Pattern[str] | None = None  # sentence context that makes the cue benign

    def matches(self, ctx: _Context) -> Iterable[re.Match[str]]:
        for m in self.pattern.find_all(ctx.text):
            if self.check is not None and not self.check(m):
                continue
            if self.unless is not None:
                s, e = ctx.sentence(m.start())
                if self.unless.search(ctx.text, s, e):
                    continue
            if ctx.current(m.start(), m.end()):
                yield m


@dataclass(frozen=True)
class _Criterion:
    signs: tuple[_Cue, ...]
    companions: tuple[_Cue, ...] = ()  # if given, one must also be present (anywhere in the text)
    also: tuple[_Cue, ...] = ()  # a second companion group, for criteria that need three things


@dataclass(frozen=True)
class _Rule:
    kind: str
    label: StrOrPromise
    criteria: tuple[_Criterion, ...]


def _cue(pattern: str, check: Callable[[re.Match[str]], bool] | None = None, unless: str | None = None) -> _Cue:
    return _Cue(_Pattern(pattern), check, re.compile(unless) if unless else None)


def _cues(*patterns: str) -> tuple[_Cue, ...]:
    return tuple(_cue(p) for p in patterns)


_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30,
}  # fmt: skip
_ZH_DIGITS = {"一": 1, "二": 2, "兩": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _number(word: str) -> int | None:
    """Parse "12", "twelve", "十二", "二十" (small numbers only, as ages and minutes are)."""
    if word.isdigit():
        return int(word)
    if word in _NUMBERS:
        return _NUMBERS[word]
    if word and all(ch in _ZH_DIGITS or ch == "十" for ch in word):
        if "十" not in word:
            return _ZH_DIGITS.get(word[0])  # "七八分鐘" (seven or eight minutes) counts as the lower
        tens, _sep, ones = word.partition("十")
        return (_ZH_DIGITS.get(tens, 1) if tens else 1) * 10 + (_ZH_DIGITS.get(ones, 0) if ones else 0)
    return None


def _young_infant(m: re.Match[str]) -> bool:
    """Under three months: fever there needs same-day care whatever the baby looks like."""
    n = _number(m.group("n"))
    unit = m.group("unit")
    if n is None:
        return False
    if unit.startswith(("day", "天")):
        return n <= 90
    if unit.startswith(("week", "wk", "週", "周", "星期")):
        return n <= 12
    return n < 3  # months


def _at_least_five(m: re.Match[str]) -> bool:
    n = _number(m.group("n"))
    return n is not None and n >= 5


_CANT = r"(?:can't|cant|cannot|can not|couldn't|couldnt|could not|unable to|not able to|struggl\w* to|hard to|fighting to|can hardly|can barely|hardly|barely)"
_S = r"[^.;!?\n]"  # within one sentence
_Z = r"[^，,。！？；\s]"  # within one Chinese clause

# Shared companion cues.
_BREATHLESS = _cues(
    r"\bshort(?:ness)? of breath\b|\bbreathless\w*|\bout of breath\b|\bgasping\b|\bsob\b|\bdyspn\w*",
    rf"\b{_CANT} (?:catch (?:my|his|her) )?breath(?:e|ing)?\b|\b(?:trouble|difficulty) breathing\b",
    r"(?<!氣)喘|呼吸\S{0,3}?困難|吸不到氣|(?:很難|難以|無法|不能)呼吸",
)
_SWEATING = _cues(r"\bsweat\w*|\bclammy\b|\bdiaphore\w*|\bdrenched\b", r"冒(?:冷)?汗|出(?:冷)?汗|冷汗|流汗|一身汗|大汗")
_RADIATING = _cues(
    r"\bradiat\w*",
    rf"\b(?:spread\w*|go(?:es|ing)? (?:in)?to|moving to|shoot\w*|travel\w*|into|through to)\b{_S}{{0,30}}?\b(?:arm|arms|jaw|neck|back|shoulders?)\b",
    r"\b(?:left )?arm (?:is |feels )?(?:numb|heavy|tingling)\b|\bleft (?:arm|shoulder)\b|\bjaw\b",
    r"(?:痛|延伸|傳|放射|蔓延|麻)到?\S{0,2}?(?:手臂|手|肩膀|肩|下巴|後背|背|脖子)|左(?:手臂|手|肩膀|肩)\S{0,2}?(?:麻|痛|沒力|酸)",
)
_FAINT = _cues(
    r"\bpass(?:ing)? out\b|\bfaint\w*|\blight-?headed\w*|\bblack(?:ing)? out\b|\bdizz\w*|\bwoozy\b",
    r"昏倒|暈倒|頭暈|頭很暈|\S暈|暈眩",
)
_FEVER = _cues(
    r"\bfever\w*|\bfebrile\b|\b3[89](?:\.\d)?\s*(?:°\s*c?|c\b|degrees)|\b(?:3[89]|4[01])\.\d\b",
    r"\b(?:temp\w*|thermometer)\b[^.;!?\d]{0,20}?(?:3[89]|4[01]|10[0-5])(?:\.\d)?\b",
    r"\bfeels? (?:very |really )?hot\b",
    r"發燒|發熱|燒到|高燒|(?:體溫|耳溫|肛溫|額溫|腋溫|量)\S{0,4}?(?:3[89]|4[01])(?:\.\d)?|(?:3[89]|4[01])(?:\.\d)?\s*(?:度|°|℃)|摸起來\S{0,2}燙",
)

_RULES: tuple[_Rule, ...] = (
    _Rule(
        "chest-pain",
        _("Chest pain with warning signs"),
        (
            _Criterion(
                signs=_cues(
                    r"\bchest (?:pain|pains|tightness|pressure|discomfort|heaviness|hurts?|hurting|is (?:hurting|tight|killing)|feels? (?:tight|heavy|crushed|like))",
                    rf"\b(?:pain|pressure|tightness|heaviness|squeezing|ache|aching|discomfort)\b{_S}{{0,25}}?\b(?:in|on|across|around) (?:the (?:middle|center|centre) of )?(?:my|his|her|the) (?:chest|sternum)\b",
                    r"\b(?:tight|heavy|crushing|painful|squeezing) chest\b|\bsitting on (?:my|his|her) chest\b|\b(?:clutch|grabb|hold|rubb)\w* (?:at )?(?:my|his|her) chest\b",
                    r"\bretrosternal\b|\bangina\b",
                    # Loose on purpose: the companion requirement keeps this precise.
                    rf"\b(?:chest|breastbone|sternum|heart)\b{_S}{{0,30}}?\b(?:hurts?|hurting|pain\w*|pian|tight\w*|pressure|heavy|heaviness|aching|squeez\w*|crush\w*|on fire|burning)\b",
                    rf"\b(?:pain|pressure|tightness|heaviness|squeezing|ache|aching|discomfort)\b{_S}{{0,25}}?\b(?:behind|across|in|on|around) (?:my|his|her|the) (?:breastbone|sternum)\b",
                    r"(?:胸|心臟|心口|胸坎)\S{0,6}?(?:痛|悶|緊|壓|絞痛|刺痛|劇痛|揪)|胸口像|心絞痛",
                ),
                companions=_BREATHLESS
                + _SWEATING
                + _RADIATING
                + _FAINT
                + _cues(
                    r"\bnause\w*|\bthrow(?:ing)? up\b|\bvomit\w*|\bgoing to die\b|\bi'm dying\b|\bsense of doom\b",
                    r"想吐|噁心|嘔吐|快死了",
                )
                # Descriptors that are alarming on their own.
                + _cues(
                    r"\bcrushing\b|\belephant\b|\bsqueez\w*|\bvice\b|\btearing\b|\bripping\b|\bworst pain\b",
                    r"大石頭|石頭|壓住|壓著|捏住|揪住|勒住|絞痛|撕裂|劇痛",
                ),
            ),
            _Criterion(signs=_cues(r"\b(?:having|had just had) a heart attack\b", r"心肌梗塞發作|正在心肌梗塞")),
        ),
    ),
    _Rule(
        "stroke",
        _("Possible stroke"),
        (
            _Criterion(
                signs=_cues(
                    # Face
                    r"\bfacial droop\w*|\baphasi\w*|\bdysarthri\w*|\bhemipar\w*|\bhemipleg\w*",
                    rf"\b(?:face|mouth|smile|lip)\b{_S}{{0,30}}?\b(?:droop\w*|crooked|lopsided|uneven|sagg\w*|twisted)\b",
                    rf"\b(?:droop\w*|crooked|lopsided)\b{_S}{{0,20}}?\b(?:face|mouth|smile)\b|\bdrool\w* from one side\b",
                    # Arm / leg / one side
                    r"\b(?:one|left|right)[- ]sided? (?:weakness|numbness|paralysis)\b",
                    rf"\b(?:left|right|one) side\b{_S}{{0,40}}?\b(?:weak\w*|numb\w*|paraly\w*|went dead|can't move)\b",
                    rf"\b(?:weak\w*|numb\w*)\b{_S}{{0,20}}?\b(?:left|right|one) (?:side|arm|leg)\b",
                    rf"\b{_CANT} (?:lift|raise|move|feel|use) (?:his|her|my|the) (?:left |right )?(?:arm|leg|hand|side)\b",
                    # ...but not a limb gone numb from lying on it.
                    rf"\b(?:arm|leg|hand|face)\b{_S}{{0,10}}?\b(?:went|go(?:es|ing)?|is|suddenly) (?:limp|numb|dead|floppy)\b"
                    rf"(?!{_S}{{0,40}}?\b(?:sleep\w*|slept|lying|lie|lay) on (?:it|them|my|his|her)\b)",
                    rf"\b(?:left|right) (?:arm|leg|hand)\b{_S}{{0,25}}?\b(?:weak|numb|limp|dead|paraly[sz]ed)\b",
                    rf"\bcan't hold\b{_S}{{0,25}}?\b(?:left|right) hand\b",
                    # Speech
                    r"\bslurr\w*|\bgarbled\b|\btalking nonsense\b|\bwords? (?:are |is |sound |sounds |come out |coming out )?(?:weird|wrong|jumbled|funny|strange)\b",
                    rf"\b{_CANT} (?:speak|talk|find (?:the |her |his |my )?words|get (?:the |his |her |my )?words out)\b",
                    # Sudden severe headache
                    r"\bworst headache (?:of (?:my|his|her) life|(?:i've|he's|she's|i have|he has|she has) ever|ever)",
                    r"\b(?:sudden\w*|thunderclap|explosive)\s+(?:\w+\s+){0,2}headache\b",
                    rf"\bheadache\b{_S}{{0,40}}?\b(?:came on (?:in seconds|suddenly|out of nowhere)|like being hit|like a thunderclap)",
                    # Sudden loss of vision
                    rf"\b(?:sudden\w*|all of a sudden|out of nowhere)\b{_S}{{0,25}}?\b(?:lost|loss of|can't see|cannot see|blind\w*|double vision)\b",
                    r"\b(?:lost|loss of) (?:the )?(?:vision|sight)\b|\blike a curtain\b",
                    rf"\b(?:vision|eye|sight)\b{_S}{{0,30}}?\b(?:went|go(?:es|ing)?|turned|is) (?:black|dark|blank|dim)\b|\bcan't see (?:out of|with) (?:my|his|her|one) (?:left |right )?eye\b",
                    r"\bhaving a (?:mini-?)?stroke\b",
                    # Chinese
                    r"(?:嘴巴|嘴角|嘴|臉|口角)\S{0,3}?(?:歪|斜|下垂)",
                    r"(?:半邊|一邊|單側|左邊|右邊|左半邊|右半邊|左半身|右半身|半身|左側|右側)(?:的)?\S{0,4}?(?:沒力|無力|麻|癱|不能動|動不了|舉不起來)",
                    r"(?:左|右)(?:手臂|手|腳|腿)\S{0,3}?(?:沒力|無力|舉不起來|麻|不能動|動不了|拿不住)",
                    r"口齒不清|不輪轉|不聽使喚|半身不遂|(?:講話|說話)\S{0,2}?(?:含糊|不清|不太清楚|怪怪)|講不清楚|說不清楚|大舌頭|講不出話|說不出話",
                    r"頭痛欲裂|(?:這輩子|一輩子|人生|有史以來|生平)最(?:痛|嚴重|劇烈)|突然\S{0,4}?劇烈頭痛|突然\S{0,2}頭(?:痛|疼)",
                    r"突然\S{0,6}?(?:看不到|看不見|失明|一片黑)|黑幕|眼前一片黑",
                ),
            ),
        ),
    ),
    _Rule(
        "suicide",
        _("Thoughts of suicide or self-harm"),
        (
            _Criterion(
                signs=_cues(
                    r"\bkill(?:ing)? (?:my|him|her|them)sel(?:f|ves)\b|\bsuicid\w*|\bself[- ]?harm\w*",
                    r"\bend(?:ing)? (?:it all|my life|things|everything|this life)\b|\btake (?:my|his|her) (?:own )?life\b",
                    r"\b(?:don't|dont|do not|doesn't|does not|no longer) (?:really )?want to (?:live|be alive|exist|be here|wake up|go on)\b",
                    r"\b(?<!n't )(?<!dont )(?<!do not )(?<!never )want(?:s|ed)? to die\b(?! of (?:embarrassment|laughter|boredom|shame))|\bwish (?:i|he|she) (?:was|were) dead\b|\bnever wake up\b",
                    r"\bbetter (?:off )?(?:dead|without me|without him|without her)\b|\bnot worth living\b",
                    r"\b(?:take|swallow) (?:them all|all of them|all (?:of )?(?:my|the|these) (?:pills|tablets|meds))\b|\bpills lined up\b",
                    r"\b(?:research\w*|looking up|look up|searching|googl\w*) (?:suicide |for )?(?:methods|ways to (?:die|kill))\b",
                    r"\b(?:to|and|just) (?:not|never) (?:wake up|exist|be here|be alive)\b|\bunalive\b|\bkms\b|\b(?:only|no other) way out\b|\bno way out\b",
                    r"\b(?:thinking|think|thought) (?:about|of) (?:overdos\w*|killing|ending|jumping|hanging|dying)\b|\bwanna die\b|\b(?:want|going|plan\w*|ready) to end it\b",
                    r"\b(?:got|have|getting|took) (?:the |my )?(?:razor blades?|razors?|blades?|rope|knife) (?:out|ready)\b|\bsorry for everything\b",
                    r"\bin front of (?:a|the) (?:train|bus|car|truck)\b|\bend (?:my|the) suffering\b|\bsleep forever\b",
                    r"\b(?:saved|saving|stockpil\w*|hoard\w*|collect\w*) (?:up )?(?:my |some |all my |enough )?(?:pills|tablets|meds|sleeping pills)\b",
                    r"\b(?:no|nothing) (?:reason|point) (?:to|in|of) (?:live|living|go on|going on|keep going|carry on|being alive|stay alive)\b",
                    r"\b(?:i'm|i am|being) a burden (?:to|on) (?:everyone|my|them|you)\b",
                    r"\bwant (?:it|this|everything|my life|things) (?:all )?to (?:end|be over)\b",
                    r"\b(?:don't|dont|do not|can't|cannot) (?:really )?see (?:the|any) point (?:of|in) (?:anything|living|life|going on|being alive)\b",
                    # ...but "cut myself shaving / on a glass" is an accident.
                    r"\b(?:hurt|hurting|harm|harming|cut|cutting|burn|burning) (?:my|him|her)sel(?:f|ves)\b"
                    r"(?!\s+(?:shaving|while|by accident|accidentally|on (?:a|the|some)\b))",
                    r"\b(?:cut|cutting|slit|slitting|slashed) (?:my|his|her|their) wrists?\b",
                    r"\b(?:wrote|written|writing|left) (?:a |my )?(?:note|letter)s? (?:for|to) (?:my|his|her) (?:family|parents|kids|children|wife|husband|mom|mum|dad|mother|father|friends)\b",
                    r"\b(?:suicide|goodbye|farewell) (?:note|notes|letter|letters)\b|\bmy last post\b|\bthis is (?:my )?goodbye\b",
                    r"\bcan't go on\b|\bdisappear forever\b|\btired of (?:living|being alive|life|everything)\b",
                    r"\bgiving away (?:all )?(?:my|of my) (?:stuff|things|belongings|possessions)\b",
                    r"\b(?:painless|easiest|quickest|best|surest) way to (?:die|overdose|kill|end)\b",
                    rf"\bhow many (?:of )?(?:my |these |the )?(?:pills|tablets)\b{_S}{{0,40}}?\b(?:it would take|to die|to kill|would kill|enough|lethal)\b",
                    rf"\b(?:took|swallowed|taken|overdosed)\b{_S}{{0,40}}?\bon purpose\b",
                    r"\b(?:nobody|no one|noone) would (?:even )?(?:notice|care|miss me)\b",
                    r"\b(?:jump|jumping) (?:off|from) (?:a|the|my) (?:bridge|building|roof|balcony)\b|\bhang(?:ing)? myself\b",
                    rf"\b(?:stand\w*|stood|sit\w*|sat|climb\w*|lean\w*)\b{_S}{{0,15}}?\b(?:at|on|onto|over|up to) (?:the )?(?:railing|ledge|edge)\b{_S}{{0,30}}?\b(?:bridge|roof|rooftop|building|balcony|cliff)\b"
                    rf"|\b(?:bridge|roof|rooftop|balcony|cliff)\b{_S}{{0,60}}?\b(?:stand\w*|stood|sit\w*|sat|climb\w*|lean\w*)\b{_S}{{0,15}}?\b(?:at|on|onto|over|up to) (?:the )?(?:railing|ledge|edge)\b",
                    r"想死|不想活|不想再活|活不下去|自殺|自殘|割腕|輕生|尋短|結束(?:自己的)?生命|結束這一切|了結自己",
                    r"活著(?:沒有|沒|毫無)意義|活著好痛苦|活著\S{0,3}累|想解脫|準備\S{0,4}(?:木炭|炭|繩子|繩)|一睡不醒|不要再醒來|離開這個世界|遺書|遺言|沒有我(?:會)?(?:比較好|更好)",
                    r"跳樓|跳下去|傷害自己|想消失|活著好累|不想醒來|(?:是|成為)\S{0,4}?(?:的)?負擔",
                    r"活著\S{0,3}(?:沒|毫無|沒有)\S{0,2}(?:意義|意思)|沒有?活下去的(?:理由|意義|動力|勇氣)|想不開|尋死|結束自己",
                    r"一次(?:全部)?(?:吃掉|吃完|吞掉|吞下)|藥\S{0,4}存(?:起來|好)|存(?:了|好)?\S{0,4}藥",
                    r"去死|撐不下去|跳下|死一死|死了算了|不如死|了斷|割(?:了)?手腕|割(?:傷)?自己|割了?手|(?<!眼睛)(?<!眼球)上吊|燒炭|吞藥|自我傷害",
                ),
            ),
        ),
    ),
    _Rule(
        "bleeding",
        _("Severe bleeding"),
        (
            _Criterion(
                signs=_cues(
                    rf"\b(?:bleed\w*|blood|nose ?bleed)\b{_S}{{0,30}}?\b(?:won't|wont|will not|doesn't|does not|isn't|hasn't|has not|not|never|can't) (?:stop|stopping|stopped)\b",
                    r"\b(?:won't|can't|cannot|couldn't) (?:stop|get) (?:the )?(?:bleeding|blood)\b|\bkeeps? (?:on )?bleeding\b",
                    rf"\b(?:bleed\w*|blood|nose ?bleeds?)\b{_S}{{0,20}}?\b(?:non-?stop|for (?:over |more than )?(?:an|one|two|three|\d+) hours?)\b",
                    r"\b(?:vomit\w*|throw\w* up|threw up|puk\w*|cough\w* up)\s+(?:\w+\s+){0,5}?blood\b|\bcoffee[- ]grounds?\b|\bblood in (?:my|his|her|the) vomit\b",
                    r"\bblood (?:is )?(?:spurting|pouring|gushing|squirting)\b|\b(?:spurting|pouring|gushing)\b",
                    r"\bsoak(?:ing|ed|s)? (?:through|a pad|pads)\b|\bbleeding through\b|\bfilling with blood\b|\bblood everywhere\b|\bpool of blood\b",
                    r"止不住|血流不止|流血不止|血\S{0,4}?(?:一直|還是一直|還在|不停)(?:流|噴|冒)|一直\S{0,3}?流血|大量流血|噴血|血噴",
                    rf"(?:吐|嘔)(?:{_Z}{{0,9}}?)血|咳出\S{{0,4}}?血|咳了?很多血|大量咳血|(?:吐|嘔)\S{{0,6}}咖啡色",
                ),
            ),
            # Heavy bleeding from a wound; heavy periods and pregnancy have rules of their own.
            _Criterion(
                signs=(
                    _cue(
                        r"\bbleeding (?:heavily|a lot|badly|profusely)\b|\bheavy bleeding\b|\blots of blood\b|大量出血|壓不住|血流如注",
                        unless=r"period|menstru|pregnan|月經|經期|生理期|懷孕",
                    ),
                )
            ),
            # Signs that are alarming only with signs of blood loss.
            _Criterion(
                signs=_cues(
                    rf"\bblack\b{_S}{{0,20}}?\b(?:stool|stools|poo|poop)\b|\b(?:stool|stools|poo|poop)\b{_S}{{0,30}}?\b(?:black|tarry|like tar)\b|\bmelena\b",
                    r"\bpass(?:ing|ed)? (?:lots of |a lot of )?(?:dark |bright )?(?:red )?blood\b|\bblood from (?:his|her|my) (?:bottom|rectum|back passage|anus)\b",
                    r"\bheavy bleeding\b|\bbleeding heavily\b|\bbleeding a lot\b|\bha?emorrhag\w*|\blots of blood\b|\bclots? (?:as big as|the size of)\b|\bpassing (?:big |large )?clots\b",
                    rf"\b(?:lots of|a lot of|full of|all) blood\b{_S}{{0,20}}?\b(?:stool|stools|poo|poop|toilet)\b|\b(?:stool|poo|poop|toilet)\b{_S}{{0,20}}?\bfull of blood\b",
                    r"黑便|柏油|大便\S{0,4}?黑|黑色\S{0,2}?(?:大便|便)|大量出血|血崩|血塊|量\S{0,2}(?:超大|很大|非常多|超多|很多)|一小時換\S{0,3}片|大便\S{0,6}?血|便血|血便|馬桶\S{0,3}紅",
                ),
                companions=_FAINT + _cues(r"\bpale\b|\bweak\b", r"蒼白|虛弱|快暈|臉\S{0,2}白"),
            ),
        ),
    ),
    _Rule(
        "breathing",
        _("Severe trouble breathing"),
        (
            _Criterion(
                signs=(
                    _cue(rf"\b{_CANT} breath(?:e|ing)?\b(?! through (?:my|the|his|her) nose)"),
                    _cue(
                        rf"\bsuffocat\w*|\b{_CANT} take a (?:full |deep |proper )?breath\b|\bchoking\b(?! on (?:my |his |her )?(?:saliva|spit|water|food))"
                    ),
                    _cue(
                        r"\b(?:trouble|difficulty|difficult|problems?|hard time|struggling|labou?red) (?:with )?breathing\b|\bbreathing (?:difficult\w*|problems?)\b"
                    ),
                    _cue(
                        rf"\bstridor\b|\bcrowing\b|\b(?:high-pitched|whistling|loud|crowing) (?:noise|sound)\b{_S}{{0,20}}?\bbreath|\b{_CANT} swallow (?:(?:his|her|my) )?(?:saliva|spit)\b"
                    ),
                    _cue(
                        rf"\binhaler\b{_S}{{0,20}}?\b(?:isn't|is not|not|doesn't|does not|didn't|won't)\s+(?:help|work)\w*|\binhaler does nothing\b"
                        r"|\b(?:severe|bad|serious|terrible) asthma attack\b|\bwheez\w* (?:really |so )?(?:badly|hard|a lot)\b"
                    ),
                    _cue(
                        r"\bgasping\b|\bcan't catch (?:my|his|her) breath\b|\bstruggling for (?:air|breath)\b|\bbreath is a struggle\b"
                    ),
                    _cue(
                        rf"\b{_CANT} get (?:enough |any )?(?:air|oxygen)\b|\b(?:short of breath|breathless) (?:at|even at|while) rest\w*\b"
                    ),
                    _cue(
                        rf"\b(?:blue|bluish|purple|cyanotic|grey|gray)\b{_S}{{0,15}}?\b(?:lips|mouth)\b|\b(?:lips|mouth|face|fingers)\b{_S}{{0,20}}?\b(?:blue|bluish|purple|cyanotic)\b"
                    ),
                    _cue(
                        r"\bcan only say a few words\b|\b(?:can't|cannot|unable to) (?:talk|speak|finish) (?:in )?(?:full )?sentences\b"
                    ),
                    _cue(
                        rf"\bchok(?:ing|ed)\b{_S}{{0,40}}?\b(?:can't|cannot|unable to|not able to) (?:cough|speak|talk|breathe|cry|make a sound)\b"
                    ),
                    _cue(
                        r"\b(?:oxygen|o2|spo2|sats?|saturation|pulse ox\w*)\b[^.;!?\d]{0,20}?(?:[5-8]\d|9[01])\b(?!\.\d)"
                    ),
                    _cue(
                        rf"\b(?:sucking|sucks|pulling|pulls) in\b{_S}{{0,20}}?\bribs?\b|\bribs?\b{_S}{{0,20}}?\b(?:sucking|sucks|pulling) in\b"
                    ),
                    _cue(
                        r"\b(?:stopped|stops|isn't|not|no longer) breathing\b",
                        unless=r"snor|apnea|apnoea|sleep|打呼|睡",
                    ),
                    _cue(
                        r"呼吸\S{0,3}?困難|喘不過氣|喘不上氣|吸不到氣|吸不到空氣|不能呼吸|無法呼吸|沒辦法呼吸|呼吸不過來"
                    ),
                    _cue(
                        r"(?:嘴唇|嘴巴|臉色|臉|指甲)\S{0,3}?(?:紫|發黑|發青)|(?:肋骨|胸口|脖子|鎖骨)\S{0,4}?凹|血氧\S{0,4}?(?:[5-8]\d|9[01])(?!\d)"
                    ),
                    _cue(
                        r"(?:坐著|躺著|休息)也喘|喘到\S{0,4}(?:不能|沒辦法|無法)(?:講話|說話|躺|走)|喘到\S{0,2}(?:說不出話|講不出話)|講不完一句|一句話都講不完|話說不完|噎到\S{0,10}?(?:咳不出來|不能說話|不能呼吸|說不出話)|咳不出來"
                    ),
                    _cue(r"停止呼吸|沒有呼吸|沒呼吸|呼吸停止", unless=r"打呼|睡|snor|apnea|sleep"),
                ),
            ),
        ),
    ),
    _Rule(
        "anaphylaxis",
        _("Possible severe allergic reaction"),
        (
            _Criterion(
                signs=_cues(
                    # "swollen glands" with a sore throat is an infection, not an airway at risk.
                    rf"\b(?:throat|tongue|lips?|face|mouth|eyes?|eyelids?)\b{_S}{{0,25}}?\b(?:swell\w*|swollen|closing|tight\w*|puff\w*)\b(?!\s+(?:glands?|nodes?|lymph|tonsils?))",
                    rf"\b(?:swell\w*|swollen)\b{_S}{{0,15}}?\b(?:throat|tongue|lips?|face)\b",
                    r"(?:喉嚨|舌頭|嘴唇|嘴巴|臉|眼睛|眼皮)\S{0,4}?(?:腫|緊)",
                ),
                companions=_cues(
                    # A trigger...
                    r"\b(?:ate|eating|eaten|food|peanuts?|nuts?|shrimp|prawns?|shellfish|crab|seafood|fish|eggs?|milk|sesame|cookie)\b",
                    r"\b(?:stung|sting|bee|wasp|hornet|insect)\b",
                    # A medicine counts as the trigger only once taken ("Do I need antibiotics?" is not).
                    rf"\b(?:after|since|started|starting|took|taking|taken|given|got|had|just had)\b{_S}{{0,25}}?\b(?:injection|shot|jab|vaccine|antibiotic\w*|amoxicillin|penicillin|contrast|medication|medicine|drug|pills?|tablets?|painkillers?|ibuprofen|aspirin|nsaids?|dose|infusion|iv)\b",
                    r"吃了|吃完|吃到|喝了|花生|芒果|堅果|蝦|海鮮|螃蟹|叮|蜂|螫|打完|注射|打針|抗生素|顯影劑",
                    # ...or a sign that the whole body is involved.
                    rf"\bhives\b|\bwheez\w*|\bhoarse\w*|\bvoice (?:is )?chang\w*|\bthroat\b{_S}{{0,15}}?\bclos\w*|\b{_CANT} breath\w*|\bshort of breath\b|\bfaint\w*|\bdizz\w*",
                    r"全身\S{0,2}(?:疹子|紅疹|癢)|蕁麻疹|(?<!氣)喘|呼吸\S{0,3}?困難|沙啞|頭暈",
                ),
            ),
            _Criterion(
                signs=_cues(
                    r"\b(?:stung|sting|stings|bee|wasp|hornet)\b|\b(?:ate|eating|eaten|after)\b[^.;!?\n]{0,25}?\b(?:peanuts?|nuts?|shrimp|prawns?|shellfish|seafood|sesame)\b",
                    r"叮|螫|吃了?\S{0,6}?(?:花生|蝦|海鮮|螃蟹|堅果|芒果)|打完|注射|顯影劑|抗生素",
                    rf"\b(?:after|since|started|took|taking|given|got|had)\b{_S}{{0,25}}?\b(?:injection|shot|jab|vaccine|antibiotic\w*|contrast|infusion|iv|penicillin|amoxicillin)\b",
                ),
                companions=_cues(
                    r"\bhives\b|\bwelts\b|\bitchy all over\b|\brash all over\b", r"全身\S{0,3}(?:疹子|紅疹|癢)|蕁麻疹"
                ),
                also=_cues(
                    rf"\bwheez\w*|\b{_CANT} breath\w*|\bshort of breath\b|\bfaint\w*|\bdizz\w*|\blight-?headed\b|\bthroat\b|\bcough\w*"
                    r"|\bblood pressure (?:dropped|drop\w*|fell|is low|went down)\b|\blow blood pressure\b",
                    r"(?<!氣)喘|呼吸|頭暈|暈|喉嚨|血壓\S{0,2}(?:掉|下降|很低)",
                ),
            ),
            _Criterion(
                signs=_cues(
                    r"\bsevere allergic reaction\b|嚴重(?:的)?過敏(?:反應)?|\banaphyla\w*|\b(?:used|gave|give|injected|needed) (?:my |his |her |the )?epi-?pen\b",
                    # Airway closing or tongue swelling is an emergency whatever the cause.
                    rf"\bthroat\b{_S}{{0,15}}?\bclos(?:ing|es|ed)\b|\btongue\b{_S}{{0,10}}?\bswell\w*|\bswollen tongue\b",
                    r"過敏性休克|舌頭\S{0,3}腫|喉嚨\S{0,4}(?:卡住|封住|腫到|緊到)\S{0,6}(?:呼吸|喘|吞)",
                )
            ),
        ),
    ),
    _Rule(
        "poisoning",
        _("Poisoning or overdose"),
        (
            _Criterion(
                signs=_cues(
                    rf"\b(?:swallow\w*|ate|eaten|eating|drank|drunk|drinking|ingest\w*|took|taken|got into|chewed|licked)\b{_S}{{0,40}}?\b"
                    r"(?:button batter\w*|batter(?:y|ies)|magnets?|bleach|detergent|dishwasher (?:tablets?|pods?)|laundry (?:pods?|capsules?)|"
                    r"dishwasher (?:liquid|detergent|soap|gel)|washing[- ]up liquid|oven cleaner|toilet cleaner|disinfectant|drain cleaner|pesticide|insecticide|weed ?killer|herbicide|paraquat|rat poison|antifreeze|kerosene|lamp oil|paraffin|"
                    r"gasoline|petrol|lighter fluid|methanol|acid|lye|wild mushrooms?|poison\w*|whole bottle|entire bottle|whole (?:pack|box|strip|packet)|"
                    r"all (?:of )?(?:my|his|her|the) (?:pills|tablets|meds|medication))\b",
                    rf"\b(?:took|taken|swallowed|ate|had)\b{_S}{{0,10}}?\b(?:a bunch of|a lot of|lots of|loads of|too many|a handful of|handful of)\b",
                    rf"\b(?:took|taken|swallowed|ate|had)\b{_S}{{0,15}}?\b(?:\d{{2,}}|dozens of|twenty|thirty|forty|fifty)\b{_S}{{0,20}}?\b(?:pills|tablets|capsules)\b",
                    rf"\b(?:child|kid|son|daughter|toddler|baby|(?<!\d)\d+ ?(?:year|yr)[- ]old|grandchild)\b{_S}{{0,60}}?\b(?:ate|swallowed|drank|got into|took)\b{_S}{{0,40}}?\b(?:pills?|tablets?|medicine|meds|capsules?)\b",
                    r"\bod'?d\b|\boverdos\w*\b(?! on (?:sugar|candy|chocolate|coffee|caffeine|carbs|netflix|sweets|food|junk))",
                    rf"(?:吞了?|吞下|誤吞|吃了|吃下|吃到|喝了|喝下|喝到|誤喝|誤食|誤服|服用了?){_Z}{{0,12}}?"
                    r"(?:電池|磁鐵|漂白水|清潔劑|鹽酸|強酸|強鹼|一堆|一大堆|半瓶|一瓶|洗碗錠|洗衣球|洗衣膠囊|通樂|農藥|殺蟲劑|除草劑|巴拉刈|老鼠藥|滅鼠|煤油|去漬油|汽油|一整瓶|整瓶|一整排|整盒|一大把|\d{2,}顆|(?:[二三四五六七八九]十|十)[一二三四五六七八九]?[多幾]?顆)",
                    r"過量|服藥過多|吃太多藥|被蛇咬|\bsnake ?bite\b|\bbitten by a (?:snake|viper)\b",
                    r"(?:小孩|孩子|兒子|女兒|寶寶|小朋友|幼兒|\d歲)\S{0,6}?(?:吃了|吞了|誤食|誤吞|喝了)\S{0,10}?藥",
                    r"(?:吃了|吞了|服用了?)\S{0,2}?(?:很多|好多|好幾|一堆|整包|整盒)\S{0,2}?(?:顆|粒|包)?\S{0,6}?藥",
                    rf"\b(?:mix\w*|inhal\w*|breath\w* in)\b{_S}{{0,30}}?\b(?:bleach|ammonia|chlorine|fumes|gas|smoke)\b|\bcarbon monoxide\b|一氧化碳|吸入\S{{0,6}}?(?:氣體|濃煙)",
                ),
            ),
            _Criterion(
                signs=_cues(
                    r"(?:電池|磁鐵|漂白水|清潔劑|洗碗錠|洗衣球|洗衣膠囊|通樂|農藥|殺蟲劑|除草劑|巴拉刈|老鼠藥|強酸|鹽酸|強鹼)\S{0,12}?(?:吞|喝|吃|咬)",
                    rf"\b(?:(?<!\d)\d{{2,}}|five|six|seven|eight|nine|ten|[5-9]) times (?:the|his|her|my)? ?(?:dose|amount|dosage)\b|\b(?:gave|given|give)\b{_S}{{0,30}}?\b(?:too much|an overdose|the wrong (?:dose|medicine))\b",
                ),
            ),
            # Carbon monoxide: a fuel-burning heater or stove indoors, symptoms, and more than one
            # person ill or someone fainting.
            _Criterion(
                signs=_cues(
                    r"\b(?:gas|kerosene|paraffin|propane|charcoal|oil|wood) (?:heater|stove|fire|grill|bbq|barbecue|boiler|furnace)\b|\bgenerator\b|\bfurnace\b|\bboiler\b",
                    r"熱水器|瓦斯爐?|暖爐|煤油爐|炭爐|發電機",
                ),
                companions=_cues(
                    r"\bheadaches?\b|\bdizz\w*|\bnause\w*|\bvomit\w*|\bfeeling sick\b|\bfeel sick\b|\bconfus\w*|\bdrows\w*",
                    r"頭痛|頭暈|想吐|噁心|嘔吐|想睡",
                ),
                also=_cues(
                    r"\b(?:whole|entire) family\b|\beveryone\b|\ball of us\b|\bboth of us\b|\bwe all\b|\bfaint\w*|\bpassed out\b|\bcollapsed\b",
                    r"全家|一家人|大家都|我們都|都\S{0,3}(?:頭痛|頭暈|想吐)|昏倒|暈倒|昏過去",
                ),
            ),
            # Alcohol with a sedative, once drowsiness shows.
            _Criterion(
                signs=_cues(r"\b(?:drank|drinking|drunk|alcohol|wine|vodka|whisk(?:e)?y|beer|booze|liquor)\b", r"酒"),
                companions=_cues(
                    r"\bsleeping (?:pills|tablets)\b|\bsedatives?\b|\bbenzo\w*|\bxanax\b|\bvalium\b|\bopioids?\b|\boxy\w*|\bmorphine\b|\btramadol\b|\bfentanyl\b",
                    r"安眠藥|鎮定劑|鎮靜劑|助眠藥|嗎啡",
                ),
                also=_cues(
                    r"\bconfus\w*|\bsleepy\b|\bdrows\w*|\bhard to wake\b|\bslow(?:ly)? breath\w*|\bunresponsive\b|\bwon't wake\b",
                    r"想睡|一直睡|叫不|意識|昏",
                ),
            ),
            # Something a child got hold of, once it already makes them ill.
            _Criterion(
                signs=_cues(
                    rf"\b(?:found|got into|got hold of)\b{_S}{{0,40}}?\b(?:drank|drunk|ate|swallowed|chewed|licked)\b",
                    rf"\b(?:drank|drunk|ate|swallowed)\b{_S}{{0,30}}?\b(?:vape (?:liquid|juice)|e-liquid|liquid nicotine|nicotine|essential oil|cleaning|chemical\w*)\b",
                    r"(?:拿到|翻到|找到)\S{0,10}?(?:喝|吃|吞)",
                ),
                companions=_cues(
                    r"\bvomit\w*|\bthrow(?:ing)? up\b|\bdrows\w*|\bpale\b|\bconfus\w*|\bunresponsive\b|\bdrool\w*|\bfloppy\b",
                    r"吐|想睡|嗜睡|臉色\S{0,2}白|流口水",
                ),
            ),
            # A medicine taken twice by mistake matters when it already shows.
            _Criterion(
                signs=_cues(
                    rf"\b(?:took|taken|swallowed|ate|drank|gave|given)\b{_S}{{0,50}}?\b(?:by mistake|accidentally|double dose)\b|\baccidentally (?:took|swallowed|ate|drank|gave|ingested)\b",
                    r"不小心\S{0,12}?(?:吃|喝|吞)|吃了兩次|兩倍|雙倍|重複吃",
                ),
                companions=_cues(
                    r"\bconfus\w*|\bdrows\w*|\bsleepy\b|\bpulse (?:is |of )?[1-4]\d\b|\bslow (?:heart|pulse)\b|\bfaint\w*|\bdizz\w*|\bvomit\w*|\bunresponsive\b",
                    r"頭暈|想睡|嗜睡|意識|心跳\S{0,3}慢|[一二三四]十幾下|昏|抽搐",
                ),
            ),
        ),
    ),
    _Rule(
        "infant-fever",
        _("Fever in a baby under three months"),
        (
            _Criterion(
                signs=(
                    _cue(
                        r"\b(?P<n>\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)[\s-]*(?P<unit>days?|weeks?|wks?|months?|mos?)[\s-]*old\b",
                        check=_young_infant,
                    ),
                    _cue(
                        r"(?:出生(?:第|才|後)?|才|剛滿)?(?P<n>\d{1,2}|[一二兩三四五六七八九十]+)\s*(?P<unit>天|週|周|星期|個月)(?:大|的寶寶|寶寶|嬰兒)",
                        check=_young_infant,
                    ),
                    _cue(
                        r"出生(?:第|才|後)?(?P<n>\d{1,2}|[一二兩三四五六七八九十]+)\s*(?P<unit>天|週|周|星期|個月)",
                        check=_young_infant,
                    ),
                    _cue(
                        r"\b(?:baby|son|daughter|infant|newborn|girl|boy|he|she)(?:'s| is| was)? \(?(?:only |just )?(?P<n>\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve) (?P<unit>days?|weeks?|wks?|months?)\b(?! pregnant)",
                        check=_young_infant,
                    ),
                    _cue(
                        r"\bnewborn\b|\bneonat\w*|新生兒|剛出生|未滿月|還沒滿月|未滿(?:三|3)\s*個?月|(?:三|3)\s*個月以下|\bunder (?:3|three) months\b|剛滿月|滿月(?:的)?(?:寶寶|嬰兒|小孩|孩子)"
                    ),
                ),
                companions=_FEVER,
            ),
        ),
    ),
    _Rule(
        "pregnancy",
        _("Pregnancy with heavy bleeding or severe pain"),
        (
            _Criterion(
                signs=_cues(
                    r"\bpregnan\w*|\b\d{1,2} ?(?:weeks?|wks?) (?:along|gestation)\b|\bexpecting\b|\bg\d+\s*p\d+\b",
                    r"懷孕|孕期|孕婦|妊娠",
                ),
                companions=_cues(
                    r"\blike a heavy period\b|\bpassing (?:tissue|clots)\b|\bbleeding (?:heavily|a lot)\b|\bheavy (?:vaginal )?bleeding\b|\bsoak\w* (?:a |through )?(?:pads?)\b|\b(?:lots of|a lot of) blood\b|\bclots\b",
                    rf"\b(?:severe|terrible|really bad|excruciating|intense|unbearable|sharp|worst)\b{_S}{{0,30}}?\b(?:pain|cramp\w*)\b",
                    rf"\b(?:severe|terrible|bad|pounding|worst)\b{_S}{{0,10}}?headache\b{_S}{{0,60}}?\b(?:blurr\w*|vision|seeing (?:spots|stars)|swell\w*|swollen)\b|\bblurr\w* vision\b",
                    r"\b(?:1[6-9]\d|2\d\d)\s*/\s*\d{2,3}\b|\b\d{3}\s*/\s*1[1-4]\d\b",
                    r"\bflashing lights\b|\bseeing (?:spots|stars)\b|\bvision (?:is )?blurr\w*|\bwater (?:broke|has broken|breaking)\b|\bcontractions every\b",
                    r"\b(?:haven't|hasn't|not|no longer|stopped|didn't|can't|cannot) (?:felt|feeling|feel) (?:any |the )?(?:baby|kicks?|movements?|him|her)(?: (?:move|moving|kick\w*))?\b|\bno (?:kicks|movements?)\b|\bbaby (?:has )?(?:stopped|isn't|is not|not) (?:moving|kicking)\b|\breduced (?:fetal )?movements?\b|\bbaby (?:is )?moving less\b|\b(?:less|fewer) (?:fetal )?(?:movements?|kicks)\b",
                    r"大量出血|出血\S{0,4}?(?:很多|大量)|濕透|血塊|(?:肚子|腹部|下腹|右下腹|左下腹)\S{0,3}?(?:劇痛|很痛|痛到|絞痛)|劇痛|痛到站不起來",
                    r"看東西模糊|視力模糊|眼前\S{0,2}閃|破水|羊水破|血壓\S{0,3}?(?:1[6-9]\d|2\d\d)|感覺不到胎動|沒有胎動|胎動(?:變少|減少|不見|停)|都沒動",
                ),
            ),
            # Any bleeding together with pain (not spotting alone).
            _Criterion(
                signs=_cues(
                    r"\bpregnan\w*|\b\d{1,2} ?(?:weeks?|wks?) (?:along|gestation)\b|\bg\d+\s*p\d+\b",
                    r"懷孕|孕期|孕婦|妊娠",
                ),
                companions=_cues(r"\bbleed\w*|\bblood\b", r"流血|出血"),
                also=_cues(r"\bpain\w*|\bcramp\w*|\bhurts?\b", r"痛"),
            ),
        ),
    ),
    _Rule(
        "seizure",
        _("Seizure that does not stop"),
        (
            _Criterion(
                signs=_cues(
                    r"\bseiz\w*|\bhaving a fit\b|\bfits\b|\bfitting\b|\ba fit\b|\bshaking (?:all over|uncontrollably)\b|\bfoam\w*|\bjerking\b|\bconvuls\w*|\bepilep\w*",
                    r"抽搐|癲癇|痙攣|抽筋|口吐白沫|全身(?:抖|抽)|眼睛上吊|翻白眼",
                ),
                companions=(
                    _cue(
                        r"\b(?P<n>\d{1,2}|five|six|seven|eight|nine|ten|fifteen|twenty|thirty)\s*\+?\s*min(?:ute)?s?\b",
                        check=_at_least_five,
                    ),
                    _cue(
                        r"\b(?:won't|isn't|is not|not|hasn't|doesn't) (?:stop|stopping|stopped)\b|\bstill (?:seizing|jerking|shaking|convulsing|fitting|having)\b|\bright now\b"
                        r"|\bkeeps? (?:on )?(?:seizing|jerking|having)\b|\bone (?:seizure |fit )?after another\b|\bback[- ]to[- ]back\b|\bstatus epilepticus\b"
                        rf"|\b(?:another|second|third) (?:one|seizure|fit)\b{_S}{{0,40}}?\bbefore\b"
                        r"|\b(?:two|three|four|several|\d) (?:seizures |fits )?in (?:the last |an |a |half an )?(?:hour|half hour|day)\b"
                        r"|\b(?:doesn't|didn't|hasn't|not|isn't) (?:wake|woken|waking|woke|come|came|coming) (?:up|round|to)\b"
                        r"|\b(?:seizure|fit) after (?:seizure|fit)\b|\b(?:doesn't|didn't|hasn't|not|isn't|without) (?:regain\w*|recover\w*) consciousness\b"
                    ),
                    _cue(
                        r"(?:超過|已經|快|持續|抽了)\S{0,3}?(?P<n>\d{1,2}|[五六七八九十]+)\s*分", check=_at_least_five
                    ),
                    _cue(
                        r"還在抽|一直抽|抽不停|停不下來|停了?\S{0,2}又(?:開始)?抽|又開始抽|沒有醒過來|都沒(?:有)?醒|連續(?:發作|抽)"
                    ),
                ),
            ),
        ),
    ),
    _Rule(
        "unconscious",
        _("Unconscious or unresponsive"),
        (
            _Criterion(
                signs=_cues(
                    r"\bunconscious\b|\bunresponsive\b|\blost consciousness\b|\bknocked out\b|\bin a coma\b|\b(?:not |un)rousable\b|\bgcs (?:is )?(?:low|[3-8])\b",
                    r"\b(?:won't|can't|cannot|couldn't|doesn't|didn't|not|isn't|hard to|unable to) (?:wak(?:e|ing) (?:him |her |them )?up|wak(?:e|ing)|rouse|be woken)\b",
                    r"\b(?:won't|doesn't|can't|isn't|not) open(?:ing)? (?:his|her|their) eyes\b|\bbarely breathing\b|\bout cold\b",
                    rf"\b{_CANT} get (?:him|her|them) to (?:respond|wake|open)\b",
                    rf"\b(?:shake|shook|shaking|pinch\w*|shout\w*|call\w*)\b{_S}{{0,25}}?\b(?:nothing happens|no response|doesn't react|no reaction|doesn't respond)\b",
                    r"\b(?:not|isn't|won't|doesn't|no) respon(?:d|ding|se|sive)\b(?! to (?:the )?(?:treatment|antibiotics?|medication|meds|medicine|therapy|drugs?|steroids?|inhaler))",
                    r"倒\S{0,6}?沒有?(?:反應|意識)|(?:完全|都|一直)沒有?反應|叫不(?:太)?(?:醒|起來)|叫都叫不醒|(?:叫|拍|搖|喊)\S{0,3}?沒(?:有)?反應|失去意識|意識不清|意識模糊|沒有意識|昏迷|不省人事",
                ),
            ),
        ),
    ),
    _Rule(
        "meningitis",
        _("Possible meningitis"),
        (
            _Criterion(
                signs=_cues(
                    r"\bstiff neck\b|\bneck\b[^.;!?]{0,15}?\b(?:stiff\w*|rigid)\b",
                    r"\b(?:can't|cannot|unable to|hurts to) (?:bend|move|touch) (?:my|his|her) (?:neck|chin)\b",
                    rf"\b(?:scream\w*|cr(?:y|ies|ying)|pain\w*|hurts?)\b{_S}{{0,20}}?\b(?:move|moving|bend|bending|touch\w*) (?:his|her|my) neck\b",
                    rf"\b(?:rash|spots|dots|marks)\b{_S}{{0,40}}?\b(?:don't|doesn't|do not|does not|won't|not) (?:fade|blanch|go away|disappear)\w*",
                    r"\bnon-?blanching\b|\bpurple (?:spots|dots|rash|patches)\b|\bpurpur\w*|\bpetechia\w*|\bred-purple\b",
                    r"脖子\S{0,3}?(?:硬|僵硬|不能彎|彎不下去|轉不動)|頸部?\S{0,2}?僵硬|不能低頭|無法低頭|壓了?\S{0,2}(?:不會|不)退|紫(?:紅)?色?\S{0,2}(?:疹|斑|點)|紫斑|出血點",
                ),
                companions=_FEVER,
            ),
        ),
    ),
    _Rule(
        "torsion",
        _("Sudden severe testicle pain"),
        (
            _Criterion(
                signs=_cues(
                    r"\btestic\w*|\btestes\b|\bscrot\w*|\b(?:right|left|one) (?:ball|nut)\b|\bballs\b|\bone of (?:my|his) nuts\b",
                    r"睪丸|蛋蛋|陰囊",
                ),
                companions=_cues(
                    r"\bsudden\w*|\bsevere\w*|\breally bad\w*|\bexcruciating\b|\bworst\b|\bunbearable\b|\bwoke (?:up )?with\b|\bvomit\w*|\bthrew up\b|\bthrowing up\b",
                    r"突然|劇痛|很痛|痛到|想吐|嘔吐",
                ),
            ),
        ),
    ),
    _Rule(
        "burn",
        _("Severe burn"),
        (
            _Criterion(
                signs=(
                    _cue(
                        r"\bburn(?:s|ed|t)?\b|\bscald\w*|\b(?:boiling|hot) (?:water|oil|soup|tea|coffee|liquid)\b|\bdrain cleaner\b|\b(?:acid|lye|chemical) (?:burn|splash\w*)\b|\b(?:sulfuric|sulphuric|hydrochloric|nitric|hydrofluoric) acid\b|\bsplash\w* (?:with|by) (?:acid|lye|bleach|chemicals?|caustic)\b|\belectrocut\w*|\belectric(?:al)? shock\b|\bfirework\w*|\bexplo(?:sion|ded)\b|\bflames?\b|\bcaught fire\b",
                        unless=r"sun ?burn|razor burn|heart ?burn",
                    ),
                    _cue(
                        r"燙傷|燙到|燒傷|灼傷|熱水|滾水|滾燙|熱湯|熱油|油鍋|被電到|電擊|觸電|強酸|強鹼|化學藥劑|爆炸|鞭炮|煙火"
                    ),
                ),
                companions=_cues(
                    rf"\bblisters?\b{_S}{{0,20}}?\b(?:big|large|huge|all over|everywhere)\b|\b(?:big|large|huge)\b{_S}{{0,10}}?blisters?\b",
                    r"\bbigger than (?:my|his|her|a|the) (?:hand|palm)\b|\blarge area\b|\b(?:white|leathery|charred|blackened|waxy|peeling)\b",
                    r"\bsevere\b|\bextensive\b|\bfire\b|\bface\b|\bairway\b|\bhoarse\w*|\bsinged\b|\bthird[- ]degree\b|\b(?:electric\w*|chemical|acid|lye|drain cleaner)\b|\beyes?\b",
                    r"(?:整個|全身|很多|大片|大面積)\S{0,8}?水泡|大片|大面積|面積\S{0,6}大|比\S{0,4}手掌大|變白|變硬|焦黑|臉|眼睛|嚴重|三度|起火|化學",
                ),
            ),
        ),
    ),
    _Rule(
        "head-injury",
        _("Head injury with warning signs"),
        (
            _Criterion(
                signs=_cues(
                    rf"\b(?:hit|hits|banged|bumped|struck|knocked|smashed)\b{_S}{{0,20}}?\b(?:his|her|my|their|the) head\b|\bhead (?:injury|trauma|wound)\b",
                    rf"\b(?:fell|fall|falling)\b{_S}{{0,30}}?\b(?:on|onto) (?:his|her|my|their|the) head\b",
                    r"撞到頭|頭部?(?:受傷|撞傷|外傷)|(?:跌倒|摔倒|摔下來|被\S{0,4}撞)\S{0,6}?頭",
                ),
                companions=_cues(
                    r"\bvomit\w*|\bthrow(?:ing)? up\b|\bthrew up\b|\bdrows\w*|\bvery sleepy\b|\bconfus\w*|\bseiz\w*|\bblood thinners?\b|\bwarfarin\b|\bclear fluid\b|\bunequal pupils\b",
                    r"吐|嗜睡|很想睡|意識|抽搐|抗凝血|一直問同樣|瞳孔",
                ),
            ),
        ),
    ),
)

# "other" is raised by the learned second opinion (triage.redflag_model) when no rule fires.
OTHER = "other"
KINDS: tuple[str, ...] = (*(rule.kind for rule in _RULES), OTHER)
LABELS: dict[str, StrOrPromise] = {rule.kind: rule.label for rule in _RULES} | {OTHER: _("Possible emergency")}


def _first(cues: tuple[_Cue, ...], ctx: _Context) -> re.Match[str] | None:
    for cue in cues:
        for m in cue.matches(ctx):
            return m
    return None


def _first_sentence(text: str, norm: str) -> str:
    start = 0
    for m in _SENTENCE_END.finditer(norm):
        if text[start : m.end()].strip():
            return text[start : m.end()].strip()
        start = m.end()
    return text[start:].strip()


def detect(text: str, *, use_model: bool = True) -> list[RedFlag]:
    """Emergency signs described in `text`; an empty list means nothing urgent was found.

    At most one flag per kind, in the order the evidence appears in the text. When no rule fires
    and `use_model` is on, the learned second opinion (triage.redflag_model) is asked; if it finds
    an emergency, the one flag is of kind "other" with the first sentence as evidence. Never raises
    because of the model: without it, the rules answer alone.
    """
    if not text or not text.strip():
        return []
    norm = _normalise(text)
    ctx = _Context(norm)
    found: list[tuple[int, RedFlag]] = []
    for rule in _RULES:
        for criterion in rule.criteria:
            sign = _first(criterion.signs, ctx)
            if sign is None:
                continue
            if criterion.companions and _first(criterion.companions, ctx) is None:
                continue
            if criterion.also and _first(criterion.also, ctx) is None:
                continue
            found.append((sign.start(), RedFlag(rule.kind, rule.label, text[sign.start() : sign.end()])))
            break
    found.sort(key=lambda item: item[0])
    if not found and use_model and redflag_model.possible_emergency(text, norm):
        return [RedFlag(OTHER, LABELS[OTHER], _first_sentence(text, norm))]
    return [flag for _pos, flag in found]
