-- Baseline for the pipeline benchmark: the daily open-pipeline snapshot
-- (fct_pipeline_snapshot_daily), hand-written for DuckDB and run directly from raw.* and the
-- seeds into baseline.fct_pipeline_snapshot_daily. The benchmark checks both tables are equal.
-- Placeholders filled by the benchmark: company_time_zone, reporting_currency, corporate_currency.

create schema if not exists baseline;

create or replace temp macro ts(x) as (try_cast(nullif(trim(x), '') as timestamptz) at time zone 'UTC');
create or replace temp macro dt(x) as coalesce(
    try_cast(nullif(trim(x), '') as date), cast(try_cast(nullif(trim(x), '') as timestamptz) at time zone 'UTC' as date));
create or replace temp macro flag(x) as (case
    when lower(trim(x)) in ('true', 't', '1', 'yes', 'y') then true
    when lower(trim(x)) in ('false', 'f', '0', 'no', 'n') then false end);
create or replace temp macro txt(x) as nullif(trim(x), '');
create or replace temp macro company_date(t) as cast((t at time zone 'UTC') at time zone '{company_time_zone}' as date);
create or replace temp macro record_key(x, batch, row_number) as
    case when coalesce(trim(x), '') = '' then '_row:' || batch || ':' || cast(row_number as varchar) else coalesce(trim(x), '') end;
create or replace temp macro deleted(is_deleted, fivetran_deleted) as
    (coalesce(flag(is_deleted), false) or coalesce(flag(fivetran_deleted), false));

create or replace temp table p_as_of as
select company_date(max(t)) as as_of_date from (
    select max(ts(last_modified_date)) as t from raw.opportunity
    union all select max(ts(last_modified_date)) from raw.lead
    union all select max(ts(created_date)) from raw.opportunity_history
);

create or replace temp table p_team as
with roles as (
    select txt(id) as role_id, txt(name) as role_name from raw.user_role
    qualify row_number() over (
        partition by record_key(id, _batch_id, _source_row)
        order by case when flag(_fivetran_active) = false then 1 else 0 end,
            coalesce(ts(system_modstamp), ts(last_modified_date), ts(_fivetran_synced)) desc nulls last,
            _loaded_at desc, _source_row desc) = 1
        and coalesce(flag(_fivetran_active), true) and not deleted(is_deleted, _fivetran_deleted)
)
select txt(u.id) as user_id, roles.role_name as team_name
from raw.user u left join roles on txt(u.user_role_id) = roles.role_id
qualify row_number() over (
    partition by record_key(u.id, u._batch_id, u._source_row)
    order by case when flag(u._fivetran_active) = false then 1 else 0 end,
        coalesce(ts(u.system_modstamp), ts(u.last_modified_date), ts(u._fivetran_synced)) desc nulls last,
        u._loaded_at desc, u._source_row desc) = 1
    and coalesce(flag(u._fivetran_active), true) and not deleted(u.is_deleted, u._fivetran_deleted);

-- Rates: the export's (the latest of a currency open-ended), seed fallback, corporate = 1.
create or replace temp table p_rates as
with exported as (
    select upper(txt(iso_code)) as iso_code, try_cast(txt(conversion_rate) as decimal(18, 9)) as rate,
        dt(start_date) as valid_from, dt(next_start_date) as next_start
    from raw.dated_conversion_rate
    qualify row_number() over (
        partition by record_key(id, _batch_id, _source_row)
        order by case when flag(_fivetran_active) = false then 1 else 0 end,
            coalesce(ts(system_modstamp), ts(last_modified_date), ts(_fivetran_synced)) desc nulls last,
            _loaded_at desc, _source_row desc) = 1
        and coalesce(flag(_fivetran_active), true) and not deleted(is_deleted, _fivetran_deleted)
),
usable as (
    select iso_code, rate, valid_from,
        case when row_number() over (partition by iso_code order by valid_from desc) = 1 then date '9999-12-31'
            else coalesce(next_start, date '9999-12-31') end as valid_to
    from exported where rate > 0 and valid_from is not null
)
select * from usable
union all
select upper(iso_code), cast(conversion_rate as decimal(18, 9)), cast(start_date as date),
    coalesce(cast(next_start_date as date), date '9999-12-31')
from staging.fx_rates_fallback
where upper(iso_code) not in (select iso_code from usable) and upper(iso_code) != '{corporate_currency}'
union all
select '{corporate_currency}', 1, date '1900-01-01', date '9999-12-31'
where '{corporate_currency}' not in (select iso_code from usable);

