"""Views of the core, split by entity. Permission, form, one service call, response."""
