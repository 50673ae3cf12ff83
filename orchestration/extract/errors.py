"""Errors about the input, phrased for the person who sent it: file, row, column."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class InputProblem:
    file: str
    message: str
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        return f"{', '.join(where)}: {self.message}"


class SourceContractError(Exception):
    """The export cannot be loaded as it is (a required file or column is missing, ...)."""

    def __init__(self, problems: list[InputProblem]):
        self.problems = problems
        super().__init__(self.describe())

    def describe(self) -> str:
        lines = "; ".join(str(problem) for problem in self.problems)
        return f"The export does not match the source contract: {lines}."
