"""Cost control: budget lines, timesheets, expenses, actual cost and earned value."""
