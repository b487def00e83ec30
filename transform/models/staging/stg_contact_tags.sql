{{ raw_table('contacts__tags', [
    ('value', 'string'),
    ('_dlt_parent_id', 'string'),
]) }}
