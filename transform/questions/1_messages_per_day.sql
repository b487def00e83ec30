-- Messages per day (the last 7 days with activity)
select activity_date as day, inbound_messages as inbound, outbound_messages as outbound,
    new_conversations, new_contacts
from {analytics}.daily_activity
where channel = 'all'
order by activity_date desc
limit 7
