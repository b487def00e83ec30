"""Configuration: the run's options (`SyncOptions`) and the YAML profiles that set them."""
