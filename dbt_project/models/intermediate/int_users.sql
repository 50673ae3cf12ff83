-- Users with their team (their UserRole), manager and function. The function (sdr, ae,
-- sales_manager, csm, marketing, ...) comes from seeds/role_function_map.csv: the first rule
-- (lowest priority number) whose pattern matches the role name, title or department.

with

users as (
    select * from {{ ref('stg_salesforce__user') }}
    where not is_deleted
),

roles as (
    select * from {{ ref('stg_salesforce__user_role') }}
    where not is_deleted
),

rules as (
    select * from {{ ref('role_function_map') }}
),

matches as (
    select
        users.user_id,
        rules.user_function,
        rules.is_sales_role,
        row_number() over (partition by users.user_id order by rules.priority asc, rules.pattern asc) as rule_rank
    from users
    left join roles on users.user_role_id = roles.user_role_id
    inner join rules
        on
            (rules.field = 'role' and lower(roles.role_name) like rules.pattern)
            or (rules.field = 'title' and lower(users.title) like rules.pattern)
            or (rules.field = 'department' and lower(users.department) like rules.pattern)
)

select
    users.user_id,
    users.full_name,
    users.title,
    users.department,
    users.is_active,
    users.hired_date,
    users.termination_date,
    users.manager_id,
    managers.full_name as manager_name,
    roles.user_role_id as team_id,
    roles.role_name as team_name,
    roles.parent_role_id as parent_team_id,
    coalesce(matches.user_function, 'other') as user_function,
    coalesce(matches.is_sales_role, false) as is_sales_role
from users
left join roles on users.user_role_id = roles.user_role_id
left join users as managers on users.manager_id = managers.user_id
left join matches on users.user_id = matches.user_id and matches.rule_rank = 1
