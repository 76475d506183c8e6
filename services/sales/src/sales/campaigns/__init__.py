"""Marketing campaigns: budget and cost, members from customer segments, responses as leads, ROI."""
