"""What one measured run is asked to do; passed to the child process as JSON."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

# "baseline" is rest_api as a competent user sets it up (parallelized item listings);
# "baseline_sequential" is the same source with the items fetched one conversation at a time.
PipelineKind = Literal["ours", "baseline", "baseline_sequential", "raw"]
PIPELINE_KINDS: tuple[PipelineKind, ...] = ("ours", "baseline", "baseline_sequential", "raw")


@dataclass(frozen=True)
class RunSpec:
    """One run of one pipeline against a running simulator. The token is not here."""

    pipeline: PipelineKind
    base_url: str
    duckdb_path: str
    pipelines_dir: str
    concurrency: int
    reserve_share: float
    # The simulator's rate window when it is shorter than Spruce's 60 s (ours paces by it).
    rate_window_seconds: float | None = None
    # Ours' conversations per window (None: the project's default); for what-if runs.
    window_conversations: int | None = None
    # Where the child writes what only the pipeline knows (``run_report``); None: nowhere.
    report_path: str | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> RunSpec:
        return cls(**json.loads(text))

    @property
    def duckdb_file(self) -> Path:
        return Path(self.duckdb_path)
