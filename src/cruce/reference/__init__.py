"""Reference data: ports, units, tariff catalogs; each file dated and sourced."""
