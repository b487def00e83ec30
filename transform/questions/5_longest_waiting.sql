-- Patients waiting longest for a reply (unanswered inbound messages, oldest first)
select conversation_id, channel, received_at
from {analytics}.response_times
where not is_answered
order by received_at, message_id
limit 5
