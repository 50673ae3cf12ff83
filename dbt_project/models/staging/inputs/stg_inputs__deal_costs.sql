with

latest as (
    {{ latest_source_rows('inputs', 'deal_costs', crm=false) }}
),

final as (
    select
        {{ clean_text('opportunity_id') }} as opportunity_id,
        lower({{ clean_text('cost_type') }}) as cost_type,
        {{ parse_decimal('amount') }} as amount,
        upper({{ clean_text('currency') }}) as currency_iso_code,
        {{ load_metadata_columns() }}
    from latest
)

select * from final
