"""Quotes: versions, lines priced from the price list, exact totals, discount approval, the document."""
