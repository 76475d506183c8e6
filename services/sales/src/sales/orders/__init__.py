"""Orders made from accepted quotes: confirmed -> fulfilled | cancelled."""
