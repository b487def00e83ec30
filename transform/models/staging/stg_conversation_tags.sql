{{ raw_table('conversations__tags', [
    ('value', 'string'),
    ('_dlt_parent_id', 'string'),
]) }}
