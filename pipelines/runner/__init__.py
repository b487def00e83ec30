"""The runner: one sync of `SyncOptions` into its destination, window by window.

`run_sync` runs; `check_connection` checks the token, the URL and the destination;
`pipeline_status` (``runner.status``) reads where each resource stands.
"""
