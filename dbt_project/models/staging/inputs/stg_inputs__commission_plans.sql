with

chosen as (
    {{ plan_input_rows('commission_plans', ['plan_name', 'user_function', 'tier', 'from_pct', 'to_pct', 'rate',
        'label']) }}
),

final as (
    select
        {{ clean_text('plan_name') }} as plan_name,
        lower({{ clean_text('user_function') }}) as user_function,
        {{ parse_integer('tier') }} as tier,
        {{ parse_decimal('from_pct', 9, 4) }} as from_pct,
        {{ parse_decimal('to_pct', 9, 4) }} as to_pct,
        {{ parse_decimal('rate', 9, 6) }} as rate,
        {{ clean_text('label') }} as tier_label,
        {{ load_metadata_columns() }}
    from chosen
)

select * from final
