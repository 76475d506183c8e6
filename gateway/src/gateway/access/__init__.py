"""Access at the gateway: role -> resources and methods, field masking by role, integrator API keys."""
