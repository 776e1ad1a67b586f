"""cruce: one shipment record, every US-Mexico filing, document and payment derived from it."""

__version__ = "0.1.0"
