"""Documents and filings derived from the shipment record, one module each."""
