-- Inbound vs outbound messages per channel
select channel,
    sum(case when direction = 'inbound' then 1 else 0 end) as inbound,
    sum(case when direction = 'outbound' then 1 else 0 end) as outbound,
    sum(case when direction = 'none' then 1 else 0 end) as internal
from {analytics}.messages
where not is_deleted
group by channel
order by inbound desc, channel
