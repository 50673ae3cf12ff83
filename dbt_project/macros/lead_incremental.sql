{#-
  The lead-grain tables (int_leads, int_lead_dimensions, fct_lead_lifecycle, dim_lead,
  fct_lead_handoff, int_funnel_lead_days) as changed-key incrementals (macros/incremental.sql).
  int_lead_changes logs, once a night, the leads the night's changes reach: a lead whose row,
  status history or converted deal changed (changed_leads), or that a changed related record
  reaches - a campaign membership (first touch), the converted account (industry, size, region),
  the owner or the owner's role (team) - and, for the hand-off only, a task or event on the lead or
  its contact, or a change to the user who did it (sales role). Every version of a changed record
  is read, so a membership or activity moved from one lead to another reaches both. Each model
  re-derives the leads logged since the last log row it consumed (its own watermark), so a model
  that missed a night catches up. Seeds and vars need `--full-refresh`, as for every incremental.
-#}

{#- Record keys (or, `hashed`, their _record_hash) of a CRM source table with a version loaded, or
    held by the gate, since the watermark. -#}
{% macro changed_source_records(table_name, hashed=false) -%}
    {{ changed_record_keys(source('salesforce', table_name), '_record_hash' if hashed else '_record_key') }}
    union
    {{ held_since_watermark(table_name, record_hash('record_key') if hashed else 'record_key') }}
{%- endmacro %}

{#- `column` of every version, old ones included, of the records changed since the watermark. -#}
{% macro changed_records_column(table_name, column) -%}
    select {{ clean_text('versions.' ~ column) }}
    from ({{ raw_rows_of_records(
        source('salesforce', table_name), changed_source_records(table_name), changed_source_records(table_name, true)
    ) }}) as versions
{%- endmacro %}

{#- Users whose own row or role changed (team, function, sales role). -#}
{% macro changed_users() -%}
    {{ changed_records_column('user', 'id') }}
    union
    select user_id from {{ ref('stg_salesforce__user') }}
    where user_role_id in ({{ changed_records_column('user_role', 'id') }})
{%- endmacro %}

{% macro changed_lead_attributes() -%}
    {{ changed_leads() }}
    union
    {{ changed_records_column('campaign_member', 'lead_id') }}
    union
    select lead_id from {{ ref('stg_salesforce__lead') }}
    where
        converted_account_id in ({{ changed_records_column('account', 'id') }})
        or owner_id in ({{ changed_users() }})
{%- endmacro %}

{#- Leads whose hand-off moves with an activity on the lead or its converted contact, or with
    its user's sales role. -#}
{% macro changed_lead_activities() -%}
    select lead_id from {{ ref('stg_salesforce__lead') }}
    where lead_id in ({{ touched_people() }}) or converted_contact_id in ({{ touched_people() }})
{%- endmacro %}

{% macro touched_people() -%}
    {{ changed_records_column('task', 'who_id') }}
    union
    {{ changed_records_column('event', 'who_id') }}
    union
    select who_id from {{ ref('int_activities') }} where owner_id in ({{ changed_users() }})
{%- endmacro %}

{#- The inputs int_lead_changes reads, for its parse-time dependencies (refs inside
    is_incremental() blocks are invisible to dbt's parser). -#}
{% macro lead_change_sources() -%}
    -- depends_on: {{ ref('stg_salesforce__lead') }}
    -- depends_on: {{ ref('stg_salesforce__lead_history') }}
    -- depends_on: {{ ref('stg_salesforce__opportunity') }}
    -- depends_on: {{ ref('stg_salesforce__user') }}
    -- depends_on: {{ ref('int_activities') }}
    {%- for table_name in ['lead_history', 'campaign_member', 'account', 'user', 'user_role', 'task', 'event'] %}
    -- depends_on: {{ source('salesforce', table_name) }}
    {%- endfor %}
{%- endmacro %}

{% macro lead_change_time() -%}
    cast({{ dbt.current_timestamp() }} as {{ dbt.type_timestamp() }})
{%- endmacro %}

{#- post-hook of int_lead_changes: the newest load time of every source it reads. -#}
{% macro lead_change_sources_watermark() -%}
    {%- set relations = [] -%}
    {%- for table_name in ['lead', 'lead_history', 'opportunity', 'campaign_member', 'account', 'user', 'user_role', 'task', 'event'] -%}
        {%- do relations.append(source('salesforce', table_name)) -%}
    {%- endfor -%}
    {{ record_watermark(relations) }}
{%- endmacro %}

{# ---- the models that consume the log --------------------------------------------------------- #}

{#- Their parse-time dependencies on what logged_lead_changes reads (only their incremental
    branch does). -#}
{% macro lead_changes_dependency() -%}
    -- depends_on: {{ ref('int_lead_changes') }}
    -- depends_on: {{ ref('stg_salesforce__lead') }}
{%- endmacro %}

{#- Leads logged since this model's watermark; after a full refresh of the log, every lead. -#}
{% macro logged_lead_changes(reaches) -%}
    select lead_id from {{ ref('int_lead_changes') }}
    where recorded_at > {{ watermark() }} and reach in ('{{ reaches | join("', '") }}')
    {%- if lead_log_refreshed() %}
    union
    select lead_id from {{ this }}
    union
    select lead_id from {{ ref('stg_salesforce__lead') }}
    {%- endif %}
{%- endmacro %}

{#- Whether the log was refreshed since this model's watermark, asked when the model runs: as a
    branch of the changed set it cost a scan of the model and of staged leads every night (0.35 s
    of dim_lead's 0.56 s at 2M). No watermark yet (a model built before the log existed): treat
    as refreshed. -#}
{% macro lead_log_refreshed() -%}
    {{ return(log_restarted_since_watermark(ref('int_lead_changes'), "reach = 'everything'")) }}
{%- endmacro %}

{% macro logged_lead_attributes() -%}
    {{ logged_lead_changes(['attributes']) }}
{%- endmacro %}

{% macro logged_lead_handoffs() -%}
    {{ logged_lead_changes(['attributes', 'handoffs']) }}
{%- endmacro %}

{#- post-hook of a consumer: the newest log row it has consumed. -#}
{% macro lead_changes_record_watermark() -%}
    {{ record_watermark([ref('int_lead_changes')], column='recorded_at') }}
{%- endmacro %}
