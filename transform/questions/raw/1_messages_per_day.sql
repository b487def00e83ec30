-- Messages per day, last 14 days with messages (internal notes left out)
SELECT CAST(created_at AS DATE) AS day,
       count(*) FILTER (WHERE direction = 'inbound') AS inbound,
       count(*) FILTER (WHERE direction = 'outbound') AS outbound
FROM {dataset}.conversation_items
WHERE NOT coalesce(is_internal_note, false)
GROUP BY day ORDER BY day DESC LIMIT 14
