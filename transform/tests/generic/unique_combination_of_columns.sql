{#- The combination of `columns` is unique (as dbt_utils has it, without depending on the package). -#}
{% test unique_combination_of_columns(model, columns) %}
select {{ columns | join(', ') }}
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
