"""Markdown of blueprints to HTML: the shared renderer of the core (pioneer.markdown)."""

from pioneer.markdown import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, URL_SCHEMES, render

__all__ = ["ALLOWED_ATTRIBUTES", "ALLOWED_TAGS", "URL_SCHEMES", "render"]
