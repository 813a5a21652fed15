-- Ptengine conversion goals.
select profile_id, id as goal_id, name as goal_name
from {{ source('ptengine', 'conversion_goals') }}
