-- OpenPanel traffic per project and UTC day: distinct devices (visitors), distinct
-- sessions, all events and screen views; events_per_session recomputed from the counts.
SELECT
  e.project_id,
  CAST(e.created_at AT TIME ZONE 'UTC' AS DATE) AS date,
  COUNT(DISTINCT e.device_id) AS visitors,
  COUNT(DISTINCT e.session_id) AS sessions,
  COUNT(*) AS events,
  SUM(CASE WHEN e.name = 'screen_view' THEN 1 ELSE 0 END) AS screen_views,
  CAST(COUNT(*) AS DOUBLE PRECISION) / NULLIF(COUNT(DISTINCT e.session_id), 0)
    AS events_per_session
FROM openpanel.events AS e
GROUP BY e.project_id, CAST(e.created_at AT TIME ZONE 'UTC' AS DATE)
