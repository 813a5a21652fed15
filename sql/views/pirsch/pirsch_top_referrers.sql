-- Pirsch referrers over every loaded day, per domain, ranked by visitors. visitors and
-- sessions are sums of the daily numbers (visitor-days); bounce_rate = bounces / sessions.
-- An empty referrer is direct traffic.
SELECT
  r.domain_id,
  r.referrer,
  MAX(r.referrer_name) AS referrer_name,
  MIN(r.date) AS first_date,
  MAX(r.date) AS last_date,
  SUM(r.visitors) AS visitors,
  SUM(r.sessions) AS sessions,
  SUM(r.bounces) AS bounces,
  CAST(SUM(r.bounces) AS DOUBLE PRECISION) / NULLIF(SUM(r.sessions), 0) AS bounce_rate,
  RANK() OVER (PARTITION BY r.domain_id ORDER BY SUM(r.visitors) DESC) AS visitor_rank
FROM pirsch.referrers_daily AS r
GROUP BY r.domain_id, r.referrer
