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


def _plain(name: str) -> str:
    """A name in lower-case ASCII letters, its words apart: no accents, apostrophes or hyphens."""
    if name.isascii():
        text = name.lower()
    else:
        text = unicodedata.normalize("NFKD", name.translate(_LETTERS))
        text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return _SPACES.sub(" ", _MARKS.sub("", text)).strip()


def fold(name: str) -> str:
    """A spelling key: no accents, lower case, 'Al-'/'El ' prefixes, hyphens and a final h ignored."""
    text = _ARTICLE.sub("", _FINAL_H.sub("", _plain(name)))
    return _FINAL_E.sub("a", _DOUBLE.sub(r"\1", _SH.sub("s", text)))


# Transliterations of one Arabic, Persian or Pashto name differ on more than `fold` forgives: an article inside the
# name ("Deir al-Zour", "Deir ez-Zor") or glued to it with its doubled letter ("Deir Ezzor", "Deir Azzor"), the
# vowels and semivowels ("Dayr az Zawr", "Herbanafsa", "Harbinafsah"), and digraphs (kh/h, gh/g, q/k, dh/d, ch/sh).
_INNER_ARTICLE = re.compile(r"\b(?:al|el|il|ul|ad|ed|ud|as|es|us|ar|er|ur|an|en|un|at|et|ut|az|ez|uz|ash|esh|ush) ")
_GLUED_ARTICLE = re.compile(r"\b[aeiu](?=([dnrstz])\1[a-z]{2})")
_DIGRAPHS = re.compile(r"kh|gh|dh|ch|sh|ph|q")
_DIGRAPH_LETTER = {"kh": "h", "gh": "g", "dh": "d", "ch": "s", "sh": "s", "ph": "f", "q": "k"}
_VOWELS = re.compile(r"[aeiouyw]+")
_SEMIVOWEL = re.compile(r"(?:(?<=[aeiou])|^)[yw]+(?=[aeiou])")  # a consonant there: "Daraya" is not "Daraa"
_LOOSE_END = re.compile(r"(.)\1+|(?<=a)h$")


def skeleton(name: str) -> str:
    """A looser key than `fold`, for looking a name up in a gazetteer only (never for comparing codings): the
    articles, vowels and digraphs on which transliterations of one name differ are dropped or merged, so "Deir
    Ezzor", "Deir al-Zour" and "Dayr az Zawr" give one key ("drzr" is not it: vowels are kept as one "a", so
    "Hamas" is not "Homs")."""
    text = _GLUED_ARTICLE.sub("", _INNER_ARTICLE.sub("", _plain(name) + " ")).replace(" ", "")
    text = _DIGRAPHS.sub(lambda m: _DIGRAPH_LETTER[m.group()], text)
    text = _VOWELS.sub("a", _SEMIVOWEL.sub("Y", text))
    return _LOOSE_END.sub(lambda m: m.group(1) or "", text)


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


# The adjectives and short names reports use for a country, beyond its GeoNames name ("Syrian", "DRC").
COUNTRY_WORDS = {
    "Syrian": "SYR",
    "Iraqi": "IRQ",
    "Afghan": "AFG",
    "Pakistani": "PAK",
    "Nigerian": "NGA",
    "Malian": "MLI",
    "Somali": "SOM",
    "Sudanese": "SDN",
    "Yemeni": "YEM",
    "Ukrainian": "UKR",
    "Colombian": "COL",
    "Mexican": "MEX",
    "Congolese": "COD",
    "DR Congo": "COD",
    "DRC": "COD",
    "Myanmar": "MMR",
    "Burma": "MMR",
    "Russian": "RUS",
    "Turkish": "TUR",
    "Israeli": "ISR",
    "Palestinian": "PSE",
    "Lebanese": "LBN",
    "Libyan": "LBY",
    "Ethiopian": "ETH",
    "Kenyan": "KEN",
    "Burkinabe": "BFA",
    "Nigerien": "NER",
}


POINTS = ("northern", "southern", "eastern", "western", "central")


@cache
def not_places() -> frozenset[str]:
    """The words above as spelling keys, as the names they are compared with are ("The" -> "tha")."""
    return frozenset(fold(word) for word in _NOT_PLACES)
