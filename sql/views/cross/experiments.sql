-- Ptengine A/B (goal reached) and Convert results in one shape: one row per experiment,
-- goal and variation. Ids are text (Ptengine's are UUIDs, Convert's integers).
-- conversion_rate = conversions / visitors; uplift against the experiment's baseline.
SELECT
  'ptengine' AS source,
  p.profile_id AS account_id,
  p.experience_id AS experiment_id,
  p.experience_name AS experiment_name,
  p.goal_id,
  p.goal_name,
  p.version_id AS variation_id,
  p.version_name AS variation_name,
  p.is_baseline,
  p.first_date,
  p.last_date,
  p.visitors,
  p.conversions,
  p.conversion_rate,
  p.uplift
FROM analytics.ptengine_experiment_results AS p
WHERE p.compare_by = 'goalReached'
UNION ALL
SELECT
  'convert' AS source,
  CAST(c.project_id AS VARCHAR) AS account_id,
  CAST(c.experience_id AS VARCHAR) AS experiment_id,
  c.experience_name AS experiment_name,
  CAST(c.goal_id AS VARCHAR) AS goal_id,
  c.goal_name,
  CAST(c.variation_id AS VARCHAR) AS variation_id,
  c.variation_name,
  c.is_baseline,
  c.first_date,
  c.last_date,
  c.visitors,
  c.conversions,
  c.conversion_rate,
  c.uplift
FROM analytics.convert_experiment_results AS c
