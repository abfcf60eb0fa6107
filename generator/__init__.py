"""Employment support KPIs: catalogue, collection templates, reader, indicators and site."""

__version__ = "0.1.0"
