{{ config(**changed_keys_config('lead_id', 'logged_lead_attributes', 'lead_changes_record_watermark')) }}
{{ lead_changes_dependency() }}
-- Live (not deleted) leads with the columns the lifecycle and funnel models read. Staging is a
-- view that picks the latest version of every record; materializing that once here saves every
-- downstream model from repeating it (DuckDB does not cache views).
select
    lead_id,
    created_at,
    created_by_id,
    status,
    owner_id,
    lead_source,
    industry,
    number_of_employees,
    country,
    converted_date,
    converted_account_id,
    converted_contact_id,
    converted_opportunity_id
from {{ changed_rows(ref('stg_salesforce__lead'), 'lead_id', logged_lead_attributes) }} as leads  -- noqa: AL05
where not is_deleted
