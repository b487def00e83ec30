-- Activity per UTC day and channel; the rows with channel 'all' add up every channel and
-- alone carry new_contacts (contacts have no channel).
with messages as (
    select created_date as activity_date, channel, direction, is_internal_note
    from {{ ref('messages') }}
    where not is_deleted
),
conversations as (
    select cast(created_at as date) as activity_date, channel
    from {{ ref('stg_conversations') }}
),
-- Contacts still live in Spruce: a contact deleted before the first sync was never
-- loaded, so counting deleted ones would depend on when syncing started.
contacts as (
    select cast(created as date) as activity_date, count(*) as new_contacts
    from {{ ref('stg_contacts') }}
    where deleted_at is null
    group by cast(created as date)
),
by_channel as (
    select activity_date, channel,
        sum(case when direction = 'inbound' then 1 else 0 end) as inbound_messages,
        sum(case when direction = 'outbound' then 1 else 0 end) as outbound_messages,
        sum(case when direction = 'none' then 1 else 0 end) as other_messages,
        sum(case when is_internal_note then 1 else 0 end) as internal_notes,
        0 as new_conversations
    from messages
    group by activity_date, channel
    union all
    select activity_date, channel, 0, 0, 0, 0, count(*)
    from conversations
    group by activity_date, channel
),
per_channel as (
    select activity_date, coalesce(channel, 'unknown') as channel,
        sum(inbound_messages) as inbound_messages,
        sum(outbound_messages) as outbound_messages,
        sum(other_messages) as other_messages,
        sum(internal_notes) as internal_notes,
        sum(new_conversations) as new_conversations
    from by_channel
    group by activity_date, coalesce(channel, 'unknown')
),
all_channels as (
    select activity_date, 'all' as channel,
        sum(inbound_messages) as inbound_messages,
        sum(outbound_messages) as outbound_messages,
        sum(other_messages) as other_messages,
        sum(internal_notes) as internal_notes,
        sum(new_conversations) as new_conversations
    from per_channel
    group by activity_date
),
days as (
    select activity_date from all_channels
    union
    select activity_date from contacts
)

select
    days.activity_date,
    'all' as channel,
    coalesce(all_channels.inbound_messages, 0) as inbound_messages,
    coalesce(all_channels.outbound_messages, 0) as outbound_messages,
    coalesce(all_channels.other_messages, 0) as other_messages,
    coalesce(all_channels.internal_notes, 0) as internal_notes,
    coalesce(all_channels.new_conversations, 0) as new_conversations,
    coalesce(contacts.new_contacts, 0) as new_contacts
from days
left join all_channels on all_channels.activity_date = days.activity_date
left join contacts on contacts.activity_date = days.activity_date
union all
select activity_date, channel, inbound_messages, outbound_messages, other_messages,
    internal_notes, new_conversations, cast(null as {{ dbt.type_bigint() }}) as new_contacts
from per_channel
