-- Live contacts (not deleted in Spruce) with their first phone and email and their tags.
with contacts as (
    select * from {{ ref('stg_contacts') }} where deleted_at is null
),
phones as (
    select _dlt_parent_id, value, label,
        row_number() over (partition by _dlt_parent_id order by _dlt_list_idx) as rank
    from {{ ref('stg_contact_phone_numbers') }}
),
emails as (
    select _dlt_parent_id, value,
        row_number() over (partition by _dlt_parent_id order by _dlt_list_idx) as rank
    from {{ ref('stg_contact_email_addresses') }}
),
tags as (
    select _dlt_parent_id, {{ dbt.listagg('value', "', '", 'order by value') }} as tags
    from {{ ref('stg_contact_tags') }}
    group by _dlt_parent_id
),
conversations as (
    select value as contact_id, count(*) as conversation_count
    from {{ ref('stg_conversation_contacts') }}
    group by value
)

select
    contacts.id as contact_id,
    contacts.display_name,
    contacts.given_name,
    contacts.family_name,
    contacts.category,
    contacts.gender,
    cast(substring(contacts.date_of_birth, 1, 4) as {{ dbt.type_bigint() }}) as birth_year,
    contacts.date_of_birth,
    contacts.created as created_at,
    phones.value as primary_phone,
    phones.label as primary_phone_label,
    emails.value as primary_email,
    tags.tags,
    coalesce(conversations.conversation_count, 0) as conversation_count
from contacts
left join phones on phones._dlt_parent_id = contacts._dlt_id and phones.rank = 1
left join emails on emails._dlt_parent_id = contacts._dlt_id and emails.rank = 1
left join tags on tags._dlt_parent_id = contacts._dlt_id
left join conversations on conversations.contact_id = contacts.id
