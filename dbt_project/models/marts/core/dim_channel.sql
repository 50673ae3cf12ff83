-- Channels: the normalized vocabulary of seeds/channel_map.csv plus any LeadSource value
-- seen in the data that the map does not know (kept as its own channel, group 'Unmapped').

with

mapped as (
    select
        channel,
        min(channel_group) as channel_group,
        {{ dbt.bool_or('is_paid') }} as is_paid
    from {{ ref('channel_map') }}
    group by channel
),

observed as (
    select distinct channel
    from {{ ref('int_lead_dimensions') }}
)

select
    channel,
    channel_group,
    is_paid
from mapped

union all

select
    observed.channel,
    case when observed.channel = 'Unknown' then 'Unknown' else 'Unmapped' end as channel_group,
    false as is_paid
from observed
where not exists (
    select 1 from mapped
    where mapped.channel = observed.channel
)
