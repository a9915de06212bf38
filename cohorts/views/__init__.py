"""The cohorts app's views, split by entity (see cohorts/urls.py)."""
