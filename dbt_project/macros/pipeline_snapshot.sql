{#-
  Incremental maintenance of fct_pipeline_snapshot_daily. On an incremental run:
  - every opportunity changed since the table was last built (opportunities_changed_since: a
    record version or history row loaded or held out by the quality gate, the owner's user row
    or role, any new exchange rate) is re-derived for all its days (this also removes deleted
    ones);
  - every other opportunity is re-derived from var pipeline_snapshot_lookback_days before the
    latest snapshot date (new days, and a margin for late-arriving changes).
  The pre-hook records the watermark and cutoff (audit.pipeline_snapshot_state), then deletes
  exactly the rows the model inserts again; a definition change needs --full-refresh.
-#}

{% macro pipeline_snapshot_state() -%}
    audit.pipeline_snapshot_state
{%- endmacro %}

{#- Opportunities whose states may differ since `watermark` (a load time): a new version of the
    opportunity or a history row loaded or held by the quality gate, a change to the owner's
    user row or role (owner_team), or any newly loaded exchange rate (every amount). Read by
    int_opportunity_states (its own watermark) and the daily snapshot (the snapshot's). -#}
{% macro opportunities_changed_since(watermark) -%}
    select opportunity_id from {{ ref('stg_salesforce__opportunity') }}
    where _loaded_at > {{ watermark }}
    union
    -- A new version the quality gate held out has left staging: its days are re-derived too.
    select record_key from {{ quarantine_relation('opportunity') }}
    where quarantined_at > {{ watermark }}
    union
    {{ opportunity_history_changed_since(watermark) }}
    union
    select opportunity_id from {{ ref('stg_salesforce__opportunity') }}
    where owner_id in (
        select user_id from {{ ref('stg_salesforce__user') }}
        where
            _loaded_at > {{ watermark }}
            or user_role_id in (
                select user_role_id from {{ ref('stg_salesforce__user_role') }} where _loaded_at > {{ watermark }}
            )
    )
    union
    select opportunity_id from {{ ref('stg_salesforce__opportunity') }}
    where exists (
        select 1 from {{ ref('stg_salesforce__dated_conversion_rate') }}
        where _loaded_at > {{ watermark }}
    )
{%- endmacro %}

{#- Opportunities with an OpportunityHistory row loaded, or held out by the quality gate, since
    `watermark`: all that int_opportunity_stage_visits reads of an opportunity. -#}
{% macro opportunity_history_changed_since(watermark) -%}
    select opportunity_id from {{ ref('stg_salesforce__opportunity_history') }}
    where _loaded_at > {{ watermark }}
    union
    select {{ clean_text('history.opportunity_id') }} from {{ source('salesforce', 'opportunity_history') }} as history
    where history._row_hash in (
        select _row_hash from {{ quarantine_relation('opportunity_history') }}
        where quarantined_at > {{ watermark }}
    )
{%- endmacro %}

{#- What the two models read only when incremental, for dbt's parse-time dependencies. -#}
{% macro opportunity_change_sources() -%}
    -- depends_on: {{ ref('stg_salesforce__opportunity') }}
    -- depends_on: {{ ref('stg_salesforce__opportunity_history') }}
    -- depends_on: {{ ref('stg_salesforce__dated_conversion_rate') }}
    -- depends_on: {{ ref('stg_salesforce__user') }}
    -- depends_on: {{ ref('stg_salesforce__user_role') }}
    -- depends_on: {{ source('salesforce', 'opportunity_history') }}
{%- endmacro %}

{#- The next_day of a latest state (NULL in int_opportunity_states) where a range join needs a
    date: after any day (days are bounded by the as-of date); a plain comparison keeps DuckDB's
    range join (an `is null or` condition falls back to a nested loop). -#}
{% macro latest_state_end() -%}
    cast('9999-12-31' as date)
{%- endmacro %}

{% macro pipeline_snapshot_changed_opportunities() -%}
    {{ opportunities_changed_since('(select watermark from ' ~ pipeline_snapshot_state() ~ ')') }}
{%- endmacro %}

{# ---- int_opportunity_states: a changed-key incremental (macros/incremental.sql) ------------ #}

{% macro changed_opportunity_states() -%}
    {{ opportunities_changed_since(watermark()) }}
{%- endmacro %}

{#- The staged tables opportunities_changed_since reads. -#}
{% macro opportunity_change_relations() -%}
    {{ return([
        ref('stg_salesforce__opportunity'),
        ref('stg_salesforce__opportunity_history'),
        ref('stg_salesforce__dated_conversion_rate'),
        ref('stg_salesforce__user'),
        ref('stg_salesforce__user_role'),
    ]) }}
{%- endmacro %}

{% macro opportunity_states_record_watermark() -%}
    {{ record_watermark(opportunity_change_relations()) }}
{%- endmacro %}

{# ---- the stage visits and history facts: changed-key incrementals of history alone -------- #}

{#- For the models that are a function of each opportunity's history rows alone
    (int_opportunity_stage_visits, int_opportunity_history_facts): what changed since their own
    watermark, and the watermark they record. -#}
{% macro opportunities_with_changed_history() -%}
    {{ opportunity_history_changed_since(watermark()) }}
{%- endmacro %}

{% macro opportunity_history_record_watermark() -%}
    {{ record_watermark([ref('stg_salesforce__opportunity_history')]) }}
{%- endmacro %}

{# ---- fct_opportunity_stage_history: a changed-key incremental of its visits and deals ------- #}

{#- What a stage-history row reads: the deal's visits (its history), the deal's record (live,
    closed) and, for the current stage of an open deal, the as-of date. So a night re-derives the
    deals whose history or record was loaded or held since the watermark, and every deal whose
    current stage is open (its days_in_stage counts to the as-of date): 8% of the deals at 2M. -#}
{% macro stage_history_changed_opportunities() -%}
    {{ opportunity_history_changed_since(watermark()) }}
    union
    select opportunity_id from {{ ref('stg_salesforce__opportunity') }}
    where _loaded_at > {{ watermark() }}
    union
    select record_key from {{ quarantine_relation('opportunity') }}
    where quarantined_at > {{ watermark() }}
    union
    select visits.opportunity_id
    from {{ ref('int_opportunity_stage_visits') }} as visits
    inner join {{ ref('fct_opportunity') }} as opportunities on visits.opportunity_id = opportunities.opportunity_id
    left join {{ ref('opportunity_stage_map') }} as stage_map on visits.stage_name = stage_map.stage_name
    where visits.exited_at is null and not {{ is_closed_stage('visits', 'opportunities', 'stage_map') }}
{%- endmacro %}

{#- Whether a visit is in a closed stage: the stage map's word, else the deal's for its current
    stage (a stage missing from the map). -#}
{% macro is_closed_stage(visits, opportunities, stage_map) -%}
    coalesce({{ stage_map }}.is_closed, {{ visits }}.exited_at is null and {{ opportunities }}.is_closed)
{%- endmacro %}

{% macro stage_history_record_watermark() -%}
    {{ record_watermark([ref('stg_salesforce__opportunity'), ref('stg_salesforce__opportunity_history')]) }}
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
    {%- set changed = log_changed_keys(
        pipeline_snapshot_changed_opportunities(), '(select cutoff from ' ~ pipeline_snapshot_state() ~ ')'
    ) %}
    {{ changed.log }}
    delete from {{ this }}
    where
        snapshot_date >= (select cutoff from {{ pipeline_snapshot_state() }})
        or opportunity_id in ({{ changed.select }})
    {%- else -%}
    {{ log_everything_untested() }}
    {%- endif -%}
{%- endmacro %}

{#- Whether a deal is won: the record's IsWon, else its stage's in the stage map. One definition
    for the deal itself (int_opportunities) and for its account becoming a customer (dim_account). -#}
{% macro is_won_deal(opportunities, stage_map) -%}
    coalesce({{ opportunities }}.is_won, {{ stage_map }}.is_won, false)
{%- endmacro %}
