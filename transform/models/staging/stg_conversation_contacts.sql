{{ raw_table('conversations__associated_contact_ids', [
    ('value', 'string'),
    ('_dlt_parent_id', 'string'),
    ('_dlt_list_idx', 'bigint'),
]) }}
