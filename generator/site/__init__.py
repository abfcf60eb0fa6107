"""The benchmarking site: pages from the published rows, the MkDocs build and serving it."""
