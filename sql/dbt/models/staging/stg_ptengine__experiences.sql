-- Ptengine experiences (popups, banners, A/B tests).
select profile_id, id as experience_id, name as experience_name, status, type as experience_type
from {{ source('ptengine', 'experiences') }}
