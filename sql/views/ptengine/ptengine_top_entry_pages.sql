-- Ptengine entry pages over every loaded day, per profile and segment, ranked by entrances.
-- conversion_rate = conversions / entrances; bounce_rate and avg_visit_duration_seconds
-- are entrance-weighted averages of the daily values.
SELECT
  p.profile_id,
  p.segment,
  p.url,
  MAX(p.title) AS title,
  MIN(p.date) AS first_date,
  MAX(p.date) AS last_date,
  SUM(p.entrances) AS entrances,
  SUM(p.conversions) AS conversions,
  CAST(SUM(p.conversions) AS DOUBLE PRECISION) / NULLIF(SUM(p.entrances), 0) AS conversion_rate,
  SUM(p.bounce_rate * p.entrances) / NULLIF(SUM(p.entrances), 0) AS bounce_rate,
  SUM(p.avg_visit_duration * p.entrances) / NULLIF(SUM(p.entrances), 0)
    AS avg_visit_duration_seconds,
  RANK() OVER (PARTITION BY p.profile_id, p.segment ORDER BY SUM(p.entrances) DESC)
    AS entrance_rank
FROM ptengine.traffic_by_entry_combined_pages_daily AS p
GROUP BY p.profile_id, p.segment, p.url
