"""Attendance: check-in and check-out per person, day and site; overtime per person and period."""
