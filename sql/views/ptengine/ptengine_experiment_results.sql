-- Ptengine Experience A/B results per experience, comparison, goal and version over every
-- loaded day. visitors = viewed users summed over days (a user seen on two days counts
-- twice); conversions = the users counted by compare_by (goal reached, clicked, closed,
-- form submitted); conversion_rate = conversions / visitors; uplift = the version's rate /
-- the baseline's rate - 1 (NULL for the baseline).
WITH versions AS (
  SELECT
    a.profile_id,
    a.experience_id,
    MAX(a.experience_name) AS experience_name,
    a.compare_by,
    a.goal_id,
    a.version_id,
    MAX(a.version_name) AS version_name,
    a.is_baseline,
    MIN(a.date) AS first_date,
    MAX(a.date) AS last_date,
    SUM(a.viewed_users) AS visitors,
    SUM(CASE a.compare_by
      WHEN 'goalReached' THEN a.goal_reached_users
      WHEN 'clickedUsers' THEN a.clicked_users
      WHEN 'closedUsers' THEN a.closed_users
      WHEN 'formSubmittedUsers' THEN a.form_submitted_users
    END) AS conversions
  FROM ptengine.experience_abtest_daily AS a
  WHERE a.compare_by IN ('goalReached', 'clickedUsers', 'closedUsers', 'formSubmittedUsers')
  GROUP BY a.profile_id, a.experience_id, a.compare_by, a.goal_id, a.version_id, a.is_baseline
), rated AS (
  SELECT
    versions.*,
    CAST(conversions AS DOUBLE PRECISION) / NULLIF(visitors, 0) AS conversion_rate
  FROM versions
), goal_names AS (
  SELECT g.id, MAX(g.name) AS name FROM ptengine.experiences__goals AS g GROUP BY g.id
)
SELECT
  r.profile_id,
  r.experience_id,
  r.experience_name,
  r.compare_by,
  r.goal_id,
  n.name AS goal_name,
  r.version_id,
  r.version_name,
  r.is_baseline,
  r.first_date,
  r.last_date,
  r.visitors,
  r.conversions,
  r.conversion_rate,
  CASE WHEN NOT r.is_baseline THEN r.conversion_rate / NULLIF(MAX(CASE WHEN r.is_baseline
    THEN r.conversion_rate END) OVER (PARTITION BY r.profile_id, r.experience_id,
    r.compare_by, r.goal_id), 0) - 1
  END AS uplift
FROM rated AS r
LEFT JOIN goal_names AS n ON n.id = r.goal_id
