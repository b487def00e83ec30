-- Contacts as loaded; the sync sets `deleted_at` when a contact disappears from Spruce.
{{ raw_table('contacts', [
    ('id', 'string'),
    ('display_name', 'string'),
    ('given_name', 'string'),
    ('family_name', 'string'),
    ('date_of_birth', 'string'),
    ('gender', 'string'),
    ('category', 'string'),
    ('created', 'timestamp'),
    ('deleted_at', 'timestamp'),
    ('_dlt_id', 'string'),
]) }}
