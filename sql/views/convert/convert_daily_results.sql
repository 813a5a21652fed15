-- Convert daily (non-cumulative) results per experience, goal and variation, with names.
-- conversion_rate = conversions / visitors.
SELECT
  d.project_id,
  d.experience_id,
  e.name AS experience_name,
  d.goal_id,
  g.name AS goal_name,
  d.variation_id,
  v.name AS variation_name,
  v.is_baseline,
  d.date,
  d.visitors,
  d.conversions,
  CAST(d.conversions AS DOUBLE PRECISION) / NULLIF(d.visitors, 0) AS conversion_rate
FROM convert.experience_daily_reports AS d
LEFT JOIN convert.experiences AS e ON e.project_id = d.project_id AND e.id = d.experience_id
LEFT JOIN convert.goals AS g ON g.project_id = d.project_id AND g.id = d.goal_id
LEFT JOIN convert.experiences__variations AS v
  ON v.project_id = d.project_id AND v.experience_id = d.experience_id AND v.id = d.variation_id
