-- OpenPanel events per project, UTC day and event name: events, distinct sessions,
-- distinct devices (visitors) and distinct identified profiles.
SELECT
  e.project_id,
  CAST(e.created_at AT TIME ZONE 'UTC' AS DATE) AS date,
  e.name AS event_name,
  COUNT(*) AS events,
  COUNT(DISTINCT e.session_id) AS sessions,
  COUNT(DISTINCT e.device_id) AS visitors,
  COUNT(DISTINCT e.profile_id) AS profiles
FROM openpanel.events AS e
GROUP BY e.project_id, CAST(e.created_at AT TIME ZONE 'UTC' AS DATE), e.name
