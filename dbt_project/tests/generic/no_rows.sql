{#- Fails for every row of the model: for models that list problems (quarantine.*_problems).
    The failing rows carry a `message` the run's error report quotes. -#}
{% test no_rows(model) %}
    select * from {{ model }}
{% endtest %}
