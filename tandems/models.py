"""Models of the tandems app (see DESIGN.md)."""
