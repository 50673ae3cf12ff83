{#-
  Incremental maintenance of fct_pipeline_snapshot_daily. On an incremental run:
  - every opportunity with a record version or history row loaded (or held out by the quality
    gate) since the table was last built is re-derived for all its days (this also removes
    deleted ones); a newly loaded
    exchange rate re-derives every opportunity;
  - every other opportunity is re-derived from var pipeline_snapshot_lookback_days before the
    latest snapshot date (new days, and a margin for late-arriving changes).
  The pre-hook records the watermark and cutoff (audit.pipeline_snapshot_state), then deletes
  exactly the rows the model inserts again; a definition change needs --full-refresh.
-#}

{% macro pipeline_snapshot_state() -%}
    audit.pipeline_snapshot_state
{%- endmacro %}

{% macro pipeline_snapshot_changed_opportunities() -%}
    select opportunity_id from {{ ref('stg_salesforce__opportunity') }}
    where _loaded_at > (select watermark from {{ pipeline_snapshot_state() }})
    union
    select opportunity_id from {{ ref('stg_salesforce__opportunity_history') }}
    where _loaded_at > (select watermark from {{ pipeline_snapshot_state() }})
    union
    -- A new version the quality gate held out has left staging: its days are re-derived too.
    select record_key from {{ quarantine_relation('opportunity') }}
    where quarantined_at > (select watermark from {{ pipeline_snapshot_state() }})
    union
    select {{ clean_text('history.opportunity_id') }} from {{ source('salesforce', 'opportunity_history') }} as history
    where history._row_hash in (
        select _row_hash from {{ quarantine_relation('opportunity_history') }}
        where quarantined_at > (select watermark from {{ pipeline_snapshot_state() }})
    )
    union
    select opportunity_id from {{ ref('stg_salesforce__opportunity') }}
    where exists (
        select 1 from {{ ref('stg_salesforce__dated_conversion_rate') }}
        where _loaded_at > (select watermark from {{ pipeline_snapshot_state() }})
    )
{%- endmacro %}

{% macro pipeline_snapshot_prepare() -%}
    {%- if is_incremental() -%}
    create schema if not exists audit;
    drop table if exists {{ pipeline_snapshot_state() }};
    create table {{ pipeline_snapshot_state() }} as
    select
        max(_loaded_through) as watermark,
        {{ dbt.dateadd('day', -1 * var('pipeline_snapshot_lookback_days'), 'max(snapshot_date)') }} as cutoff
    from {{ this }};
    delete from {{ this }}
    where
        snapshot_date >= (select cutoff from {{ pipeline_snapshot_state() }})
        or opportunity_id in ({{ pipeline_snapshot_changed_opportunities() }})
    {%- else -%}
    select 1
    {%- endif -%}
{%- endmacro %}