create or replace temp table p_opportunity as
select txt(o.id) as opportunity_id, txt(o.account_id) as account_id, txt(o.owner_id) as owner_id,
    t.team_name as owner_team, txt(o.currency_iso_code) as currency, txt(o.stage_name) as stage_name,
    try_cast(txt(o.amount) as decimal(18, 4)) as amount, try_cast(txt(o.probability) as decimal(9, 4)) as probability,
    dt(o.close_date) as close_date,
    coalesce(flag(o.is_closed), m.is_closed, false) as is_closed,
    coalesce(txt(o.forecast_category_name), m.forecast_category) as forecast_category,
    company_date(ts(o.created_date)) as created_date, o._loaded_at
from raw.opportunity o
left join staging.opportunity_stage_map m on txt(o.stage_name) = m.stage_name
left join p_team t on txt(o.owner_id) = t.user_id
qualify row_number() over (
    partition by record_key(o.id, o._batch_id, o._source_row)
    order by case when flag(o._fivetran_active) = false then 1 else 0 end,
        coalesce(ts(o.system_modstamp), ts(o.last_modified_date), ts(o._fivetran_synced)) desc nulls last,
        o._loaded_at desc, o._source_row desc) = 1
    and coalesce(flag(o._fivetran_active), true) and not deleted(o.is_deleted, o._fivetran_deleted);

create or replace temp table p_history as
select txt(h.opportunity_id) as opportunity_id, txt(h.id) as history_id, ts(h.created_date) as valid_from,
    company_date(ts(h.created_date)) as valid_day, txt(h.stage_name) as stage_name,
    try_cast(txt(h.amount) as decimal(18, 4)) as amount, try_cast(txt(h.probability) as decimal(9, 4)) as probability,
    dt(h.close_date) as close_date, h._loaded_at
from raw.opportunity_history h
qualify row_number() over (
    partition by record_key(h.id, h._batch_id, h._source_row)
    order by case when flag(h._fivetran_active) = false then 1 else 0 end,
        coalesce(ts(h.system_modstamp), ts(h.last_modified_date), ts(h._fivetran_synced)) desc nulls last,
        h._loaded_at desc, h._source_row desc) = 1
    and coalesce(flag(h._fivetran_active), true) and not deleted(h.is_deleted, h._fivetran_deleted)
    and ts(h.created_date) is not null
    and txt(h.opportunity_id) in (select opportunity_id from p_opportunity);

create or replace table baseline.fct_pipeline_snapshot_daily as
with states as (
    select opportunity_id, valid_day, stage_name, amount, probability, close_date
    from p_history
    qualify row_number() over (partition by opportunity_id, valid_day order by valid_from desc, history_id desc) = 1
    union all
    select opportunity_id, created_date, stage_name, amount, probability, close_date
    from p_opportunity
    where opportunity_id not in (select opportunity_id from p_history)
),
loaded as (select opportunity_id, max(_loaded_at) as loaded_at from p_history group by opportunity_id),
timed as (
    select s.*, coalesce(lead(s.valid_day) over (partition by s.opportunity_id order by s.valid_day),
        (select as_of_date from p_as_of) + 1) as next_day
    from states s
),
open_states as (
    select t.*, o.account_id, o.owner_id, o.owner_team, o.currency, o.created_date,
        coalesce(m.forecast_category, o.forecast_category) as forecast_category,
        cast(round(t.amount / rc.rate * rr.rate, 2) as decimal(18, 2)) as amount_reporting,
        greatest(o._loaded_at, coalesce(l.loaded_at, o._loaded_at)) as loaded_at
    from timed t
    join p_opportunity o using (opportunity_id)
    left join staging.opportunity_stage_map m on t.stage_name = m.stage_name
    left join loaded l using (opportunity_id)
    left join p_rates rc on o.currency = rc.iso_code and t.close_date >= rc.valid_from and t.close_date < rc.valid_to
    left join p_rates rr on rr.iso_code = '{reporting_currency}' and t.close_date >= rr.valid_from and t.close_date < rr.valid_to
    where not coalesce(m.is_closed, case when t.stage_name = o.stage_name then o.is_closed end, false)
)
-- One row per open day: each state expands to the days it covers, from the creation day on.
select cast(day as date) as snapshot_date, opportunity_id, account_id, owner_id, owner_team, stage_name,
    forecast_category, amount, currency, amount_reporting, probability,
    cast(amount_reporting * probability * 0.01 as decimal(18, 2)) as weighted_amount_reporting,
    close_date as expected_close_date, loaded_at as _loaded_through
from (
    select s.*, unnest(generate_series(
        greatest(s.valid_day, s.created_date)::timestamp,
        (least(s.next_day, (select as_of_date from p_as_of) + 1) - 1)::timestamp,
        interval 1 day)) as day
    from open_states s
    where greatest(s.valid_day, s.created_date) < least(s.next_day, (select as_of_date from p_as_of) + 1)
);
