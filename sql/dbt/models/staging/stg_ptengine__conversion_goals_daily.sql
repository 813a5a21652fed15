-- Ptengine completions per goal and day; money as DECIMAL.
select
    profile_id,
    segment,
    cast(date as date) as date,
    conversion_name as goal_name,
    goal_type,
    cast(conversions as {{ dbt.type_bigint() }}) as conversions,
    cast(conversion_rate as {{ dbt.type_float() }}) as conversion_rate,
    cast(revenue as {{ dbt.type_numeric() }}) as revenue,
    cast(loss as {{ dbt.type_numeric() }}) as loss
from {{ source('ptengine', 'conversion_goals_daily') }}
