-- Baseline for the lifecycle + funnel benchmark: the same results as the dbt models
-- (fct_lead_lifecycle, fct_funnel_cohort, fct_funnel_period, fct_lead_handoff,
-- fct_lead_handoff_weekly), hand-written for DuckDB and run directly from raw.* and the seeds,
-- into schema `baseline`. Only the columns the funnel needs are staged. The benchmark checks
-- that every table equals its dbt twin.
-- Placeholders filled by the benchmark: company_time_zone, handoff_sla_hours.

create schema if not exists baseline;

create or replace temp macro ts(x) as (try_cast(nullif(trim(x), '') as timestamptz) at time zone 'UTC');
create or replace temp macro dt(x) as coalesce(
    try_cast(nullif(trim(x), '') as date), cast(try_cast(nullif(trim(x), '') as timestamptz) at time zone 'UTC' as date));
create or replace temp macro flag(x) as (case
    when lower(trim(x)) in ('true', 't', '1', 'yes', 'y') then true
    when lower(trim(x)) in ('false', 'f', '0', 'no', 'n') then false end);
create or replace temp macro txt(x) as nullif(trim(x), '');
create or replace temp macro company_date(t) as cast((t at time zone 'UTC') at time zone '{company_time_zone}' as date);
create or replace temp macro day_start(d) as ((cast(d as timestamp) at time zone '{company_time_zone}') at time zone 'UTC');
create or replace temp macro record_key(x, batch, row_number) as
    case when coalesce(trim(x), '') = '' then '_row:' || batch || ':' || cast(row_number as varchar) else coalesce(trim(x), '') end;
create or replace temp macro deleted(is_deleted, fivetran_deleted) as
    (coalesce(flag(is_deleted), false) or coalesce(flag(fivetran_deleted), false));

-- Latest version of each record (the staging rule), only the columns used below.
create or replace temp table s_lead as
select txt(id) as lead_id, ts(created_date) as created_at, txt(status) as status, txt(owner_id) as owner_id,
    txt(lead_source) as lead_source, txt(industry) as industry,
    try_cast(try_cast(txt(number_of_employees) as double) as bigint) as employees, txt(country) as country,
    dt(converted_date) as converted_date, txt(converted_account_id) as converted_account_id,
    txt(converted_contact_id) as converted_contact_id, txt(converted_opportunity_id) as converted_opportunity_id,
    txt(created_by_id) as created_by_id
from raw.lead
-- The latest version is chosen among all versions; a deletion is a version.
qualify row_number() over (
    partition by record_key(id, _batch_id, _source_row)
    order by case when flag(_fivetran_active) = false then 1 else 0 end,
        coalesce(ts(system_modstamp), ts(last_modified_date), ts(_fivetran_synced)) desc nulls last,
        _loaded_at desc, _source_row desc) = 1
    and coalesce(flag(_fivetran_active), true)
    and not deleted(is_deleted, _fivetran_deleted);

create or replace temp table s_history as
select txt(lead_id) as lead_id, txt(id) as history_id, txt(new_value) as new_value, ts(created_date) as changed_at,
    txt(created_by_id) as changed_by_id
from raw.lead_history
qualify row_number() over (
    partition by record_key(id, _batch_id, _source_row)
    order by case when flag(_fivetran_active) = false then 1 else 0 end,
        coalesce(ts(system_modstamp), ts(last_modified_date), ts(_fivetran_synced)) desc nulls last,
        _loaded_at desc, _source_row desc) = 1
    and coalesce(flag(_fivetran_active), true)
    and not deleted(is_deleted, _fivetran_deleted)
    and txt(field) = 'Status';

create or replace temp table s_opportunity as
select txt(id) as opportunity_id, flag(is_won) as is_won, flag(is_closed) as is_closed, dt(close_date) as close_date,
    txt(stage_name) as stage_name, txt(owner_id) as owner_id
from raw.opportunity
qualify row_number() over (
    partition by record_key(id, _batch_id, _source_row)
    order by case when flag(_fivetran_active) = false then 1 else 0 end,
        coalesce(ts(system_modstamp), ts(last_modified_date), ts(_fivetran_synced)) desc nulls last,
        _loaded_at desc, _source_row desc) = 1
    and coalesce(flag(_fivetran_active), true)
    and not deleted(is_deleted, _fivetran_deleted);

create or replace temp table s_account as
select txt(id) as account_id, txt(industry) as industry,
    try_cast(try_cast(txt(number_of_employees) as double) as bigint) as employees, txt(billing_country) as country
