"""Spelling keys for names as reports write them, and the words that are never place names.

A report writes "Deir Ezzor", "Deir ez-Zor" or "Dayr az Zawr"; GeoNames, the dataset and the gold files write
others. `fold` gives them one key. The words below open sentences or name people and forces, and are also
the names of villages somewhere: a capitalised one is not read as a place."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

_MARKS = re.compile(r"[‘’'ʿʾʼ`]")
_SPACES = re.compile(r"[-\s]+")
_FINAL_H = re.compile(r"(?<=[aeiou])h\b")  # transliterations differ on a final h: Hawija, Hawijah
_ARTICLE = re.compile(r"^(?:al|el|ad|as|ar|ash|an|at|ez|az) ")
# Transliterations differ on an inner "sh" or "s" (Qamishlo, Qamişlo, Qamislo), doubled letters (Hassakeh) and a
# final "e" or "a" (Hasakeh, Hasakah): one key for all of them.
_SH = re.compile(r"(?<=[a-z])sh")  # inside a word only: "Shan" is not "San"
_DOUBLE = re.compile(r"([a-z])\1")
_FINAL_E = re.compile(r"(?<=[^aeiou\s])e\b")


# Letters that no accent mark makes: NFKD leaves them whole ("Diyarbakır" is "Diyarbakir" to a reader).
_LETTERS = str.maketrans(
    {
        "ı": "i",
        "İ": "I",
        "ø": "o",
        "Ø": "O",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "ð": "d",
        "þ": "th",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "ß": "ss",
    }
)


def fold(name: str) -> str:
    """A spelling key: no accents, lower case, 'Al-'/'El ' prefixes, hyphens and a final h ignored."""
    if name.isascii():
        text = name.lower()
    else:
        text = unicodedata.normalize("NFKD", name.translate(_LETTERS))
        text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = _SPACES.sub(" ", _MARKS.sub("", text)).strip()
    text = _ARTICLE.sub("", _FINAL_H.sub("", text))
    return _FINAL_E.sub("a", _DOUBLE.sub(r"\1", _SH.sub("s", text)))


_NOT_PLACES = {
    "police",
    "army",
    "state",
    "the",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "on",
    "in",
    "at",
    "a",
    "an",
    "last",
    "late",
    "hours",
    "two",
    "residents",
    "security",
    "islamic state",
    "government",
    "military",
    "president",
    "ministry",
    "more",
    "mine",
    "mines",
    "governor",
    "mayor",
    "minister",
    "spokesman",
    "spokeswoman",
    "general",
    "colonel",
    "commander",
    "chief",
    "official",
    # words that open sentences and are also the names of villages somewhere
    "some",
    "many",
    "several",
    "other",
    "another",
    "these",
    "those",
    "this",
    "that",
    "all",
    "both",
    "most",
    "few",
    "elsewhere",
    "meanwhile",
    "also",
    "officials",
    "authorities",
    "witnesses",
    "sources",
    "local",
    "troops",
    "soldiers",
    "gunmen",
    "militants",
    "rebels",
    "today",
    "tonight",
    "earlier",
    "later",
    "after",
    "before",
    "during",
    "while",
    "when",
    "where",
    "there",
    "here",
    "however",
    "but",
    "and",
    "his",
    "her",
    "its",
    "their",
    "our",
    "one",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
}


POINTS = ("northern", "southern", "eastern", "western", "central")


@cache
def not_places() -> frozenset[str]:
    """The words above as spelling keys, as the names they are compared with are ("The" -> "tha")."""
    return frozenset(fold(word) for word in _NOT_PLACES)
