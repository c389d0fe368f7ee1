"""The Dagster code location of a vitesse project: `dagster dev -m pipelines` (see README)."""
