"""Performance per rep and team for a period."""
