"""Reading outside input (YAML, JSON, Excel, CSV) into a shipment, defensively."""
