-- Campaigns with their channel (Campaign.Type through seeds/channel_map.csv).

with

campaigns as (
    select * from {{ ref('stg_salesforce__campaign') }}
    where not is_deleted
),

channels as (
    select
        source_value,
        channel
    from {{ ref('channel_map') }}
    where source_field = 'Campaign.Type'
)

select
    campaigns.campaign_id,
    campaigns.campaign_name,
    campaigns.campaign_type,
    coalesce(channels.channel, campaigns.campaign_type, 'Unknown') as channel,
    campaigns.campaign_status,
    campaigns.start_date,
    campaigns.end_date,
    campaigns.budgeted_cost,
    campaigns.actual_cost,
    campaigns.owner_id,
    campaigns.parent_campaign_id
from campaigns
left join channels on campaigns.campaign_type = channels.source_value
