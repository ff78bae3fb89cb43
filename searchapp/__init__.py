"""searchapp: self-hosted multilingual search for document archives."""

__version__ = "0.1.0"
