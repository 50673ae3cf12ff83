-- Products (Product2).
select
    product_id,
    product_name,
    product_code,
    coalesce(product_family, 'Unknown') as product_family,
    is_active
from {{ ref('stg_salesforce__product_2') }}
where not is_deleted
