"""Column and object names: Salesforce CamelCase and Fivetran snake_case meet here."""

from __future__ import annotations

import re

_CUSTOM_SUFFIX = re.compile(r"__")
_LOWER_UPPER = re.compile(r"([a-z0-9])([A-Z])")
_ACRONYM_WORD = re.compile(r"([A-Z]+)([A-Z][a-z])")
_LETTER_DIGIT = re.compile(r"([A-Za-z])([0-9])")
_DIGIT_LETTER = re.compile(r"([0-9])([A-Za-z])")
_NON_WORD = re.compile(r"[^0-9A-Za-z]+")


def to_snake_case(name: str) -> str:
    """Normalize a header the way Fivetran names Salesforce columns.

    CreatedDate -> created_date, Product2Id -> product_2_id, SBQQ__Quote__c -> sbqq_quote_c,
    _fivetran_synced -> _fivetran_synced. Already snake_case names are unchanged.
    """
    text = name.strip().lstrip("\ufeff").strip().strip('"')
    leading_underscore = text.startswith("_")
    text = _CUSTOM_SUFFIX.sub("_", text)
    text = _ACRONYM_WORD.sub(r"\1_\2", text)
    text = _LOWER_UPPER.sub(r"\1_\2", text)
    text = _LETTER_DIGIT.sub(r"\1_\2", text)
    text = _DIGIT_LETTER.sub(r"\1_\2", text)
    text = _NON_WORD.sub("_", text).strip("_").lower()
    return f"_{text}" if leading_underscore and text else text


def object_match_key(name: str) -> str:
    """A key that matches an export file stem to an object whatever its spelling.

    'Product2', 'product_2', 'sf_product_2_data' and 'PRODUCT2' all give 'product2'.
    """
    stem = to_snake_case(name)
    if stem.startswith("sf_") and stem.endswith("_data"):
        stem = stem[len("sf_") : -len("_data")]
    return stem.replace("_", "")


def quote_identifier(name: str) -> str:
    """Quote a SQL identifier (DuckDB / PostgreSQL rules)."""
    return '"' + name.replace('"', '""') + '"'
