-- Pirsch visitors per referrer and day (an empty referrer is direct traffic).
select
    domain_id,
    cast(date as date) as date,
    coalesce(referrer, '') as referrer,
    referrer_name,
    cast(visitors as {{ dbt.type_bigint() }}) as visitors,
    cast(sessions as {{ dbt.type_bigint() }}) as sessions,
    cast(bounces as {{ dbt.type_bigint() }}) as bounces
from {{ source('pirsch', 'referrers_daily') }}
