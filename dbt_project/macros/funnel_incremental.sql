{#-
  Incremental funnel facts. fct_funnel_cohort and fct_funnel_period count leads per period, so a
  night that changes a few thousand leads only changes the rows those leads were or are counted in.
  - int_funnel_lead_days keeps, per lead, the company dates of its stages and its slice values as
    the facts last counted them. A night compares it with fct_lead_lifecycle on the leads the
    night's changes reach (int_lead_changes, as the lifecycle's own incremental set) and logs each
    changed lead's old row (sign -1) and new row (+1) in audit.funnel_lead_day_changes. A full
    refresh restarts the log with a row without a lead: every consumer recounts in full.
  - Counts are additive, so the consumers add up the logged deltas since their own watermark:
    fct_funnel_period its period volumes (grain, period, stage, slice); int_funnel_cohort_histogram
    its conversion-time histogram, logging the slices it changed (audit.funnel_cohort_changed_slices;
    a row without keys after a rebuild: all). fct_funnel_cohort deletes and recounts those slices
    from the histogram: a lead converting tonight recounts the slices of its year-old cohort, not
    the whole period with every owner.
  - Both facts also zero-fill the totals of the periods that entered their range of dates and
    delete those that left it (the range runs from the first to the last dated lead).
  A full refresh gives the same tables (tests/test_incremental.py).
-#}

