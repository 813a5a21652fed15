-- Convert experiences.
select
    project_id,
    id as experience_id,
    name as experience_name,
    status,
    type as experience_type,
    primary_goal_id,
    start_time as started_at,
    end_time as ended_at
from {{ source('convert', 'experiences') }}
