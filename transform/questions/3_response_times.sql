-- How fast do we answer patients (median hours to the next reply, per channel)
select channel,
    count(*) as inbound_messages,
    sum(case when is_answered then 0 else 1 end) as unanswered,
    round(cast(percentile_cont(0.5) within group (order by response_seconds) / 3600.0
        as numeric), 1) as median_hours
from {analytics}.response_times
group by channel
order by inbound_messages desc
