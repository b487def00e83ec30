"""The analysts' dbt project and questions, shipped as ``pipelines.analytics.dbt_project``.

pyproject.toml maps this folder into the package, so ``importlib.resources`` finds it in
an installed wheel and in an editable install alike (``pipelines/analytics/transform.py``,
``questions.py``). No Python code: this file only makes the folder a regular package.
"""
