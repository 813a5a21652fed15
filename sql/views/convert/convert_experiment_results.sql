-- Convert experience results per goal and variation, from each experience's latest
-- aggregated report. conversion_rate = conversions / visitors; uplift = the variation's
-- rate / the baseline's rate - 1 (recomputed; reported_change is the API's metric_change).
-- confidence and chance_to_win are fractions 0-1; revenue is DECIMAL.
WITH latest AS (
  SELECT project_id, experience_id, MAX(report_date) AS report_date
  FROM convert.experience_aggregated_reports
  GROUP BY project_id, experience_id
), rated AS (
  SELECT
    a.*,
    CAST(a.conversions AS DOUBLE PRECISION) / NULLIF(a.visitors, 0) AS rate
  FROM convert.experience_aggregated_reports AS a
  JOIN latest AS l
    ON l.project_id = a.project_id AND l.experience_id = a.experience_id
    AND l.report_date = a.report_date
)
SELECT
  r.project_id,
  r.experience_id,
  e.name AS experience_name,
  e.status AS experience_status,
  CAST(e.start_time AT TIME ZONE 'UTC' AS DATE) AS first_date,
  r.report_date AS last_date,
  r.goal_id,
  g.name AS goal_name,
  r.variation_id,
  r.variation_name,
  r.is_baseline,
  r.stats_methodology,
  r.visitors,
  r.conversions,
  r.rate AS conversion_rate,
  CASE WHEN NOT r.is_baseline THEN r.rate / NULLIF(MAX(CASE WHEN r.is_baseline THEN r.rate END)
    OVER (PARTITION BY r.project_id, r.experience_id, r.goal_id), 0) - 1
  END AS uplift,
  r.change AS reported_change,
  r.interval_low,
  r.interval_high,
  r.confidence,
  r.chance_to_win,
  r.statistically_significant,
  r.srm AS srm_p_value,
  r.revenue,
  r.avg_revenue_per_visitor
FROM rated AS r
LEFT JOIN convert.experiences AS e ON e.project_id = r.project_id AND e.id = r.experience_id
LEFT JOIN convert.goals AS g ON g.project_id = r.project_id AND g.id = r.goal_id
