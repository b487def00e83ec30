-- The channel is the conversation's internal endpoint channel (phone, email, fax, secure);
-- team and note conversations have none, so their type stands in.
select
    c.*,
    coalesce(c.internal_endpoint__channel, c.type) as channel
from (
{{ raw_table('conversations', [
    ('id', 'string'),
    ('title', 'string'),
    ('type', 'string'),
    ('archived', 'boolean'),
    ('assigned_to_member_id', 'string'),
    ('internal_endpoint__channel', 'string'),
    ('created_at', 'timestamp'),
    ('last_message_at', 'timestamp'),
    ('_dlt_id', 'string'),
]) }}
) as c
