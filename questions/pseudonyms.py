"""Generated pseudonyms, so an asker never has to invent one or use a real name."""

import secrets

_ADJECTIVES = [
    "Amber",
    "Bright",
    "Calm",
    "Clever",
    "Cosy",
    "Gentle",
    "Golden",
    "Hopeful",
    "Jade",
    "Kind",
    "Lucky",
    "Maple",
    "Misty",
    "Patient",
    "Quiet",
    "Silver",
    "Steady",
    "Sunny",
    "Swift",
    "Warm",
]
_NOUNS = [
    "Bamboo",
    "Crane",
    "Egret",
    "Finch",
    "Heron",
    "Lantern",
    "Lotus",
    "Magpie",
    "Orchid",
    "Otter",
    "Panda",
    "Pebble",
    "Pine",
    "Plum",
    "River",
    "Robin",
    "Sparrow",
    "Swallow",
    "Tea",
    "Willow",
]


def generate_pseudonym() -> str:
    return f"{secrets.choice(_ADJECTIVES)} {secrets.choice(_NOUNS)} {secrets.randbelow(90) + 10}"
