-- Teammates carry displayName, teams and the organization carry name.
select
    m.id,
    m.type,
    coalesce(m.display_name, m.name) as member_name
from (
{{ raw_table('organization_members', [
    ('id', 'string'),
    ('type', 'string'),
    ('display_name', 'string'),
    ('name', 'string'),
]) }}
) as m
