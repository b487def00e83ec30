"""PostgreSQL loaded by COPY: dlt's csv loader, with the two things its COPY job gets wrong.

dlt's ``PostgresCsvCopyJob`` (dlt 1.31) streams each csv file into ``COPY ... FROM STDIN``,
which is what makes csv the fast loader. Against the insert-values loader it loses:

- **NUL in text**: PostgreSQL text cannot hold ``\\x00``. The insert-values loader drops it
  from every literal (dlt's SQL escaping); COPY refuses the whole file ("invalid byte
  sequence for encoding UTF8: 0x00"), so one message with a NUL would fail every sync.
  Here the bytes are dropped from the stream on its way to COPY: the same text lands as
  with insert-values (a NUL byte occurs in UTF-8 only as that character).
- **Empty text vs NULL**: dlt forces NULL (``FORCE_NULL``) on every nullable column,
  because its csv writer of Python rows writes None and ``""`` alike as ``""`` (Python
  3.11's csv module has no quoting that tells them apart). pyarrow's writer does: a null
  is an empty unquoted field, ``""`` is quoted. So files written from Arrow tables are
  copied without ``FORCE_NULL`` and keep their empty strings; files written from rows keep
  dlt's rule (an empty string in a nullable column loads as NULL).

Which writer made a file is told by its line ending: the runner has dlt's row writer end
lines with ``\\r\\n`` (``ROW_CSV_LINE_END``); pyarrow's always end with ``\\n``.
"""

from __future__ import annotations

import csv
import os
from typing import IO

from dlt.common.destination.client import HasFollowupJobs, LoadJob, RunnableLoadJob
from dlt.common.destination.configuration import CsvFormatConfiguration
from dlt.common.destination.typing import PreparedTableSchema
from dlt.common.schema.utils import is_nullable_column
from dlt.common.storages.file_storage import FileStorage
from dlt.common.storages.load_package import ParsedLoadJobFileName
from dlt.destinations.impl.postgres.factory import postgres
from dlt.destinations.impl.postgres.postgres import PostgresClient

from pipelines.settings import COPY_CHUNK_BYTES, ROW_CSV_LINE_END

# dlt's settings of the csv writer's line end, the normalize step's own first.
LINE_END_SETTINGS = ("NORMALIZE__DATA_WRITER__LINETERMINATOR", "DATA_WRITER__LINETERMINATOR")


def mark_row_csv_files() -> None:
    """Have dlt's csv writer of Python rows end lines with ``ROW_CSV_LINE_END``.

    Set, not defaulted: a line end chosen by an operator would make `CsvCopyJob` read row
    files as Arrow ones (None loaded as ""). COPY accepts either line end.
    """
    for name in LINE_END_SETTINGS:
        os.environ[name] = ROW_CSV_LINE_END


class NulFreeReader:
    """A binary file read without its NUL bytes (what ``copy_expert`` reads from)."""

    def __init__(self, file: IO[bytes]) -> None:
        self.file = file

    def read(self, size: int = -1) -> bytes:
        return self.file.read(size).replace(b"\x00", b"")

    def readline(self, size: int = -1) -> bytes:
        return self.file.readline(size).replace(b"\x00", b"")


class CsvCopyJob(RunnableLoadJob, HasFollowupJobs):
    """One csv file of a load package, copied into its table in one transaction."""

    _job_client: PostgresClient

    def run(self) -> None:
        csv_format = self._job_client.config.csv_format or CsvFormatConfiguration()
        with FileStorage.open_zipsafe_ro(self._file_path, "rb") as file:
            header = file.readline()  # dlt's writers always write one (include_header)
            statement = self.copy_statement(header, csv_format)
            sql_client = self._job_client.sql_client
            with sql_client.begin_transaction(), sql_client.native_connection.cursor() as cursor:
                cursor.copy_expert(statement, NulFreeReader(file), size=COPY_CHUNK_BYTES)

    def copy_statement(self, header: bytes, csv_format: CsvFormatConfiguration) -> str:
        """The COPY of the file's columns (named by ``header``); see the module docstring
        for which columns are forced to NULL."""
        sql_client = self._job_client.sql_client
        names = next(csv.reader([header.decode(csv_format.encoding)],
                                delimiter=csv_format.delimiter))
        columns = self._job_client.schema.get_table_columns(self.load_table_name)
        forced = [name for name in names if name in columns and is_nullable_column(columns[name])]
        quoted = ",".join(sql_client.escape_column_name(name, quote=True) for name in names)
        options = [f"FORMAT CSV, DELIMITER '{csv_format.delimiter}', NULL ''",
                   f"ENCODING '{csv_format.encoding}'"]
        if header.endswith(ROW_CSV_LINE_END.encode()) and forced:
            escaped = ",".join(sql_client.escape_column_name(name, quote=True) for name in forced)
            options.append(f"FORCE_NULL ({escaped})")
        table = sql_client.make_qualified_table_name(self.load_table_name)
        return f"COPY {table} ({quoted}) FROM STDIN WITH ({', '.join(options)})"


class CopyingPostgresClient(PostgresClient):
    """dlt's PostgreSQL client, csv files loaded by `CsvCopyJob`; other formats as dlt does."""

    def create_load_job(
        self, table: PreparedTableSchema, file_path: str, load_id: str, restore: bool = False
    ) -> LoadJob:
        if ParsedLoadJobFileName.parse(file_path).file_format == "csv":
            return CsvCopyJob(file_path)
        return super().create_load_job(table, file_path, load_id, restore)


class PostgresByCopy(postgres):
    """dlt's ``postgres`` destination whose client is `CopyingPostgresClient`.

    Build it with ``destination_name="postgres"``, so that its configuration (credentials,
    csv format) stays in dlt's usual ``destination.postgres`` section.
    """

    @property
    def client_class(self) -> type[PostgresClient]:
        return CopyingPostgresClient
