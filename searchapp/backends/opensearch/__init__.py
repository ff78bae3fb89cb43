"""The OpenSearch backend (SEARCHAPP_BACKEND=opensearch): a cluster reached with the official
opensearch-py client; the local index root keeps the lock, jobs, history, manifest and CURRENT."""
