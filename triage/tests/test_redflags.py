"""Red-flag detection: one focused test per behaviour, then quality floors on the test sets.

The behaviour tests below check the rules; those that expect no flag turn the learned second
opinion off (`use_model=False`), because the model is deliberately blind to the context the rules
judge (negation, history, hypotheticals) and raises an occasional false alarm on such texts. The
model has tests of its own further down, and the fresh-set floor checks the combination.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from triage import redflag_model
from triage.redflags import KINDS, LABELS, OTHER, RedFlag, detect

DATA = Path(__file__).parent / "data" / "redflags.jsonl"
FRESH = Path(__file__).parent / "data" / "redflags_fresh.jsonl"


def kinds(text: str) -> set[str]:
    return {flag.kind for flag in detect(text)}


def rules_only(text: str) -> list[RedFlag]:
    return detect(text, use_model=False)


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("chest-pain", "Crushing chest pain for 30 minutes and I'm sweating a lot."),
        ("chest-pain", "Pain in the middle of my chest going into my left arm and jaw."),
        ("chest-pain", "胸口很悶很痛，一直冒冷汗。"),
        ("stroke", "Dad's face is drooping on the right and his speech is slurred."),
        ("stroke", "Suddenly lost vision in my left eye ten minutes ago."),
        ("stroke", "媽媽突然嘴巴歪一邊，右手舉不起來，講話含糊不清。"),
        ("suicide", "I don't want to live anymore."),
        ("suicide", "Everyone would be better off without me."),
        ("suicide", "我真的不想活了。"),
        ("suicide", "我女兒手腕上有割痕，她說割腕會比較舒服。"),
        ("bleeding", "The cut keeps bleeding and it won't stop after 20 minutes of pressure."),
        ("bleeding", "Black tarry stools for two days and I nearly fainted."),
        ("bleeding", "我爸今天吐血，吐了好幾口。"),
        ("breathing", "I can't breathe and my lips are turning blue."),
        ("breathing", "阿公呼吸很困難，血氧只有85。"),
        ("anaphylaxis", "Ate shrimp and now my tongue is swelling and I have hives."),
        ("anaphylaxis", "被蜜蜂叮到之後嘴唇腫起來，覺得喘。"),
        ("poisoning", "My toddler swallowed a button battery."),
        ("poisoning", "She took a whole bottle of sleeping pills."),
        ("poisoning", "小孩誤喝了漂白水。"),
        ("infant-fever", "My 6 week old baby has a fever of 38.4."),
        ("infant-fever", "寶寶兩個月大，發燒38度。"),
        ("pregnancy", "I'm 8 weeks pregnant and bleeding heavily with cramps."),
        ("pregnancy", "懷孕八週，今天大量出血，肚子很痛。"),
        ("seizure", "He has been seizing for 7 minutes and it's not stopping."),
        ("seizure", "兒子癲癇發作已經超過五分鐘了。"),
        ("unconscious", "My grandfather collapsed and is unresponsive."),
        ("unconscious", "爸爸昏倒了，叫都叫不醒。"),
        ("meningitis", "Fever of 39.5, a stiff neck and purple spots that don't fade."),
        ("torsion", "Sudden severe pain in my left testicle and I threw up."),
        ("burn", "Boiling water burn on his chest with big blisters."),
        ("burn", "被熱水燙傷，胸口大片起水泡。"),
        ("head-injury", "He fell and hit his head, and now he keeps vomiting."),
    ],
)
def test_each_kind_is_detected(kind: str, text: str) -> None:
    assert kind in kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "No chest pain, no shortness of breath, just a cough.",
        "I don't have trouble breathing, only a stuffy nose.",
        "I do not have chest pain or sweating, but my heart skips a beat.",
        "I feel sad but I have never thought of hurting myself.",
        "沒有胸痛，也沒有喘，只是偶爾心悸。",
        "我沒有想死的念頭，只是睡不好。",
        "寶寶兩個月大，打完疫苗，沒有發燒。",
    ],
)
def test_negated_signs_are_not_urgent(text: str) -> None:
    assert rules_only(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "My father had a stroke 10 years ago and recovered well. What should he eat?",
        "My father died of a heart attack at 52.",
        "I had chest pain with sweating in 2019 and got two stents. Which exercise is safe?",
        "I used to self-harm in high school but stopped years ago.",
        "十年前中風過，現在想問飲食。",
        "我爸去年中風，現在右手還是沒力，要怎麼復健？",
    ],
)
def test_history_is_not_urgent(text: str) -> None:
    assert rules_only(text) == []


def test_a_new_episode_after_an_old_one_is_urgent() -> None:
    assert "stroke" in kinds("I had a stroke five years ago. Since this morning my right arm is weak again.")
    assert "stroke" in kinds("我五年前中風過。今天早上又覺得右手沒力，講話不清楚。")


@pytest.mark.parametrize(
    "text",
    [
        "What are the warning signs of a stroke?",
        "What should I do if someone near me has a seizure?",
        "中風的前兆有哪些？",
        "如果小孩吞了電池要怎麼辦？",
        "I'm a nursing student: what does an overdose look like?",
    ],
)
def test_hypothetical_questions_are_not_urgent(text: str) -> None:
    assert rules_only(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Mild chest tightness after coffee, no breathlessness, gone in 10 minutes.",
        "Nosebleed that stopped after 5 minutes of pinching.",
        "Baby 8 months old with a 38 fever, playing happily.",
        "I cut myself shaving this morning.",
        "These migraines are killing me.",
    ],
)
def test_mild_versions_are_not_urgent(text: str) -> None:
    assert rules_only(text) == []


def test_companion_sign_is_required() -> None:
    assert rules_only("Sharp chest pain when I press on my ribs.") == []
    assert "chest-pain" in kinds("Sharp chest pain when I press on my ribs and I can't catch my breath.")


def test_simplified_chinese() -> None:
    assert "suicide" in kinds("我不想活了，想自杀。")
    assert "chest-pain" in kinds("我胸口剧痛，喘不过气，还一直出冷汗。")


def test_full_width_characters() -> None:
    assert "infant-fever" in kinds("寶寶出生五週，耳溫３８．５度。")


def test_evidence_is_the_askers_own_words() -> None:
    text = "My dad's FACE is drooping and he can't lift his right arm."
    flags = detect(text)
    assert flags
    for flag in flags:
        assert isinstance(flag, RedFlag)
        assert flag.evidence in text
        assert str(flag.label)


def test_at_most_one_flag_per_kind() -> None:
    flags = detect("I want to kill myself. I want to end it all. I don't want to live.")
    assert [flag.kind for flag in flags] == ["suicide"]


def test_empty_text() -> None:
    assert detect("") == []
    assert detect("   ") == []


def test_kinds_are_stable_slugs() -> None:
    assert len(set(KINDS)) == len(KINDS)
    assert all(re.fullmatch(r"[a-z]+(?:-[a-z]+)*", kind) for kind in KINDS)


# Phrasings that an earlier version missed or mistook on fresh, unseen texts; kept so that
# widening one pattern does not quietly narrow another.
@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("chest-pain", "pt 66yo male, retrosternal pain 1h, diaphoretic, radiating L arm"),
        ("chest-pain", "He's clutching his chest, pale and clammy."),
        ("chest-pain", "chest pian since 1 hour, sweatin a lot and my left arm hurts"),
        ("chest-pain", "我爸爸胸口痛，而且一直喘，說很難呼吸，他有心臟病史。"),
        ("chest-pain", "心臟好像被人捏住一樣，胸悶到不行，還一直流汗。"),
        ("stroke", "Out of nowhere the vision in my left eye went black and I still can't see."),
        ("stroke", "I suddenly have the worst headache ever and I vomited."),
        ("stroke", "先生早上起來右半身都不能動。"),
        ("suicide", "There's no reason to keep going. Tonight is it."),
        ("suicide", "I've been researching methods and I have pills lined up."),
        ("suicide", "Today I wrote a note for my parents and put it in my drawer."),
        ("suicide", "我已經把藥都存起來了，打算今晚一次吃掉。"),
        ("suicide", "兒子留言說活著沒意思，現在電話都不接。"),
        ("suicide", "我想结束自己的生命，已经准备好了。"),
        ("bleeding", "I'm puking up lots of bright red blood."),
        ("bleeding", "Dad's been passing lots of dark red blood from his bottom and he's dizzy."),
        ("bleeding", "我姊生完小孩第五天，突然一直大量流血，頭很暈。"),
        ("bleeding", "阿公吐出好多咖啡色的東西。"),
        ("breathing", "My 2yo has a loud crowing noise when breathing, drooling and can't swallow his saliva."),
        ("breathing", "I feel like I'm suffocating, can't take a full breath."),
        ("breathing", "小孩呼吸很急很喘，肋骨下面一直凹進去，嘴唇有點紫。"),
        ("anaphylaxis", "After the contrast injection I broke out in hives and my blood pressure dropped."),
        ("anaphylaxis", "被虎頭蜂叮到好幾下，現在全身起疹子、頭暈、喘。"),
        ("poisoning", "My friend took a bunch of xanax and drank vodka."),
        ("poisoning", "My father drank rice wine and took his sleeping pills, he's very confused."),
        ("poisoning", "孩子把洗衣球咬破了，吞了一些，現在一直吐。"),
        ("infant-fever", "Our baby (7 weeks) has a fever of 38."),
        ("infant-fever", "寶寶出生才十天，量到38度。"),
        ("infant-fever", "未滿三個月的寶寶發燒38.2度。"),
        ("pregnancy", "30 weeks pregnant and I haven't felt any kicks all day."),
        ("pregnancy", "G2P1 at 33w with sudden severe abdominal pain. Baby moving less."),
        ("seizure", "Epileptic son having seizure after seizure, he doesn't regain consciousness."),
        ("seizure", "小朋友全身抽動、眼睛上吊，已經七八分鐘了。"),
        ("unconscious", "M 45, found down at home, not rousable."),
        ("unconscious", "阿嬤早上一直睡，怎麼叫都叫不起來。"),
        ("meningitis", "Fever 40 and he screams when we move his neck."),
        ("burn", "Firework exploded in my hand, the skin is black and charred."),
        ("burn", "Got splashed with sulfuric acid on my face and eyes."),
        ("chest-pain", "Chest pain like something tearing, going right through to his back."),
        ("bleeding", "Her nose has been bleeding non-stop and she is on blood thinners."),
        ("bleeding", "The wound has been bleeding for two hours now."),
        ("poisoning", "My 3 year old drank dishwasher detergent and keeps coughing."),
        ("poisoning", "We have a kerosene heater on and the whole family has a headache and feels sick."),
        ("poisoning", "兒子吞了三十幾顆安眠藥。"),
        ("torsion", "Suddenly one of my nuts hurts like hell and I'm throwing up."),
        ("suicide", "Every night I climb onto the ledge of the roof of my building and just stand there."),
        ("stroke", "This is the worst headache of my life, how is it different from a migraine?"),
        ("stroke", "我五年前中風過，今天早上頭暈還有點想吐，右手沒力。"),
    ],
)
def test_phrasings_from_fresh_sets_are_urgent(kind: str, text: str) -> None:
    assert kind in kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "I wanted to die of embarrassment when I fainted at my wedding lol, but I'm fine.",
        "What does it mean if a newborn has a fever? Preparing for my baby due in March.",
        "Heavy bleeding after my tooth extraction yesterday stopped after biting gauze for 30 minutes.",
        "I'm writing a school report on overdoses among teenagers. What are common signs?",
        "Last night I woke up feeling like I couldn't breathe for a few seconds, then it passed.",
        "My baby's lips look slightly blue when she's cold after a bath, then pink again.",
        "Sore throat and slightly swollen glands, no trouble breathing. Do I need antibiotics?",
        "My husband snores and sometimes stops breathing for a few seconds at night.",
        "我前陣子壓力很大有想過不如死了算了，但現在已經好多了。",
        "我在寫報告，想知道一氧化碳中毒的症狀。",
        "經期大量出血，每個月都這樣，要吃鐵劑嗎？",
        "Studying for my paramedic certification. How is an overdose different from being very drunk?",
        "In a crime story I'm writing, where a character overdoses on insulin, what would paramedics see?",
        "What is the difference between a heart attack and a panic attack?",
        "My arm goes numb when I sleep on it, then tingles for a minute.",
        "I don't want to die, I just want to sleep better. Any tips?",
    ],
)
def test_phrasings_from_fresh_sets_are_not_urgent(text: str) -> None:
    assert rules_only(text) == []


# --------------------------------------------------------------------------------------------
# Quality floor on the test set. Recall matters most: a missed emergency is the costly error.
# --------------------------------------------------------------------------------------------


def load_set() -> list[dict[str, Any]]:
    with DATA.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def test_set_is_well_formed() -> None:
    items = load_set()
    assert len(items) >= 200
    for item in items:
        assert isinstance(item["text"], str) and item["text"].strip()
        assert item["urgent"] == bool(item["kinds"])
        assert set(item["kinds"]) <= set(KINDS)
    chinese = sum(1 for item in items if re.search(r"[\u4e00-\u9fff]", str(item["text"])))
    urgent = sum(1 for item in items if item["urgent"])
    assert 0.30 <= chinese / len(items) <= 0.45
    assert 0.40 <= urgent / len(items) <= 0.60


def test_set_recall_and_precision_stay_above_the_floor() -> None:
    tp = fp = fn = 0
    for item in load_set():
        predicted = bool(detect(str(item["text"])))
        tp += predicted and bool(item["urgent"])
        fp += predicted and not item["urgent"]
        fn += not predicted and bool(item["urgent"])
    recall = tp / (tp + fn)
    precision = tp / (tp + fp)
    assert recall >= 0.98, f"recall {recall:.3f}"
    assert precision >= 0.85, f"precision {precision:.3f}"


# --------------------------------------------------------------------------------------------
# The learned second opinion (triage.redflag_model)
# --------------------------------------------------------------------------------------------


@pytest.fixture
def model_stub(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Replace the model with one that says yes, and record the texts it was asked about."""
    asked: list[str] = []

    def possible_emergency(text: str, normalised: str) -> bool:
        asked.append(text)
        return True

    monkeypatch.setattr(redflag_model, "possible_emergency", possible_emergency)
    return asked


