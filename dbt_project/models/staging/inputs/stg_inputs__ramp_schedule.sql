with

chosen as (
    {{ plan_input_rows('ramp_schedule', ['tenure_month', 'ramp_pct']) }}
),

final as (
    select
        {{ parse_integer('tenure_month') }} as tenure_month,
        {{ parse_decimal('ramp_pct', 9, 4) }} as ramp_pct,
        {{ load_metadata_columns() }}
    from chosen
)

select * from final
