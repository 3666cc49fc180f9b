"""Experiments: a spec's runs (worlds x seeds x settings x replications) headless, in parallel, with
their numbers as tables; interviews and surveys of the townspeople; two branches compared.

This is the package's public face, re-exported by ``engine.api``.
"""

from engine.experiments.runner import ExperimentReport, Progress, plan, run_experiment
from engine.experiments.spec import ExperimentSpec, SpecError, load_spec

__all__ = ["ExperimentReport", "ExperimentSpec", "Progress", "SpecError", "load_spec", "plan", "run_experiment"]
