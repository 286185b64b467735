"""`llmops demo`: a workspace built from `sample_project/` and a month of simulated traffic.

The demo is how most people first meet the tool, so its data must look like a real team's:
OTLP files a collector would write, loaded through the same ingest path as anyone's files.
"""
