-- Ptengine A/B results per experience, comparison, goal, version and day.
select
    profile_id,
    experience_id,
    cast(date as date) as date,
    compare_by,
    goal_id,
    version_id,
    version_name,
    is_baseline,
    cast(viewed_users as {{ dbt.type_bigint() }}) as viewed_users,
    cast(goal_reached_users as {{ dbt.type_bigint() }}) as goal_reached_users,
    cast(clicked_users as {{ dbt.type_bigint() }}) as clicked_users,
    cast(uplift as {{ dbt.type_float() }}) as uplift
from {{ source('ptengine', 'experience_abtest_daily') }}
