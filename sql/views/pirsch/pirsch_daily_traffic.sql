-- Pirsch traffic per domain and reporting day. bounce_rate = bounces / sessions,
-- views_per_session and sessions_per_visitor recomputed from the counts; the average
-- session duration (seconds) comes from session_duration_daily.
SELECT
  v.domain_id,
  v.date,
  v.visitors,
  v.sessions,
  v.views AS page_views,
  v.bounces,
  CAST(v.bounces AS DOUBLE PRECISION) / NULLIF(v.sessions, 0) AS bounce_rate,
  CAST(v.views AS DOUBLE PRECISION) / NULLIF(v.sessions, 0) AS views_per_session,
  CAST(v.sessions AS DOUBLE PRECISION) / NULLIF(v.visitors, 0) AS sessions_per_visitor,
  v.cr AS conversion_rate,
  d.average_time_spent_seconds AS avg_session_duration_seconds
FROM pirsch.visitors_daily AS v
LEFT JOIN pirsch.session_duration_daily AS d
  ON d.domain_id = v.domain_id AND d.date = v.date
