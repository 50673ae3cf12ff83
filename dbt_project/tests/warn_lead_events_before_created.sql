-- Leads with a stage event dated before the lead was created (e.g. won before created). They are
-- kept and their stage times filled by the waterfall rule; this check reports them.
{{ config(severity='warn') }}

select
    lead_id,
    created_at,
    lead_at,
    won_at
from {{ ref('fct_lead_lifecycle') }}
where has_events_before_created