from raw.account
qualify row_number() over (
    partition by record_key(id, _batch_id, _source_row)
    order by case when flag(_fivetran_active) = false then 1 else 0 end,
        coalesce(ts(system_modstamp), ts(last_modified_date), ts(_fivetran_synced)) desc nulls last,
        _loaded_at desc, _source_row desc) = 1
    and coalesce(flag(_fivetran_active), true)
    and not deleted(is_deleted, _fivetran_deleted);

create or replace temp table s_first_touch as
select txt(lead_id) as lead_id, arg_min(txt(campaign_id), (ts(created_date), txt(id))) as campaign_id
from (
    select * from raw.campaign_member
    qualify row_number() over (
        partition by record_key(id, _batch_id, _source_row)
        order by case when flag(_fivetran_active) = false then 1 else 0 end,
            coalesce(ts(system_modstamp), ts(last_modified_date), ts(_fivetran_synced)) desc nulls last,
            _loaded_at desc, _source_row desc) = 1
        and coalesce(flag(_fivetran_active), true)
        and not deleted(is_deleted, _fivetran_deleted)
)
where txt(lead_id) is not null
group by txt(lead_id);

-- Users: team = role, function from the role_function_map seed (first matching rule).
create or replace temp table s_user as
with users as (
    select txt(id) as user_id, txt(user_role_id) as role_id, lower(txt(title)) as title, lower(txt(department)) as department
    from raw.user
    qualify row_number() over (
        partition by record_key(id, _batch_id, _source_row)
        order by case when flag(_fivetran_active) = false then 1 else 0 end,
            coalesce(ts(system_modstamp), ts(last_modified_date), ts(_fivetran_synced)) desc nulls last,
            _loaded_at desc, _source_row desc) = 1
        and coalesce(flag(_fivetran_active), true)
        and not deleted(is_deleted, _fivetran_deleted)
),
roles as (
    select txt(id) as role_id, txt(name) as role_name
    from raw.user_role
    qualify row_number() over (
        partition by record_key(id, _batch_id, _source_row)
        order by case when flag(_fivetran_active) = false then 1 else 0 end,
            coalesce(ts(system_modstamp), ts(last_modified_date), ts(_fivetran_synced)) desc nulls last,
            _loaded_at desc, _source_row desc) = 1
        and coalesce(flag(_fivetran_active), true)
        and not deleted(is_deleted, _fivetran_deleted)
)
select users.user_id, roles.role_name as team_name,
    coalesce(arg_min(rules.is_sales_role, (rules.priority, rules.pattern)), false) as is_sales_role
from users
left join roles using (role_id)
left join staging.role_function_map as rules
    on (rules.field = 'role' and lower(roles.role_name) like rules.pattern)
    or (rules.field = 'title' and users.title like rules.pattern)
    or (rules.field = 'department' and users.department like rules.pattern)
group by users.user_id, roles.role_name;

-- Stage entries, first entries, waterfall.
create or replace temp table b_events as
with stage_map as (
    select source_value, stage from staging.lifecycle_stage_map
    where source_system = 'salesforce' and source_field = 'Lead.Status'
),
history as (
    select h.* from s_history h semi join s_lead l on h.lead_id = l.lead_id
)
select lead_id, 'lead' as stage, created_at as entered_at, 'created' as event_source from s_lead
union all
select h.lead_id, coalesce(m.stage, 'unmapped'), h.changed_at, 'lead_history'
from history h left join stage_map m on h.new_value = m.source_value
union all
select l.lead_id, coalesce(m.stage, 'unmapped'), l.created_at, 'current_status'
from s_lead l left join stage_map m on l.status = m.source_value
where l.status is not null and l.lead_id not in (select lead_id from history)
union all
select lead_id, 'opportunity', day_start(converted_date), 'conversion' from s_lead where converted_date is not null
union all
select l.lead_id, case when o.is_won then 'won' else 'lost' end, day_start(o.close_date), 'opportunity_outcome'
from s_lead l join s_opportunity o on l.converted_opportunity_id = o.opportunity_id
where o.is_closed and o.close_date is not null;

