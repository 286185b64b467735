"""Evaluation: the runner, comparison statistics, the CI gate and its reports (JUnit XML,
Markdown). Pure computation over the store's runs and results; no Textual."""
