-- Pirsch domains with their reporting timezone.
select id as domain_id, hostname, timezone
from {{ source('pirsch', 'domains') }}
