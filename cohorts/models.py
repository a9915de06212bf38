"""Models of the cohorts app (see DESIGN.md)."""
