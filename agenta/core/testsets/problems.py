"""Problems found while importing a test set file, and the error that carries them.

An import is all-or-nothing: readers record every problem they find in a ``ProblemLog`` (up to a
cap, so a file broken on every line does not produce a megabyte of errors) and the caller raises
``TestsetImportError`` once the whole file has been looked at. Each problem names the line in the
file when there is one, so a user can jump straight to it in an editor.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_PROBLEMS = 10


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an uploaded file; ``line`` is 1-based and counts physical lines."""

    line: int | None
    message: str

    def __str__(self) -> str:
        if self.line is None:
            return self.message
        return f"line {self.line}: {self.message}"


class TestsetImportError(ValueError):
    """The file was refused as a whole; ``problems`` lists the first things wrong with it."""

    # Tell pytest this is not a test class despite the name.
    __test__ = False

    def __init__(self, problems: list[Problem], *, truncated: bool = False) -> None:
        self.problems = list(problems)
        self.truncated = truncated
        super().__init__(self._summary())

    def _summary(self) -> str:
        count = len(self.problems)
        if self.truncated:
            head = f"The file was not imported; the first {count} problems:"
        elif count == 1:
            head = "The file was not imported:"
        else:
            head = f"The file was not imported; {count} problems:"
        return "\n".join([head, *(f"- {problem}" for problem in self.problems)])


class ProblemLog:
    """Collects problems up to ``limit``; once full, readers stop looking for more."""

    def __init__(self, limit: int = MAX_PROBLEMS) -> None:
        self.limit = limit
        self.problems: list[Problem] = []

    def add(self, line: int | None, message: str) -> None:
        """Record a problem; anything beyond the cap is dropped."""
        if len(self.problems) < self.limit:
            self.problems.append(Problem(line, message))

    @property
    def full(self) -> bool:
        """True once the cap is reached: readers stop looking for more."""
        return len(self.problems) >= self.limit

    def __bool__(self) -> bool:
        return bool(self.problems)

    def raise_if_any(self) -> None:
        """Raise ``TestsetImportError`` if anything was recorded."""
        if self.problems:
            # A full log means reading stopped early, so there may be more.
            raise TestsetImportError(self.problems, truncated=self.full)


def refuse(message: str, line: int | None = None) -> TestsetImportError:
    """An error for a file with exactly one, fatal, problem."""
    return TestsetImportError([Problem(line, message)])
