"""The CRM sales service: from leads to orders."""
