"""Who may do what in sales. Admin passes every role check (crmkit.require_roles, Principal.has_any_role).

Record-level rules (whose records a seller sees and edits) live in sales.access.
"""

from __future__ import annotations

# Own and work leads, opportunities and activities (record-level rules narrow what each sees and edits).
SELLERS = ("sales_rep", "sales_manager", "management")
# See and edit their team's records; run the roster, web forms, assignment rules, pipelines, loss reasons.
MANAGERS = ("sales_manager", "management")
# See every sales record.
SEE_ALL = ("management", "admin")

# Other departments read (never write) these records, all of them:
LEAD_READERS = ("marketing",)
OPPORTUNITY_READERS = ("marketing", "service_manager", "project_manager")
ACTIVITY_READERS = ("service_agent", "service_manager", "project_manager", "delivery_member")
# Configuration everybody with a valid token may read (pipelines, stages, loss reasons, the rep roster).
