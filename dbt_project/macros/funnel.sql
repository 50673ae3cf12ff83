{#- Funnel vocabulary shared by the funnel facts (METRICS.md sections 1-2). Pairs, grains and
    slices are vars with these defaults, so a company (or a unit test) can narrow them. -#}

{#- Cohort conversions published: every adjacent pair; mql -> sql and sql -> won (the
    marketing-to-sales and sales headline rates); mql -> won and lead -> won. -#}
{% macro funnel_stage_pairs() -%}
    {{ return(var('funnel_stage_pairs', [
        ['lead', 'mql'], ['mql', 'sal'], ['sal', 'sql'], ['sql', 'opportunity'], ['opportunity', 'won'],
        ['mql', 'sql'], ['sql', 'won'], ['mql', 'won'], ['lead', 'won']
    ])) }}
{%- endmacro %}

{#- Stages whose entries are counted per period (the funnel, then its side outcomes). -#}
{% macro funnel_flow_stages() -%}
    {{ return(['lead', 'mql', 'sal', 'sql', 'opportunity', 'won', 'lost', 'disqualified']) }}
{%- endmacro %}

{#- Cohort grains: calendar week (Monday), calendar month, fiscal quarter. -#}
{% macro funnel_grains() -%}
    {{ return(var('funnel_grains', ['week', 'month', 'quarter'])) }}
{%- endmacro %}

{#- The dimensions every funnel fact is sliced by: (dimension name, column). -#}
{% macro funnel_dimensions() -%}
    {{ return(var('funnel_dimensions', [
        ['channel', 'channel'], ['campaign', 'campaign_id'], ['segment', 'segment'],
        ['region', 'region'], ['owner', 'owner_id'], ['team', 'owner_team']
    ])) }}
{%- endmacro %}

{#- A one-column relation of literal values, e.g. values_relation('grain', ['week', 'month']). -#}
{% macro values_relation(column, values) -%}
    {%- for value in values %}
    select '{{ value }}' as {{ column }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}

{#- The company date a lead entered a stage (int_funnel_lead_days), by a stage-name expression. -#}
{% macro stage_date(stage_expression, relation) -%}
    case {{ stage_expression }}
        {%- for stage in funnel_flow_stages() %}
        when '{{ stage }}' then {{ relation }}.{{ stage }}_date
        {%- endfor %}
    end
{%- endmacro %}

{#- The first day of the period (of a grain-name expression) containing a dim_date row. -#}
{% macro period_start(grain_expression, calendar) -%}
    case {{ grain_expression }}
        when 'week' then {{ calendar }}.week_start
        when 'month' then {{ calendar }}.month_start
        when 'quarter' then {{ calendar }}.fiscal_quarter_start
    end
{%- endmacro %}

{#- Join condition: every key equal between two relations (keys never NULL here). -#}
{% macro keys_match(keys, left, right) -%}
    {%- for key in keys -%}
    {{ " and " if not loop.first }}{{ left }}.{{ key }} = {{ right }}.{{ key }}
    {%- endfor -%}
{%- endmacro %}

{#- Grouping-set slices: the total ('all') and one per funnel dimension. -#}
{% macro dimension_grouping_sets(keys) -%}
    grouping sets (
        ({{ keys | join(', ') }})
        {%- for name, column in funnel_dimensions() %},
        ({{ keys | join(', ') }}, {{ column }})
        {%- endfor %}
    )
{%- endmacro %}

{#- Which slice a grouping-set row is, and its value ('(none)' for a missing value). -#}
{% macro dimension_columns() -%}
    {%- if not funnel_dimensions() -%}
    'all' as dimension,
    'all' as dimension_value
    {%- else -%}
    case
        {%- for name, column in funnel_dimensions() %}
        when grouping({{ column }}) = 0 then '{{ name }}'
        {%- endfor %}
        else 'all'
    end as dimension,
    case
        {%- for name, column in funnel_dimensions() %}
        when grouping({{ column }}) = 0 then coalesce(cast({{ column }} as {{ dbt.type_string() }}), '(none)')
        {%- endfor %}
        else 'all'
    end as dimension_value
    {%- endif -%}
{%- endmacro %}

{#- KPI grains: calendar month and fiscal quarter (METRICS.md section 6). -#}
{% macro kpi_grains() -%}
    {{ return(var('kpi_grains', ['month', 'quarter'])) }}
{%- endmacro %}

{#- The three roll-up levels of sales KPIs and the column giving each level's key. -#}
{% macro kpi_levels_relation(owner_column, team_column) -%}
    select 'owner' as level
    union all
    select 'team' as level
    union all
    select 'company' as level
{%- endmacro %}

{#- Join condition: two relations' rows of the same KPI row (grain, period, level, level id). -#}
{% macro same_kpi_row(left, right) -%}
    {%- for column in ['grain', 'period_start', 'level', 'level_id'] -%}
    {{ left }}.{{ column }} = {{ right }}.{{ column }}{{ ' and ' if not loop.last }}
    {%- endfor -%}
{%- endmacro %}

{% macro kpi_level_id(level_expression, owner_column, team_column) -%}
    case {{ level_expression }}
        when 'owner' then coalesce({{ owner_column }}, '(none)')
        when 'team' then coalesce({{ team_column }}, '(none)')
        else 'company'
    end
{%- endmacro %}

{#- Roll-up scopes of quotas and goals above the rep: team, department, company. -#}
{% macro rollup_scopes_relation() -%}
    select 'team' as owner_type
    union all
    select 'department' as owner_type
    union all
    select 'company' as owner_type
{%- endmacro %}

{% macro rollup_owner_id(scope_expression, team_column, department_column) -%}
    case {{ scope_expression }}
        when 'team' then coalesce({{ team_column }}, '(none)')
        when 'department' then coalesce({{ department_column }}, '(none)')
        else 'company'
    end
{%- endmacro %}

{#- Each row of `relation` (with event_date, owner_id, owner_team) once per KPI grain and level,
    with the period it falls in and the level's key. The calling model defines the CTEs it reads:
    `calendar` (dim_date), `grains` (kpi_grains()) and `levels` (kpi_levels_relation()). -#}
{% macro kpi_periods_and_levels(relation) -%}
    select
        grains.grain,
        {{ period_start('grains.grain', 'calendar') }} as period_start,
        levels.level,
        {{ kpi_level_id('levels.level', relation ~ '.owner_id', relation ~ '.owner_team') }} as level_id,
        {{ relation }}.*
    from {{ relation }}
    inner join calendar on {{ relation }}.event_date = calendar.date_day
    cross join grains
    cross join levels
{%- endmacro %}
