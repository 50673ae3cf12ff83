{#-
  Changed-key incremental maintenance (staged CRM objects, lead stage events and dates,
  activities). Raw is append-only and every raw row carries its load time (_loaded_at), so a
  night's changes are the keys with a row loaded since the model was last built (its watermark)
  plus the records the quality gate has held out since then. On an incremental run:
  - the pre-hook deletes this model's rows of the changed keys;
  - the model selects (append strategy) exactly those keys again, re-derived from all their rows;
  - the post-hook stores the newest load time the model has now seen.
  A full refresh gives the same table (tests/test_incremental.py). The watermark lives in
  audit.incremental_state__<model>: one table per model, so parallel threads never write the same
  table. A changed definition, seed or var needs `--full-refresh` (as for any dbt incremental).
-#}

{#- The config of a changed-key incremental model (a table on Spark, whose Parquet tables cannot
    delete rows). `changed_keys` and `record_watermark` name the model's macros; `logged_day`, a
    date column whose changed days the model logs for day-keyed consumers (macros/day_incremental.sql). -#}
{% macro changed_keys_config(key_column, changed_keys, record_watermark, logged_day=none) -%}
    {%- set day = "'" ~ logged_day ~ "'" if logged_day else 'none' -%}
    {%- set post_hooks = ["{{ " ~ record_watermark ~ "() }}"] -%}
    {%- if logged_day -%}
        {%- do post_hooks.insert(0, "{{ log_inserted_days('" ~ key_column ~ "', " ~ changed_keys ~ "(), " ~ day ~ ") }}") -%}
    {%- endif -%}
    {{ return({
        'materialized': 'table' if target.type == 'spark' else 'incremental',
        'incremental_strategy': 'append',
        'on_schema_change': 'fail',
        'pre_hook': "{{ delete_changed_keys('" ~ key_column ~ "', " ~ changed_keys ~ "(), " ~ day ~ ") }}",
        'post_hook': post_hooks,
    }) }}
{%- endmacro %}

{% macro incremental_state() -%}
    audit.incremental_state__{{ this.identifier }}
{%- endmacro %}

{#- The newest load time the last build saw; before any, a time older than every load. A model
    whose state table is a copy of its own previous row (int_as_of) names its column. -#}
{% macro watermark(column='watermark') -%}
    (select coalesce(max({{ column }}), cast('1900-01-01' as {{ dbt.type_timestamp() }}))
     from {{ incremental_state() }})
{%- endmacro %}

{#- The model's watermark table (a pre-hook creates it before reading watermark()). -#}
{% macro create_incremental_state() -%}
    create schema if not exists audit;
    create table if not exists {{ incremental_state() }} (watermark {{ dbt.type_timestamp() }})
{%- endmacro %}

{#- Whether `log` (rows with recorded_at) holds a restart row (`restart_condition`) newer than
    this model's watermark, asked when the model runs; without a watermark yet, true. -#}
{% macro log_restarted_since_watermark(log, restart_condition) -%}
    {%- if not execute -%}{{ return(false) }}{%- endif -%}
    {%- set state = adapter.get_relation(database=this.database, schema='audit', identifier='incremental_state__' ~ this.identifier) -%}
    {%- if state is none -%}{{ return(true) }}{%- endif -%}
    {#- An empty state table (a pre-hook ran, the post-hook did not) is no watermark either. -#}
    {%- set found = run_query(
        "select (select count(*) from " ~ log ~ " where " ~ restart_condition ~ " and recorded_at > " ~ watermark()
        ~ ") + (select case when count(*) = 0 then 1 else 0 end from " ~ incremental_state() ~ ")"
    ) -%}
    {{ return(found.columns[0].values()[0] > 0) }}
{%- endmacro %}

{#- pre-hook: delete the rows of the keys `changed_keys` (a select of one column) names; a model
    with tests of untested keys (macros/untested_keys.sql) logs them first, and one with a
    `logged_day` the days of the rows it deletes (macros/day_incremental.sql). -#}
{% macro delete_changed_keys(key_column, changed_keys, logged_day=none) -%}
    {%- if is_incremental() -%}
    {{ create_incremental_state() }};
    {%- set changed = log_changed_keys(changed_keys) %}
    {{ changed.log }}
    {%- if logged_day %}
    {{ delete_keys_logging_days(key_column, changed.select, logged_day) }}
    {%- else %}
    delete from {{ this }} where {{ key_column }} in ({{ changed.select }})
    {%- endif %}
    {%- else -%}
    {{ log_everything_untested() }}
    {%- if logged_day and config.get('materialized') == 'incremental' -%}
    ;
    {{ log_every_day() }}
    {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#- pre-hook of a running aggregate (one row folded forward each night, int_as_of): move the
    previous build's rows to its state table, where the model's select reads them. -#}
{% macro keep_previous_row() -%}
    {%- if is_incremental() -%}
    create schema if not exists audit;
    drop table if exists {{ incremental_state() }};
    create table {{ incremental_state() }} as select * from {{ this }};
    delete from {{ this }}
    {%- else -%}
    select 1
    {%- endif -%}
{%- endmacro %}

{#- post-hook: remember the newest load time (`column`) of the relations the model's changes
    come from. -#}
{% macro record_watermark(relations, column='_loaded_at') -%}
    {%- if config.get('materialized') != 'incremental' -%}
    select 1  {#- rebuilt in full on this target (Spark) #}
    {%- else -%}
    create schema if not exists audit;
    drop table if exists {{ incremental_state() }};
    create table {{ incremental_state() }} as
    select max(loaded_at) as watermark
    from (
        {%- for relation in relations %}
        select max({{ column }}) as loaded_at from {{ relation }}
        {{- " union all" if not loop.last }}
        {%- endfor %}
    ) as inputs
    {%- endif -%}
{%- endmacro %}

{#- Keys of `relation` whose `key_column` rows were loaded since the watermark. -#}
{% macro loaded_since_watermark(relation, key_column) -%}
    select {{ key_column }} from {{ relation }} where _loaded_at > {{ watermark() }}
{%- endmacro %}

{#- Record keys the quality gate held out since the watermark (they left staging). -#}
{% macro held_since_watermark(table_name, expression='record_key') -%}
    select {{ expression }} from {{ quarantine_relation(table_name) }} where quarantined_at > {{ watermark() }}
{%- endmacro %}

{# ---- staged records (CRM objects, record-keyed inputs): the record keys with a raw row loaded
     since the watermark ------------------------------------------------------------------------ #}

{#- The raw table a staging model stages, from its name: stg_<source>__<table>. -#}
{% macro staging_source() -%}
    {%- set source_name, table_name = this.identifier[4:].split('__') -%}
    {{ return(source(source_name, table_name)) }}
{%- endmacro %}

{#- `column` (_record_key, or _record_hash) of the raw rows loaded since the watermark. -#}
{% macro changed_record_keys(raw_relation, column='_record_key') -%}
    select changed.{{ column }}
    from {{ raw_relation }} as changed
    where changed._loaded_at > {{ watermark() }}
{%- endmacro %}

{#- Every raw version, old ones included, of the records with a version loaded since the watermark. -#}
{% macro changed_raw_rows(raw_relation) -%}
    {{ raw_rows_of_records(
        raw_relation, changed_record_keys(raw_relation), changed_record_keys(raw_relation, '_record_hash')
    ) }}
{%- endmacro %}

{#- The number raw stores for a record key (_record_hash): orchestration/extract/loader.py,
    RECORD_HASH_SQL (tests/test_loader.py holds the two equal). -#}
{% macro record_hash(key) -%}
    cast(md5_number({{ key }}) >> 65 as bigint)
{%- endmacro %}

{#- The rows of raw `relation` whose record key is one of `keys`. On DuckDB (with _row_id, the
    raw rowid) they are found by `hashes` (the keys' _record_hash) on that integer column alone,
    fetched by rowid, and then checked against the keys themselves (two keys may share a number);
    the fetch is a materialized CTE, else the optimizer joins every raw row on the string key
    first. Reading the string key of every raw version was most of a night's staging (10M leads,
    43M raw lead history rows: the staged select 1.1-1.2 -> 0.21-0.29 s; DECISIONS.md, "Record
    numbers in raw"). Elsewhere a plain semi-join on the key. -#}
{% macro raw_rows_of_records(relation, keys, hashes) -%}
    {%- if target.type == 'duckdb' and relation is not string -%}
    with candidate_rows as materialized (
        select
            wanted_rows.rowid as _row_id,
            wanted_rows.*
        from {{ relation }} as wanted_rows
        inner join (
            select rowid as _candidate_row_id
            from {{ relation }}
            where _record_hash in ({{ hashes }})
        ) as candidates on wanted_rows.rowid = candidates._candidate_row_id
    )

    select candidate_rows.*
    from candidate_rows
    where candidate_rows._record_key in ({{ keys }})
    {%- else -%}
    select * from {{ relation }} where _record_key in ({{ keys }})
    {%- endif -%}
{%- endmacro %}

{#- The changed records that can have a staged row: those with a raw version loaded by the
    watermark (a staged row comes from such a version). A record new tonight has none, so a night
    of new lead history rows deletes nothing without reading staging's keys (10M leads: 1.0 ->
    0.15 s). -#}
{% macro staged_changed_records(raw_relation) -%}
    select versions._record_key
    from ({{ changed_raw_rows(raw_relation) }}) as versions
    where versions._loaded_at <= {{ watermark() }}
{%- endmacro %}

{#- pre-hook of a staging model: delete the staged version of every record that changed, by the
    record key staging carries (one scan of staging; finding the row hashes of all the record's
    raw versions first took two to three times as long). -#}
{% macro staging_delete_changed() -%}
    {%- if is_incremental() -%}
    {{ delete_changed_keys('_record_key', staged_changed_records(staging_source())) }}
    {%- else -%}
    select 1
    {%- endif -%}
{%- endmacro %}

{% macro staging_record_watermark() -%}
    {{ record_watermark([staging_source()]) }}
{%- endmacro %}

{# ---- lead lifecycle: leads whose own rows, status history or converted deal changed ---------- #}

{% macro changed_leads() -%}
    {{ loaded_since_watermark(ref('stg_salesforce__lead'), 'lead_id') }}
    union
    {{ loaded_since_watermark(ref('stg_salesforce__lead_history'), 'lead_id') }}
    union
    select lead_id from {{ ref('stg_salesforce__lead') }}
    where converted_opportunity_id in (
        {{ loaded_since_watermark(ref('stg_salesforce__opportunity'), 'opportunity_id') }}
        union
        {{ held_since_watermark('opportunity') }}
    )
    union
    {{ held_since_watermark('lead') }}
    union
    select {{ clean_text('history.lead_id') }} from {{ source('salesforce', 'lead_history') }} as history
    where history._row_hash in (
        select _row_hash from {{ quarantine_relation('lead_history') }} where quarantined_at > {{ watermark() }}
    )
{%- endmacro %}

{% macro lead_lifecycle_record_watermark() -%}
    {{ record_watermark([
        ref('stg_salesforce__lead'), ref('stg_salesforce__lead_history'), ref('stg_salesforce__opportunity')
    ]) }}
{%- endmacro %}

{# ---- activities: tasks and events loaded or held since the watermark ------------------------- #}

{% macro changed_activities() -%}
    {{ loaded_since_watermark(ref('stg_salesforce__task'), 'task_id') }}
    union
    {{ loaded_since_watermark(ref('stg_salesforce__event'), 'event_id') }}
    union
    {{ held_since_watermark('task') }}
    union
    {{ held_since_watermark('event') }}
{%- endmacro %}

{% macro activities_record_watermark() -%}
    {{ record_watermark([ref('stg_salesforce__task'), ref('stg_salesforce__event')]) }}
{%- endmacro %}

{#- The rows of `relation` whose `key_column` is among `keys`, on an incremental run (else the whole
    relation): for `from {{ changed_rows(...) }} as alias`. On DuckDB the keys are found on their
    column alone and the rows fetched by rowid: a semi-join reads every column of every row before
    it filters, 2-4x slower on a wide table (10M leads, ~90K changed: the staged leads 1.2-1.6 ->
    0.48 s, lead history 2.0-2.8 -> 0.6 s, fct_lead_lifecycle 0.74-0.91 -> 0.38 s). The fetch is
    a materialized CTE: inlined, DuckDB's optimizer may push the reader's filters into it and join
    every row on the row ids instead (int_lead_stage_events read 19M rows of lead history that
    way: 1.2 -> 0.78 s). A unit test's fixture (a string, no rowid) and other adapters take the
    plain semi-join. `keys` is SQL, or the model's own key-set macro (its config's `changed_keys`,
    passed uncalled: it reads this model's watermark, which only an incremental run has); when
    the pre-hook logged those keys (macros/untested_keys.sql) they are read back from the log,
    not found again (int_lead_stage_events found the changed leads three times a night). -#}
{% macro changed_rows(relation, key_column, keys) -%}
    {%- if not is_incremental() -%}
    {{ relation }}
    {%- else -%}
    {%- set keys = log_changed_keys(keys()).select if keys is callable else keys -%}
    {%- if target.type == 'duckdb' and relation is not string -%}
    (
        with changed_row_data as materialized (
            select wanted_rows.*
            from {{ relation }} as wanted_rows
            inner join (
                select rowid as _changed_row_id
                from {{ relation }}
                where {{ key_column }} in ({{ keys }})
            ) as changed_row_ids on wanted_rows.rowid = changed_row_ids._changed_row_id
        )

        select * from changed_row_data
    )
    {%- else -%}
    (select * from {{ relation }} where {{ key_column }} in ({{ keys }}))
    {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{# ---- side tables of changes ------------------------------------------------------------------ #}

{#- Where a model maintained by difference keeps the rows a night changes, for its pre-hook's
    delete and its select (the funnel facts: stored + delta; int_quota_daily_actuals' deal rows). -#}
{% macro changes_table() -%}
    audit.{{ this.identifier }}__changes
{%- endmacro %}

{#- A side table of changes (changes_table) made by a left join of the stored rows keeps,
    on DuckDB, the row id of the stored row each change matched; its delete then finds them by
    row id (the side table and the delete run in one transaction, which no checkpoint renumbers).
    Joining the changes on the keys again read every stored row: 0.57 s a night for the 30M-row
    histogram at 10M leads, 0.01 s by row id. Elsewhere the delete joins on the keys (`match`,
    of aliases `changed` and `stored`). -#}
{% macro stored_row_id_column(stored) -%}
    {%- if target.type == 'duckdb' -%}
    , {{ stored }}.rowid as _stored_row_id
    {%- endif -%}
{%- endmacro %}

{% macro delete_matched_stored_rows(match) -%}
    {%- if target.type == 'duckdb' -%}
    delete from {{ this }}
    where rowid in (select changed._stored_row_id from {{ changes_table() }} as changed)
    {%- else -%}
    {#- A join, not a correlated EXISTS: DuckDB, before the row ids, ran that as a semi join
        deduplicating every stored row (3.2 s vs 0.2 s at 2M leads, 7.5M histogram rows). #}
    delete from {{ this }} as stored
    using {{ changes_table() }} as changed
    where {{ match }}
    {%- endif -%}
{%- endmacro %}
