{#-
  fct_opportunity as a changed-key incremental (macros/incremental.sql). A deal's row reads its
  own record and history, its owner's user row and role (team), the dated rates (every amount),
  its account (segment, industry, region, and the account's first won deal: is_new_customer_win),
  the leads converted into it (originating lead, channel) or into its account (the account's
  first lead: channel of a deal without a lead of its own), and, open, the as-of date
  (days_in_current_stage). So a night re-derives the deals that any of these reach, reading every
  raw version of a changed account, deal or lead (a deal moved to another account, or a lead to
  another deal, reaches the old one too), and every open deal: ~105K of 1.2M deals at 10M leads.
  Seeds and vars need `--full-refresh`, as for every incremental.
-#}

{% macro changed_fact_opportunities() -%}
    {{ opportunities_changed_since(watermark()) }}
    union
    select opportunity_id from {{ this }} where not is_closed
    union
    {{ changed_records_column('lead', 'converted_opportunity_id') }}
    union
    select opportunity_id from {{ ref('stg_salesforce__opportunity') }}
    where account_id in (
        {{ changed_records_column('account', 'id') }}
        union
        {{ changed_records_column('opportunity', 'account_id') }}
        union
        {{ changed_records_column('lead', 'converted_account_id') }}
    )
{%- endmacro %}

{#- The staged tables' newest load time: a raw row loaded later is a change. (A version the gate
    held out is in raw and not in staging: the watermark can only be older, never newer.) -#}
{% macro fact_opportunity_record_watermark() -%}
    {{ record_watermark(
        opportunity_change_relations() + [ref('stg_salesforce__account'), ref('stg_salesforce__lead')]
    ) }}
{%- endmacro %}

{# ---- dim_account: a changed-key incremental of its record and its deals -------------------- #}

{#- An account's row reads its record and, for its first won deal, its deals: the accounts of a
    changed account record, and of every version of a changed deal (a deal moved to another
    account changes the first win of both). -#}
{% macro changed_accounts() -%}
    {{ changed_records_column('account', 'id') }}
    union
    {{ changed_records_column('opportunity', 'account_id') }}
{%- endmacro %}

{% macro account_record_watermark() -%}
    {{ record_watermark([ref('stg_salesforce__account'), ref('stg_salesforce__opportunity')]) }}
{%- endmacro %}
