"""The published dataset: CSV, xlsx and data quality, written from the calculations."""
