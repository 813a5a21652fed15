-- Convert variations of each experience.
select project_id, experience_id, id as variation_id, name as variation_name, is_baseline,
    cast(traffic_distribution as {{ dbt.type_float() }}) as traffic_distribution
from {{ source('convert', 'experiences__variations') }}
