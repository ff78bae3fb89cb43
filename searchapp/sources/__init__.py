"""Web sources: sitemaps, feeds, lists of URLs and sites an archive follows, fetched politely
and saved as ordinary files of the index's `web/` folder, before the ingest stage reads them."""