create or replace table baseline.fct_lead_lifecycle as
with events as (
    select *, case stage when 'lead' then 1 when 'mql' then 2 when 'sal' then 3 when 'sql' then 4
        when 'opportunity' then 5 when 'won' then 6 end as stage_order
    from b_events where entered_at is not null
),
firsts as (
    select lead_id,
        min(entered_at) filter (where event_source = 'created') as created_at,
        min(entered_at) filter (where stage = 'lead') as first_lead,
        min(entered_at) filter (where stage = 'mql') as first_mql,
        min(entered_at) filter (where stage = 'sal') as first_sal,
        min(entered_at) filter (where stage = 'sql') as first_sql,
        coalesce(min(entered_at) filter (where stage = 'opportunity' and event_source != 'conversion'),
                 min(entered_at) filter (where stage = 'opportunity')) as first_opportunity,
        min(entered_at) filter (where stage = 'won') as won_at,
        min(entered_at) filter (where stage = 'lost') as lost_at,
        min(entered_at) filter (where stage = 'disqualified') as disqualified_at,
        min(company_date(entered_at)) as first_day,
        count(*) filter (where stage = 'unmapped') as unmapped
    from events group by lead_id
),
ordered as (
    select lead_id, stage,
        lag(stage) over (partition by lead_id order by entered_at, stage_order) as previous_stage,
        row_number() over (partition by lead_id order by entered_at desc, coalesce(stage_order, 0) desc, event_source desc) as recency
    from events where event_source != 'created'
),
recycles as (
    select lead_id,
        count(*) filter (where previous_stage = 'disqualified' and stage in ('mql', 'sal', 'sql', 'opportunity')) as recycled,
        max(stage) filter (where recency = 1) as latest_stage
    from ordered group by lead_id
),
filled as (
    select f.*, r.recycled, r.latest_stage,
        least(f.first_opportunity, f.won_at) as opportunity_at,
        least(f.first_sql, f.first_opportunity, f.won_at) as sql_at,
        least(f.first_sal, f.first_sql, f.first_opportunity, f.won_at) as sal_at,
        least(f.first_mql, f.first_sal, f.first_sql, f.first_opportunity, f.won_at) as mql_at,
        least(f.first_lead, f.first_mql, f.first_sal, f.first_sql, f.first_opportunity, f.won_at) as lead_at
    from firsts f left join recycles r using (lead_id)
),
dims as (
    select l.lead_id,
        coalesce(c.channel, l.lead_source, 'Unknown') as channel,
        t.campaign_id,
        coalesce(a.industry, l.industry, 'Unknown') as industry,
        coalesce(a.employees, l.employees) as employees,
        coalesce(ar.region, lr.region, 'Unknown') as region,
        l.owner_id, u.team_name as owner_team,
        l.converted_opportunity_id, l.converted_account_id, l.converted_contact_id
    from s_lead l
    left join staging.channel_map c on c.source_field = 'Lead.LeadSource' and l.lead_source = c.source_value
    left join s_first_touch t on l.lead_id = t.lead_id
    left join s_account a on l.converted_account_id = a.account_id
    left join staging.country_region_map ar on a.country = ar.country
    left join staging.country_region_map lr on l.country = lr.country
    left join s_user u on l.owner_id = u.user_id
)
select
    l.lead_id, l.created_at, f.lead_at, f.mql_at, f.sal_at, f.sql_at, f.opportunity_at, f.won_at, f.lost_at,
    f.disqualified_at, company_date(f.lead_at) as lead_date, company_date(f.mql_at) as mql_date,
    company_date(f.sal_at) as sal_date, company_date(f.sql_at) as sql_date,
    company_date(f.opportunity_at) as opportunity_date, company_date(f.won_at) as won_date,
    coalesce(f.latest_stage, 'lead') as current_stage,
    coalesce(f.first_mql is null and f.mql_at is not null, false) as skipped_mql,
    coalesce(f.first_sal is null and f.sal_at is not null, false) as skipped_sal,
    coalesce(f.first_sql is null and f.sql_at is not null, false) as skipped_sql,
    coalesce(f.first_opportunity is null and f.opportunity_at is not null, false) as skipped_opportunity,
    coalesce(f.recycled, 0) as recycled_count,
    coalesce(f.first_day < company_date(f.created_at), false) as has_events_before_created,
    coalesce(f.unmapped, 0) > 0 as has_unmapped_status,
    d.channel, d.campaign_id, d.industry, coalesce(b.size_band, 'Unknown') as segment, d.region,
    d.owner_id, d.owner_team, d.converted_opportunity_id, d.converted_account_id, d.converted_contact_id,
    date_diff('day', company_date(f.lead_at), company_date(f.mql_at)) as days_lead_to_mql,
    date_diff('day', company_date(f.mql_at), company_date(f.sal_at)) as days_mql_to_sal,
    date_diff('day', company_date(f.sal_at), company_date(f.sql_at)) as days_sal_to_sql,
    date_diff('day', company_date(f.sql_at), company_date(f.opportunity_at)) as days_sql_to_opportunity,
    date_diff('day', company_date(f.opportunity_at), company_date(f.won_at)) as days_opportunity_to_won,
    date_diff('day', company_date(f.mql_at), company_date(f.won_at)) as days_mql_to_won
