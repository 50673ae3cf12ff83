-- Teams are UserRoles; the role hierarchy (parent roles) gives the chain up to the top.
-- team_function is the most common function of the team's members; manager is the most
-- common manager of its members.

with

roles as (
    select * from {{ ref('stg_salesforce__user_role') }}
    where not is_deleted
),

users as (
    select * from {{ ref('int_users') }}
),

member_functions as (
    select
        team_id,
        user_function,
        row_number() over (partition by team_id order by count(*) desc, user_function asc) as function_rank
    from users
    group by team_id, user_function
),

member_managers as (
    select
        team_id,
        manager_id,
        row_number() over (partition by team_id order by count(*) desc, manager_id asc) as manager_rank
    from users
    where manager_id is not null
    group by team_id, manager_id
),

members as (
    select
        team_id,
        count(*) as member_count,
        count(case when is_active then 1 end) as active_member_count
    from users
    group by team_id
)

select
    roles.user_role_id as team_id,
    roles.role_name as team_name,
    roles.parent_role_id as parent_team_id,
    parents.role_name as parent_team_name,
    coalesce(member_functions.user_function, 'none') as team_function,
    member_managers.manager_id,
    coalesce(members.member_count, 0) as member_count,
    coalesce(members.active_member_count, 0) as active_member_count,
    concat_ws(
        ' > ',
        level_5.role_name,
        level_4.role_name,
        level_3.role_name,
        level_2.role_name,
        parents.role_name,
        roles.role_name
    ) as hierarchy_path
from roles
left join roles as parents on roles.parent_role_id = parents.user_role_id
left join roles as level_2 on parents.parent_role_id = level_2.user_role_id
left join roles as level_3 on level_2.parent_role_id = level_3.user_role_id
left join roles as level_4 on level_3.parent_role_id = level_4.user_role_id
left join roles as level_5 on level_4.parent_role_id = level_5.user_role_id
left join member_functions on roles.user_role_id = member_functions.team_id and member_functions.function_rank = 1
left join member_managers on roles.user_role_id = member_managers.team_id and member_managers.manager_rank = 1
left join members on roles.user_role_id = members.team_id
