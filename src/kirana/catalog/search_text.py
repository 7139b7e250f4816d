"""The text side of catalog search: one normalisation for documents and queries, and the
edit-distance arithmetic of typo tolerance. Pure functions, the same on both databases.

A *word* is a run of letters and digits, case-folded, with the accents of Latin letters taken
off ("Crème" -> "creme"); every other character separates words. Documents and queries go
through the same :func:`words`, so the index holds exactly what a query can ask for, and the
database never tokenises anything itself (PostgreSQL's parser and SQLite's tokenizers differ).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# Longest word kept (a longer run is cut): keeps index keys small and a hostile query cheap.
MAX_WORD = 32
# Words of a query that are looked at (the rest are ignored), and characters of it read.
MAX_QUERY_WORDS = 6
MAX_QUERY_CHARS = 200

_WORD = re.compile(r"[^\W_]+")


def _unaccent(text: str) -> str:
    """Drop the combining marks that follow a Latin letter ("é" -> "e"); leave every other
    script's marks alone (a Devanagari vowel sign is part of its word)."""
    out: list[str] = []
    previous_latin = False
    for ch in unicodedata.normalize("NFKD", text):
        if unicodedata.combining(ch):
            if previous_latin:
                continue
        else:
            previous_latin = ch.isascii()
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


def words(text: str) -> list[str]:
    """The words of ``text``, in order, repeats kept."""
    return [w[:MAX_WORD] for w in _WORD.findall(_unaccent(text.casefold()))]


def query_words(q: str) -> list[str]:
    """The words of a query that search looks at: the first few, without repeats."""
    seen: list[str] = []
    for w in words(q[:MAX_QUERY_CHARS]):
        if w not in seen:
            seen.append(w)
        if len(seen) == MAX_QUERY_WORDS:
            break
    return seen


def document(parts: Iterable[str]) -> str:
    """The distinct words of ``parts`` joined by single spaces, in first-seen order."""
    seen: dict[str, None] = {}
    for part in parts:
        for w in words(part):
            seen.setdefault(w, None)
    return " ".join(seen)


def deletes(word: str) -> set[str]:
    """``word`` with one character taken out, each way (the symmetric-delete keys: two words
    within one edit, or one swap of neighbours, share a key or are each other's key)."""
    return {word[:i] + word[i + 1 :] for i in range(len(word))} if len(word) > 1 else set()


def keys(word: str) -> set[str]:
    """The typo keys under which ``word`` is indexed: itself and its deletes."""
    return {word} | deletes(word)


def distance(a: str, b: str) -> int:
    """Optimal-string-alignment distance: insertions, deletions, substitutions and swaps of
    neighbours count one each."""
    if a == b:
        return 0
    la, lb = len(a), len(b)
    prev2: list[int] = []
    prev = list(range(lb + 1))
    for i in range(1, la + 1):
        cur = [i] + [0] * lb
        for j in range(1, lb + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[lb]


def allowed_typos(word: str) -> int:
    """Edits forgiven in a query word: none under 3 characters, one up to 7, two beyond."""
    if len(word) < 3:
        return 0
    return 1 if len(word) <= 7 else 2
