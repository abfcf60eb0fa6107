"""Returns coming in: reading a workbook, validating every value, problems as values, comments."""
