"""Which of the languages Hearth's crisis replies are written in a message is most likely in.

A person who writes "ya no puedo más" in crisis should be answered in Spanish. The guess counts each language's
common words (listed as `markers` in `prompts/crisis/replies/<language>.yaml`) and names a language only when
it clearly leads; otherwise the caller keeps the conversation's language, or English.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

DEFAULT_LANGUAGE = "en"
_WORD = re.compile(r"[a-z]+")
_MIN_MARKERS = 2
_SHORT = (2, 4)  # words in a message short enough for one marker to say its language


def words_of(text: str) -> list[str]:
    """Lower-case words without accents or apostrophes ("J'ai" → "jai"), as the markers are written. Polish "ł" has
    no accent to strip (it would split "chciałabym" in two), so it is read as the "l" people type without it."""
    folded = unicodedata.normalize("NFKD", text.casefold().replace("'", "").replace("’", "").replace("ł", "l"))
    return _WORD.findall("".join(char for char in folded if not unicodedata.combining(char)))


def guess_language(text: str, markers: Mapping[str, frozenset[str]], *, short: bool = True) -> str | None:
    """The language whose markers clearly lead, or None when the words do not say ("ok", "sí", an emoji). With
    `short` False, a short message's one telling word is not enough (a command's arguments: "/resources el")."""
    words = words_of(text)[:200]  # the opening of a long message says enough
    scores = {language: sum(word in known for word in words) for language, known in markers.items()}
    if not scores:
        return None
    best = max(scores, key=lambda language: scores[language])
    if list(scores.values()).count(scores[best]) > 1:
        return None
    if scores[best] >= _MIN_MARKERS:
        return best
    # A short message has room for one telling word ("quiero suicidarme", "voglio morire"): it says the language
    # when no other language's word is there at all. A single word ("sí", "ja") still says nothing.
    alone = scores[best] == 1 and sum(scores.values()) == 1
    return best if short and alone and _SHORT[0] <= len(words) <= _SHORT[1] else None
