"""Infrastructure every stage may use: output paths, inputs, the cache, process pools,
progress, tables, safe names."""
