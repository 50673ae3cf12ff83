with

chosen as (
    {{ plan_input_rows('composite_weights', ['component_type', 'weight', 'cap_pct']) }}
),

final as (
    select
        lower({{ clean_text('component_type') }}) as component_type,
        {{ parse_decimal('weight', 9, 4) }} as weight,
        {{ parse_decimal('cap_pct', 9, 4) }} as cap_pct,
        {{ load_metadata_columns() }}
    from chosen
)

select * from final
