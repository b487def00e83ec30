-- One row per conversation: volumes, first and last message, first response, assignee.
with conversations as (
    select * from {{ ref('stg_conversations') }}
),
messages as (
    select * from {{ ref('messages') }}
),
volumes as (
    select
        conversation_id,
        count(*) as message_count,
        sum(case when direction = 'inbound' then 1 else 0 end) as inbound_count,
        sum(case when direction = 'outbound' then 1 else 0 end) as outbound_count,
        sum(case when direction = 'none' then 1 else 0 end) as other_count,
        sum(case when is_internal_note then 1 else 0 end) as internal_note_count,
        sum(case when is_deleted then 1 else 0 end) as deleted_count,
        min(created_at) as first_message_at,
        max(created_at) as last_item_at
    from messages
    group by conversation_id
),
first_inbound as (
    select conversation_id, received_at, replied_at, response_seconds, responder_id,
        row_number() over (partition by conversation_id order by received_at, message_id) as rank
    from {{ ref('response_times') }}
),
members as (
    select * from {{ ref('stg_organization_members') }}
)

select
    conversations.id as conversation_id,
    conversations.type as conversation_type,
    conversations.channel,
    conversations.title,
    conversations.archived,
    conversations.assigned_to_member_id,
    members.member_name as assignee_name,
    conversations.created_at,
    conversations.last_message_at,
    volumes.first_message_at,
    volumes.last_item_at,
    coalesce(volumes.message_count, 0) as message_count,
    coalesce(volumes.inbound_count, 0) as inbound_count,
    coalesce(volumes.outbound_count, 0) as outbound_count,
    coalesce(volumes.other_count, 0) as other_count,
    coalesce(volumes.internal_note_count, 0) as internal_note_count,
    coalesce(volumes.deleted_count, 0) as deleted_count,
    first_inbound.received_at as first_inbound_at,
    first_inbound.replied_at as first_response_at,
    first_inbound.response_seconds as first_response_seconds,
    first_inbound.responder_id as first_responder_id
from conversations
left join volumes on volumes.conversation_id = conversations.id
left join first_inbound on first_inbound.conversation_id = conversations.id and first_inbound.rank = 1
left join members on members.id = conversations.assigned_to_member_id
