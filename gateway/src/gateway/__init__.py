"""The CRM gateway: identity, tokens, signing keys, and the route table to the services."""
