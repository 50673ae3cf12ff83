with

chosen as (
    {{ plan_input_rows('rep_commitments', ['owner_id', 'period_start', 'period_end', 'quota_type', 'commitment']) }}
),

final as (
    select
        {{ clean_text('owner_id') }} as owner_id,
        {{ parse_date('period_start') }} as period_start,
        {{ parse_date('period_end') }} as period_end,
        lower({{ clean_text('quota_type') }}) as quota_type,
        {{ parse_decimal('commitment') }} as commitment,
        {{ load_metadata_columns() }}
    from chosen
)

select * from final
