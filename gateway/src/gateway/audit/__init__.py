"""The audit and security log: sign-ins, lockouts, API key use, admin changes and every denied request."""
