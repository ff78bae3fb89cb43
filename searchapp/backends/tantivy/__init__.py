"""The embedded Tantivy index: schema, analyzers, query compilation, search and writing."""
