"""Products, one price list per currency, and dated exchange rates into the base currency."""
