-- Ptengine site traffic per profile, segment and reporting day.
-- Counts as loaded; conversion_rate, page_views_per_visit and visits_per_user recomputed
-- from the counts (exact, where the API rounds to 4 decimals). The API's own rates that
-- have no count behind them (bounce, new and returning visits) are kept as fractions.
SELECT
  s.profile_id,
  s.segment,
  s.date,
  s.visits,
  s.users,
  s.page_view AS page_views,
  s.conversions,
  CAST(s.conversions AS DOUBLE PRECISION) / NULLIF(s.visits, 0) AS conversion_rate,
  CAST(s.page_view AS DOUBLE PRECISION) / NULLIF(s.visits, 0) AS page_views_per_visit,
  CAST(s.visits AS DOUBLE PRECISION) / NULLIF(s.users, 0) AS visits_per_user,
  s.bounce_rate,
  s.new_visits_rate,
  s.return_visits_rate,
  s.avg_visit_duration AS avg_visit_duration_seconds,
  s.avg_load_time AS avg_load_time_seconds,
  s.conversion_value
FROM ptengine.site_metrics_daily AS s
