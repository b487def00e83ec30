{#- Read a raw dlt table whose shape depends on the data: dlt creates a column only once
    a non-null value arrived and a child table only once it has rows, and a PHI policy
    may drop columns. Every column named here is selected when present, else as a typed
    NULL; an absent table reads as no rows. Types: string, bigint, boolean, float, and
    timestamp (dlt's timestamptz, returned as UTC wall time). -#}
{% macro raw_table(table, columns) %}
  {%- set relation = load_relation(source('spruce', table)) if execute else none -%}
  {%- set present = [] -%}
  {%- if relation is not none -%}
    {%- for column in adapter.get_columns_in_relation(relation) -%}
      {%- do present.append(column.name | lower) -%}
    {%- endfor -%}
  {%- endif %}
  select
  {%- for name, type in columns %}
    {{ typed_column(name if name in present else none, type) }} as {{ name }}{{ "," if not loop.last }}
  {%- endfor %}
  {%- if relation is not none %}
  from {{ relation }}
  {%- else %}
  where 1 = 0
  {%- endif %}
{% endmacro %}

{% macro typed_column(name, type) %}
  {%- if type == 'timestamp' and name is not none -%}
    {{ utc_wall_time(name) }}
  {%- else -%}
    cast({{ name if name is not none else 'null' }} as {{ sql_type(type) }})
  {%- endif -%}
{% endmacro %}

{% macro sql_type(type) %}
  {%- set types = {
      'string': dbt.type_string(),
      'bigint': dbt.type_bigint(),
      'boolean': dbt.type_boolean(),
      'float': dbt.type_float(),
      'timestamp': dbt.type_timestamp(),
  } -%}
  {{ types[type] }}
{% endmacro %}

{#- timestamptz -> timestamp in UTC, so that dates do not depend on the session zone. -#}
{% macro utc_wall_time(name) %}({{ name }} at time zone 'UTC'){% endmacro %}
