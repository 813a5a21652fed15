-- Visitors per day as each tool counts them, side by side (all accounts of each source
-- summed; Ptengine's unsegmented numbers). Ptengine counts visits (sessions) and users,
-- Pirsch visitors and sessions on the domain's day, OpenPanel distinct devices and sessions
-- on the UTC day. A NULL means the source has no row for that day.
WITH pt AS (
  SELECT date, SUM(visits) AS visits, SUM(users) AS users, SUM(page_views) AS page_views
  FROM analytics.ptengine_daily_traffic
  WHERE segment = 'all'
  GROUP BY date
), pi AS (
  SELECT date, SUM(visitors) AS visitors, SUM(sessions) AS sessions,
    SUM(page_views) AS page_views
  FROM analytics.pirsch_daily_traffic
  GROUP BY date
), op AS (
  SELECT date, SUM(visitors) AS visitors, SUM(sessions) AS sessions,
    SUM(screen_views) AS page_views
  FROM analytics.openpanel_daily_traffic
  GROUP BY date
), days AS (
  SELECT DISTINCT date FROM (
    SELECT date FROM pt
    UNION ALL
    SELECT date FROM pi
    UNION ALL
    SELECT date FROM op
  ) AS all_days
)
SELECT
  d.date,
  pt.users AS ptengine_users,
  pt.visits AS ptengine_visits,
  pt.page_views AS ptengine_page_views,
  pi.visitors AS pirsch_visitors,
  pi.sessions AS pirsch_sessions,
  pi.page_views AS pirsch_page_views,
  op.visitors AS openpanel_visitors,
  op.sessions AS openpanel_sessions,
  op.page_views AS openpanel_screen_views
FROM days AS d
LEFT JOIN pt ON pt.date = d.date
LEFT JOIN pi ON pi.date = d.date
LEFT JOIN op ON op.date = d.date