def test_a_model_only_hit_is_a_generic_flag_with_the_first_sentence(model_stub: list[str]) -> None:
    text = "Something feels very wrong with my husband today. He is not himself."
    assert detect(text) == [RedFlag(OTHER, LABELS[OTHER], "Something feels very wrong with my husband today.")]
    assert str(LABELS[OTHER]) == "Possible emergency"
    assert OTHER in KINDS


def test_the_model_is_asked_only_when_no_rule_fires(model_stub: list[str]) -> None:
    assert kinds("I want to kill myself.") == {"suicide"}
    assert model_stub == []


def test_use_model_false_is_the_rules_alone(model_stub: list[str]) -> None:
    assert rules_only("These migraines are killing me.") == []
    assert model_stub == []


@pytest.mark.parametrize(
    "text",
    [
        "I just can't do this anymore, I've written goodbye messages to everyone.",
        "He's been shaking on the floor for ten minutes and won't stop.",
    ],
)
def test_the_stored_model_catches_what_the_rules_miss(text: str) -> None:
    assert rules_only(text) == []
    assert kinds(text) == {OTHER}


def test_the_stored_model_loads() -> None:
    model = redflag_model.get_model()
    assert model is not None
    assert 0.0 < model.threshold < 1.0


def test_a_missing_model_falls_back_to_the_rules(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog) -> None:
    monkeypatch.setattr(redflag_model, "MODEL_PATH", tmp_path / "missing.json")
    redflag_model.get_model.cache_clear()
    try:
        assert detect("He's been shaking on the floor for ten minutes and won't stop.") == []
        assert kinds("I want to kill myself.") == {"suicide"}
        assert "rules alone" in caplog.text
    finally:
        redflag_model.get_model.cache_clear()


