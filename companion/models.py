"""Models of the companion app (see DESIGN.md)."""
