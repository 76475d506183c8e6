"""Change control: change requests with scope, schedule and cost impact, approval and re-baselining."""
