"""Resolve what the user points at (the demo, a directory, a zip) into a checked export snapshot.

The snapshot lists every CSV file with its size, sha256, encoding and header, maps it to a raw
table, and is validated against the source contract before anything is landed: a missing
required file or column stops the run with one message naming file and column.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from orchestration.extract.contract import SourceContract
from orchestration.extract.errors import InputProblem, SourceContractError
from orchestration.extract.naming import object_match_key, to_snake_case

FIVETRAN_HISTORY_MARKER = "_fivetran_start"
_HASH_CHUNK = 1 << 20


@dataclass(frozen=True)
class ExportFile:
    path: str
    relative_path: str
    table: str
    modeled: bool
    size_bytes: int
    sha256: str
    encoding: str
    header: tuple[str, ...]

    @property
    def is_empty(self) -> bool:
        return not self.header


@dataclass(frozen=True)
class ExportSnapshot:
    location: str
    root: str
    label: str
    files: tuple[ExportFile, ...]
    absent_tables: tuple[str, ...] = field(default_factory=tuple)

    def files_for(self, table: str) -> list[ExportFile]:
        return [file for file in self.files if file.table == table]

    @property
    def unmodeled_files(self) -> list[ExportFile]:
        return [file for file in self.files if not file.modeled]


def _hash_and_detect_encoding(path: Path) -> tuple[str, str]:
    """sha256 of the file, and 'utf-8' or 'latin-1' (decided in the same single pass).

    Exports must be UTF-8 (with or without BOM). A file that is not valid UTF-8 is read as
    Latin-1 (a superset of ASCII that accepts every byte) and the run report says so; see
    DECISIONS.md.
    """
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    is_utf8 = True
    with path.open("rb") as handle:
        while chunk := handle.read(_HASH_CHUNK):
            digest.update(chunk)
            if is_utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    is_utf8 = False
    if is_utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            is_utf8 = False
    return digest.hexdigest(), "utf-8" if is_utf8 else "latin-1"


def _read_header(path: Path, encoding: str) -> tuple[str, ...]:
    python_encoding = "utf-8-sig" if encoding == "utf-8" else "latin-1"
    with path.open("r", encoding=python_encoding, newline="") as handle:
        first = next(csv.reader(io.StringIO(handle.readline())), [])
    return tuple(to_snake_case(name) for name in first if name.strip() or len(first) > 1)


def _table_for(path: Path, header: tuple[str, ...], contract: SourceContract) -> tuple[str, bool]:
    stem = path.stem
    if FIVETRAN_HISTORY_MARKER in header:
        # Fivetran history-mode copies (SCD2) are not Salesforce *History objects: keep in raw.
        base = object_match_key(stem).removesuffix("history") or stem
        matched = contract.match(base)
        name = matched.table if matched else to_snake_case(stem)
        return f"{name}__fivetran_history", False
    matched = contract.match(stem)
    if matched:
        return matched.table, True
    snake = to_snake_case(stem)
    if snake.startswith("sf_") and snake.endswith("_data"):
        snake = snake[len("sf_") : -len("_data")]
    return snake, False


def _csv_files(root: Path) -> list[Path]:
    return sorted(
        path
        for path in root.rglob("*")
        if path.is_file()
        and path.suffix.lower() == ".csv"
        and not any(part.startswith((".", "__MACOSX")) for part in path.relative_to(root).parts)
    )


def snapshot_directory(root: Path, contract: SourceContract, location: str, label: str) -> ExportSnapshot:
    files = []
    for path in _csv_files(root):
        sha256, encoding = _hash_and_detect_encoding(path)
        header = _read_header(path, encoding) if path.stat().st_size else ()
        table, modeled = _table_for(path, header, contract)
        files.append(
            ExportFile(
                path=str(path),
                relative_path=str(path.relative_to(root)),
                table=table,
                modeled=modeled,
                size_bytes=path.stat().st_size,
                sha256=sha256,
                encoding=encoding,
                header=header,
            )
        )
    present = {file.table for file in files}
    absent = tuple(t.table for t in contract.tables if t.table not in present)
    return ExportSnapshot(location=location, root=str(root), label=label, files=tuple(files), absent_tables=absent)


def validate_snapshot(snapshot: ExportSnapshot, contract: SourceContract) -> None:
    """Raise SourceContractError listing every missing required file and column."""
    problems: list[InputProblem] = []
    for table in contract.tables:
        table_files = snapshot.files_for(table.table)
        if table.required and not table_files:
            problems.append(
                InputProblem(
                    file=table.export_file_name,
                    message=f"required file is missing from the export ({snapshot.location})",
                )
            )
        for file in table_files:
            if file.is_empty:
                if table.required:
                    problems.append(InputProblem(file=file.relative_path, message="file is empty (no header row)"))
                continue
            duplicates = sorted({name for name in file.header if file.header.count(name) > 1})
            for name in duplicates:
                problems.append(
                    InputProblem(
                        file=file.relative_path,
                        row=1,
                        column=name,
                        message="the header names this column more than once (after CamelCase -> snake_case)",
                    )
                )
            for column in table.required_columns:
                if column not in file.header:
                    problems.append(
                        InputProblem(
                            file=file.relative_path,
                            row=1,
                            column=column,
                            message="required column is missing from the header",
                        )
                    )
    if problems:
        raise SourceContractError(problems)


def _safe_extract(archive: Path, target: Path) -> None:
    """Unzip, refusing entries that would escape the target directory."""
    try:
        with zipfile.ZipFile(archive) as bundle:
            for member in bundle.infolist():
                destination = (target / member.filename).resolve()
                if not destination.is_relative_to(target.resolve()):
                    raise SourceContractError(
                        [
                            InputProblem(
                                file=archive.name, message=f"zip entry {member.filename!r} points outside the archive"
                            )
                        ]
                    )
            bundle.extractall(target)
    except zipfile.BadZipFile as error:
        size = archive.stat().st_size
        raise SourceContractError(
            [InputProblem(file=archive.name, message=f"not a readable zip archive ({size} bytes): {error}")]
        ) from error


def unpack_zip(archive: Path, landing_dir: Path) -> Path:
    """Extract a zip once per content hash; re-runs on the same zip reuse the folder."""
    digest, _ = _hash_and_detect_encoding(archive)
    target = landing_dir / f"{archive.stem}-{digest[:12]}"
    marker = target / ".complete"
    if not marker.exists():
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        _safe_extract(archive, target)
        marker.touch()
    return target
