-- One row per conversation item, with what an analyst filters and groups by.
with items as (
    select * from {{ ref('stg_conversation_items') }}
),
conversations as (
    select * from {{ ref('stg_conversations') }}
),
members as (
    select * from {{ ref('stg_organization_members') }}
),
attachments as (
    select _dlt_parent_id, count(*) as attachment_count
    from {{ ref('stg_item_attachments') }}
    group by _dlt_parent_id
),
conversation_tags as (
    select _dlt_parent_id, {{ dbt.listagg('value', "', '", 'order by value') }} as tags
    from {{ ref('stg_conversation_tags') }}
    group by _dlt_parent_id
),
conversation_contacts as (
    select
        _dlt_parent_id,
        min(value) as primary_contact_id,
        {{ dbt.listagg('value', "', '", 'order by value') }} as contact_ids,
        count(*) as contact_count
    from {{ ref('stg_conversation_contacts') }}
    group by _dlt_parent_id
)

select
    items.id as message_id,
    items.conversation_id,
    conversations.type as conversation_type,
    conversations.channel,
    conversations.title as conversation_title,
    conversation_tags.tags as conversation_tags,
    conversations.archived as conversation_archived,
    conversation_contacts.primary_contact_id,
    conversation_contacts.contact_ids,
    coalesce(conversation_contacts.contact_count, 0) as contact_count,
    items.direction,
    items.is_internal_note,
    items.author__id as author_id,
    items.author__display_name as author_name,
    members.id is not null as author_is_member,
    items.created_at,
    cast(items.created_at as date) as created_date,
    items.modified_at,
    items.text_length,
    coalesce(attachments.attachment_count, 0) as attachment_count,
    items.looks_deleted and attachments.attachment_count is null as is_deleted,
    case when items.looks_deleted and attachments.attachment_count is null
        then items.modified_at end as deleted_at
from items
left join conversations on conversations.id = items.conversation_id
left join conversation_tags on conversation_tags._dlt_parent_id = conversations._dlt_id
left join conversation_contacts on conversation_contacts._dlt_parent_id = conversations._dlt_id
left join attachments on attachments._dlt_parent_id = items._dlt_id
left join members on members.id = items.author__id
