"""Vietnamese text for the search index, done in Python so that PostgreSQL needs no extension.

The embedded PostgreSQL has neither ``unaccent`` nor ``pg_trgm``, and the text-search parser of a
database created with the C locale splits ``Nghệ`` into pieces. So the platform never asks the
database to understand Vietnamese: this module turns text into words and builds the ``tsvector``
and ``tsquery`` *literals* itself (``'nghe':1A 'an':2A``), which every PostgreSQL ≥ 9.6 reads with a
plain cast, whatever its locale or extensions.

Each word has two forms:

- **exact**: Unicode NFC, lower case, and one tone-mark placement style (the "new" style of
  ``hoà``, ``thuỷ``, ``khoẻ``), so ``hòa``/``hoà`` and ``thủy``/``thuỷ`` are the same word;
- **folded**: no diacritics at all and ``đ`` → ``d`` (``nghệ`` → ``nghe``), so a query typed
  without diacritics finds every spelling.

One vector holds both: every word's folded form, and at the same position its exact form when that
differs (a word with diacritics). Matching uses folded forms only; ranking checks exact forms (an
exact match with diacritics ranks above a folded one). A query word typed without diacritics is
looked up by its folded form in both cases, so the exact check of ``Nghệ An`` accepts ``Nghệ Ân``
too: a small imprecision, traded for one vector per row instead of two (half the bytes to build,
store and read). ``INDEX_FORMAT`` is part of every entry's checksum: change it when these rules
change, and the drift check will report every entry as stale until a rebuild.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

INDEX_FORMAT = 2

# PostgreSQL limits: positions above 16383 are clamped, at most 256 positions per lexeme are kept,
# a lexeme is at most 2 KB. Words longer than this are not words a citizen types.
MAX_POSITION = 16383
MAX_POSITIONS_PER_LEXEME = 256
MAX_WORD_LENGTH = 60

_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")  # huyền, sắc, ngã, hỏi, nặng
_VOWELS = frozenset("aeiouy")
_CODAS = frozenset({"", "c", "ch", "m", "n", "ng", "nh", "p", "t"})
# Words are runs of letters and digits: every other character, including the tsquery operators
# & | ! : * ( ) < > and quotes, separates words and never reaches a query.
_WORD = re.compile(r"[^\W_]+")


def _fold_table() -> dict[int, str]:
    table: dict[int, str] = {ord("đ"): "d", ord("Đ"): "D"}
    for start, end in ((0x00C0, 0x0250), (0x1E00, 0x1F00)):
        for code in range(start, end):
            char = chr(code)
            base = "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c))
            if base != char and base:
                table[code] = base
    return table


_FOLD = _fold_table()


def normalise(text: str) -> str:
    """Unicode NFC (text pasted from some editors arrives decomposed)."""
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """``text`` without diacritics, ``đ`` as ``d`` (case kept). Expects NFC text."""
    folded = normalise(text).translate(_FOLD)
    if folded.isascii():
        return folded
    # Anything the table does not know (other scripts' marks): strip combining characters.
    return "".join(c for c in unicodedata.normalize("NFD", folded) if not unicodedata.combining(c))


def canonical_syllable(word: str) -> str:
    """One lower-case NFC word with its tone mark where the new style puts it (``hòa`` → ``hoà``).

    Words that are not a Vietnamese syllable (``café``, two tone marks, a consonant after the
    vowels that Vietnamese never ends on) are returned unchanged.
    """
    if word.isascii():
        return word
    clusters: list[list[str]] = []  # a base letter followed by its vowel modifiers
    tone = ""
    for char in unicodedata.normalize("NFD", word):
        if unicodedata.combining(char):
            if char in _TONES:
                if tone and tone != char:
                    return word
                tone = char
            elif clusters:
                clusters[-1].append(char)
            else:
                return word
        else:
            clusters.append([char])
    if not tone:
        return word
    bases = [cluster[0] for cluster in clusters]
    count = len(bases)
    start = 0
    while start < count and bases[start] not in _VOWELS:
        start += 1
    onset = "".join(bases[:start])
    # "qu" and "gi" are consonants when another vowel follows: quả, giá (but gì, gìn).
    if start + 1 < count and bases[start + 1] in _VOWELS:
        if (onset == "q" and bases[start] == "u") or (onset == "g" and bases[start] == "i"):
            start += 1
    end = start
    while end < count and bases[end] in _VOWELS:
        end += 1
    coda = "".join(bases[end:])
    if start == end or coda not in _CODAS:
        return word
    nucleus = "".join(bases[start:end])
    modified = [i for i in range(start, end) if len(clusters[i]) > 1]  # â ă ê ô ơ ư
    if modified:
        target = modified[-1]  # ươ → ơ, iê → ê, uô → ô
    elif end - start == 1:
        target = start
    elif coda:
        target = end - 1  # hoàn, hoạch
    elif end - start == 3:
        target = start + 1  # ngoài, khuỷu
    elif nucleus in ("oa", "oe", "uy"):
        target = end - 1  # the new style: hoà, khoẻ, thuỷ
    else:
        target = start  # của, mùa, tài, chìa
    clusters[target].append(tone)
    # NFC puts the marks in canonical order (dot below before the circumflex) and composes them.
    return unicodedata.normalize("NFC", "".join("".join(cluster) for cluster in clusters))


@dataclass(frozen=True, slots=True)
class Word:
    exact: str
    folded: str

    @property
    def has_diacritics(self) -> bool:
        return self.exact != self.folded


_cache: dict[str, Word] = {}
_CACHE_LIMIT = 200_000


def word_forms(token: str) -> Word:
    """The exact and folded forms of one lower-case token (cached: a province's vocabulary is small)."""
    found = _cache.get(token)
    if found is None:
        exact = canonical_syllable(token)
        found = Word(exact, fold(exact))
        if len(_cache) >= _CACHE_LIMIT:
            _cache.clear()
        _cache[token] = found
    return found


def words(text: str) -> list[Word]:
    """The words of ``text`` in order, each in both forms."""
    return [word_forms(t[:MAX_WORD_LENGTH]) for t in _WORD.findall(normalise(text).lower())]


def word_spans(text: str) -> Iterator[tuple[int, int, Word]]:
    """(start, end, word) for each word of ``text`` (NFC), for highlighting."""
    for match in _WORD.finditer(text):
        yield match.start(), match.end(), word_forms(match.group().lower()[:MAX_WORD_LENGTH])


def fold_key(text: str) -> str:
    """A comparison key for short labels (an issuer's name): folded, lower case, single spaces."""
    return " ".join(w.folded for w in words(text))


# --- tsvector and tsquery literals ------------------------------------------------------------------


def _quote(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


_POSITION_LABELS = {weight: [f"{i}{weight}" for i in range(MAX_POSITION + 2)] for weight in "ABCD"}
_lexemes: dict[str, tuple[str, str]] = {}


def _lexeme_pair(token: str) -> tuple[str, str]:
    """(folded lexeme, exact lexeme or "" when the word has no diacritics), quoted."""
    word = word_forms(token[:MAX_WORD_LENGTH])
    pair = (_quote(word.folded), _quote(word.exact) if word.has_diacritics else "")
    if len(_lexemes) >= _CACHE_LIMIT:
        _lexemes.clear()
    _lexemes[token] = pair
    return pair


def tsvector(parts: Sequence[tuple[str, str]]) -> str:
    """The ``tsvector`` literal of weighted text parts ``[("A", title), ("C", body)…]``: each
    word's folded form, and its exact form at the same position when it has diacritics.

    Positions run on across parts with a gap, so a phrase never spans the end of the title and the
    start of the summary. This runs for every item indexed, so it is written for speed: positions
    are gathered per distinct token first (a text repeats its words) as ready-made strings, each
    token's lexemes come from a cache, and position labels are precomputed. PostgreSQL sorts each
    lexeme's positions itself.
    """
    by_token: dict[str, str] = {}
    seen = by_token.get
    position = 0
    for weight, text in parts:
        if not text or position >= MAX_POSITION:
            continue
        tokens = _WORD.findall(normalise(text).lower())[: MAX_POSITION - position]
        count = len(tokens)
        for token, at in zip(tokens, _POSITION_LABELS[weight][position + 1 : position + 1 + count], strict=True):
            before = seen(token)
            by_token[token] = at if before is None else before + "," + at
        position += count + 1
    lexemes: dict[str, str] = {}
    cache = _lexemes
    for token, positions in by_token.items():
        folded_lexeme, exact_lexeme = cache.get(token) or _lexeme_pair(token)
        before = lexemes.get(folded_lexeme)
        lexemes[folded_lexeme] = positions if before is None else before + "," + positions
        if exact_lexeme:
            before = lexemes.get(exact_lexeme)
            lexemes[exact_lexeme] = positions if before is None else before + "," + positions
    return _vector(lexemes)


# 256 labels take at least 767 characters ("1A,2A,…"): only longer lists can be over the limit.
_LONGEST_SAFE = 2 * MAX_POSITIONS_PER_LEXEME - 1


def _vector(lexemes: dict[str, str]) -> str:
    return " ".join(
        [
            lexeme + ":" + (positions if len(positions) <= _LONGEST_SAFE else _first_positions(positions))
            for lexeme, positions in lexemes.items()
        ]
    )


def _first_positions(positions: str) -> str:
    labels = positions.split(",")
    if len(labels) <= MAX_POSITIONS_PER_LEXEME:
        return positions
    return ",".join(sorted(labels, key=lambda label: int(label[:-1]))[:MAX_POSITIONS_PER_LEXEME])


@dataclass(frozen=True)
class ParsedQuery:
    """A citizen's query: loose words (all required), quoted phrases (required as phrases), and every
    word in the order typed (used to rank the whole query as one phrase)."""

    loose: tuple[Word, ...]
    phrases: tuple[tuple[Word, ...], ...]
    ordered: tuple[Word, ...]

    @property
    def is_empty(self) -> bool:
        return not self.ordered

    @property
    def has_diacritics(self) -> bool:
        return any(w.has_diacritics for w in self.ordered)

    @property
    def is_multiword(self) -> bool:
        return len(self.ordered) > 1

    def match(self) -> str:
        """Folded: every word present, quoted phrases adjacent."""
        return _and([_quote(w.folded) for w in self.loose] + [_phrase(p, "folded") for p in self.phrases])

    def phrase(self) -> str:
        """Folded: the whole query as one phrase (ranks ``hành chính`` together above words apart)."""
        return _phrase(self.ordered, "folded")

    def exact_all(self) -> str:
        """Every word as typed: with its diacritics, or folded when typed without."""
        return _and([_quote(_typed(w)) for w in self.loose] + [_phrase(p, "exact") for p in self.phrases])

    def exact_phrase(self) -> str:
        return _phrase(self.ordered, "exact")

    def all_of(self, folded: Iterable[str]) -> str:
        """Folded: every one of these words present (a looser ``match`` for the GIN index)."""
        return _and([_quote(word) for word in folded])


def _and(items: Iterable[str]) -> str:
    return " & ".join(items)


def _typed(word: Word) -> str:
    return word.exact if word.has_diacritics else word.folded


def _phrase(phrase: Sequence[Word], form: str) -> str:
    lexemes = [_quote(w.folded if form == "folded" else _typed(w)) for w in phrase]
    return lexemes[0] if len(lexemes) == 1 else "(" + " <-> ".join(lexemes) + ")"


_QUOTED = re.compile(r'"([^"]*)"|“([^”]*)”')


def parse_query(raw: str) -> ParsedQuery:
    """Words and quoted phrases of ``raw``; every operator character is just a separator."""
    text = normalise(raw)
    phrases: list[tuple[Word, ...]] = []
    loose: list[Word] = []
    ordered: list[Word] = []
    position = 0
    for match in _QUOTED.finditer(text):
        before = words(text[position : match.start()])
        loose.extend(before)
        ordered.extend(before)
        inside = tuple(words(match.group(1) if match.group(1) is not None else match.group(2)))
        if len(inside) == 1:
            loose.append(inside[0])
        elif inside:
            phrases.append(inside)
        ordered.extend(inside)
        position = match.end()
    rest = words(text[position:])
    loose.extend(rest)
    ordered.extend(rest)
    return ParsedQuery(tuple(loose), tuple(phrases), tuple(ordered))
