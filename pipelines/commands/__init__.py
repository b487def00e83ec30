"""The command line's commands, one module a concern; `pipelines.cli` assembles them."""
