{#-
  Keeps the latest version of every record of a raw table (raw is append-only: one row per
  version of a record, across exports).

  Version order: the first non-null of `version_timestamps` (for CRM objects SystemModstamp,
  else LastModifiedDate, else Fivetran's sync time), else file order (later batch, then later
  row). With `fivetran_history=true`, rows with _fivetran_active = false are superseded versions
  and never current. Rows whose key is empty are kept one by one (each is its own partition) so
  that nothing is collapsed silently; the quality gate deals with them.

  With `quarantine` (a quarantine.<table> relation), a record whose latest version the quality
  gate quarantined is held out: it is not replaced by an older version, because an older version
  is not the record's current state (DECISIONS.md, Quality gate).

  Returns the raw columns plus _version_count (how many versions the record had).
-#}
{% macro latest_versions(
    relation,
    key_columns=['id'],
    version_timestamps=['system_modstamp', 'last_modified_date', '_fivetran_synced'],
    fivetran_history=true,
    quarantine=none
) -%}
    {%- set key_parts = [] -%}
    {%- for column in key_columns -%}
        {%- do key_parts.append("coalesce(trim(raw_rows." ~ column ~ "), '')") -%}
    {%- endfor -%}
    {%- set empty_key = "|" * (key_columns | length - 1) -%}
    select *
    from (
        select
            versions.*,
            row_number() over (
                partition by versions._record_key
                order by
                    {% if fivetran_history -%}
                    case when {{ parse_boolean('versions._fivetran_active') }} = false then 1 else 0 end,
                    {% endif -%}
                    {% if version_timestamps -%}
                    coalesce(
                        {%- for column in version_timestamps %}
                        {{ parse_timestamp('versions.' ~ column) }}{{ "," if not loop.last }}
                        {%- endfor %}
                    ) desc nulls last,
                    {% endif -%}
                    versions._loaded_at desc,
                    versions._source_row desc
            ) as _version_rank,
            count(*) over (partition by versions._record_key) as _version_count
        from (
            select
                raw_rows.*,
                case
                    when {{ key_parts | join(" || '|' || ") }} = '{{ empty_key }}'
                        then '_row:' || raw_rows._batch_id || ':' || cast(raw_rows._source_row as varchar)
                    else {{ key_parts | join(" || '|' || ") }}
                end as _record_key
            from {{ relation }} as raw_rows
        ) as versions
    ) as ranked
    where
        _version_rank = 1
        {% if fivetran_history -%}
        and coalesce({{ parse_boolean('_fivetran_active') }}, true)
        {%- endif %}
        {% if quarantine is not none -%}
        and _row_hash not in (select held._row_hash from {{ quarantine }} as held)
        {%- endif %}
{%- endmacro %}

{#- A record is soft-deleted when Salesforce says IsDeleted or Fivetran says _fivetran_deleted. -#}
{% macro is_soft_deleted() -%}
    (coalesce({{ parse_boolean('is_deleted') }}, false) or coalesce({{ parse_boolean('_fivetran_deleted') }}, false))
{%- endmacro %}
