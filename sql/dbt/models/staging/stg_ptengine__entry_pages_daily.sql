-- Ptengine entrances per entry page and day.
select
    profile_id,
    segment,
    cast(date as date) as date,
    url,
    title,
    cast(entrances as {{ dbt.type_bigint() }}) as entrances,
    cast(conversions as {{ dbt.type_bigint() }}) as conversions,
    cast(bounce_rate as {{ dbt.type_float() }}) as bounce_rate,
    cast(avg_visit_duration as {{ dbt.type_float() }}) as avg_visit_duration_seconds
from {{ source('ptengine', 'traffic_by_entry_combined_pages_daily') }}
