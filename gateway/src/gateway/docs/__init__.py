"""API documents and pages: the merged OpenAPI document, Swagger UI, and the events catalog with its page."""
