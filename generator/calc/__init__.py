"""Indicators from stored returns: specifications, methods, statistics, verdicts, disclosure control."""
