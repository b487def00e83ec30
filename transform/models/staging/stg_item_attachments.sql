{{ raw_table('conversation_items__attachments', [
    ('type', 'string'),
    ('_dlt_parent_id', 'string'),
]) }}
