"""The CRM customer service: accounts, contacts, the interaction timeline and custom fields."""
