{{ config(**changed_keys_config('lead_id', 'logged_lead_attributes', 'lead_changes_record_watermark')) }}
{{ lead_changes_dependency() }}
-- Incremental: the leads whose attributes changed (macros/lead_incremental.sql).
-- The dimensions every funnel fact carries (METRICS.md section 2), one row per live lead:
-- channel (LeadSource through seeds/channel_map.csv), first-touch campaign, industry and size
-- band (of the converted account when there is one, else of the lead), region (by country),
-- owner and the owner's team.

with

leads as (
    select changed.* from {{ changed_rows(ref('int_leads'), 'lead_id', logged_lead_attributes) }} as changed
),

accounts as (
    select * from {{ ref('stg_salesforce__account') }}
    where not is_deleted
),

channels as (
    select
        source_value,
        channel
    from {{ ref('channel_map') }}
    where source_field = 'Lead.LeadSource'
),

first_touch as (
    select
        lead_id,
        campaign_id,
        row_number() over (partition by lead_id order by created_at asc, campaign_member_id asc) as touch_rank
    from {{ ref('stg_salesforce__campaign_member') }}
    where not is_deleted and lead_id is not null
    {%- if is_incremental() %}
        and lead_id in (select leads.lead_id from leads)
    {%- endif %}
),

regions as (
    select * from {{ ref('country_region_map') }}
),

bands as (
    select * from {{ ref('segment_bands') }}
),

users as (
    select * from {{ ref('int_users') }}
),

attributes as (
    select
        leads.lead_id,
        leads.created_at,
        coalesce(channels.channel, leads.lead_source, 'Unknown') as channel,
        first_touch.campaign_id,
        coalesce(accounts.industry, leads.industry, 'Unknown') as industry,
        coalesce(accounts.number_of_employees, leads.number_of_employees) as number_of_employees,
        coalesce(account_regions.region, lead_regions.region, 'Unknown') as region,
        leads.owner_id,
        users.team_name as owner_team,
        leads.converted_account_id,
        leads.converted_contact_id,
        leads.converted_opportunity_id
    from leads
    left join channels on leads.lead_source = channels.source_value
    left join first_touch on leads.lead_id = first_touch.lead_id and first_touch.touch_rank = 1
    left join accounts on leads.converted_account_id = accounts.account_id
    left join regions as account_regions on accounts.billing_country = account_regions.country
    left join regions as lead_regions on leads.country = lead_regions.country
    left join users on leads.owner_id = users.user_id
)

select
    attributes.*,
    coalesce(bands.size_band, 'Unknown') as size_band
from attributes
left join bands
    on
        attributes.number_of_employees >= bands.min_employees
        and (bands.max_employees is null or attributes.number_of_employees <= bands.max_employees)
