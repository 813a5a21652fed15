-- OpenPanel events with their UTC day.
select
    project_id,
    id as event_id,
    name as event_name,
    device_id,
    profile_id,
    session_id,
    created_at,
    {{ utc_day('created_at') }} as date_utc,
    path,
    country
from {{ source('openpanel', 'events') }}
