{#- The UTC day of a TIMESTAMPTZ column, whatever the session's time zone. -#}
{% macro utc_day(column) %}{{ return(adapter.dispatch('utc_day')(column)) }}{% endmacro %}

{% macro default__utc_day(column) %}cast({{ column }} at time zone 'UTC' as date){% endmacro %}

{% macro bigquery__utc_day(column) %}date({{ column }}, 'UTC'){% endmacro %}
