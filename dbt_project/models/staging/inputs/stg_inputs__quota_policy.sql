with

chosen as (
    {{ plan_input_rows('quota_policy', ['quota_type', 'period_start', 'period_end', 'applies_to', 'method',
        'hybrid_weight', 'allocation_basis', 'forecast_periods', 'forecast_growth']) }}
),

final as (
    select
        lower({{ clean_text('quota_type') }}) as quota_type,
        {{ parse_date('period_start') }} as period_start,
        {{ parse_date('period_end') }} as period_end,
        lower({{ clean_text('applies_to') }}) as applies_to,
        lower({{ clean_text('method') }}) as planning_method,
        coalesce({{ parse_decimal('hybrid_weight', 9, 4) }}, 0.5) as hybrid_weight,
        coalesce(lower({{ clean_text('allocation_basis') }}), 'equal_ramped_heads') as allocation_basis,
        coalesce({{ parse_integer('forecast_periods') }}, 3) as forecast_periods,
        coalesce({{ parse_decimal('forecast_growth', 9, 4) }}, 0) as forecast_growth,
        {{ load_metadata_columns() }}
    from chosen
)

select * from final
