"""Custom field definitions publish no events: they shape this service's own validation only.

Account events carry the values (`custom_fields`), so subscribers never need the definitions.
"""
