"""Helpers that write small hand-made exports for tests."""

from __future__ import annotations

import csv
from pathlib import Path

MINIMAL = {
    "User.csv": (["Id", "Name"], [["005A", "Ann Rep"]]),
    "Lead.csv": (
        ["Id", "CreatedDate", "Status", "LeadSource", "SystemModstamp"],
        [
            ["00QA", "2025-01-02T10:00:00.000Z", "Open - Not Contacted", "Web", "2025-01-02T10:00:00.000Z"],
            ["00QB", "2025-01-03T10:00:00.000Z", "Marketing Qualified", "Events", "2025-01-04T10:00:00.000Z"],
        ],
    ),
    "Opportunity.csv": (
        ["Id", "CreatedDate", "CloseDate", "StageName", "Amount", "IsDeleted"],
        [["006A", "2025-01-05T10:00:00.000Z", "2025-02-01", "Prospecting", "1000.00", "false"]],
    ),
}


def without_column(files: dict, file_name: str, column: str) -> dict:
    """A copy of an export's files with one column removed from one file."""
    header, rows = files[file_name]
    keep = [index for index, name in enumerate(header) if name != column]
    return {**files, file_name: ([header[i] for i in keep], [[row[i] for i in keep] for row in rows])}


def write_csv(
    path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8", newline: str = "\n"
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, lineterminator=newline)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_export(directory: Path, files: dict | None = None) -> Path:
    for name, (header, rows) in (files or MINIMAL).items():
        write_csv(directory / name, header, rows)
    return directory
