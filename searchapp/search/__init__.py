"""Search: parse a query, run it on the backend, highlight, rerank, suggest, cache."""
