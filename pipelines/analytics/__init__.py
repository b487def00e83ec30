"""The analysts' layer: the dbt models, the data dictionary, the questions, the demo."""
