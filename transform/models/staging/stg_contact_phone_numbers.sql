{{ raw_table('contacts__phone_numbers', [
    ('value', 'string'),
    ('label', 'string'),
    ('_dlt_parent_id', 'string'),
    ('_dlt_list_idx', 'bigint'),
]) }}
