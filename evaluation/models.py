"""Models of the evaluation app (see DESIGN.md)."""
