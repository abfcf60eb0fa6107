"""The store of accepted returns: one file per return, a ledger, durable writes."""
