"""factory_boy factories, one module per area (core, cohorts, tandems, ...)."""
