-- The date the data describes ("as of"), one row: var as_of_date when set, else the company date
-- of the latest change in the CRM data. Derived from the data, not from the clock, so that a
-- rebuild of the same export gives the same marts.
{%- set as_of = var('as_of_date', none) %}

{% if as_of is not none -%}
select cast('{{ as_of }}' as date) as as_of_date
{%- else -%}
with

-- Straight from raw: the latest change is the latest change, whichever version carries it.
changes as (
    select max({{ parse_timestamp('last_modified_date') }}) as changed_at from {{ source('salesforce', 'opportunity') }}
    union all
    select max({{ parse_timestamp('last_modified_date') }}) as changed_at from {{ source('salesforce', 'lead') }}
    union all
    select max({{ parse_timestamp('created_date') }}) as changed_at
    from {{ source('salesforce', 'opportunity_history') }}
)

select coalesce(max({{ company_date('changed_at') }}), current_date) as as_of_date
from changes
{%- endif %}
