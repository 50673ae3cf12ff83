"""Extraction: export directory / zip / demo -> raw.<object> tables, nothing lost."""
