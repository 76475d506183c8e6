"""Users, roles, passwords, and the access and refresh tokens issued to them."""
