{#-
  The lead-grain tables (int_leads, int_lead_dimensions, fct_lead_lifecycle, dim_lead,
  fct_lead_handoff) as changed-key incrementals (macros/incremental.sql): a night re-derives the
  leads whose row, status history or converted deal changed (changed_leads) and the leads a changed
  related record reaches - a campaign membership (first touch), the converted account (industry,
  size, region), the owner or the owner's role (team), and for the hand-off a task or event on the
  lead or its contact, or a change to the user who did it (sales role). Every version of a changed
  record is read, so a membership or activity moved from one lead to another re-derives both.
  Seeds and vars need `--full-refresh`, as for every incremental here.
-#}

{#- Record keys of a CRM source table with a version loaded, or held by the gate, since the watermark. -#}
{% macro changed_source_records(table_name) -%}
    {{ changed_record_keys(source('salesforce', table_name), source_key_columns('salesforce', table_name)) }}
    union
    {{ held_since_watermark(table_name) }}
{%- endmacro %}

{#- `column` of every version, old ones included, of the records changed since the watermark. -#}
{% macro changed_records_column(table_name, column) -%}
    select {{ clean_text('versions.' ~ column) }}
    from {{ source('salesforce', table_name) }} as versions
    where {{ record_key(source_key_columns('salesforce', table_name), 'versions') }}
        in ({{ changed_source_records(table_name) }})
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

{#- Hand-offs also move with the activities on a lead or its converted contact, and with their
    users' sales role. -#}
{% macro changed_lead_handoffs() -%}
    {{ changed_lead_attributes() }}
    union
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

{#- The inputs the changed-lead sets read, for the models' parse-time dependencies (refs inside
    is_incremental() blocks are invisible to dbt's parser). -#}
{% macro lead_attribute_dependencies(handoff=false) -%}
    -- depends_on: {{ ref('stg_salesforce__lead') }}
    -- depends_on: {{ ref('stg_salesforce__lead_history') }}
    -- depends_on: {{ ref('stg_salesforce__opportunity') }}
    -- depends_on: {{ ref('stg_salesforce__user') }}
    {%- for table_name in ['lead_history', 'campaign_member', 'account', 'user', 'user_role'] + (['task', 'event'] if handoff else []) %}
    -- depends_on: {{ source('salesforce', table_name) }}
    {%- endfor %}
    {%- if handoff %}
    -- depends_on: {{ ref('int_activities') }}
    {%- endif %}
{%- endmacro %}

{% macro lead_attributes_record_watermark() -%}
    {{ lead_grain_record_watermark(handoff=false) }}
{%- endmacro %}

{% macro lead_handoffs_record_watermark() -%}
    {{ lead_grain_record_watermark(handoff=true) }}
{%- endmacro %}

{#- The newest load time of every source the model's changed leads come from. -#}
{% macro lead_grain_record_watermark(handoff) -%}
    {%- set tables = ['lead', 'lead_history', 'opportunity', 'campaign_member', 'account', 'user', 'user_role'] -%}
    {%- set relations = [] -%}
    {%- for table_name in tables + (['task', 'event'] if handoff else []) -%}
        {%- do relations.append(source('salesforce', table_name)) -%}
    {%- endfor -%}
    {{ record_watermark(relations) }}
{%- endmacro %}
