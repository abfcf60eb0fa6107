"""The indicator catalogue and the registry of areas and organisations: data, loaded and checked."""
