-- Live opportunities with what every pipeline and KPI model needs (macros/opportunities.sql).
-- A view: fct_opportunity is its one reader and adds only the history facts, so the
-- opportunities are written once a night, not twice (10M leads: the two tables 3.3-3.7 s, the
-- view and fct_opportunity 2.4-2.9 s; DECISIONS.md, "The fixed part of a night").
{{ config(materialized='view') }}

{{ live_opportunities() }}
