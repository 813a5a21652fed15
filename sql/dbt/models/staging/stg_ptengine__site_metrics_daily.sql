-- Ptengine site totals per profile, segment and day; rates as fractions, durations in seconds.
select
    cast(profile_id as {{ dbt.type_string() }}) as profile_id,
    cast(segment as {{ dbt.type_string() }}) as segment,
    cast(date as date) as date,
    cast(visits as {{ dbt.type_bigint() }}) as visits,
    cast(users as {{ dbt.type_bigint() }}) as users,
    cast(page_view as {{ dbt.type_bigint() }}) as page_views,
    cast(conversions as {{ dbt.type_bigint() }}) as conversions,
    cast(conversion_value as {{ dbt.type_numeric() }}) as conversion_value,
    cast(bounce_rate as {{ dbt.type_float() }}) as bounce_rate,
    cast(new_visits_rate as {{ dbt.type_float() }}) as new_visits_rate,
    cast(conversion_rate as {{ dbt.type_float() }}) as conversion_rate,
    cast(avg_visit_duration as {{ dbt.type_float() }}) as avg_visit_duration_seconds,
    cast(avg_load_time as {{ dbt.type_float() }}) as avg_load_time_seconds
from {{ source('ptengine', 'site_metrics_daily') }}
