"""Quality: quality plans per deliverable (standards, checklists), reviews and inspections, non-conformances."""
