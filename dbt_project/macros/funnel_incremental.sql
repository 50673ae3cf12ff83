{#-
  Incremental funnel facts. fct_funnel_cohort and fct_funnel_period count leads per period, so a
  night that changes a few thousand leads only changes the periods those leads were or are in.
  - int_funnel_lead_days keeps, per lead, the company dates of its stages and its slice values as
    the facts last counted them. A night compares it with fct_lead_lifecycle: before replacing
    the rows of leads that changed (or left), its pre-hook records their old and new dates in
    audit.funnel_dirty_days. A full refresh records a NULL day: every period is dirty.
  - Each fact (incremental) deletes and recounts the periods (per grain) that contain a day
    recorded since its watermark, plus the periods that entered or left its range of dates (the
    zero-filled totals run from the first to the last dated lead). Its post-hook stores the newest
    recorded_at it has consumed.
  A full refresh gives the same tables (tests/test_incremental.py).
-#}

{% macro funnel_dirty_days() -%}
    audit.funnel_dirty_days
{%- endmacro %}

{#- The lead's stage dates and slice values the funnel facts count (from fct_lead_lifecycle). -#}
{% macro funnel_lead_days_select() -%}
    select
        lifecycle.lead_id,
        {%- for name, column in funnel_dimensions() %}
        lifecycle.{{ column }},
        {%- endfor %}
        {%- for stage in funnel_flow_stages() %}
        {{ company_date('lifecycle.' ~ stage ~ '_at') }} as {{ stage }}_date{{ "," if not loop.last }}
        {%- endfor %}
    from {{ ref('fct_lead_lifecycle') }} as lifecycle
{%- endmacro %}

{#- The columns int_funnel_lead_days compares: slice values and stage dates. -#}
{% macro funnel_lead_day_columns() -%}
    {%- set columns = [] -%}
    {%- for name, column in funnel_dimensions() -%}{%- do columns.append(column) -%}{%- endfor -%}
    {%- for stage in funnel_flow_stages() -%}{%- do columns.append(stage ~ '_date') -%}{%- endfor -%}
    {{ return(columns) }}
{%- endmacro %}

{% macro funnel_changed_leads() -%}
    audit.funnel_changed_leads
{%- endmacro %}

{#- pre-hook of int_funnel_lead_days: one full join of the stored rows with the current ones
    finds the leads that changed, appeared or left (with their old and new columns); their old
    and new days are recorded as dirty, their stored rows deleted (the model inserts the new). -#}
{% macro funnel_record_changed_leads() -%}
    {%- if is_incremental() -%}
    {%- set columns = funnel_lead_day_columns() -%}
    create schema if not exists audit;
    create table if not exists {{ funnel_dirty_days() }} (day date, recorded_at timestamp);
    drop table if exists {{ funnel_changed_leads() }};
    create table {{ funnel_changed_leads() }} as
    select
        coalesce(current_days.lead_id, stored.lead_id) as lead_id,
        {%- for column in columns %}
        current_days.{{ column }} as new_{{ column }},
        stored.{{ column }} as old_{{ column }}{{ "," if not loop.last }}
        {%- endfor %}
    from ({{ funnel_lead_days_select() }}) as current_days
    full outer join {{ this }} as stored on current_days.lead_id = stored.lead_id
    where
        current_days.lead_id is null
        or stored.lead_id is null
        {%- for column in columns %}
        or current_days.{{ column }} is distinct from stored.{{ column }}
        {%- endfor %};
    insert into {{ funnel_dirty_days() }} (day, recorded_at)
    select distinct changed_day, cast({{ dbt.current_timestamp() }} as {{ dbt.type_timestamp() }})
    from (
        {%- for stage in funnel_flow_stages() %}
        select new_{{ stage }}_date as changed_day from {{ funnel_changed_leads() }}
        union all
        select old_{{ stage }}_date as changed_day from {{ funnel_changed_leads() }}
        {{- " union all" if not loop.last }}
        {%- endfor %}
    ) as changed_days
    where changed_day is not null;
    delete from {{ this }} where lead_id in (select lead_id from {{ funnel_changed_leads() }})
    {%- else -%}
    select 1
    {%- endif -%}
{%- endmacro %}

{#- post-hook of int_funnel_lead_days: after a full refresh, the stored days of the facts say
    nothing any more; a NULL day marks every period dirty (and the old records can go). -#}
{% macro funnel_mark_all_dirty_after_full_refresh() -%}
    {%- if config.get('materialized') == 'incremental' and not is_incremental() -%}
    create schema if not exists audit;
    drop table if exists {{ funnel_dirty_days() }};
    create table {{ funnel_dirty_days() }} as
    select cast(null as date) as day, cast({{ dbt.current_timestamp() }} as {{ dbt.type_timestamp() }}) as recorded_at
    {%- else -%}
    select 1
    {%- endif -%}
{%- endmacro %}

{#- The config of a funnel fact counted over the dates of `stages`. -#}
{% macro funnel_fact_config(stages) -%}
    {{ return({
        'materialized': 'table' if target.type == 'spark' else 'incremental',
        'incremental_strategy': 'append',
        'on_schema_change': 'fail',
        'pre_hook': "{{ funnel_delete_periods(" ~ stages ~ ") }}",
        'post_hook': "{{ record_watermark([funnel_dirty_days()], 'recorded_at') }}",
    }) }}
{%- endmacro %}

{#- Every (grain, period_start) from the first to the last date of `stages` (the facts'
    zero-filled range). -#}
{% macro funnel_range_periods(stages, lead_days, calendar) -%}
    {%- set stage_dates = [] -%}
    {%- for stage in stages -%}{%- do stage_dates.append(stage ~ '_date') -%}{%- endfor -%}
    {#- Spark's least/greatest want two arguments or more. -#}
    {%- set earliest = stage_dates[0] if stage_dates | length == 1 else 'least(' ~ stage_dates | join(', ') ~ ')' -%}
    {%- set latest = stage_dates[0] if stage_dates | length == 1 else 'greatest(' ~ stage_dates | join(', ') ~ ')' -%}
    select distinct
        grains.grain,
        {{ period_start('grains.grain', 'range_calendar') }} as period_start
    from {{ calendar }} as range_calendar
    cross join ({{ values_relation('grain', funnel_grains()) }}) as grains
    where
        range_calendar.date_day >= (select min({{ earliest }}) from {{ lead_days }})
        and range_calendar.date_day <= (select max({{ latest }}) from {{ lead_days }})
{%- endmacro %}

{#- A stored period holds a day recorded since the watermark (any period, after a NULL day). -#}
{% macro funnel_period_is_dirty(period, calendar) -%}
    exists (
        select 1
        from {{ funnel_dirty_days() }} as dirty
        left join {{ calendar }} as dirty_calendar on dirty.day = dirty_calendar.date_day
        where
            dirty.recorded_at > {{ watermark() }}
            and (
                dirty.day is null
                or {{ period_start(period ~ '.grain', 'dirty_calendar') }} = {{ period }}.period_start
            )
    )
{%- endmacro %}

{#- Periods to recount: the whole range on a full build; on an incremental one the periods in
    range that are dirty or not stored yet. -#}
{% macro funnel_periods_to_count(stages, lead_days, calendar) -%}
    select in_range.grain, in_range.period_start
    from ({{ funnel_range_periods(stages, lead_days, calendar) }}) as in_range
    {%- if is_incremental() %}
    where
        {{ funnel_period_is_dirty('in_range', calendar) }}
        or not exists (
            select 1 from {{ this }} as stored
            where stored.grain = in_range.grain and stored.period_start = in_range.period_start
        )
    {%- endif %}
{%- endmacro %}

{#- pre-hook of a funnel fact: delete the dirty periods (recounted) and those that left its range. -#}
{% macro funnel_delete_periods(stages) -%}
    {%- if is_incremental() -%}
    {%- set calendar = ref('dim_date') -%}
    create schema if not exists audit;
    create table if not exists {{ incremental_state() }} (watermark timestamp);
    delete from {{ this }} as stored
    where
        {{ funnel_period_is_dirty('stored', calendar) }}
        or not exists (
            select 1 from ({{ funnel_range_periods(stages, ref('int_funnel_lead_days'), calendar) }}) as in_range
            where in_range.grain = stored.grain and in_range.period_start = stored.period_start
        )
    {%- else -%}
    select 1
    {%- endif -%}
{%- endmacro %}

{#- Each day of the periods in `counted_periods` (grain, period_start), with that grain and period:
    a day is in one period per grain. -#}
{% macro funnel_counted_days(counted_periods, calendar) -%}
    select
        {{ calendar }}.date_day,
        grains.grain,
        {{ period_start('grains.grain', calendar) }} as period_start
    from {{ calendar }}
    cross join ({{ values_relation('grain', funnel_grains()) }}) as grains
    inner join {{ counted_periods }}
        on
            grains.grain = {{ counted_periods }}.grain
            and {{ period_start('grains.grain', calendar) }} = {{ counted_periods }}.period_start
{%- endmacro %}
