"""Project documents: uploads with versions, size and type limits, on local disk or an S3-compatible store."""
