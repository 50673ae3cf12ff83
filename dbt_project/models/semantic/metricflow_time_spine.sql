-- MetricFlow's time spine: one row per calendar day, with the fiscal periods of dim_date as
-- custom granularities, so any metric can be grouped by metric_time__fiscal_quarter/_year.

select
    date_day,
    fiscal_quarter_start,
    fiscal_year_start
from {{ ref('dim_date') }}
