-- Pirsch visitors per domain and day; bounce_rate recomputed as bounces / sessions.
select
    domain_id,
    cast(date as date) as date,
    cast(visitors as {{ dbt.type_bigint() }}) as visitors,
    cast(sessions as {{ dbt.type_bigint() }}) as sessions,
    cast(views as {{ dbt.type_bigint() }}) as page_views,
    cast(bounces as {{ dbt.type_bigint() }}) as bounces,
    cast(bounces as {{ dbt.type_float() }}) / nullif(sessions, 0) as bounce_rate,
    cast(cr as {{ dbt.type_float() }}) as conversion_rate
from {{ source('pirsch', 'visitors_daily') }}
