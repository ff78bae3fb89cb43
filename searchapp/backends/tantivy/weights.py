"""Ranking weights and limits of the compiled queries, in one place.

Tuned with eval/run_eval.py on CACM and XQuAD-R en/vi/de/zh at once (eval/RESULTS.md)."""

# Ranking weights, (title, body) per field family. Every document has an exact family and one
# accent-free family: stemmed for the 18 languages with a Snowball stemmer, else folded. The
# exact family adds a little on top, so the exact spelling ranks first (quyền above Quyên).
W_EXACT = (0.5, 0.25)
W_FOLD = (2.0, 1.0)  # documents in languages without a stemmer
# When the query was typed with diacritics (some word differs from its folded form)
# (Vietnamese: an unmarked syllable is then meant unmarked, so the exact spelling counts more
# and adjacent pairs less; XQuAD-R vi 0.845 -> 0.847, queries without diacritics unchanged).
W_EXACT_MARKED = (1.0, 0.5)
W_FOLD_MARKED = (2.0, 1.0)
W_PAIR_MARKED = (0.0, 0.3)
W_STEM = (3.0, 1.5)  # documents in a language with a stemmer (stemmed and folded)
W_CJK = (2.0, 1.0)
W_SEG = (2.0, 1.0)
W_PREFIX = 0.3  # last word typed, as a prefix (constant score)
# A prefix of 1 or 2 letters completes to its 4 most frequent words only (see prefix_query).
SHORT_PREFIX_EXPANSIONS = {1: 4, 2: 4}
W_FUZZY = 0.15  # one typo, for words of FUZZY_MIN_LEN+ letters absent from the index
W_PROX = (1.0, 0.0)  # all words of a short query close together, in order
PROXIMITY_MAX_WORDS = 8
W_PAIR = (0.0, 0.5)  # each pair of adjacent words side by side
MAX_PAIRS = 12
# Long queries (natural-language questions): any word may match; stop words and words in
# more than DROP_DF_IN_LONG of the documents (in an index of COMMON_MIN_DOCS+) are left out.
LONG_QUERY_WORDS = 5
MIN_SHOULD_MATCH = 0.0
DROP_STOPWORDS_IN_LONG = True
DROP_DF_IN_LONG = 0.35
COMMON_MIN_DOCS = 500
