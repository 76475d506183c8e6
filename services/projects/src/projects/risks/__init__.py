"""The risk register: probability x impact, owner, response plan, status and review date."""
