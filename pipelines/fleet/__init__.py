"""Many organizations from one machine: the fleet file (`fleet_file`), each organization
with its own profile, token, pipeline, dataset and DuckDB file, and the Dagster code
location that syncs them, one partition an organization."""
