"""The analysts' questions: plain SQL files under ``transform/questions``, and their answers.

The questions over the raw tables (``raw/``, ``{dataset}`` names the loaded schema) are
the README's example queries; those over the models (``{analytics}``) need
``spruce-sync transform`` first. The demo and ``transform`` answer the same files, read
from the installed package (``importlib.resources``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

from pipelines.settings import ANALYTICS_SCHEMA, TRANSFORM_PACKAGE

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable  # Python 3.11+; only for mypy

# Runs one query: (column names, rows).
QueryRunner = Callable[[str], tuple[Sequence[str], Sequence[Sequence[Any]]]]


@dataclass(frozen=True)
class AnalystQuestion:
    """A question and the SQL that answers it."""

    question: str
    sql: str

    @classmethod
    def from_file(cls, path: Traversable) -> AnalystQuestion:
        """A question file: its first line ``-- <the question>``, then the query."""
        text = path.read_text(encoding="utf-8")
        title, _, sql = text.partition("\n")
        return cls(title.lstrip("- ").strip(), sql.strip())

    def query(self, dataset: str, analytics: str = ANALYTICS_SCHEMA) -> str:
        """The SQL for a dataset and its analytics schema."""
        return self.sql.format(dataset=dataset, analytics=analytics)


@dataclass(frozen=True)
class AnalystAnswer:
    """One question's result (ids and figures as the query selects them)."""

    question: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]

    def to_dict(self) -> dict[str, Any]:
        """The question and its rows as mappings of column to value (for ``--json``)."""
        return {"question": self.question,
                "rows": [dict(zip(self.columns, row)) for row in self.rows]}


def questions_in(folder: Traversable) -> tuple[AnalystQuestion, ...]:
    """The questions of one folder (a package's, or any on disk), in file-name order."""
    files = sorted((path for path in folder.iterdir() if path.name.endswith(".sql")),
                   key=lambda path: path.name)
    return tuple(AnalystQuestion.from_file(path) for path in files)


_QUESTIONS = resources.files(TRANSFORM_PACKAGE) / "questions"
ANALYST_QUESTIONS = questions_in(_QUESTIONS / "raw")
MODEL_QUESTIONS = questions_in(_QUESTIONS)


def answer_questions(
    run_query: QueryRunner, questions: Sequence[AnalystQuestion], dataset: str,
    analytics: str = ANALYTICS_SCHEMA,
) -> list[AnalystAnswer]:
    """Each question answered by ``run_query`` on ``dataset`` and ``analytics``."""
    answers = []
    for question in questions:
        columns, rows = run_query(question.query(dataset, analytics))
        answers.append(AnalystAnswer(question.question, tuple(columns),
                                     tuple(tuple(row) for row in rows)))
    return answers