def test_an_embedding_failure_falls_back_to_the_rules(monkeypatch: pytest.MonkeyPatch, caplog) -> None:
    def broken_embed(texts: object) -> None:
        raise RuntimeError("no model package")

    monkeypatch.setattr("search.embeddings.embed", broken_embed)
    monkeypatch.setattr(redflag_model, "_embedding_failed", False)  # restored afterwards
    assert detect("He's been shaking on the floor for ten minutes and won't stop.") == []
    assert kinds("I want to kill myself.") == {"suicide"}
    assert "rules alone" in caplog.text


# --------------------------------------------------------------------------------------------
# Fresh set: 160 texts written after the rules were tuned, before they were measured on it. Its
# first measurement was the honest one (rules alone: recall 0.912, precision 0.936; with the
# model: recall 0.988, precision 0.888). Rule gaps it exposed were then fixed, so it is now a
# regression set like the others, and the floor below is what the combination reaches on it.
# --------------------------------------------------------------------------------------------


def load_fresh() -> list[dict[str, Any]]:
    with FRESH.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def test_fresh_set_is_well_formed() -> None:
    items = load_fresh()
    assert len(items) == 160
    for item in items:
        assert isinstance(item["text"], str) and item["text"].strip()
        assert item["urgent"] == bool(item["kinds"])
        assert set(item["kinds"]) <= set(KINDS)
    chinese = sum(1 for item in items if re.search(r"[\u4e00-\u9fff]", str(item["text"])))
    assert 0.35 <= chinese / len(items) <= 0.45
    assert sum(1 for item in items if item["urgent"]) == len(items) // 2


def test_fresh_set_combined_recall_and_precision_stay_above_the_floor() -> None:
    tp = fp = fn = 0
    for item in load_fresh():
        predicted = bool(detect(str(item["text"])))
        tp += predicted and bool(item["urgent"])
        fp += predicted and not item["urgent"]
        fn += not predicted and bool(item["urgent"])
    recall = tp / (tp + fn)
    precision = tp / (tp + fp)
    assert recall >= 1.0, f"recall {recall:.3f}"
    assert precision >= 0.85, f"precision {precision:.3f}"