from s_lead l
left join filled f using (lead_id)
left join dims d using (lead_id)
left join staging.segment_bands b
    on d.employees >= b.min_employees and (b.max_employees is null or d.employees <= b.max_employees);

-- Calendar periods of every day (week, month, fiscal quarter).
create or replace temp table b_periods as
with settings as (
    select cast(value as integer) as start_month from staging.fiscal_calendar_settings where setting = 'fiscal_year_start_month'
),
days as (
    select cast(d as date) as day from generate_series(
        (select cast(date_trunc('year', min(created_at)) as date) - interval 1 year from baseline.fct_lead_lifecycle),
        (select cast(date_trunc('year', max(created_at)) as date) + interval 2 year from baseline.fct_lead_lifecycle),
        interval 1 day) as g(d)
)
select day, g.grain,
    case g.grain
        when 'week' then cast(date_trunc('week', day) as date)
        when 'month' then cast(date_trunc('month', day) as date)
        else cast(date_trunc('month', day) - to_months((month(day) - settings.start_month + 12) % 3) as date)
    end as period_start
from days, settings, (values ('week'), ('month'), ('quarter')) as g(grain);

create or replace table baseline.fct_funnel_cohort as
with pairs(from_stage, to_stage) as (values
    ('lead', 'mql'), ('mql', 'sal'), ('sal', 'sql'), ('sql', 'opportunity'), ('opportunity', 'won'),
    ('mql', 'sql'), ('sql', 'won'), ('mql', 'won'), ('lead', 'won')),
