-- Every inbound message with the time to the next outbound reply in its conversation.
-- Replies are outbound items that are neither internal notes nor deleted; deleted inbound
-- items are left out too (a placeholder is not a patient waiting). Ties in time are
-- ordered by item id, so the figures are deterministic.
with answerable as (
    select *
    from {{ ref('messages') }}
    where not is_deleted
      and not is_internal_note
      and direction in ('inbound', 'outbound')
),
sequenced as (
    select
        answerable.*,
        min(case when direction = 'outbound' then created_at end) over (
            partition by conversation_id
            order by created_at, message_id
            rows between 1 following and unbounded following
        ) as replied_at
    from answerable
),
replies as (
    select conversation_id, created_at, message_id, author_id,
        row_number() over (
            partition by conversation_id, created_at order by message_id
        ) as tie_rank
    from answerable
    where direction = 'outbound'
)

select
    sequenced.message_id,
    sequenced.conversation_id,
    sequenced.conversation_type,
    sequenced.channel,
    sequenced.primary_contact_id,
    sequenced.created_at as received_at,
    sequenced.created_date as received_date,
    cast({{ dbt.date_trunc('week', 'sequenced.created_at') }} as date) as received_week,
    sequenced.replied_at,
    replies.message_id as reply_message_id,
    replies.author_id as responder_id,
    {{ seconds_between('sequenced.created_at', 'sequenced.replied_at') }} as response_seconds,
    sequenced.replied_at is not null as is_answered
from sequenced
left join replies
    on replies.conversation_id = sequenced.conversation_id
   and replies.created_at = sequenced.replied_at
   and replies.tie_rank = 1
where sequenced.direction = 'inbound'
