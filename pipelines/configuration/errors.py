"""`ConfigError`: a configuration or usage problem the user must fix (exit code 2).

Light on purpose: the CLI reports such an error before dlt and the source are imported.
"""

from __future__ import annotations


class ConfigError(Exception):
    """What was wrong, where (file, key path or flag) and what is allowed."""
