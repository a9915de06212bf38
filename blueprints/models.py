"""Models of the blueprints app (see DESIGN.md)."""
