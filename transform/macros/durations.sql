{#- Seconds from `start` to `finish` (timestamps), with millisecond precision. -#}
{% macro seconds_between(start, finish) %}
  {{ return(adapter.dispatch('seconds_between', 'spruce_analytics')(start, finish)) }}
{% endmacro %}

{% macro default__seconds_between(start, finish) %}
  cast(extract(epoch from ({{ finish }} - {{ start }})) as {{ dbt.type_float() }})
{% endmacro %}

{% macro duckdb__seconds_between(start, finish) %}
  ((epoch_ms({{ finish }}) - epoch_ms({{ start }})) / 1000.0)
{% endmacro %}
