-- Convert goals.
select project_id, id as goal_id, name as goal_name, type as goal_type
from {{ source('convert', 'goals') }}
