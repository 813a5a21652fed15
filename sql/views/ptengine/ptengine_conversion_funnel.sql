-- Ptengine conversion funnels (goals listed in funnel_goals) over every loaded day: one row
-- per goal and step. continued = entries that went on to the next step (entries - dropoff);
-- conversion_to_next_rate = continued / entries (NULL on the last step);
-- share_of_first_step = entries / the first step's entries.
WITH steps AS (
  SELECT
    f.profile_id,
    f.segment,
    f.conversion_name,
    f.step_id,
    MIN(f.date) AS first_date,
    MAX(f.date) AS last_date,
    SUM(f.entries) AS entries,
    SUM(f.external) AS external_entries,
    SUM(f.dropoff) AS dropoff
  FROM ptengine.conversion_funnel_steps_daily AS f
  GROUP BY f.profile_id, f.segment, f.conversion_name, f.step_id
), marked AS (
  SELECT
    steps.*,
    MAX(step_id) OVER (PARTITION BY profile_id, segment, conversion_name) AS last_step_id,
    MIN(step_id) OVER (PARTITION BY profile_id, segment, conversion_name) AS first_step_id
  FROM steps
)
SELECT
  m.profile_id,
  m.segment,
  m.conversion_name,
  m.step_id,
  m.first_date,
  m.last_date,
  m.entries,
  m.external_entries,
  m.dropoff,
  CASE WHEN m.step_id < m.last_step_id THEN m.entries - m.dropoff END AS continued,
  CASE WHEN m.step_id < m.last_step_id
    THEN CAST(m.entries - m.dropoff AS DOUBLE PRECISION) / NULLIF(m.entries, 0)
  END AS conversion_to_next_rate,
  CAST(m.entries AS DOUBLE PRECISION) / NULLIF(SUM(CASE WHEN m.step_id = m.first_step_id
    THEN m.entries END) OVER (PARTITION BY m.profile_id, m.segment, m.conversion_name), 0)
    AS share_of_first_step
FROM marked AS m
