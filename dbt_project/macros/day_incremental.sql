{#-
  Day-keyed incremental maintenance of a daily aggregate (int_quota_daily_actuals' activity
  counts). A changed-key model that opts in (changed_keys_config's `logged_day`) logs, each night,
  the days of the rows it deletes (old versions: an activity moved to another day, deleted or held
  by the quality gate) and of the rows it inserts (new versions) in audit.changed_days__<model>;
  a full build logs one `everything` row. A consumer recomputes only the days logged since the
  last log row it consumed (its watermark, on the log's own clock: the run that logged them), so a
  consumer that missed a night catches up. Spark rebuilds both in full.
-#}

{% macro changed_days_log(identifier) -%}
    audit.changed_days__{{ identifier }}
{%- endmacro %}

{% macro create_changed_days_log(identifier) -%}
    create schema if not exists audit;
    create table if not exists {{ changed_days_log(identifier) }} (
        day date, recorded_at {{ dbt.type_timestamp() }}, everything boolean
    )
{%- endmacro %}

{#- Statements (each ending in `;`) of the logging model's hooks: the distinct `day_column` of
    `rows` (a relation; by default this model), of those with a key in `keys` (pre-hook: before
    its delete; post-hook: after its insert). -#}
{% macro log_days_of_keys(key_column, keys, day_column, rows=this) -%}
    {{ create_changed_days_log(this.identifier) }};
    insert into {{ changed_days_log(this.identifier) }} (day, recorded_at, everything)
    select distinct {{ day_column }}, {{ this_run() }}, false from {{ rows }}
    where {{ key_column }} in ({{ keys }});
{%- endmacro %}

{#- pre-hook statement of the logging model: log the days of its rows with a key in `keys`, and
    delete those rows. On DuckDB one scan of the key column finds both (row ids and days kept in a
    temporary table; row ids hold within the hook's transaction); reading the 15M activity ids
    twice was ~0.25 s a night at 10M leads. -#}
{% macro delete_keys_logging_days(key_column, keys, day_column) -%}
    {%- if target.type == 'duckdb' -%}
    {%- set deleted = this.identifier ~ '__deleted_rows' -%}
    create or replace temporary table {{ deleted }} as
    select rowid as _row_id, {{ key_column }}, {{ day_column }} from {{ this }}
    where {{ key_column }} in ({{ keys }});
    {{ log_days_of_keys(key_column, keys, day_column, rows=deleted) }}
    delete from {{ this }} where rowid in (select _row_id from {{ deleted }});
    drop table {{ deleted }}
    {%- else -%}
    {{ log_days_of_keys(key_column, keys, day_column) }}
    delete from {{ this }} where {{ key_column }} in ({{ keys }})
    {%- endif -%}
{%- endmacro %}

{#- The logging model's full build: every day changed. -#}
{% macro log_every_day() -%}
    {{ create_changed_days_log(this.identifier) }};
    delete from {{ changed_days_log(this.identifier) }};
    insert into {{ changed_days_log(this.identifier) }} (day, recorded_at, everything)
    values (null, {{ this_run() }}, true)
{%- endmacro %}

{#- post-hook of the logging model: the days of the keys it re-inserted (`changed_keys` as its
    pre-hook saw them: read from the untested-keys log when it keeps one, and before the
    watermark moves, which the next post-hook does). -#}
{% macro log_inserted_days(key_column, changed_keys, day_column) -%}
    {%- if is_incremental() -%}
    {{ log_days_of_keys(key_column, log_changed_keys(changed_keys).select, day_column) }}
    {%- else -%}
    select 1
    {%- endif -%}
{%- endmacro %}

{# ---- the consumer --------------------------------------------------------------------------- #}

{#- The config of a consumer: `identifier` names the logging model, `day_column` the consumer's
    day, `by_day` (a condition on its rows) the part it re-derives per logged day (the rest, if
    any, its `also_pre_hook` keeps, run after the day's delete). A table on Spark, like the
    logging model. -#}
{% macro logged_days_config(identifier, day_column, by_day='true', also_pre_hook=none) -%}
    {%- set pre_hooks = ["{{ delete_logged_days('" ~ identifier ~ "', '" ~ day_column ~ "', \"" ~ by_day ~ "\") }}"] -%}
    {%- if also_pre_hook is not none -%}{%- do pre_hooks.append(also_pre_hook) -%}{%- endif -%}
    {{ return({
        'materialized': 'table' if target.type == 'spark' else 'incremental',
        'incremental_strategy': 'append',
        'on_schema_change': 'fail',
        'pre_hook': pre_hooks,
        'post_hook': "{{ record_logged_days_watermark('" ~ identifier ~ "') }}",
    }) }}
{%- endmacro %}

{#- Whether the consumer must recompute every day, asked when it runs: no watermark yet (a first
    incremental run, or a model built as a table before), or the log restarted (a full build of
    the logging model) since it. -#}
{% macro every_day_changed(identifier) -%}
    {%- if not execute -%}{{ return(false) }}{%- endif -%}
    {%- set log = adapter.get_relation(database=this.database, schema='audit', identifier='changed_days__' ~ identifier) -%}
    {{ return(log is none or log_restarted_since_watermark(changed_days_log(identifier), 'everything')) }}
{%- endmacro %}

{#- Days `identifier` logged since the consumer's watermark. -#}
{% macro logged_days_since_watermark(identifier) -%}
    select day from {{ changed_days_log(identifier) }}
    where recorded_at > {{ watermark() }} and day is not null
{%- endmacro %}

{#- The consumer's filter on the rows it re-derives by day: `day_column` among the logged days;
    true on a full build or when every day changed. -#}
{% macro on_logged_days(identifier, day_column) -%}
    {%- if is_incremental() and not every_day_changed(identifier) -%}
    {{ day_column }} in ({{ logged_days_since_watermark(identifier) }})
    {%- else -%}
    true
    {%- endif -%}
{%- endmacro %}

{#- pre-hook of the consumer: delete the rows of the logged days that it re-derives by day (those
    `by_day` names; every row when every day changed). Its opted-in tests (macros/untested_keys.sql)
    read the rows of those days: the days are logged as the keys, as text. -#}
{% macro delete_logged_days(identifier, day_column, by_day) -%}
    {%- if not is_incremental() -%}
    {{ log_everything_untested() }}
    {%- else -%}
    {{ create_incremental_state() }};
    {%- if every_day_changed(identifier) %}
    {{ log_everything_untested() }};
    delete from {{ this }}
    {%- else %}
    {%- set days = logged_days_since_watermark(identifier) %}
    {{ log_changed_keys('select cast(day as ' ~ dbt.type_string() ~ ') from (' ~ days ~ ') as logged').log }}
    delete from {{ this }} where ({{ by_day }}) and {{ day_column }} in ({{ days }})
    {%- endif %}
    {%- endif -%}
{%- endmacro %}

{#- post-hook of the consumer: the newest log row it has consumed. -#}
{% macro record_logged_days_watermark(identifier) -%}
    {%- if config.get('materialized') == 'incremental' -%}
    {{ create_changed_days_log(identifier) }};
    {%- endif %}
    {{ record_watermark([changed_days_log(identifier)], column='recorded_at') }}
{%- endmacro %}
