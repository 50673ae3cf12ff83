{{ config(**changed_keys_config('lead_id', 'logged_lead_attributes', 'lead_changes_record_watermark')) }}
{{ lead_changes_dependency() }}
-- Incremental: the leads whose row or attributes changed (macros/lead_incremental.sql).
-- Lead attributes for slicing. Name, email and phone are here for analysts in the warehouse; their
-- meta.pii policy (YAML) hashes or drops them when the marts are published to BI.
select
    leads.lead_id,
    leads.full_name as lead_name,
    leads.email,
    leads.phone,
    leads.company,
    leads.title,
    dimensions.industry,
    dimensions.number_of_employees,
    dimensions.size_band as segment,
    leads.country,
    dimensions.region,
    dimensions.channel,
    leads.lead_source,
    leads.status,
    leads.rating,
    dimensions.owner_id,
    dimensions.owner_team,
    leads.created_at,
    leads.is_converted,
    leads.converted_date,
    dimensions.converted_account_id,
    dimensions.converted_opportunity_id
from {{ changed_rows(ref('stg_salesforce__lead'), 'lead_id', logged_lead_attributes) }} as leads
inner join {{ changed_rows(ref('int_lead_dimensions'), 'lead_id', logged_lead_attributes) }} as dimensions
    on leads.lead_id = dimensions.lead_id
where not leads.is_deleted
