"""Rate limits per user and per API key, counted in the gateway's database so every replica shares them."""