{#- What a fact counts per period: 'cohort' a stage pair (from_stage, to_stage), 'period' a stage. -#}
{% macro funnel_unit_columns(kind) -%}
    {{ return(['from_stage', 'to_stage'] if kind == 'cohort' else ['stage']) }}
{%- endmacro %}

{% macro funnel_units(kind) -%}
    {%- if kind == 'cohort' -%}
    {%- for from_stage, to_stage in funnel_stage_pairs() %}
    select
        '{{ from_stage }}' as from_stage,
        '{{ to_stage }}' as to_stage
    {{- " union all" if not loop.last }}
    {%- endfor %}
    {%- else -%}
    {{ values_relation('stage', funnel_flow_stages()) }}
    {%- endif -%}
{%- endmacro %}

{#- The lead's stage dates and slice values the funnel facts count (from fct_lead_lifecycle), of
    the leads `keys` selects on an incremental run. The filter sits in the select itself: outside
    it DuckDB converted every lead's stage times to the company time zone before the semi join
    (2M leads: 1.0 s vs 0.2 s for 20k changed). -#}
{% macro funnel_lead_days_select(keys) -%}
    select
        lifecycle.lead_id,
        {%- for name, column in funnel_dimensions() %}
        lifecycle.{{ column }},
        {%- endfor %}
        {%- for stage in funnel_flow_stages() %}
        {{ company_date('lifecycle.' ~ stage ~ '_at') }} as {{ stage }}_date{{ "," if not loop.last }}
        {%- endfor %}
    from {{ changed_rows(ref('fct_lead_lifecycle'), 'lead_id', keys) }} as lifecycle
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

{#- pre-hook of int_funnel_lead_days: a full join of the stored rows with the current ones, of the
    leads the night's changes reach, finds the leads that changed, appeared or left (with their
    old and new columns); their old and new rows are logged, their stored rows deleted (the model
    inserts the new). -#}
{% macro funnel_record_changed_leads() -%}
    {%- if is_incremental() -%}
    {%- set columns = funnel_lead_day_columns() -%}
    {{ create_incremental_state() }};
    drop table if exists {{ funnel_changed_leads() }};
    create table {{ funnel_changed_leads() }} as
    with candidates as (
        {{ logged_lead_attributes() }}
    )
    select
        coalesce(current_days.lead_id, stored.lead_id) as lead_id,
        stored.lead_id is not null as was_counted,
        current_days.lead_id is not null as is_counted,
        {%- for column in columns %}
        current_days.{{ column }} as new_{{ column }},
        stored.{{ column }} as old_{{ column }}{{ "," if not loop.last }}
        {%- endfor %}
    from (
        {{ funnel_lead_days_select('select candidates.lead_id from candidates') }}
    ) as current_days
    full outer join {{ changed_rows(this, 'lead_id', 'select candidates.lead_id from candidates') }} as stored
        on current_days.lead_id = stored.lead_id
    where
        current_days.lead_id is null
        or stored.lead_id is null
        {%- for column in columns %}
        or current_days.{{ column }} is distinct from stored.{{ column }}
        {%- endfor %};
    {{ funnel_log_lead_day_changes() }};
    {%- endif %}
    {#- The changed leads' rows go; their keys are logged for the tests that read only those. #}
    {{ delete_changed_keys('lead_id', 'select lead_id from ' ~ funnel_changed_leads()) }}
{%- endmacro %}

{#- post-hook of int_funnel_lead_days after a full refresh: the log of changes starts over, so
    its consumers recount in full. -#}
{% macro funnel_restart_log_after_full_refresh() -%}
    {%- if config.get('materialized') == 'incremental' and not is_incremental() -%}
    {{ funnel_restart_lead_day_changes() }}
    {%- else -%}
    select 1
    {%- endif -%}
{%- endmacro %}

{#- The config of a funnel model kept by its hooks (a table on Spark, whose Parquet tables cannot
    delete rows): `pre_hook` applies a night's changes, `post_hook` stores its watermark. -#}
{% macro funnel_incremental_config(pre_hook, post_hook) -%}
    {{ return({
        'materialized': 'table' if target.type == 'spark' else 'incremental',
        'incremental_strategy': 'append',
        'on_schema_change': 'fail',
        'pre_hook': ["{{ funnel_planner_settings() }}", pre_hook],
        'post_hook': post_hook,
    }) }}
{%- endmacro %}

{#- Every (grain, period_start) from the first to the last date of `stages` (the facts'
    zero-filled range), from the stages' spans (`date_span`: int_funnel_date_span). -#}
{% macro funnel_range_periods(stages, date_span, calendar) -%}
    {%- set firsts = [] -%}
    {%- set lasts = [] -%}
    {%- for stage in stages -%}
    {%- do firsts.append('span.first_' ~ stage ~ '_date') -%}
    {%- do lasts.append('span.last_' ~ stage ~ '_date') -%}
    {%- endfor %}
    {#- Spark's least/greatest want two arguments or more; all three skip NULLs. -#}
    select distinct
        grains.grain,
        {{ period_start('grains.grain', 'range_calendar') }} as period_start
    from {{ calendar }} as range_calendar
    cross join ({{ values_relation('grain', funnel_grains()) }}) as grains
    cross join {{ date_span }} as span
    where
        range_calendar.date_day >= {{ firsts[0] if firsts | length == 1 else 'least(' ~ firsts | join(', ') ~ ')' }}
        and range_calendar.date_day <= {{ lasts[0] if lasts | length == 1 else 'greatest(' ~ lasts | join(', ') ~ ')' }}
{%- endmacro %}

{#- Units to count in full: the whole range (`periods_in_range`) on a full build; on an
    incremental one the units in range not stored yet. (The cohort fact recounts its changed
    slices on top: funnel_changed_slices_to_count.) -#}
{% macro funnel_units_to_count(kind, periods_in_range) -%}
    {%- set unit_columns = funnel_unit_columns(kind) -%}
    select in_range.grain, in_range.period_start, units.{{ unit_columns | join(', units.') }}
    from {{ periods_in_range }} as in_range
    cross join ({{ funnel_units(kind) }}) as units
    {%- if is_incremental() %}
    where
        not exists (
            select 1 from {{ this }} as stored
            where
                stored.grain = in_range.grain
                and stored.period_start = in_range.period_start
                {%- for column in unit_columns %}
                and stored.{{ column }} = units.{{ column }}
                {%- endfor %}
        )
    {%- endif %}
{%- endmacro %}

{#- Delete the stored rows of the periods that left the facts' range of `stages` dates. -#}
{% macro funnel_delete_periods_out_of_range(stages) -%}
    delete from {{ this }} as stored
    where not exists (
        select 1 from ({{ funnel_range_periods(stages, ref('int_funnel_date_span'), ref('dim_date')) }}) as in_range
        where in_range.grain = stored.grain and in_range.period_start = stored.period_start
    )
{%- endmacro %}

{#- pre-hook of the cohort fact: delete the changed slices (everything after a histogram
    rebuild) and the periods that left its range; the model recounts them. -#}
{% macro funnel_cohort_delete_slices(stages) -%}
    {%- if is_incremental() -%}
    {{ create_incremental_state() }};
    {{ funnel_create_changed_slices() }};
    delete from {{ this }}
    where exists (select 1 from {{ funnel_changed_slices() }} where grain is null and recorded_at > {{ watermark() }});
    delete from {{ this }} as stored
    using ({{ funnel_changed_slices_since_watermark() }}) as changed
    where {{ keys_match(funnel_histogram_keys(), 'changed', 'stored') }};
    {{ funnel_delete_periods_out_of_range(stages) }}
    {%- else -%}
    select 1
    {%- endif -%}
{%- endmacro %}

{# ---- the period fact: volumes kept by deltas of the changed leads ---------------------------- #}

{% macro funnel_period_keys() -%}
    {{ return(['grain', 'period_start', 'stage', 'dimension', 'dimension_value']) }}
{%- endmacro %}

{#- Counts per day (`daily`: a CTE with `day_column`, the `columns` and `measure`) rolled up to
    each grain's periods: grain, period_start, the columns and the summed measure. -#}
{% macro funnel_days_to_periods(daily, day_column, columns, measure, calendar) -%}
    select
        grains.grain,
        {{ period_start('grains.grain', 'period_calendar') }} as period_start,
        {{ daily }}.{{ columns | join(', ' ~ daily ~ '.') }},
        -- A sum of counts widens (HUGEINT, NUMERIC); counts are bigint.
        cast(sum({{ daily }}.{{ measure }}) as {{ dbt.type_bigint() }}) as {{ measure }}
    from {{ daily }}
    inner join {{ calendar }} as period_calendar on {{ daily }}.{{ day_column }} = period_calendar.date_day
    cross join ({{ values_relation('grain', funnel_grains()) }}) as grains
    group by
        grains.grain,
        {{ period_start('grains.grain', 'period_calendar') }},
        {{ daily }}.{{ columns | join(', ' ~ daily ~ '.') }}
{%- endmacro %}

{#- Period volumes of `signed_leads` (a select of int_funnel_lead_days columns plus `sign`, +1 or
    -1): per grain, period, stage and slice, the leads that entered the stage in the period,
    summed by sign. Counted per day first, so the grains multiply day-level counts, not lead rows. -#}
{% macro funnel_period_volumes(signed_leads, calendar) -%}
    with

    signed_leads as (
        {{ signed_leads }}
    ),

    entries as (
        select
            stages.stage,
            signed_leads.sign,
            {%- for name, column in funnel_dimensions() %}
            signed_leads.{{ column }},
            {%- endfor %}
            {{ stage_date('stages.stage', 'signed_leads') }} as entry_date
        from signed_leads
        cross join ({{ funnel_units('period') }}) as stages
    ),

    daily as (
        select
            stage,
            entry_date,
            {{ dimension_columns() }},
            sum(sign) as entries
        from entries
        where entry_date is not null
        -- sqlfluff's DuckDB dialect cannot parse GROUPING SETS yet.
        group by {{ dimension_grouping_sets(['stage', 'entry_date']) }}  -- noqa: PRS, LT05
    )

    {{ funnel_days_to_periods('daily', 'entry_date', ['stage', 'dimension', 'dimension_value'], 'entries', calendar) }}
{%- endmacro %}

{#- pre-hook of the period fact: after a restart of the lead-day log (or before any watermark),
    empty the fact (the model recounts it); otherwise add up the deltas logged since the
    watermark per row, write the rows they change (stored + delta) to a side table, delete those
    rows and the periods that left the range (the model inserts the side table's rows). -#}
{% macro funnel_period_apply_changes(stages) -%}
    {%- if not is_incremental() -%}
    select 1
    {%- elif funnel_log_restarted() -%}
    delete from {{ this }}
    {%- else -%}
    {{ create_incremental_state() }};
    drop table if exists {{ changes_table() }};
    create table {{ changes_table() }} as
    with deltas as (
        {{ funnel_period_volumes(
            'select * from ' ~ funnel_lead_day_changes() ~ ' where lead_id is not null and recorded_at > ' ~ watermark(),
            ref('dim_date')) }}
    )
    select
        deltas.{{ funnel_period_keys() | join(', deltas.') }},
        cast(coalesce(stored.entries, 0) + deltas.entries as {{ dbt.type_bigint() }}) as entries
        {{- stored_row_id_column('stored') }}
    from deltas
    left join {{ this }} as stored on {{ keys_match(funnel_period_keys(), 'deltas', 'stored') }}
    where deltas.entries != 0;
    {{ delete_matched_stored_rows(keys_match(funnel_period_keys(), 'changed', 'stored')) }};
    {{ funnel_delete_periods_out_of_range(stages) }}
    {%- endif -%}
{%- endmacro %}

{# ---- the cohort fact's changed slices ------------------------------------------------------- #}

{#- Log of the cohort slices (histogram keys) whose conversion times changed, written by the
    histogram; a row without keys (after a rebuild): every slice. -#}
{% macro funnel_changed_slices() -%}
    audit.funnel_cohort_changed_slices
{%- endmacro %}

{% macro funnel_create_changed_slices() -%}
    create schema if not exists audit;
    create table if not exists {{ funnel_changed_slices() }} (
        {%- for key in funnel_histogram_keys() %}
        {{ key }} {{ 'date' if key == 'period_start' else dbt.type_string() }},
        {%- endfor %}
        recorded_at {{ dbt.type_timestamp() }}
    )
{%- endmacro %}

{#- The slices logged since this model's watermark (keys only, each once). -#}
{% macro funnel_changed_slices_since_watermark() -%}
    select distinct {{ funnel_histogram_keys() | join(', ') }}
    from {{ funnel_changed_slices() }}
    where grain is not null and recorded_at > {{ watermark() }}
{%- endmacro %}

{#- The cohort fact's slices to recount on top of `counted_units` (units counted in full): the
    changed slices of the other units in range. -#}
{% macro funnel_changed_slices_to_count(periods_in_range, counted_units) -%}
    select changed.*
    from ({{ funnel_changed_slices_since_watermark() }}) as changed
    inner join {{ periods_in_range }} as in_range
        on changed.grain = in_range.grain and changed.period_start = in_range.period_start
    where not exists (
        select 1 from {{ counted_units }}
        where
            {{ keys_match(['grain', 'period_start', 'from_stage', 'to_stage'], counted_units, 'changed') }}
    )
{%- endmacro %}

{# ---- the cohort histogram: maintained by deltas of the changed leads ------------------------ #}

{#- Log of lead-day changes: per changed lead a row of its old values (sign -1, when it was
    counted) and one of its new values (sign +1, when it is counted now). Deltas add up, so a
    consumer that missed a night applies both nights at once. A full refresh of
    int_funnel_lead_days starts the log over with one row whose lead_id is NULL: rebuild. -#}
{% macro funnel_lead_day_changes() -%}
    audit.funnel_lead_day_changes
{%- endmacro %}

{#- The log's value columns (slices, stage dates), read from columns named `prefix` + column. -#}
{% macro funnel_lead_day_change_columns(prefix='') -%}
    {%- for column in funnel_lead_day_columns() %}
    {{ prefix }}{{ column }} as {{ column }},
    {%- endfor %}
{%- endmacro %}

{#- The log, empty, where it does not exist yet (columns as int_funnel_lead_days). -#}
{% macro funnel_create_lead_day_changes(lead_days) -%}
    create schema if not exists audit;
    create table if not exists {{ funnel_lead_day_changes() }} as
    select lead_id, 1 as sign, {{ funnel_lead_day_change_columns() }} cast(null as {{ dbt.type_timestamp() }}) as recorded_at
    from {{ lead_days }} where 1 = 0
{%- endmacro %}

{#- pre-hook part of int_funnel_lead_days: append the night's changed leads to the log. -#}
{% macro funnel_log_lead_day_changes() -%}
    {{ funnel_create_lead_day_changes(this) }};
    insert into {{ funnel_lead_day_changes() }}
    select lead_id, -1 as sign, {{ funnel_lead_day_change_columns('old_') }} cast({{ dbt.current_timestamp() }} as {{ dbt.type_timestamp() }}) as recorded_at
    from {{ funnel_changed_leads() }} where was_counted
    union all
    select lead_id, 1 as sign, {{ funnel_lead_day_change_columns('new_') }} cast({{ dbt.current_timestamp() }} as {{ dbt.type_timestamp() }}) as recorded_at
    from {{ funnel_changed_leads() }} where is_counted
{%- endmacro %}

{#- post-hook part of int_funnel_lead_days after a full refresh: the log starts over. -#}
{% macro funnel_restart_lead_day_changes() -%}
    drop table if exists {{ funnel_lead_day_changes() }};
    {{ funnel_create_lead_day_changes(this) }};
    insert into {{ funnel_lead_day_changes() }} (recorded_at)
    values (cast({{ dbt.current_timestamp() }} as {{ dbt.type_timestamp() }}))
{%- endmacro %}

{#- Conversion-time histogram of cohorts: per (grain, period, stage pair, slice) how many leads
    took each number of whole days from the first stage to the second (converted_days NULL = not
    converted, or too late with var funnel_conversion_window_days). `signed_leads` is a select of
    int_funnel_lead_days columns plus `sign` (+1/-1): the histogram of its rows, counts summed. -#}
{% macro funnel_cohort_histogram(signed_leads, calendar) -%}
    {%- set window_days = var('funnel_conversion_window_days') -%}
    with

    signed_leads as (
        {{ signed_leads }}
    ),

    stage_pairs as (
        {{ funnel_units('cohort') }}
    ),

    cohort_members as (
        select
            stage_pairs.from_stage,
            stage_pairs.to_stage,
            signed_leads.sign,
            {%- for name, column in funnel_dimensions() %}
            signed_leads.{{ column }},
            {%- endfor %}
            {{ stage_date('stage_pairs.from_stage', 'signed_leads') }} as cohort_date,
            {{ stage_date('stage_pairs.to_stage', 'signed_leads') }} as converted_date
        from signed_leads
        cross join stage_pairs
    ),

    timed as (
        select
            cohort_members.*,
            {{ day_diff('cohort_members.cohort_date', 'cohort_members.converted_date') }} as days_to_convert
        from cohort_members
        where cohort_members.cohort_date is not null
    ),

    outcomes as (
        select
            timed.*,
            {%- if window_days is not none %}
            case when timed.days_to_convert <= {{ window_days }} then timed.days_to_convert end
            {%- else %}
            timed.days_to_convert
            {%- endif %} as converted_days
        from timed
    ),

    -- Counted per cohort day first: the grains then multiply day-level counts, not lead rows
    -- (at 10M leads lead-level grouping sets per period spilled tens of GB).
    daily as (
        select
            from_stage,
            to_stage,
            cohort_date,
            converted_days,
            {{ dimension_columns() }},
            sum(sign) as leads
        from outcomes
        -- sqlfluff's DuckDB dialect cannot parse GROUPING SETS yet.
        group by {{ dimension_grouping_sets(['from_stage', 'to_stage', 'cohort_date', 'converted_days']) }}  -- noqa: PRS, LT05
    )

    {{ funnel_days_to_periods(
        'daily', 'cohort_date', ['from_stage', 'to_stage', 'dimension', 'dimension_value', 'converted_days'], 'leads', calendar
    ) }}
{%- endmacro %}

{% macro funnel_histogram_keys() -%}
    {{ return(['grain', 'period_start', 'from_stage', 'to_stage', 'dimension', 'dimension_value']) }}
{%- endmacro %}

{#- Histogram row of `left` = row of `right`: the keys and the conversion time (NULL = -1, so
    every engine can hash the match). -#}
{% macro funnel_histogram_rows_match(left, right) -%}
    {{ keys_match(funnel_histogram_keys(), left, right) }}
    and coalesce({{ left }}.converted_days, -1) = coalesce({{ right }}.converted_days, -1)
{%- endmacro %}

{#- post-hook of a consumer of the lead-day log: the newest log row it has consumed (the log is
    created first when a warehouse built before it existed builds the consumer alone). -#}
{% macro funnel_record_lead_day_log_watermark() -%}
    {%- if config.get('materialized') == 'incremental' -%}
    {{ funnel_create_lead_day_changes(ref('int_funnel_lead_days')) }};
    {%- endif %}
    {{ record_watermark([funnel_lead_day_changes()], 'recorded_at') }}
{%- endmacro %}

{#- The lead-day log holds a restart since this model's watermark (or the model never recorded
    one): the consumer is recounted from int_funnel_lead_days. Asked at execution time. -#}
{% macro funnel_log_restarted() -%}
    {%- if not execute -%}{{ return(false) }}{%- endif -%}
    {%- if adapter.get_relation(database=this.database, schema='audit', identifier='funnel_lead_day_changes') is none -%}
    {{ return(true) }}
    {%- endif -%}
    {{ return(log_restarted_since_watermark(funnel_lead_day_changes(), 'lead_id is null')) }}
{%- endmacro %}

{#- pre-hook of the histogram: on a rebuild, empty it; otherwise add up the logged deltas since
    the watermark per histogram row, write the rows they change (stored + delta) to a side table
    and delete those rows (the model inserts the side table's non-zero rows). The changed slices
    go to the cohort fact's log; a rebuild (or full refresh) restarts that log with a row that
    means every slice. -#}
{% macro funnel_histogram_apply_changes() -%}
    {%- if config.get('materialized') != 'incremental' -%}
    select 1  {#- rebuilt in full on this target (Spark), as is the fact #}
    {%- elif not is_incremental() or funnel_log_restarted() -%}
    {{ funnel_create_changed_slices() }};
    delete from {{ funnel_changed_slices() }};
    insert into {{ funnel_changed_slices() }} (recorded_at)
    values (cast({{ dbt.current_timestamp() }} as {{ dbt.type_timestamp() }}));
    {%- if is_incremental() %}
    delete from {{ this }}
    {%- else %}
    select 1
    {%- endif %}
    {%- else -%}
    {{ create_incremental_state() }};
    {{ funnel_create_changed_slices() }};
    drop table if exists {{ changes_table() }};
    create table {{ changes_table() }} as
    with deltas as (
        {{ funnel_cohort_histogram(
            'select * from ' ~ funnel_lead_day_changes() ~ ' where lead_id is not null and recorded_at > ' ~ watermark(),
            ref('dim_date')) }}
    )
    select
        deltas.{{ funnel_histogram_keys() | join(', deltas.') }},
        deltas.converted_days,
        coalesce(stored.leads, 0) + deltas.leads as leads
        {{- stored_row_id_column('stored') }}
    from deltas
    left join {{ this }} as stored on {{ funnel_histogram_rows_match('deltas', 'stored') }}
    where deltas.leads != 0;
    {{ delete_matched_stored_rows(funnel_histogram_rows_match('changed', 'stored')) }};
    insert into {{ funnel_changed_slices() }}
    select distinct {{ funnel_histogram_keys() | join(', ') }}, cast({{ dbt.current_timestamp() }} as {{ dbt.type_timestamp() }})
    from {{ changes_table() }}
    {%- endif -%}
{%- endmacro %}
