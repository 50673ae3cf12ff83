-- Dated exchange rates used for every conversion to the reporting currency (see int_fx_rates).
select
    iso_code,
    conversion_rate,
    valid_from,
    valid_to,
    rate_source
from {{ ref('int_fx_rates') }}
