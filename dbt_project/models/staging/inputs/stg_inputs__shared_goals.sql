with

chosen as (
    {{ plan_input_rows('shared_goals', ['goal_id', 'goal_name', 'owner_type', 'owner_id', 'period_start',
        'period_end', 'metric', 'target']) }}
),

final as (
    select
        {{ clean_text('goal_id') }} as goal_id,
        {{ clean_text('goal_name') }} as goal_name,
        lower({{ clean_text('owner_type') }}) as owner_type,
        {{ clean_text('owner_id') }} as owner_id,
        {{ parse_date('period_start') }} as period_start,
        {{ parse_date('period_end') }} as period_end,
        lower({{ clean_text('metric') }}) as metric,
        {{ parse_decimal('target') }} as target_value,
        {{ load_metadata_columns() }}
    from chosen
)

select * from final
