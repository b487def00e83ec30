"""Output: what a command shows (live view, log lines, results, errors)."""
