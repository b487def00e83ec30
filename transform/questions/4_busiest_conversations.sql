-- Busiest conversations
select conversation_id, channel, message_count, inbound_count, outbound_count,
    round(cast(first_response_seconds / 3600.0 as numeric), 1) as first_response_hours
from {analytics}.conversations_enriched
order by message_count desc, conversation_id
limit 5
