-- The busiest conversations
SELECT c.id AS conversation, c.type, count(*) AS messages,
       max(i.created_at) AS last_message
FROM {dataset}.conversation_items AS i
JOIN {dataset}.conversations AS c ON c.id = i.conversation_id
GROUP BY c.id, c.type ORDER BY messages DESC, conversation LIMIT 10
