"""The CRM projects service: delivery projects, their schedule, cost, quality and change control."""
