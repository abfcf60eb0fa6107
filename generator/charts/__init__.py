"""Charts: typed plans, drawn as deterministic SVG."""
