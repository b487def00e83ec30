-- `text_length` exists when the PHI policy redacts `text`; otherwise it is measured here.
-- Spruce has no deleted flag: a soft-deleted item stays listed as a placeholder whose
-- content is emptied (text, attachments, call event), that can no longer be deleted, and
-- whose `modified_at` is the deletion time. `looks_deleted` checks all but attachments,
-- which the messages model adds.
select
    i.id,
    i.conversation_id,
    i.direction,
    coalesce(i.is_internal_note, false) as is_internal_note,
    coalesce(i.text_length, {{ dbt.length('i.text') }}, 0) as text_length,
    i.author__id,
    i.author__display_name,
    i.created_at,
    i.modified_at,
    coalesce(i.text_length, {{ dbt.length('i.text') }}, 0) = 0
        and i.event__type is null
        and not coalesce(i.can_delete, true)
        and i.modified_at > i.created_at as looks_deleted,
    i._dlt_id
from (
{{ raw_table('conversation_items', [
    ('id', 'string'),
    ('conversation_id', 'string'),
    ('direction', 'string'),
    ('is_internal_note', 'boolean'),
    ('text', 'string'),
    ('text_length', 'bigint'),
    ('author__id', 'string'),
    ('author__display_name', 'string'),
    ('event__type', 'string'),
    ('can_delete', 'boolean'),
    ('created_at', 'timestamp'),
    ('modified_at', 'timestamp'),
    ('_dlt_id', 'string'),
]) }}
) as i
