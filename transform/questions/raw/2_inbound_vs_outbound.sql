-- Inbound vs outbound
SELECT direction, count(*) AS messages,
       round(100.0 * count(*) / sum(count(*)) OVER (), 1) AS percent
FROM {dataset}.conversation_items
GROUP BY direction ORDER BY messages DESC
