"""The CRM service desk: multichannel tickets, SLA clocks on business hours, surveys, knowledge base."""
