"""Personal data never leaves the warehouse in clear: the publication step applies each column's
`meta.pii` policy from the dbt YAML (`hash` or `drop`), and refuses to publish a column whose
name says it holds personal data but that has no policy.

Hashes are salted SHA-256 of the trimmed, lower-cased value, as `<column>_sha256`: stable from
night to night (BI can count distinct people and join hashed lists) but not reversible by
hashing a list of known addresses without the salt. The salt is $REVOPS_PII_SALT, else a random
one kept beside the warehouse (created once, readable by its owner only).
"""

from __future__ import annotations

import json
import os
import re
import secrets
from pathlib import Path

from orchestration.extract.naming import quote_identifier as q

POLICIES = ("hash", "drop", "keep")
# Column names that hold personal data of leads and contacts unless declared otherwise.
PERSONAL_COLUMN = re.compile(r"(^|_)(email|phone|mobile|first_name|last_name|lead_name|contact_name|street)($|_)")
SALT_FILE = ".pii_salt"


class PersonalDataError(RuntimeError):
    """A column looks personal and has no pii policy."""


def pii_policies(manifest_path: Path) -> dict[tuple[str, str], dict[str, str]]:
    """(schema, table) -> {column: policy} for every model column with meta.pii."""
    manifest = json.loads(manifest_path.read_text())
    policies: dict[tuple[str, str], dict[str, str]] = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model":
            continue
        for column in node.get("columns", {}).values():
            policy = (column.get("meta") or {}).get("pii") or (column.get("config", {}).get("meta") or {}).get("pii")
            if policy is None:
                continue
            if policy not in POLICIES:
                raise PersonalDataError(f"{node['name']}.{column['name']}: meta.pii must be one of {POLICIES}")
            policies.setdefault((node["schema"], node["alias"]), {})[column["name"]] = policy
    return policies


def pii_salt(warehouse_dir: Path) -> str:
    if salt := os.environ.get("REVOPS_PII_SALT"):
        return salt
    path = warehouse_dir / SALT_FILE
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def published_select_list(schema: str, table: str, columns: list[str], policies: dict[str, str], salt: str) -> str:
    """The select list that publishes `table`: personal columns hashed or left out."""
    items = []
    for column in columns:
        policy = policies.get(column)
        if policy is None and PERSONAL_COLUMN.search(column.lower()):
            raise PersonalDataError(
                f"{schema}.{table}.{column} looks like personal data and has no meta.pii policy "
                f"(hash, drop or keep) in the model's YAML; not publishing it"
            )
        if policy == "drop":
            continue
        if policy == "hash":
            value = f"lower(trim(cast({q(column)} as varchar)))"
            items.append(
                f"case when {q(column)} is not null then sha256('{salt}' || {value}) end as {q(column + '_sha256')}"
            )
        else:
            items.append(q(column))
    return ", ".join(items)
