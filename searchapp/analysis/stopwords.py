"""Stop words of the stemmed languages for which tantivy 0.27 ships no list (Filter.stopword
knows the 13 Snowball lists of text.STOPWORD_LANGS; "arabic", "greek", "romanian", "turkish"
are refused). Small lists of the most frequent function words, after Lucene's ArabicAnalyzer,
GreekAnalyzer and RomanianAnalyzer lists (a Turkish list was tried and dropped: NTREX Turkish
title@1 0.976 -> 0.959, eval/RESULTS.md); each word also in its spelling
without diacritics (normalize.unmarked) and, for Romanian, with cedilla ş ţ. Used only to leave
a long query's function words out of matching (backends/tantivy/longquery.py).
"""

from __future__ import annotations

from .normalize import unmarked

_LISTS = {
    "ar": """من في على إلى الى عن مع أن ان إن كان كانت يكون هذا هذه ذلك تلك التي الذي الذين
        ما ماذا متى أين كيف لماذا هل لا لم لن قد و او أو ثم بين كل بعد قبل عند حتى هو هي هم
        نحن أنا أي أيضا كما منذ خلال حيث به بها له لها فيها فيه عليه عليها إذا وفي وقد ولا
        وهو وهي وكان وأن ومن وعلى التى لدى غير أكثر""",
    "el": """ο η το οι τα του της των τον την τους τις και κι να θα με σε στο στη στην στον στα
        στους στις για από που ως ένα ενός μια μία μιας δεν μη μην ή αλλά αν ότι όπως τι ποιος
        ποια ποιο ποιοι ποιες πως πώς πότε πού αυτό αυτός αυτή αυτά προς κατά μετά μέχρι χωρίς
        είναι ήταν έχει έχουν επί έως""",
    "ro": """a acea aceasta această aceea acei aceia acel acela acele acelea acest acesta aceste
        acestea acestei acestui acești aceștia al ale alt alta am ar are asta au avea avem aveți
        ați ca că cât câte câți care ce cel cea cei cele cine cu cum dacă dar de deci decât din
        după el ea ei ele este eu fi fie fost fără iar în îi îl într între la le li lor lui mai
        mi ne nici nu o or ori pe pentru prin să se și sau sunt te tu un una unei unui unor unde
        va vor""",
}


def _variants(word: str) -> set[str]:
    out = {word, unmarked(word)}
    out |= {w.replace("ș", "ş").replace("ț", "ţ") for w in out}
    return out


STOPWORDS: dict[str, frozenset[str]] = {
    lang: frozenset(v for w in words.split() for v in _variants(w))
    for lang, words in _LISTS.items()
}
