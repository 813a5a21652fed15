-- Convert daily (non-cumulative) results; conversion_rate = conversions / visitors.
select
    project_id,
    experience_id,
    goal_id,
    variation_id,
    cast(date as date) as date,
    cast(visitors as {{ dbt.type_bigint() }}) as visitors,
    cast(conversions as {{ dbt.type_bigint() }}) as conversions,
    cast(conversions as {{ dbt.type_float() }}) / nullif(visitors, 0) as conversion_rate
from {{ source('convert', 'experience_daily_reports') }}
