{{ raw_table('contacts__email_addresses', [
    ('value', 'string'),
    ('label', 'string'),
    ('_dlt_parent_id', 'string'),
    ('_dlt_list_idx', 'bigint'),
]) }}
