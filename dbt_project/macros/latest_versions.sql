{#-
  Keeps the latest version of every record of a raw table (raw is append-only: one row per
  version of a record, across exports). The record is raw's _record_key, stored at landing from
  the table's `meta.key` (orchestration/extract/loader.py, record_key_sql).

  Version order: the first non-null of `version_timestamps` (for CRM objects SystemModstamp,
  else LastModifiedDate, else Fivetran's sync time), else file order (later batch, then later
  row). With `fivetran_history=true`, rows with _fivetran_active = false are superseded versions
  and never current. Rows whose key is empty are kept one by one (each is its own partition) so
  that nothing is collapsed silently; the quality gate deals with them.

  With `quarantine` (a quarantine.<table> relation), a record whose latest version the quality
  gate quarantined is held out: it is not replaced by an older version, because an older version
  is not the record's current state (DECISIONS.md, Quality gate).

  With `changed_only`, an incremental run reads only the records with a version loaded since the
  model's watermark (macros/incremental.sql).

  Returns the raw columns plus _version_count (how many versions the record had).
-#}
{% macro latest_versions(
    relation,
    version_timestamps=['system_modstamp', 'last_modified_date', '_fivetran_synced'],
    fivetran_history=true,
    quarantine=none,
    changed_only=false
) -%}
    {#- On DuckDB the window ranks only the keys and the order columns; the latest rows are then
        fetched by rowid, instead of carrying every column through the window's sort (a quarter
        of the staging time of a wide table). A subquery has no rowid: ranked whole there. -#}
    {%- set by_row_id = target.type == 'duckdb' and relation is not string %}
    select *
    from (
        select
            {%- if by_row_id %}
            latest_rows.*,
            ranked._version_rank,
            ranked._version_count
            {%- else %}
            ranked.*
            {%- endif %}
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
                {%- if changed_only and is_incremental() %}
                {{ changed_raw_rows(relation) }}
                {%- else %}
                select
                    {%- if by_row_id %}
                    raw_rows.rowid as _row_id,
                    {%- endif %}
                    raw_rows.*
                from {{ relation }} as raw_rows
                {%- endif %}
            ) as versions
        ) as ranked
        {%- if by_row_id %}
        inner join {{ relation }} as latest_rows on ranked._row_id = latest_rows.rowid
        {%- endif %}
    ) as latest_versions
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
