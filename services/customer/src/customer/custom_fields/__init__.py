"""Custom fields: the extra account fields an administrator defines, and the checks on their values."""