members as (
    select p.from_stage, p.to_stage, l.channel, l.campaign_id, l.segment, l.region, l.owner_id, l.owner_team,
        company_date(case p.from_stage when 'lead' then lead_at when 'mql' then mql_at when 'sal' then sal_at
            when 'sql' then sql_at when 'opportunity' then opportunity_at end) as cohort_day,
        company_date(case p.to_stage when 'mql' then mql_at when 'sal' then sal_at when 'sql' then sql_at
            when 'opportunity' then opportunity_at when 'won' then won_at end) as converted_day
    from baseline.fct_lead_lifecycle l, pairs p
),
-- Counted per cohort day, slice and conversion time first (the dbt model does the same: lead-level
-- grouping sets with a median per group spill tens of GB at 10M leads); medians from the histogram.
daily as (
    select from_stage, to_stage, cohort_day,
        case when converted_day is not null then date_diff('day', cohort_day, converted_day) end as days,
        case when grouping(channel) = 0 then 'channel' when grouping(campaign_id) = 0 then 'campaign'
            when grouping(segment) = 0 then 'segment' when grouping(region) = 0 then 'region'
            when grouping(owner_id) = 0 then 'owner' when grouping(owner_team) = 0 then 'team' else 'all' end as dimension,
        coalesce(case when grouping(channel) = 0 then channel when grouping(campaign_id) = 0 then campaign_id
            when grouping(segment) = 0 then segment when grouping(region) = 0 then region
            when grouping(owner_id) = 0 then owner_id when grouping(owner_team) = 0 then owner_team else 'all' end, '(none)')
            as dimension_value,
        count(*) as leads
    from members where cohort_day is not null
    group by grouping sets (
        (from_stage, to_stage, cohort_day, days), (from_stage, to_stage, cohort_day, days, channel),
        (from_stage, to_stage, cohort_day, days, campaign_id), (from_stage, to_stage, cohort_day, days, segment),
        (from_stage, to_stage, cohort_day, days, region), (from_stage, to_stage, cohort_day, days, owner_id),
        (from_stage, to_stage, cohort_day, days, owner_team))
),
histogram as (
    select pr.grain, pr.period_start, from_stage, to_stage, dimension, dimension_value, days, sum(leads) as leads
    from daily join b_periods pr on pr.day = daily.cohort_day
    group by all
),
ranked as (
    select *, sum(leads) over (w order by days) as up_to, sum(leads) over w as n
    from histogram where days is not null
    window w as (partition by grain, period_start, from_stage, to_stage, dimension, dimension_value)
),
medians as (
    select grain, period_start, from_stage, to_stage, dimension, dimension_value,
        (min(days) filter (where up_to >= (n + 1) // 2) + min(days) filter (where up_to >= n // 2 + 1)) / 2 as median_days
    from ranked group by all
),
aggregated as (
    select h.grain, h.period_start, h.from_stage, h.to_stage, h.dimension, h.dimension_value,
        sum(h.leads)::bigint as entered, coalesce(sum(h.leads) filter (where h.days is not null), 0)::bigint as converted,
        any_value(m.median_days) as median_days,
        sum(h.days * h.leads) / sum(h.leads) filter (where h.days is not null) as avg_days
    from histogram h left join medians m using (grain, period_start, from_stage, to_stage, dimension, dimension_value)
    group by all
),
spine as (
    select distinct pr.grain, pr.period_start, p.from_stage, p.to_stage
    from b_periods pr, pairs p
    where pr.day between (select min(cohort_day) from daily) and (select max(cohort_day) from daily)
)
select s.grain, s.period_start, s.from_stage, s.to_stage, 'all' as dimension, 'all' as dimension_value,
    coalesce(a.entered, 0) as entered, coalesce(a.converted, 0) as converted,
    a.converted / nullif(a.entered, 0) as conversion_rate, a.median_days, a.avg_days
from spine s left join aggregated a
    on a.dimension = 'all' and (a.grain, a.period_start, a.from_stage, a.to_stage) = (s.grain, s.period_start, s.from_stage, s.to_stage)
union all
select grain, period_start, from_stage, to_stage, dimension, dimension_value, entered, converted,
    converted / nullif(entered, 0), median_days, avg_days
from aggregated where dimension != 'all';

create or replace table baseline.fct_funnel_period as
with stages(stage) as (values ('lead'), ('mql'), ('sal'), ('sql'), ('opportunity'), ('won'), ('lost'), ('disqualified')),
entries as (
    select s.stage, l.channel, l.campaign_id, l.segment, l.region, l.owner_id, l.owner_team,
        company_date(case s.stage when 'lead' then lead_at when 'mql' then mql_at when 'sal' then sal_at
            when 'sql' then sql_at when 'opportunity' then opportunity_at when 'won' then won_at
            when 'lost' then lost_at when 'disqualified' then disqualified_at end) as entry_day
    from baseline.fct_lead_lifecycle l, stages s
),
daily as (
    select e.stage, e.entry_day,
        case when grouping(channel) = 0 then 'channel' when grouping(campaign_id) = 0 then 'campaign'
            when grouping(segment) = 0 then 'segment' when grouping(region) = 0 then 'region'
            when grouping(owner_id) = 0 then 'owner' when grouping(owner_team) = 0 then 'team' else 'all' end as dimension,
        coalesce(case when grouping(channel) = 0 then channel when grouping(campaign_id) = 0 then campaign_id
            when grouping(segment) = 0 then segment when grouping(region) = 0 then region
            when grouping(owner_id) = 0 then owner_id when grouping(owner_team) = 0 then owner_team else 'all' end, '(none)')
            as dimension_value,
        count(*) as entries
    from entries e where e.entry_day is not null
    group by grouping sets ((e.stage, e.entry_day), (e.stage, e.entry_day, channel),
        (e.stage, e.entry_day, campaign_id), (e.stage, e.entry_day, segment),
        (e.stage, e.entry_day, region), (e.stage, e.entry_day, owner_id),
        (e.stage, e.entry_day, owner_team))
),
aggregated as (
    select pr.grain, pr.period_start, d.stage, d.dimension, d.dimension_value, sum(d.entries)::bigint as entries
    from daily d join b_periods pr on pr.day = d.entry_day
    group by all
),
spine as (
    select distinct pr.grain, pr.period_start, s.stage
    from b_periods pr, stages s
    where pr.day between (select min(entry_day) from entries) and (select max(entry_day) from entries)
)
select s.grain, s.period_start, s.stage, 'all' as dimension, 'all' as dimension_value, coalesce(a.entries, 0) as entries
from spine s left join aggregated a
    on a.dimension = 'all' and (a.grain, a.period_start, a.stage) = (s.grain, s.period_start, s.stage)
union all
select grain, period_start, stage, dimension, dimension_value, entries from aggregated where dimension != 'all';

-- Speed to lead.
create or replace temp table b_touches as
with tasks as (
    select txt(id) as activity_id, txt(who_id) as who_id, txt(owner_id) as owner_id,
        case when lower(txt(type)) = 'call' or lower(txt(task_subtype)) = 'call' then 'call'
            when lower(txt(type)) = 'email' or lower(txt(task_subtype)) = 'email' then 'email'
            when lower(txt(type)) in ('meeting', 'demo') then 'meeting' else 'other' end as activity_type,
        coalesce(ts(completed_date_time), ts(created_date), day_start(dt(activity_date))) as occurred_at
    from raw.task
    qualify row_number() over (
        partition by record_key(id, _batch_id, _source_row)
        order by case when flag(_fivetran_active) = false then 1 else 0 end,
            coalesce(ts(system_modstamp), ts(last_modified_date), ts(_fivetran_synced)) desc nulls last,
            _loaded_at desc, _source_row desc) = 1
        and coalesce(flag(_fivetran_active), true)
        and not deleted(is_deleted, _fivetran_deleted)
),
events as (
    select txt(id) as activity_id, txt(who_id) as who_id, txt(owner_id) as owner_id,
        case when lower(txt(type)) in ('meeting', 'demo', 'call') then 'meeting'
            when lower(txt(type)) in ('internal', 'admin', 'training') then 'internal' else 'other' end as activity_type,
        coalesce(ts(start_date_time), ts(activity_date_time), ts(created_date), day_start(dt(activity_date))) as occurred_at
    from raw.event
    qualify row_number() over (
        partition by record_key(id, _batch_id, _source_row)
        order by case when flag(_fivetran_active) = false then 1 else 0 end,
            coalesce(ts(system_modstamp), ts(last_modified_date), ts(_fivetran_synced)) desc nulls last,
            _loaded_at desc, _source_row desc) = 1
        and coalesce(flag(_fivetran_active), true)
        and not deleted(is_deleted, _fivetran_deleted)
)
select a.*, u.team_name
from (select * from tasks union all select * from events) a
join s_user u on a.owner_id = u.user_id
where u.is_sales_role and a.who_id is not null;

create or replace table baseline.fct_lead_handoff as
with mqls as (
    select lead_id, mql_at, sal_at, converted_contact_id, channel, segment, region, owner_id, owner_team
    from baseline.fct_lead_lifecycle where mql_at is not null
),
candidates as (
    select m.lead_id, t.* from mqls m join b_touches t on t.who_id = m.lead_id and t.occurred_at >= m.mql_at
    union all
    select m.lead_id, t.* from mqls m join b_touches t on t.who_id = m.converted_contact_id and t.occurred_at >= m.mql_at
),
first_touch as (
    select * from candidates qualify row_number() over (partition by lead_id order by occurred_at, activity_id) = 1
)
select m.lead_id, m.mql_at, company_date(m.mql_at) as mql_date, f.occurred_at as first_touch_at, f.activity_id as first_touch_activity_id,
    f.activity_type as first_touch_type, f.owner_id as first_touch_user_id, f.team_name as first_touch_team, m.sal_at,
    case when f.occurred_at is not null then 'first_touch' when m.sal_at is not null then 'sal_fallback' else 'none' end
        as handoff_source,
    coalesce(f.occurred_at, m.sal_at) as handoff_at,
    date_diff('second', m.mql_at, coalesce(f.occurred_at, m.sal_at)) as handoff_seconds,
    date_diff('second', m.mql_at, coalesce(f.occurred_at, m.sal_at)) / 3600.0 as handoff_hours,
    coalesce(date_diff('second', m.mql_at, coalesce(f.occurred_at, m.sal_at)) <= {handoff_sla_hours} * 3600, false) as met_sla,
    m.channel, m.segment, m.region, m.owner_id, m.owner_team
from mqls m left join first_touch f using (lead_id);

create or replace table baseline.fct_lead_handoff_weekly as
select cast(date_trunc('week', company_date(mql_at)) as date) as week_start, coalesce(owner_team, '(none)') as owner_team,
    count(*) as mqls, count(first_touch_at) as touched, count(handoff_at) as handed_off,
    count(*) filter (where met_sla) as met_sla, (count(*) filter (where met_sla)) / count(*) as sla_rate,
    median(handoff_hours) as median_handoff_hours,
    sum(handoff_seconds) / count(handoff_seconds) / 3600.0 as avg_handoff_hours
from baseline.fct_lead_handoff
group by all;
