"""The data dictionary (tables.json), shipped as ``pipelines.analytics.docs``.

pyproject.toml maps this folder into the package, so ``importlib.resources`` finds
tables.json in an installed wheel and in an editable install alike
(``pipelines/analytics/dictionary.py``). No Python code: this file only makes the folder a
regular package; the rest of docs/ is not shipped.
"""
