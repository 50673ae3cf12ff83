-- People in the CRM: reps, SDRs, CSMs, marketers, managers, with team and function.
select
    user_id,
    full_name,
    title,
    department,
    user_function,
    is_sales_role,
    team_id,
    team_name,
    manager_id,
    manager_name,
    is_active,
    hired_date,
    termination_date
from {{ ref('int_users') }}
