"""spruce-sync's pipeline: the runner, its configuration, the CLI, the analysts' layer.

Every entry point (the CLI, a library user's ``import pipelines...``) imports this package
before dlt runs anything: dlt's telemetry, which would send metadata out of a clinic, is
off unless the operator switches it on (``RUNTIME__DLTHUB_TELEMETRY=true``).
"""

import os

os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
